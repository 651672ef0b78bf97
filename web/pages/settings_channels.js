// web/pages/settings_channels.js - where this integration's notifications
// go. Channels belong to the organization and filter by event, not by
// integration (docs/notifications.md), so this lists them, says which
// events each takes, sends a test, and adds one (Slack, signed webhook,
// e-mail). Secret settings (webhook URLs, signing secrets, passwords) are
// password fields, sent once and gone with the dialog; the server shows
// them back only as "set".
import { html, useState, useRef, useEffect } from '../lib/html.js';
import { get, post, del } from '../lib/api.js';
import { useLoad } from '../lib/load.js';
import { Link } from '../lib/router.js';
import { toast, toastError } from '../components/toast.js';
import { Dialog, Confirm } from '../components/dialog.js';
import { Loading, Failed } from '../components/states.js';
import { errorAt, placed, describedBy, focusProblem } from '../lib/fields.js';

const enc = encodeURIComponent;
const KINDS = { slack: 'Slack', webhook: 'Signed webhook', email: 'E-mail' };
export const EVENTS = [
  ['sync.failed', 'A sync failed'], ['sync.partial', 'A sync partly failed'], ['sync.recovered', 'Syncs work again'],
  ['integration.needs_reauth', 'It must be reconnected'], ['token.refresh_failed', 'Token refresh failing'],
  ['token.refresh_recovered', 'Token refresh works again'],
];
const eventWords = (ev) => (ev.includes('*') ? 'Every event' : ev.map((e) => (EVENTS.find(([k]) => k === e) || [e, e])[1]).join(', '));

function Input({ id, label, type = 'text', value, onInput, err, help, ...rest }) {
  return html`<div class="field"><label for=${id}>${label}</label>
    <input id=${id} type=${type} value=${value} onInput=${(e) => onInput(e.target.value)} autocomplete=${type === 'password' ? 'new-password' : 'off'}
      spellcheck=${false} aria-invalid=${err ? 'true' : 'false'} aria-describedby=${describedBy(help && `${id}-help`, err && `${id}-err`)} ...${rest} />
    ${help && html`<p id=${`${id}-help`} class="field-help">${help}</p>`}
    ${err && html`<p id=${`${id}-err`} class="field-error">${err}</p>`}</div>`;
}

