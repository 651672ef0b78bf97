// web/pages/run.js - one run: what started it, how it went, its counts per
// stream and its log. A queued or running run is asked for again every 2 s
// (its counters grow at every committed batch) and can be cancelled.
import { html, useState } from '../lib/html.js';
import { get, post } from '../lib/api.js';
import { useLoad, usePoll } from '../lib/load.js';
import { Link } from '../lib/router.js';
import { dateTime, duration, num } from '../lib/format.js';
import { isLive, triggerWords, modeWords, useNow, runSeconds, runProblem } from '../lib/runs.js';
import { RunBadge } from '../components/badge.js';
import { Dialog } from '../components/dialog.js';
import { toast, toastError } from '../components/toast.js';
import { Loading, Failed } from '../components/states.js';
import { Crumbs } from '../components/crumbs.js';
import { LogView } from '../components/log_view.js';

const enc = encodeURIComponent;
const COUNTS = [['processed', 'Processed'], ['created', 'Created'], ['updated', 'Updated'],
  ['unchanged', 'Unchanged'], ['deleted', 'Deleted'], ['failed', 'Failed']];

function bytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

function StreamTable({ run }) {
  const names = Object.keys(run.streams || {});
  if (!names.length) {
    return html`<p class="muted">${isLive(run) ? 'No stream has committed records yet.'
      : 'Counts per stream are kept for connectors that read one stream after another; this run has only the totals above.'}</p>`;
  }
  return html`<div class="table-wrap"><table class="table stream-table" aria-label="Counts per stream">
    <thead><tr><th scope="col">Stream</th>${COUNTS.map(([, l]) => html`<th scope="col" class="num">${l}</th>`)}</tr></thead>
    <tbody>${names.map((s) => html`<tr key=${s} data-stream=${s}><th scope="row">${s}</th>
      ${COUNTS.map(([k, l]) => html`<td class=${'num' + (k === 'failed' && run.streams[s][k] > 0 ? ' count-bad' : '')}
        data-label=${l} data-count=${k}>${num(run.streams[s][k])}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}

function CancelDialog({ run, onClose, onDone }) {
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      await post(`/api/runs/${enc(run.id)}/cancel`);
      toast('The sync is cancelled. What it loaded so far is kept; the next sync goes on from there.', 'success');
    } catch (e) { toastError(e); }
    setBusy(false);
    onClose();
    onDone();
  };
  return html`<${Dialog} title="Cancel this sync?" onClose=${onClose}>
    <div class="dialog-body"><p>It stops within a second or so. Records it has loaded so far stay, and the next sync goes on from there.</p></div>
    <footer class="dialog-foot">
      <button class="btn" onClick=${onClose}>Keep it running</button>
      <button class="btn btn-danger" disabled=${busy} onClick=${go}>${busy ? 'Cancelling…' : 'Cancel sync'}</button>
    </footer>
  </${Dialog}>`;
}

export function RunDetail({ id }) {
  const [cancelling, setCancelling] = useState(false);
  // The answer keeps the time it came: the ticking duration starts there.
  const load = useLoad(() => get(`/api/runs/${enc(id)}`).then((run) => ({ run, at: Date.now() })), [id]);
  const run = load.data && load.data.run;
  const live = isLive(run);
  usePoll(() => load.reload(true), 2000, live);
  const now = useNow(run && run.status === 'running');
  const it = useLoad(() => (run ? get(`/api/integrations/${enc(run.integration_id)}`) : Promise.resolve(null)),
    [run && run.integration_id]);

  const iid = run && run.integration_id;
  const name = it.data ? it.data.name : 'Integration';
  const crumbs = iid ? [['Integrations', '/'], [name, `/ui/integrations/${iid}`], ['Logs', `/ui/integrations/${iid}/runs`], ['Run']]
    : [['Integrations', '/'], ['Run']];
  if (!run) {
    return html`<section class="page"><${Crumbs} items=${crumbs} /><h1>Run</h1>
      ${load.error ? html`<${Failed} error=${load.error} retry=${() => load.reload(false)} />` : html`<${Loading} what="Loading the run" />`}</section>`;
  }
  const started = run.started_at || run.created_at;
  const problem = runProblem(run);
  const streams = Object.keys(run.streams || {});
  const current = run.status === 'running' && streams.length ? streams[streams.length - 1] : null;
  const facts = [
    ['Status', html`<${RunBadge} status=${run.status} />`],
    ['Trigger', triggerWords(run.triggered_by)],
    ['Mode', modeWords(run.mode)],
    ['Queued', dateTime(run.created_at)],
    ['Started', dateTime(run.started_at)],
    ['Finished', live ? html`<span class="muted">Not yet</span>` : dateTime(run.finished_at)],
    ['Duration', run.status === 'queued' ? html`<span class="muted">Waiting for a worker</span>` : html`<span data-duration>${duration(runSeconds(run, load.data.at, now))}</span>`],
    ['Data read', bytes(run.bytes)],
  ];

  return html`<section class="page">
    <${Crumbs} items=${crumbs} />
    <div class="page-head">
      <div><h1>Run of ${dateTime(started)}</h1><div class="muted small">${name} · <code>${run.id}</code></div></div>
      <div class="head-actions">
        ${live && html`<button class="btn btn-danger" onClick=${() => setCancelling(true)}>Cancel sync</button>`}
        ${iid && html`<${Link} class="btn" href=${`/ui/integrations/${iid}/runs`}>All runs</${Link}>`}
      </div>
    </div>
    ${load.error && html`<${Failed} error=${load.error} retry=${() => load.reload(false)} />`}
    ${live && html`<div class="alert alert-info run-live"><p>${run.status === 'queued' ? 'Waiting for a worker to start this sync.'
      : `Syncing${current ? `: reading ${current}` : ''}. Counts and the log update every 2 seconds.`}</p></div>`}
    ${problem && html`<div class=${'alert ' + (run.status === 'cancelled' ? 'alert-warn' : 'alert-error')} role="alert" data-problem><p>${problem}</p></div>`}
    <dl class="facts card">${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
    <h2 class="section-title">Records</h2>
    <ul class="stats" aria-label="Counts">
      ${COUNTS.map(([k, l]) => html`<li class="stat card"><span class="stat-label">${l}</span>
        <span class=${'stat-value' + (k === 'failed' && run.counts && run.counts[k] > 0 ? ' count-bad' : '')} data-count=${k}>${num(run.counts ? run.counts[k] : null)}</span></li>`)}
    </ul>
    <h2 class="section-title">Per stream</h2>
    <${StreamTable} run=${run} />
    <h2 class="section-title">Log</h2>
    <${LogView} lines=${run.log || []} live=${live} />
    ${cancelling && html`<${CancelDialog} run=${run} onClose=${() => setCancelling(false)} onDone=${() => load.reload(true)} />`}
  </section>`;
}
