// web/pages/runs.js - an integration's run logs: its runs newest first, a
// page at a time (the server pages them, so 100,000 runs cost what 25 do),
// with trigger, status, start, duration and counts. "Sync now" puts the new
// run at the top; while a run on the page goes on, the page asks again
// every 2 s so its counts grow and its duration ticks.
import { html, useState, useEffect } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { useLoad, usePoll } from '../lib/load.js';
import { Link } from '../lib/router.js';
import { connectors } from '../lib/connectors.js';
import { dateTime, relTime, duration, num } from '../lib/format.js';
import { syncNow } from '../lib/integration_actions.js';
import { isLive, triggerWords, useNow, runSeconds } from '../lib/runs.js';
import { RunBadge, StatusBadge, shownStatus } from '../components/badge.js';
import { Logo } from '../components/logo.js';
import { usePager, Pager } from '../components/pager.js';
import { Loading, Failed, Empty } from '../components/states.js';
import { Crumbs } from '../components/crumbs.js';

const SIZES = [10, 25, 50, 100];
const enc = encodeURIComponent;

function RunRow({ run, at, now }) {
  const started = run.started_at || run.created_at;
  const secs = runSeconds(run, at, now);
  const c = run.counts || {};
  return html`<tr data-run=${run.id} data-status=${run.status}>
    <td data-label="Started"><${Link} href=${`/ui/runs/${run.id}`} class="strong" aria-label=${`Run of ${dateTime(started)}: details`}>${dateTime(started)}</${Link}>
      <div class="muted small" title=${started}>${relTime(started)}</div></td>
    <td data-label="Status"><${RunBadge} status=${run.status} /></td>
    <td data-label="Trigger">${triggerWords(run.triggered_by)}${run.mode === 'full' ? html` <span class="muted small">(full)</span>` : ''}</td>
    <td data-label="Duration" class="num" data-duration>${run.status === 'queued' ? html`<span class="muted">Waiting</span>` : duration(secs)}</td>
    <td data-label="Processed" class="num" data-count="processed">${num(c.processed)}</td>
    <td data-label="Created" class="num" data-count="created">${num(c.created)}</td>
    <td data-label="Updated" class="num" data-count="updated">${num(c.updated)}</td>
    <td data-label="Failed" class=${'num' + (c.failed > 0 ? ' count-bad' : '')} data-count="failed">${num(c.failed)}</td>
  </tr>`;
}

export function Runs({ id }) {
  const [size, setSize] = useState(25);
  const [busy, setBusy] = useState(false);
  const pager = usePager();
  useEffect(() => { pager.reset(); }, [id]);
  const it = useLoad(() => get(`/api/integrations/${enc(id)}`), [id]);
  const cat = useLoad(() => connectors(), []);
  // Each answer keeps the time it came, the base of the ticking durations.
  const list = useLoad(() => get(`/api/integrations/${enc(id)}/runs` + qs({ limit: size, cursor: pager.cursor }))
    .then((r) => ({ ...r, at: Date.now() })), [id, size, pager.cursor]);
  const rows = list.data ? list.data.data : [];
  const live = rows.some(isLive);
  // Quick while a run goes on; slowly on the first page otherwise, so that
  // a scheduled run shows up without a reload.
  usePoll(() => list.reload(true), live ? 2000 : 15000, live || pager.page === 1);
  const now = useNow(rows.some((r) => r.status === 'running'));

  const integ = it.data;
  const conn = integ && cat.data ? cat.data.byName[integ.connector] : null;
  const name = integ ? integ.name : 'Integration';
  const latest = pager.page === 1 ? rows[0] : null;
  const status = integ ? shownStatus({ ...integ, last_run: latest }) : null;
  const cannotSync = !integ || busy || status === 'syncing' || ['paused', 'disconnected', 'draft', 'needs_reauth'].includes(integ.status);

  const sync = async () => {
    setBusy(true);
    await syncNow(integ);
    setBusy(false);
    // The new run (or the one already going) is the newest: show page 1.
    if (pager.page !== 1) pager.reset(); else list.reload(true);
  };

  return html`<section class="page">
    <${Crumbs} items=${[['Integrations', '/'], [name, `/ui/integrations/${id}`], ['Logs']]} />
    <div class="page-head">
      <div class="name-cell">
        ${integ && html`<${Logo} connector=${integ.connector} title=${conn && conn.title} size=${40} />`}
        <div><h1>Run logs</h1>
          <div class="muted">${name}${conn ? ` · ${conn.title}` : ''} ${status && html`<${StatusBadge} status=${status} />`}</div></div>
      </div>
      <div class="head-actions">
        <button class="btn btn-primary" disabled=${cannotSync} onClick=${sync}>${busy ? 'Starting…' : 'Sync now'}</button>
        <${Link} class="btn" href=${`/ui/integrations/${id}`}>Settings</${Link}>
      </div>
    </div>
    ${it.error && html`<${Failed} error=${it.error} retry=${() => it.reload(false)} />`}
    ${integ && integ.status === 'paused' && html`<p class="muted">This integration is paused: resume it in its settings to sync.</p>`}
    ${integ && integ.status === 'needs_reauth' && html`<p class="muted">This integration must be reconnected before it can sync: <${Link} href=${`/ui/integrations/${id}`}>reconnect it in its settings</${Link}>.</p>`}
    <div class="toolbar">
      <label class="inline">Runs per page
        <select value=${size} onChange=${(e) => { setSize(Number(e.target.value)); pager.reset(); }}>
          ${SIZES.map((n) => html`<option value=${n}>${n}</option>`)}
        </select></label>
      ${live && html`<span class="muted small live-note">A sync is running: this list updates every 2 seconds.</span>`}
    </div>
    ${list.error && !it.error && html`<${Failed} error=${list.error} retry=${() => list.reload(false)} />`}
    ${list.loading && !list.data && html`<${Loading} what="Loading runs" />`}
    ${list.data && rows.length === 0 && html`<${Empty}>${pager.page === 1
      ? html`<h2>No runs yet</h2><p>This integration has not synced yet. “Sync now” runs it for the first time.</p>`
      : html`<p>No more runs.</p>`}</${Empty}>`}
    ${rows.length > 0 && html`<div class="table-wrap"><table class="table runs-table" aria-label="Runs">
      <thead><tr><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Trigger</th>
        <th scope="col" class="num">Duration</th><th scope="col" class="num">Processed</th><th scope="col" class="num">Created</th>
        <th scope="col" class="num">Updated</th><th scope="col" class="num">Failed</th></tr></thead>
      <tbody>${rows.map((r) => html`<${RunRow} key=${r.id} run=${r} at=${list.data.at} now=${now} />`)}</tbody>
    </table></div>`}
    <${Pager} pager=${pager} nextCursor=${list.data && list.data.next_cursor} label="Run pages" />
  </section>`;
}