function AddChannel({ onClose, onSaved }) {
  const [kind, setKind] = useState('slack');
  const [name, setName] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState(['sync.failed', 'integration.needs_reauth']);
  // Secrets live in these fields only until sent; the dialog goes after.
  const [c, setC] = useState({ url: '', secret: '', from: '', to: '', username: '', password: '', starttls: true });
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);
  useEffect(() => { if (err) focusProblem(form.current); }, [err]);
  const setc = (k) => (v) => setC({ ...c, [k]: v });
  const e = (p) => errorAt(err, p);
  const submit = async (ev) => {
    ev.preventDefault();
    const config = kind === 'slack' ? { url: c.url.trim() }
      : kind === 'webhook' ? { url: c.url.trim(), secret: c.secret.trim() }
        : { url: c.url.trim(), from: c.from.trim(), to: c.to.split(/[,\s]+/).filter(Boolean), starttls: c.starttls,
          ...(c.username.trim() ? { username: c.username.trim(), password: c.password || null } : {}) };
    const body = { kind, name: name.trim(), events: all ? ['*'] : events, config };
    if (!all && !events.length) { setErr({ fields: { '/events': 'Choose at least one event.' }, sentence: 'Choose at least one event.' }); return; }
    setBusy(true); setErr(null);
    try {
      const r = await post('/api/notification-channels', body);
      toast(`Channel “${r.name}” added. “Send test” checks that it arrives.`, 'success');
      onSaved();
      onClose();
    } catch (x) {
      setErr(x);
      setC((old) => ({ ...old, password: '', secret: '' }));
    }
    setBusy(false);
  };
  return html`<${Dialog} title="Add a notification channel" onClose=${onClose} wide>
    <form ref=${form} onSubmit=${submit} novalidate>
      <div class="dialog-body">
        ${err && !placed(err, ['/kind', '/name', '/events', '/config']) && html`<p class="field-error" role="alert" tabindex="-1">${err.sentence}</p>`}
        <fieldset class="plain"><legend>Kind</legend><div class="chips">
          ${Object.entries(KINDS).map(([k, l]) => html`<label class="check"><input type="radio" name="ch-kind" value=${k} checked=${kind === k}
            onChange=${() => { setKind(k); setErr(null); }} /> ${l}</label>`)}</div></fieldset>
        <${Input} id="ch-name" label="Name" value=${name} onInput=${setName} err=${e('/name')} help="Such as #ops or On-call mail." maxlength="200" />
        ${kind === 'slack' && html`<${Input} id="ch-url" label="Slack incoming webhook URL" type="password" value=${c.url} onInput=${setc('url')}
          err=${e('/config/url') || e('/config')} help="From Slack: Apps → Incoming Webhooks. It works like a password, so it is never shown again." />`}
        ${kind === 'webhook' && html`
          <${Input} id="ch-url" label="Webhook URL" type="password" value=${c.url} onInput=${setc('url')} err=${e('/config/url') || e('/config')}
            help="Where inlet POSTs each notification, signed (Standard Webhooks). Never shown again." />
          <${Input} id="ch-secret" label="Signing secret" type="password" value=${c.secret} onInput=${setc('secret')} err=${e('/config/secret')}
            help="whsec_ followed by base64 of 24 to 64 random bytes: echo whsec_$(openssl rand -base64 32)." />`}
        ${kind === 'email' && html`
          <${Input} id="ch-url" label="SMTP server" value=${c.url} onInput=${setc('url')} err=${e('/config/url') || e('/config')}
            help="smtps://smtp.example.com:465 or smtp://smtp.example.com:587 (STARTTLS)." placeholder="smtps://smtp.example.com:465" />
          <${Input} id="ch-from" label="From" type="email" value=${c.from} onInput=${setc('from')} err=${e('/config/from')} placeholder="inlet@example.com" />
          <${Input} id="ch-to" label="To" value=${c.to} onInput=${setc('to')} err=${e('/config/to')} help="One or more addresses, separated by commas." />
          <${Input} id="ch-user" label="SMTP user (optional)" value=${c.username} onInput=${setc('username')} err=${e('/config/username')} />
          <${Input} id="ch-pass" label="SMTP password (optional)" type="password" value=${c.password} onInput=${setc('password')} err=${e('/config/password')} />
          <label class="check"><input type="checkbox" checked=${c.starttls} onChange=${(x) => setc('starttls')(x.target.checked)} /> Over smtp://, refuse to send without STARTTLS</label>`}
        <fieldset class="plain"><legend>Events</legend>
          <label class="check"><input type="checkbox" checked=${all} onChange=${(x) => setAll(x.target.checked)} /> Every event</label>
          ${!all && EVENTS.map(([k, l]) => html`<label class="check"><input type="checkbox" checked=${events.includes(k)}
            onChange=${(x) => setEvents(x.target.checked ? [...events, k] : events.filter((y) => y !== k))} /> ${l} <code class="muted small">${k}</code></label>`)}
          ${e('/events') && html`<p class="field-error">${e('/events')}</p>`}
        </fieldset>
      </div>
      <footer class="dialog-foot">
        <button class="btn" type="button" onClick=${onClose}>Cancel</button>
        <button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Adding…' : 'Add channel'}</button>
      </footer>
    </form>
  </${Dialog}>`;
}

export function Channels() {
  const list = useLoad(() => get('/api/notification-channels'), []);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState(null);
  const [testing, setTesting] = useState(null);
  const test = async (ch) => {
    setTesting(ch.id);
    try {
      const r = await post(`/api/notification-channels/${enc(ch.id)}/test`);
      if (r.ok) toast(`Test sent to “${ch.name}”${r.status ? ` (answered ${r.status})` : ''}.`, 'success');
      else toast(`The test to “${ch.name}” did not arrive: ${r.error || `the receiver answered ${r.status}`}.`, 'error');
    } catch (e) { toastError(e); }
    setTesting(null);
  };
  const remove = async () => {
    try { await del(`/api/notification-channels/${enc(deleting.id)}`); toast(`Channel “${deleting.name}” removed.`, 'success'); list.reload(true); } catch (e) { toastError(e); }
    setDeleting(null);
  };
  const rows = list.data ? list.data.data : [];
  return html`<div>
    <p class="muted">When a sync of this integration fails, or it must be reconnected, inlet tells you in the bell
      (<${Link} href="/ui/notifications">all notifications</${Link}>) and on each of your organization's channels that takes the event.
      Channels are shared by all your integrations.</p>
    ${list.error && html`<${Failed} error=${list.error} retry=${() => list.reload(false)} />`}
    ${list.loading && !list.data && html`<${Loading} what="Loading channels" />`}
    ${list.data && rows.length === 0 && html`<p>No channel yet: notifications show in the bell only.</p>`}
    ${rows.length > 0 && html`<div class="table-wrap"><table class="table" aria-label="Notification channels">
      <thead><tr><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col">Events</th><th scope="col">State</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${rows.map((ch) => html`<tr key=${ch.id} data-channel=${ch.id}>
        <th scope="row">${ch.name}</th><td data-label="Kind">${KINDS[ch.kind] || ch.kind}</td>
        <td data-label="Events">${eventWords(ch.events || [])}</td>
        <td data-label="State"><span class=${'badge ' + (ch.enabled ? 'badge-ok' : 'badge-muted')}>${ch.enabled ? 'On' : 'Off'}</span></td>
        <td class="actions"><button class="btn btn-small" type="button" disabled=${testing === ch.id} onClick=${() => test(ch)}
            aria-label=${`Send a test to ${ch.name}`}>${testing === ch.id ? 'Sending…' : 'Send test'}</button>
          <button class="btn btn-small" type="button" onClick=${() => setDeleting(ch)} aria-label=${`Remove ${ch.name}`}>Remove</button></td>
      </tr>`)}</tbody></table></div>`}
    <div class="form-foot"><button class="btn" type="button" onClick=${() => setAdding(true)}>Add a channel</button></div>
    ${adding && html`<${AddChannel} onClose=${() => setAdding(false)} onSaved=${() => list.reload(true)} />`}
    ${deleting && html`<${Confirm} title=${`Remove “${deleting.name}”?`} action="Remove channel" onClose=${() => setDeleting(null)} onConfirm=${remove}>
      <p>Notifications stop going to this channel, for every integration. The bell keeps them.</p></${Confirm}>`}
  </div>`;
}
