// web/lib/runs.js - what the logs, the run detail and the settings page say
// about a run: its trigger in words, whether it is still going, how long it
// has taken (ticking while it runs), and its error as a sentence.
import { useState, useEffect } from './html.js';

export const isLive = (run) => !!run && (run.status === 'queued' || run.status === 'running');

const triggers = { manual: 'By hand', schedule: 'Schedule', webhook: 'Webhook', retry: 'Retry' };
export const triggerWords = (t) => triggers[t] || t || '—';

const modes = { incremental: 'Incremental', full: 'Full', push: 'Pushed by webhook' };
export const modeWords = (m) => modes[m] || m || '—';

// useNow(active): the time, renewed every second while active, so that a
// running run's duration ticks between two polls of the server.
export function useNow(active) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

// runSeconds(run, fetchedAt, now): the server's duration_s, plus the time
// since the answer came while the run is running. The server's figure is
// the base (not started_at) so that a client clock set wrong cannot make
// it negative.
export function runSeconds(run, fetchedAt, now) {
  if (!run || run.duration_s === null || run.duration_s === undefined) return null;
  if (run.status !== 'running' || !fetchedAt) return run.duration_s;
  return run.duration_s + Math.max(0, Math.floor((now - fetchedAt) / 1000));
}

function sentence(s) {
  const t = String(s).trim();
  return /[.!?]$/.test(t) ? t : t + '.';
}

// runProblem(run) -> a sentence saying what went wrong, or null.
export function runProblem(run) {
  if (!run) return null;
  const e = run.error && run.error !== run.status ? run.error : '';
  if (run.status === 'failed') return e ? `This sync failed: ${sentence(e)}` : 'This sync failed. Its log below says why.';
  if (run.status === 'partial') return `This sync ended early or some records were not loaded${e ? ': ' + sentence(e) : '. Its log below says which and why.'}`;
  if (run.status === 'cancelled') return `This sync was cancelled${e ? ' (' + e + ')' : ''}. What it loaded before it stopped is kept.`;
  return null;
}
