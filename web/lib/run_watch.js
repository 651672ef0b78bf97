// web/lib/run_watch.js - watchRun(run, name): follow a sync started from
// this page until it ends, then say how it went in a toast (with its
// counts), wherever the person is by then. It stops quietly when the run
// cannot be read any more (signed out, deleted).
import { get } from './api.js';
import { num, plural } from './format.js';
import { toast } from '../components/toast.js';

const EVERY = 2000;
const GIVE_UP = 6 * 60 * 60 * 1000;   // a sync that runs longer is followed in Logs

export function watchRun(run, name, { what = 'Sync' } = {}) {
  const started = Date.now();
  const look = async () => {
    let r;
    try { r = await get(`/api/runs/${encodeURIComponent(run.id)}`); } catch (e) { return; }
    if (r.status === 'queued' || r.status === 'running') {
      if (Date.now() - started < GIVE_UP) setTimeout(look, EVERY);
      return;
    }
    const c = r.counts || {};
    const counts = `${plural(c.processed || 0, 'record')} (${num(c.created || 0)} new, ${num(c.updated || 0)} updated${c.failed ? `, ${num(c.failed)} failed` : ''})`;
    if (r.status === 'success') toast(`${what} of ${name} finished: ${counts}.`, 'success');
    else if (r.status === 'partial') toast(`${what} of ${name} finished in part: ${counts}. ${r.error || ''} Its log is under Logs.`, 'error');
    else if (r.status === 'cancelled') toast(`${what} of ${name} was cancelled after ${counts}.`, 'info');
    else toast(`${what} of ${name} failed: ${r.error || 'no reason given'}. Its log is under Logs.`, 'error');
  };
  setTimeout(look, EVERY);
}
