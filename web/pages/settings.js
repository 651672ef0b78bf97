// web/pages/settings.js - one integration's page: who it is and how it is
// (logo, name, status, last sync), what to do about a problem (notification
// links land here, so a needed reconnect or a failing sync is said first,
// with the button that fixes it), its actions, then its settings in
// sections of their own (web/pages/settings_*.js).
import { html, useState, useEffect } from '../lib/html.js';
import { get } from '../lib/api.js';
import { useLoad, usePoll } from '../lib/load.js';
import { Link, navigate, location } from '../lib/router.js';
import { connectors } from '../lib/connectors.js';
import { relTime } from '../lib/format.js';
import { syncNow, reconnectUrl, disconnect } from '../lib/integration_actions.js';
import { isLive } from '../lib/runs.js';
import { StatusBadge, RunBadge, shownStatus } from '../components/badge.js';
import { Logo } from '../components/logo.js';
import { Confirm } from '../components/dialog.js';
import { DeleteDialog } from '../components/delete_dialog.js';
import { toast } from '../components/toast.js';
import { Loading, Failed } from '../components/states.js';
import { Crumbs } from '../components/crumbs.js';
import { General } from './settings_general.js';
import { Schedule } from './settings_schedule.js';
import { Credentials } from './settings_credentials.js';
import { Streams } from './settings_streams.js';
import { Mappings } from './settings_mappings.js';
import { Channels } from './settings_channels.js';

const enc = encodeURIComponent;
const SECTIONS = [['general', 'General'], ['schedule', 'Schedule'], ['credentials', 'Credentials'],
  ['streams', 'Streams and fields'], ['mappings', 'Mappings'], ['notifications', 'Notifications']];

function Section({ id, title, children }) {
  return html`<section class="card settings-section" id=${id} aria-labelledby=${`${id}-h`} tabindex="-1">
    <h2 id=${`${id}-h`}>${title}</h2>${children}</section>`;
}

