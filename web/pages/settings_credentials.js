// web/pages/settings_credentials.js - how the integration signs in to its
// provider. Secrets are write-only: a stored one shows as "Set" with a
// Replace button that opens an empty password field, cleared once sent;
// no value ever comes back from the server or goes into the page. OAuth
// integrations show the connected account instead, and the OAuth app
// (client id, client secret) they connect through.
import { html, useState, useRef, useEffect } from '../lib/html.js';
import { get, put, patch } from '../lib/api.js';
import { useLoad } from '../lib/load.js';
import { dateTime, relTime } from '../lib/format.js';
import { toast } from '../components/toast.js';
import { describedBy, focusProblem } from '../lib/fields.js';

const enc = encodeURIComponent;

// <SecretRow label set onSave(value) -> Promise> : "Set" or "Not set", and
// a Replace form whose value lives only in the input until it is sent.
function SecretRow({ id, label, set, help, onSave }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null), opener = useRef(null);
  // The field takes focus when it opens; the button gets it back after.
  useEffect(() => { if (open && input.current) input.current.focus(); }, [open]);
  useEffect(() => { if (err && input.current) focusProblem(input.current.form); }, [err]);
  const close = () => { setValue(''); setErr(null); setOpen(false); setTimeout(() => opener.current && opener.current.focus(), 0); };
  const submit = async (e) => {
    e.preventDefault();
    if (!value) { setErr('Type the new value, or cancel.'); return; }
    setBusy(true); setErr(null);
    try {
      await onSave(value);
      close();
    } catch (x) {
      setValue('');
      setErr(Object.values(x.fields || {})[0] || x.sentence);
    }
    setBusy(false);
  };
  return html`<li class="secret-row" data-secret=${id}>
    <div class="secret-head"><span class="strong">${label}</span>
      <span class=${'badge ' + (set ? 'badge-ok' : 'badge-muted')} data-secret-state>${set ? 'Set' : 'Not set'}</span>
      ${!open && html`<button class="btn btn-small" type="button" ref=${opener} onClick=${() => setOpen(true)}
        aria-label=${`${set ? 'Replace' : 'Set'} ${label}`}>${set ? 'Replace' : 'Set'}</button>`}</div>
    ${help && html`<p class="field-help">${help}</p>`}
    ${open && html`<form class="secret-form" onSubmit=${submit} novalidate>
      <div class="field"><label for=${`secret-${id}`}>New ${label.toLowerCase()}</label>
        <input id=${`secret-${id}`} type="password" autocomplete="new-password" spellcheck=${false} ref=${input} value=${value}
          aria-invalid=${err ? 'true' : 'false'} aria-describedby=${describedBy(`secret-${id}-help`, err && `secret-${id}-err`)}
          onInput=${(e) => setValue(e.target.value)} />
        <p id=${`secret-${id}-help`} class="field-help">It is stored encrypted and never shown again, here or anywhere.</p>
        ${err && html`<p id=${`secret-${id}-err`} class="field-error">${err}</p>`}</div>
      <div class="form-foot"><button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save'}</button>
        <button class="btn" type="button" onClick=${close}>Cancel</button></div>
    </form>`}
  </li>`;
}

function words(v) {
  if (v === null || v === undefined || typeof v === 'object') return null;
  return String(v);
}

// The connected account, as much as the provider told: a person (name,
// e-mail), or a workspace and bot for Slack.
function account(identity) {
  if (!identity || typeof identity !== 'object') return [];
  const pick = (...keys) => { for (const k of keys) if (words(identity[k])) return words(identity[k]); return null; };
  return [
    ['Account', pick('name', 'user', 'preferred_username', 'nickname')],
    ['E-mail', pick('email')],
    ['User name', identity.name && pick('preferred_username') !== pick('email') ? pick('preferred_username') : null],
    ['Workspace', pick('team')],
    ['Organization', pick('organization_id', 'team_id', 'hub_domain')],
  ].filter(([, v]) => v);
}

const sources = { app: 'Your organization’s own app', env: 'The app this server is set up with', default: 'inlet’s built-in app' };

