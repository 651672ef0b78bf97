// web/components/wizard_connect.js - the wizard's connect step. OAuth
// connectors: the integration is created as a draft, the wizard's state is
// kept for the way back (wizard_state.js), and the browser goes to the
// provider's consent page; resumeWizard (wizard.js) reopens the wizard when it
// comes back. API-key and password connectors: write-only fields, sent once
// with the create (or a merge patch when it exists) and never shown again.
// On the connect page (the embed prop, pages/connect_app.js) the end user
// speaks to the host product, not to inlet: the texts name the product,
// the page names the integration (and numbers the name when it is taken),
// and the OAuth flow starts with the connect session's own route.
import { html, useState, useEffect } from '../lib/html.js';
import { get, post, patch, qs } from '../lib/api.js';
import { checkAll, valuesOf, fieldsOf, fieldErrors } from '../lib/schema.js';
import { SchemaForm } from './schema_form.js';
import { StepHead, StepForm, Alert, focusFirstError } from './wizard_parts.js';
import { keep } from './wizard_state.js';
import { serverErrors } from './wizard_config.js';

export const authOf = (conn) => (conn.auth && conn.auth.type) || 'none';

const nameTaken = (e) => e.code === 'conflict' && /^name\b/i.test(e.sentence || '');
const NAME_TRIES = 20;

// create(s, conn, secrets?) -> the integration; a refusal of the settings or
// the name sends the person back to the settings step with the messages.
// embed: a name in use is not the end user's business (they cannot see the
// tenant's other integrations): "Name 2", "Name 3"... are tried instead.
async function create(s, conn, update, toConfig, secrets, embed) {
  const config = valuesOf(conn.config_schema || {}, s.raws || {});
  const body = { connector: conn.name, name: s.name.trim(), config };
  if (secrets) body.secrets = secrets;
  try {
    let it = null;
    for (let i = 1; !it; i++) {
      try {
        it = await post('/api/integrations', i === 1 ? body : { ...body, name: `${body.name} ${i}` });
      } catch (e) {
        if (!embed || !nameTaken(e) || i >= NAME_TRIES) throw e;
      }
    }
    update({ integrationId: it.id, sent: { name: it.name, config }, ...(embed ? { name: it.name } : {}) });
    return it;
  } catch (e) {
    const se = serverErrors(e);
    const secretErrs = fieldErrors(e, '/secrets');
    if (Object.keys(secretErrs).length) throw Object.assign(e, { secretErrs });
    // The connect page has no name field to send the person back to.
    if ((se.name && !embed) || Object.keys(se.config).length) {
      update({ serverErrors: { ...se, other: `${embed ? 'The settings were not accepted' : 'inlet did not accept what is marked below'}; its message is under the field.` },
        ...(Object.keys(se.config).length ? { advancedOpen: true } : {}) });
      toConfig();
      return null;
    }
    throw e;
  }
}

function who(identity) {
  if (!identity || typeof identity !== 'object') return null;
  return identity.email || identity.preferred_username || identity.user || identity.name || null;
}

