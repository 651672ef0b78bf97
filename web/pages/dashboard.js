// web/pages/dashboard.js - the integrations dashboard: stat cards, then the
// integrations a page at a time (filtered and paged by the server, so a
// thousand of them cost what twenty-five do), each with its actions. While
// one syncs the page refreshes itself.
import { html, useState } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { useLoad, usePoll } from '../lib/load.js';
import { Link, navigate } from '../lib/router.js';
import { connectors } from '../lib/connectors.js';
import { relTime, num, plural } from '../lib/format.js';
import { syncNow, reconnectUrl, disconnect } from '../lib/integration_actions.js';
import { StatusBadge, RunBadge, shownStatus } from '../components/badge.js';
import { Logo } from '../components/logo.js';
import { Menu } from '../components/menu.js';
import { usePager, Pager } from '../components/pager.js';
import { Loading, Failed, Empty } from '../components/states.js';
import { DeleteDialog } from '../components/delete_dialog.js';
import { Confirm } from '../components/dialog.js';

const PAGE = 25;

function StatCards() {
  const s = useLoad(() => get('/api/stats'), []);
  if (s.error) return html`<${Failed} error=${s.error} retry=${() => s.reload(false)} />`;
  const d = s.data;
  const v = (f) => (d ? num(f(d)) : '…');
  const cards = [
    ['Integrations', v((x) => x.integrations.total), d ? `${num(d.integrations.active)} active` : ''],
    ['Contacts', v((x) => x.records.contacts), 'records'],
    ['Accounts', v((x) => x.records.accounts), 'records'],
    ['Tickets', v((x) => x.records.tickets), 'records'],
    ['Deals', v((x) => x.records.deals), 'records'],
    ['Syncs, last 24 h', v((x) => x.syncs.last_24h), ''],
    ['Failed syncs, 7 days', v((x) => x.syncs.failed_7d), d && d.syncs.success_rate_7d !== null ? `${Math.round(d.syncs.success_rate_7d * 100)}% succeeded` : ''],
  ];
  return html`<ul class="stats" aria-label="Summary">
    ${cards.map(([label, value, sub]) => html`<li class="stat card"><span class="stat-label">${label}</span>
      <span class="stat-value" data-stat=${label}>${value}</span><span class="stat-sub">${sub}</span></li>`)}
  </ul>`;
}

function LastSync({ run }) {
  if (!run) return html`<span class="muted">Never</span>`;
  return html`<span class="last-sync"><${RunBadge} status=${run.status} />
    <span title=${run.finished_at || run.started_at || run.created_at}>${relTime(run.finished_at || run.started_at || run.created_at)}</span></span>`;
}

function Row({ it, conn, onChanged, onDelete }) {
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const oauth = conn && conn.auth && conn.auth.type === 'oauth2';
  const status = shownStatus(it);
  const items = [
    { label: 'Settings', run: () => navigate(`/ui/integrations/${it.id}`) },
    (status === 'needs_reauth' || status === 'disconnected' || status === 'draft' || oauth) && {
      label: status === 'draft' ? 'Connect' : 'Reconnect',
      run: () => { if (oauth) window.location.assign(reconnectUrl(it, `/ui/integrations/${it.id}`)); else navigate(`/ui/integrations/${it.id}#credentials`); },
    },
    status !== 'disconnected' && status !== 'draft' && { label: 'Disconnect', run: () => setConfirmDisconnect(true) },
    { label: 'Delete', danger: true, run: () => onDelete(it) },
  ];
  return html`<tr data-integration=${it.id}>
    <td><div class="name-cell"><${Logo} connector=${it.connector} title=${conn && conn.title} />
      <div><${Link} href=${`/ui/integrations/${it.id}`} class="strong">${it.name}</${Link}>
      <div class="muted small">${conn ? conn.title : it.connector}</div></div></div></td>
    <td><${StatusBadge} status=${status} /></td>
    <td><${LastSync} run=${it.last_run} /></td>
    <td>${it.next_run_at ? html`<span title=${it.next_run_at}>${relTime(it.next_run_at)}</span>` : html`<span class="muted">${it.schedule ? '—' : 'Manual'}</span>`}</td>
    <td><div class="row-actions">
      <button class="btn btn-small" disabled=${status === 'syncing' || status === 'draft' || status === 'disconnected'}
        onClick=${() => syncNow(it).then(onChanged)} aria-label=${`Sync ${it.name} now`}>Sync now</button>
      <${Link} class="btn btn-small" href=${`/ui/integrations/${it.id}/runs`} aria-label=${`Logs of ${it.name}`}>Logs</${Link}>
      <${Menu} label="More" items=${items} />
      ${confirmDisconnect && html`<${Confirm} title=${`Disconnect ${it.name}?`} action="Disconnect"
        onClose=${() => setConfirmDisconnect(false)}
        onConfirm=${() => disconnect(it).then(() => { setConfirmDisconnect(false); onChanged(); })}>
        <p>inlet revokes its access at the provider and forgets its credentials. Its settings and synced data stay; you can reconnect later.</p>
      </${Confirm}>`}
    </div></td>
  </tr>`;
}