function OAuthApp({ it }) {
  const app = useLoad(() => get(`/api/connectors/${enc(it.connector)}/app`), [it.connector]);
  if (app.error) return html`<p class="muted">${app.error.sentence}</p>`;
  if (!app.data) return null;
  const a = app.data;
  const saveSecret = async (value) => {
    // PUT replaces the whole app: the client id and scopes go back as they are.
    const body = { client_id: a.client_id, client_secret: value };
    if (a.scopes) body.scopes = a.scopes;
    await put(`/api/connectors/${enc(it.connector)}/app`, body);
    toast('Client secret replaced. It applies to the next connection and token refresh.', 'success');
    app.reload(true);
  };
  return html`<div class="subsection">
    <h3 class="h3">OAuth app</h3>
    <p class="muted small">Shared by every ${it.connector} integration of your organization. ${sources[a.source] || a.source}.</p>
    <dl class="facts facts-inline"><div><dt>Client id</dt><dd><code>${a.client_id}</code></dd></div>
      ${a.scopes && html`<div><dt>Scopes asked</dt><dd>${a.scopes}</dd></div>`}</dl>
    <ul class="secret-list"><${SecretRow} id="client_secret" label="Client secret" set=${a.has_secret} onSave=${saveSecret} /></ul>
  </div>`;
}

export function Credentials({ it, connector, onSaved, onReconnect }) {
  const auth = connector && connector.auth ? connector.auth.type : null;
  if (!connector) return html`<p class="muted">Loading…</p>`;
  if (auth === 'oauth2') {
    const c = it.connection || {};
    const connected = !!c.connected_at;
    const scopes = typeof c.scopes === 'string' ? c.scopes.split(/[ ,]+/).filter(Boolean) : Array.isArray(c.scopes) ? c.scopes : [];
    const acct = account(c.identity);
    const host = c.metadata && words(c.metadata.instance_url);
    return html`<div>
      ${connected ? html`<dl class="facts">
          ${acct.map(([k, v]) => html`<div><dt>${k}</dt><dd data-identity=${k}>${v}</dd></div>`)}
          ${host && html`<div><dt>Instance</dt><dd>${host}</dd></div>`}
          <div><dt>Connected</dt><dd title=${c.connected_at}>${dateTime(c.connected_at)} <span class="muted">(${relTime(c.connected_at)})</span></dd></div>
          <div><dt>Access granted</dt><dd>${scopes.length ? html`<ul class="chips scopes">${scopes.map((s) => html`<li class="tag-chip">${s}</li>`)}</ul>` : '—'}</dd></div>
          <div><dt>Tokens</dt><dd>${(it.secrets_set || []).length ? 'Stored encrypted; never shown' : html`<span class="muted">None stored</span>`}</dd></div>
        </dl>`
        : html`<p>${it.status === 'disconnected' ? 'Disconnected: inlet holds no tokens for it. Reconnect to sync again.' : 'Not connected yet.'}</p>`}
      <div class="form-foot"><button class="btn" type="button" onClick=${onReconnect}>${connected ? 'Reconnect' : 'Connect'}</button>
        <span class="muted small">Goes to ${connector.title || it.connector} to sign in and allow access again, then comes back here.</span></div>
      <${OAuthApp} it=${it} />
    </div>`;
  }
  const names = connector.secret_names || [];
  if (!names.length) return html`<p class="muted">${connector.title || it.connector} needs no credentials.</p>`;
  const schema = (connector.secrets_schema && connector.secrets_schema.properties) || {};
  const isSet = new Set(it.secrets_set || []);
  const save = (name) => async (value) => {
    await patch(`/api/integrations/${enc(it.id)}`, { secrets: { [name]: value } });
    toast(`${(schema[name] && schema[name].title) || name} replaced.`, 'success');
    onSaved();
  };
  return html`<div>
    <p class="muted">Values are stored encrypted and never shown. Replace one when it changes at ${connector.title || it.connector}.</p>
    <ul class="secret-list">${names.map((n) => html`<${SecretRow} key=${n} id=${n} label=${(schema[n] && schema[n].title) || n}
      help=${schema[n] && schema[n].description} set=${isSet.has(n)} onSave=${save(n)} />`)}</ul>
  </div>`;
}