function OAuthConnect({ s, conn, update, next, back, toConfig, embed = null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [identity, setIdentity] = useState(null);
  useEffect(() => {
    if (s.connected && s.integrationId)
      get(`/api/integrations/${s.integrationId}`).then((it) => setIdentity(who(it.connection && it.connection.identity)), () => {});
  }, [s.connected, s.integrationId]);

  const connect = async () => {
    setBusy(true); setError(null);
    try {
      // Without an OAuth app the start would answer an error page in place
      // of the consent page: say so here instead.
      const app = await get(`/api/connectors/${encodeURIComponent(conn.name)}/app`).catch((e) => (e.status === 404 ? null : Promise.reject(e)));
      if (!app) {
        setError(`${conn.title} cannot be connected yet: this inlet has no OAuth app for it. An administrator sets one (client id and secret) in the connector's settings or the server's environment.`);
        setBusy(false); return;
      }
      let id = s.integrationId;
      if (!id) {
        const it = await create(s, conn, update, toConfig, undefined, embed);
        if (!it) return;
        id = it.id;
      }
      // The connect page keeps its own state and starts the flow with its
      // session's token; the provider sends the person back to it.
      if (embed) { await embed.startOAuth(id); return; }
      // Back to the page the wizard was opened on, where resumeWizard reopens it.
      const returnTo = window.location.pathname;
      keep({ ...s, integrationId: id, sent: { name: s.name.trim(), config: valuesOf(conn.config_schema || {}, s.raws || {}) } }, conn.config_schema);
      window.location.assign(`/api/oauth/${encodeURIComponent(conn.name)}/start` + qs({ integration_id: id, return_to: returnTo }));
    } catch (e) {
      setError(e.sentence || 'Something went wrong. Try again.');
      setBusy(false);
    }
  };

  const oe = s.oauthError;
  const oauthAlert = oe && html`<${Alert}><div><p><strong>${conn.title} did not connect.</strong> ${oe.message || oe.error}${oe.error && oe.message ? html` <span class="muted small">(${oe.error})</span>` : ''}</p>
      <p>${s.connected ? `The connection made before is kept: Next goes on with it, or Connect again.` : oe.error === 'access_denied'
        ? `Access was not allowed. Continue to ${conn.title} again and choose Allow, or cancel.`
        : `Try again. If ${conn.title} keeps refusing, check the settings (Back), or ask your ${conn.title} administrator whether this app may connect.`}</p></div></${Alert}>`;
  if (s.connected) {
    return html`<${StepForm} onNext=${() => { update({ oauthError: null }); next(); }} back=${back} label="Connect"
        extra=${html`<button type="button" class="btn" onClick=${connect} disabled=${busy}>Connect again</button>`}>
      <${StepHead}>Connect your ${conn.title} account</${StepHead}>
      ${oauthAlert}
      ${error && html`<${Alert}><p>${error}</p></${Alert}>`}
      <${Alert} kind="ok"><p><strong>Connected</strong>${identity ? html` as ${identity}` : ''}. ${embed ? embed.name : 'inlet'} keeps the access ${conn.title} granted and renews it by itself; you never handle a token.</p></${Alert}>
    </${StepForm}>`;
  }
  return html`<${StepForm} onNext=${connect} back=${back} busy=${busy} nextLabel=${`Continue to ${conn.title}`} label="Connect">
    <${StepHead}>Connect your ${conn.title} account</${StepHead}>
    ${oauthAlert}
    ${error && html`<${Alert}><p>${error}</p></${Alert}>`}
    <p>You will go to ${conn.title} to log in and allow ${embed ? embed.name : 'inlet'} to read your data, then come back here to finish.</p>
    <p class="muted small">${embed ? embed.name : 'inlet'} asks for: ${(conn.auth.scopes || []).join(', ') || 'the access the connector needs'}.${embed ? '' : ' Nothing is synced until you save at the end.'}</p>
  </${StepForm}>`;
}

function KeyConnect({ s, conn, update, next, back, toConfig, embed = null }) {
  const schema = conn.secrets_schema || { type: 'object', properties: {} };
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState({});
  const [serverErrs, setServerErrs] = useState({});
  // Secrets as typed live in memory only (never sessionStorage), and go
  // once they are sent. Stored secrets show as "set": their value never returns.
  const raws = s.secretRaws || {};
  const replacing = !s.connected || s.replacing;
  const client = replacing ? checkAll(schema, raws) : {};
  const errors = {};
  for (const f of fieldsOf(schema)) {
    const m = serverErrs[f.name] || ((touched[f.name] || submitted) ? client[f.name] : null);
    if (m) errors[f.name] = m;
  }

  const go = async () => {
    if (!replacing) { next(); return; }
    setSubmitted(true); setError(null);
    if (Object.keys(client).length) { focusFirstError(); return; }
    const secrets = valuesOf(schema, raws);
    setBusy(true);
    try {
      if (!s.integrationId) {
        const it = await create(s, conn, update, toConfig, secrets, embed);
        if (!it) return;
      } else {
        await patch(`/api/integrations/${s.integrationId}`, { secrets });
      }
      update({ secretRaws: null, connected: true, replacing: false, test: null });
      next();
    } catch (e) {
      if (e.secretErrs) { setServerErrs(e.secretErrs); focusFirstError(); } else setError(e.sentence || 'Something went wrong. Try again.');
    } finally { setBusy(false); }
  };

  const title = authOf(conn) === 'basic' ? 'Sign in details' : 'API key';
  return html`<${StepForm} onNext=${go} back=${back} busy=${busy} nextLabel=${replacing ? 'Connect' : 'Next'} label="Connect">
    <${StepHead} sub=${replacing ? `Give the ${title.toLowerCase()} ${conn.title} issued. It is stored encrypted and never shown again, not even to you.` : null}>Connect your ${conn.title} account</${StepHead}>
    ${error && html`<${Alert}><p>${error}</p></${Alert}>`}
    ${replacing
      ? html`<${SchemaForm} schema=${schema} idPrefix="wiz-secret" raws=${raws} errors=${errors} secret
          onInput=${(n, v) => { setTouched((t) => ({ ...t, [n]: true })); setServerErrs((x) => ({ ...x, [n]: undefined })); update((cur) => ({ secretRaws: { ...(cur.secretRaws || {}), [n]: v } })); }}
          onBlur=${(n) => setTouched((t) => ({ ...t, [n]: true }))} />
        ${s.connected && html`<button type="button" class="btn btn-small" onClick=${() => update({ replacing: false, secretRaws: null })}>Keep the stored ${title.toLowerCase()}</button>`}`
      : html`<dl class="wiz-secrets">${fieldsOf(schema).map((f) => html`<div key=${f.name}><dt>${f.schema.title || f.name}</dt>
          <dd><span class="badge badge-ok">Set</span></dd></div>`)}</dl>
        <button type="button" class="btn btn-small" onClick=${() => update({ replacing: true })}>Replace</button>`}
  </${StepForm}>`;
}

function NoAuthConnect({ s, conn, update, next, back, toConfig, embed = null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const go = async () => {
    if (s.integrationId) { next(); return; }
    setBusy(true); setError(null);
    try {
      const it = await create(s, conn, update, toConfig, undefined, embed);
      if (!it) return;
      update({ connected: true });
      next();
    } catch (e) { setError(e.sentence || 'Something went wrong. Try again.'); } finally { setBusy(false); }
  };
  return html`<${StepForm} onNext=${go} back=${back} busy=${busy} label="Connect">
    <${StepHead}>Connect ${conn.title}</${StepHead}>
    ${error && html`<${Alert}><p>${error}</p></${Alert}>`}
    <p>${conn.title} needs no account or key: ${embed ? 'Next connects it.' : 'Next creates the integration.'}</p>
  </${StepForm}>`;
}

export function ConnectStep(props) {
  const a = authOf(props.conn);
  if (a === 'oauth2') return html`<${OAuthConnect} ...${props} />`;
  if (a === 'api_key' || a === 'basic') return html`<${KeyConnect} ...${props} />`;
  return html`<${NoAuthConnect} ...${props} />`;
}