export function Dashboard() {
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [deleting, setDeleting] = useState(null);
  const pager = usePager();
  const cat = useLoad(() => connectors(), []);
  const list = useLoad(() => get('/api/integrations' + qs({ limit: PAGE, cursor: pager.cursor, status, q, include: 'last_run' })), [pager.cursor, status, q]);
  const rows = list.data ? list.data.data : [];
  usePoll(() => list.reload(true), 4000, rows.some((it) => shownStatus(it) === 'syncing'));
  const byName = cat.data ? cat.data.byName : {};
  const filter = (set) => (e) => { set(e.target.value); pager.reset(); };

  return html`<section class="page">
    <div class="page-head"><h1>Integrations</h1>
      <button class="btn btn-primary" onClick=${() => navigate('/ui/marketplace')}>Add integration</button></div>
    <${StatCards} />
    <div class="toolbar">
      <label class="inline"><span class="visually-hidden">Search integrations</span>
        <input type="search" placeholder="Search by name" value=${q} onInput=${filter(setQ)} /></label>
      <label class="inline">Status
        <select value=${status} onChange=${filter(setStatus)}>
          <option value="">All</option><option value="active">Active</option><option value="error">Error</option>
          <option value="needs_reauth">Needs re-auth</option><option value="paused">Paused</option>
          <option value="disconnected">Disconnected</option><option value="draft">Not connected</option>
        </select></label>
    </div>
    ${list.error && html`<${Failed} error=${list.error} retry=${() => list.reload(false)} />`}
    ${list.loading && !list.data && html`<${Loading} what="Loading integrations" />`}
    ${list.data && rows.length === 0 && (pager.page === 1 && !status && !q
      ? html`<${Empty}><h2>No integrations yet</h2><p>Connect your first account: Salesforce, HubSpot, Slack and more.</p>
          <button class="btn btn-primary" onClick=${() => navigate('/ui/marketplace')}>Browse the marketplace</button></${Empty}>`
      : html`<${Empty}><p>No integration matches these filters.</p></${Empty}>`)}
    ${rows.length > 0 && html`<div class="table-wrap"><table class="table" aria-label="Integrations">
      <thead><tr><th scope="col">Integration</th><th scope="col">Status</th><th scope="col">Last sync</th>
        <th scope="col">Next run</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${rows.map((it) => html`<${Row} key=${it.id} it=${it} conn=${byName[it.connector]}
        onChanged=${() => list.reload(true)} onDelete=${setDeleting} />`)}</tbody>
    </table></div>
    <p class="muted small">${plural(rows.length, 'integration')} on this page.</p>`}
    <${Pager} pager=${pager} nextCursor=${list.data && list.data.next_cursor} label="Integration pages" />
    ${deleting && html`<${DeleteDialog} integration=${deleting} onClose=${() => setDeleting(null)}
      onDeleted=${() => list.reload(true)} />`}
  </section>`;
}