// What went wrong, in a sentence, and the one button that fixes it.
function Problem({ it, oauth, lastRun, onReconnect, onSync, syncing }) {
  const reason = it.status_reason ? it.status_reason.replace(/[.\s]*$/, '.') : '';
  const logs = html`<${Link} class="btn" href=${`/ui/integrations/${it.id}/runs`}>Open the logs</${Link}>`;
  const fixKeys = html`<a class="btn btn-primary" href="#credentials">Replace the credentials</a>`;
  if (it.status === 'needs_reauth') {
    return html`<div class="alert alert-warn problem" role="alert" data-problem="needs_reauth">
      <div><p class="strong">${it.name} must be reconnected.</p>
        <p>${reason || `${it.connector} no longer accepts inlet's access.`} Its syncs are stopped until you reconnect it.</p></div>
      <div class="head-actions">${oauth ? html`<button class="btn btn-primary" onClick=${onReconnect}>Reconnect</button>` : fixKeys}</div>
    </div>`;
  }
  if (it.status === 'error') {
    return html`<div class="alert alert-error problem" role="alert" data-problem="error">
      <div><p class="strong">The syncs of ${it.name} are failing.</p>
        <p>${reason || 'Its last syncs failed.'} The run's log says why; fix the cause, then sync again.</p></div>
      <div class="head-actions">
        ${lastRun && lastRun.status === 'failed' ? html`<${Link} class="btn" href=${`/ui/runs/${lastRun.id}`}>See the failed run</${Link}>` : logs}
        <button class="btn btn-primary" disabled=${syncing} onClick=${onSync}>Sync now</button></div>
    </div>`;
  }
  if (it.status === 'disconnected') {
    return html`<div class="alert alert-warn problem" data-problem="disconnected"><p>${it.name} is disconnected: inlet holds no credentials for it and it does not sync. Its settings and data are kept.</p>
      ${oauth ? html`<button class="btn btn-primary" onClick=${onReconnect}>Reconnect</button>` : fixKeys}</div>`;
  }
  if (it.status === 'draft') {
    return html`<div class="alert alert-warn problem" data-problem="draft"><p>${it.name} is not connected yet.</p>
      ${oauth ? html`<button class="btn btn-primary" onClick=${onReconnect}>Connect</button>` : fixKeys}</div>`;
  }
  if (it.status === 'paused') {
    return html`<div class="alert alert-info problem" data-problem="paused"><p>${it.name} is paused: it does not sync on its schedule. “Resume syncing” under General starts it again.</p></div>`;
  }
  return null;
}

export function Settings({ id }) {
  const it = useLoad(() => get(`/api/integrations/${enc(id)}`), [id]);
  const cat = useLoad(() => connectors(), []);
  const name = it.data && it.data.connector;
  const detail = useLoad(() => (name ? get(`/api/connectors/${enc(name)}`) : Promise.resolve(null)), [name]);
  const last = useLoad(() => get(`/api/integrations/${enc(id)}/runs?limit=1`), [id]);
  const lastRun = last.data && last.data.data[0];
  const [streams, setStreams] = useState([]);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  // While a sync runs, its outcome changes the status: ask again.
  usePoll(() => { last.reload(true); it.reload(true); }, 3000, isLive(lastRun));

  // Back from the provider's consent page (Reconnect): say how it went,
  // then drop the outcome from the address so a reload does not repeat it.
  useEffect(() => {
    const q = location.get().query;
    const outcome = q.get('inlet_oauth');
    if (!outcome) return;
    if (outcome === 'connected') toast('Reconnected: inlet can sync again.', 'success');
    else toast(`Reconnecting did not work: ${q.get('message') || q.get('error') || 'the provider refused'}. Try again, and allow access on the provider's page.`, 'error');
    navigate(`/ui/integrations/${id}${window.location.hash}`, { replace: true });
    it.reload(true);
  }, [id]);

  // A link to a section (#credentials) scrolls there once the page is drawn.
  const ready = !!(it.data && detail.data);
  useEffect(() => {
    const h = window.location.hash.slice(1);
    const el = ready && h && document.getElementById(h);
    if (el) { el.scrollIntoView(); el.focus({ preventScroll: true }); }
  }, [ready]);

  if (!it.data) {
    return html`<section class="page"><${Crumbs} items=${[['Integrations', '/'], ['Settings']]} />
      ${it.error ? html`<h1>Integration</h1><${Failed} error=${it.error} retry=${() => it.reload(false)} />` : html`<${Loading} what="Loading the integration" />`}</section>`;
  }
  const integ = it.data;
  const conn = detail.data || (cat.data ? cat.data.byName[integ.connector] : null);
  const oauth = !!(conn && conn.auth && conn.auth.type === 'oauth2');
  const status = shownStatus({ ...integ, last_run: lastRun });
  const reload = () => { it.reload(true); last.reload(true); };
  const reconnect = () => {
    if (oauth) window.location.assign(reconnectUrl(integ, `/ui/integrations/${integ.id}`));
    else document.getElementById('credentials').scrollIntoView();
  };
  const sync = async () => { setBusy(true); await syncNow(integ); setBusy(false); reload(); };
  const canSync = !busy && status !== 'syncing' && !['paused', 'disconnected', 'draft', 'needs_reauth'].includes(integ.status);

  return html`<section class="page settings-page">
    <${Crumbs} items=${[['Integrations', '/'], [integ.name]]} />
    <div class="page-head">
      <div class="name-cell">
        <${Logo} connector=${integ.connector} title=${conn && conn.title} size=${44} />
        <div><h1>${integ.name}</h1>
          <div class="head-meta"><span class="muted">${conn ? conn.title : integ.connector}</span>
            <${StatusBadge} status=${status} />
            ${lastRun && html`<span class="muted small">Last sync: <${Link} href=${`/ui/runs/${lastRun.id}`}><${RunBadge} status=${lastRun.status} /></${Link}>
              ${relTime(lastRun.finished_at || lastRun.started_at || lastRun.created_at)}</span>`}</div></div>
      </div>
      <div class="head-actions">
        <button class="btn btn-primary" disabled=${!canSync} onClick=${sync}>${status === 'syncing' ? 'Syncing…' : 'Sync now'}</button>
        <${Link} class="btn" href=${`/ui/integrations/${integ.id}/runs`}>Logs</${Link}>
        ${oauth && html`<button class="btn" onClick=${reconnect}>Reconnect</button>`}
        ${integ.status !== 'disconnected' && integ.status !== 'draft' && html`<button class="btn" onClick=${() => setConfirmDisconnect(true)}>Disconnect</button>`}
        <button class="btn btn-danger" onClick=${() => setDeleting(true)}>Delete</button>
      </div>
    </div>
    <${Problem} it=${integ} oauth=${oauth} lastRun=${lastRun} onReconnect=${reconnect} onSync=${sync} syncing=${!canSync} />
    <nav class="section-nav" aria-label="Settings sections">
      ${SECTIONS.map(([sid, label]) => html`<a href=${`#${sid}`}>${label}</a>`)}
    </nav>
    <${Section} id="general" title="General"><${General} it=${integ} connector=${detail.data} onSaved=${reload} /></${Section}>
    <${Section} id="schedule" title="Schedule"><${Schedule} it=${integ} onSaved=${reload} /></${Section}>
    <${Section} id="credentials" title="Credentials"><${Credentials} it=${integ} connector=${conn} onSaved=${reload} onReconnect=${reconnect} /></${Section}>
    <${Section} id="streams" title="Streams and fields"><${Streams} it=${integ}
      onCatalog=${(c) => setStreams(c.streams.map((s) => s.tap_stream_id || s.stream))} /></${Section}>
    <${Section} id="mappings" title="Mappings"><${Mappings} it=${integ} streams=${streams} /></${Section}>
    <${Section} id="notifications" title="Notifications"><${Channels} /></${Section}>
    ${confirmDisconnect && html`<${Confirm} title=${`Disconnect ${integ.name}?`} action="Disconnect"
      onClose=${() => setConfirmDisconnect(false)}
      onConfirm=${() => disconnect(integ).then(() => { setConfirmDisconnect(false); reload(); })}>
      <p>inlet revokes its access at the provider and forgets its credentials. Its settings and synced data stay; you can reconnect later.</p>
    </${Confirm}>`}
    ${deleting && html`<${DeleteDialog} integration=${integ} onClose=${() => setDeleting(false)}
      onDeleted=${() => navigate('/')} />`}
  </section>`;
}
