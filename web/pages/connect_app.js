// web/pages/connect_app.js - the connect page (GET /connect, web/connect.html;
// docs/embedding.md, "The connect page"). A host product's end user
// connects one account, without signing in, through the add-integration
// wizard's own steps: choose the connector (only the allowed ones; not
// shown when there is one, nor to reconnect), its settings (only when one
// must be filled), connect (OAuth or keys), test; Done spends the connect
// session's token (POST /api/connect/finish) and the outcome goes back to
// the host (lib/connect_session.js). Every call carries the token, and the
// token opens nothing but this page's calls.
import { html, render, useEffect, useState } from '../lib/html.js';
import { get, post, del, setBearer, onSignedOut } from '../lib/api.js';
import { store } from '../lib/store.js';
import { fieldsOf, rawsOf } from '../lib/schema.js';
import { applyBrand } from '../lib/connect_brand.js';
import { saved, save, forgetToken, tokenFromFragment, tokenFromOpener, report } from '../lib/connect_session.js';
import { flow, update, fresh, connectorDetail, keep, kept, forget } from '../components/wizard_state.js';
import { Steps, Alert } from '../components/wizard_parts.js';
import { ConnectorStep } from '../components/wizard_connector.js';
import { ConfigStep } from '../components/wizard_config.js';
import { ConnectStep, authOf } from '../components/wizard_connect.js';
import { TestStep } from '../components/wizard_test.js';
import { Loading, Failed } from '../components/states.js';
import { ConnectHeader, Waiting, NoToken, Refused, Expired, BootFailed, Leaving } from '../components/connect_screens.js';
import '../components/theme.js';

const STATE_KEY = 'inlet.connect.wizard';   // the steps' state across the consent page (wizard_state.js keep)
const NAME_BYTES = 190;                     // integration names are at most 200 bytes; room for " 20"

// What the page is showing: {phase: "boot" | "waiting" | "notoken" |
// "refused" | "expired" | "failed" | "steps" | "leaving", ...}.
const view = store({ phase: 'boot' });
// The token's record (lib/connect_session.js) and the session
// (GET /api/connect/session) once known.
let rec = null;
let session = null;
let ending = false;   // cancel or finish under way: a 401 then is not news

// A setting must be filled when it is required and has no default; the
// others keep their defaults (a host product that wants others makes the
// integration itself and opens a reconnect session for it).
const needsSettings = (conn) => fieldsOf(conn.config_schema || {})
  .some((f) => f.required && (f.schema.default === undefined || f.schema.default === null) && f.schema.type !== 'boolean');

// The integration's name, which the end user never sees in inlet: the
// connector and whom it is for, "Salesforce (Ada Lovelace)".
function autoName(title, user) {
  const who = (user && (user.display_name || user.email || user.id)) || '';
  let n = who ? `${title} (${who})` : title;
  const enc = new TextEncoder();
  while (enc.encode(n).length > NAME_BYTES) n = [...n].slice(0, -2).join('') + '…';
  return n;
}

function stepsOf(s, conn) {
  return [
    !s.fixed && ['connector', 'Choose'],
    conn && needsSettings(conn) && ['config', 'Settings'],
    ['connect', 'Connect'], ['test', 'Test'],
  ].filter(Boolean);
}

const brandName = () => (session && session.branding.name) || (rec && rec.name) || null;

// The way out, whatever the outcome: the token and the kept steps go
// first, so that nothing can use them afterwards.
async function leave(out, extra = {}) {
  forget(STATE_KEY);
  forgetToken();
  setBearer(null);
  view.set({ phase: 'leaving', status: out.status, ...extra });
  const origin = session ? session.return_origin : rec && (rec.returnOrigin || rec.openerOrigin);
  const returnUrl = session ? session.return_url : rec && rec.returnUrl;
  const ok = await report(out, { mode: rec ? rec.mode : 'redirect', returnUrl, origin });
  if (!ok) view.set((v) => ({ ...v, stuck: true }));
}

// The token was refused (401): expired, or spent in another tab.
function expired() {
  const v = view.get();
  if (ending || v.phase === 'leaving' || v.phase === 'expired') return;
  const name = brandName();
  const mode = rec ? rec.mode : 'redirect';
  forget(STATE_KEY);
  forgetToken();
  setBearer(null);
  let action = null;
  const message = 'This link has expired or was used.';
  if (mode === 'popup') action = { label: 'Close', run: () => leave({ status: 'error', message }) };
  else if (session || (rec && rec.returnUrl)) action = { label: `Back to ${name || 'the app'}`, run: () => leave({ status: 'error', message }) };
  else if (window.history.length > 1) action = { label: 'Go back', run: () => window.history.back() };
  view.set({ phase: 'expired', name, action });
}
onSignedOut(expired);

// Cancel: the integration this page made goes (disconnected first when it
// holds an OAuth grant, so that the provider revokes it); a reconnected
// one stays as it was.
async function cancel() {
  if (ending) return;
  ending = true;
  const s = flow.get();
  view.set((v) => ({ ...v, busy: true }));
  if (s && s.integrationId && session && !session.reconnect) {
    try {
      const conn = await connectorDetail(s.connector).catch(() => null);
      if (s.connected && conn && authOf(conn) === 'oauth2') await post(`/api/integrations/${s.integrationId}/disconnect`).catch(() => null);
      await del(`/api/integrations/${s.integrationId}`);
    } catch (e) { /* expired, or gone already: nothing is left to cancel */ }
  }
  // Spends the token, so the host reads "cancelled" from GET /api/connect-sessions/{id}.
  await post('/api/connect/cancel', {}).catch(() => null);
  await leave({ status: 'cancelled' });
}

// Done: the token is spent and the host told.
async function finish() {
  if (ending) return;
  ending = true;
  view.set((v) => ({ ...v, busy: true, error: null }));
  try {
    const r = await post('/api/connect/finish', {});
    const conn = await connectorDetail(r.connector).catch(() => null);
    await leave({ status: 'connected', integration_id: r.integration_id, connector: r.connector },
      { connector: conn ? conn.title : r.connector });
  } catch (e) {
    ending = false;
    if (e.status === 401) expired();
    else view.set((v) => ({ ...v, busy: false, error: e.sentence }));
  }
}

// The OAuth flow of the session's integration: its link comes from the
// session's own route, and the steps' state is kept for the way back
// (without secrets: wizard_state.js keep).
async function startOAuth(id) {
  const s = flow.get();
  const conn = await connectorDetail(s.connector);
  const { url } = await post('/api/connect/oauth', {});
  keep({ ...s, integrationId: id }, conn.config_schema, STATE_KEY);
  window.location.assign(url);
}

// The steps' first state: back from the consent page, a page loaded again
// after the integration was made, a reconnect, or a new connection.
async function firstState() {
  const q = new URLSearchParams(window.location.search);
  const outcome = q.get('inlet_oauth');
  if (outcome) history.replaceState(history.state, '', window.location.pathname);
  const k = kept(STATE_KEY);
  const id = session.integration_id;
  const one = session.allowed_connectors && session.allowed_connectors.length === 1 ? session.allowed_connectors[0] : null;
  if (!id) return { ...fresh(one), fixed: !!one, step: one ? 'config' : 'connector' };

  const it = await get(`/api/integrations/${encodeURIComponent(id)}`);
  const conn = await connectorDetail(it.connector);
  const base = {
    ...fresh(it.connector), fixed: session.reconnect || !!one, name: it.name, nameAuto: true,
    raws: rawsOf(conn.config_schema || {}, it.config || {}), integrationId: it.id, sent: { name: it.name, config: it.config || {} },
    connected: !session.reconnect && it.status === 'active', step: 'connect',
  };
  if (k && k.integrationId === id) {
    base.raws = { ...base.raws, ...k.raws };
    base.advancedOpen = k.advancedOpen;
    base.connected = base.connected || !!k.connected;
  }
  forget(STATE_KEY);
  if (outcome === 'connected' && it.status === 'active') return { ...base, connected: true, step: 'test' };
  if (outcome && outcome !== 'connected') {
    return { ...base, step: 'connect', oauthError: { error: q.get('error') || '', message: q.get('message') || '' } };
  }
  return base;
}

// The token: from the fragment (redirect mode), from this tab's storage
// (back from the consent page), or from the window that opened the page.
async function boot() {
  view.set({ phase: 'boot' });
  if (!rec) {
    const t = tokenFromFragment();
    if (t) { rec = { token: t, mode: 'redirect' }; save(rec); }
  }
  if (!rec) rec = saved();
  if (!rec && window.opener) {
    view.set({ phase: 'waiting' });
    const { token, origin } = await tokenFromOpener();
    rec = { token, mode: 'popup', openerOrigin: origin };
  }
  if (!rec) { view.set({ phase: 'notoken' }); return; }
  setBearer(rec.token);
  try {
    session = await get('/api/connect/session');
  } catch (e) {
    if (e.status === 401) { expired(); return; }
    view.set({ phase: 'failed', error: e });
    return;
  }
  // Popup mode: only a window of the session's own origin may hand the
  // token over. Another page that got hold of the link learns nothing more.
  if (rec.mode === 'popup' && rec.openerOrigin && rec.openerOrigin !== session.return_origin) {
    const origin = rec.openerOrigin;
    setBearer(null);
    rec = null;
    session = null;
    view.set({ phase: 'refused', origin });
    return;
  }
  const b = session.branding || {};
  rec = { token: rec.token, mode: rec.mode, returnUrl: session.return_url, returnOrigin: session.return_origin, name: b.name };
  save(rec);
  applyBrand(b.accent_color);
  document.title = `Connect your account to ${b.name}`;
  try {
    flow.set(await firstState());
  } catch (e) {
    if (e.status === 401) return;
    view.set({ phase: 'failed', error: e });
    return;
  }
  view.set({ phase: 'steps' });
}

const bodies = { connector: ConnectorStep, config: ConfigStep, connect: ConnectStep, test: TestStep };

function StepsView({ v }) {
  const s = flow.use();
  const name = s && s.connector;
  const [detail, setDetail] = useState({ name: null, conn: null, error: null });
  const load = () => {
    if (!name) return;
    setDetail({ name, conn: null, error: null });
    connectorDetail(name).then((conn) => setDetail({ name, conn, error: null }), (error) => setDetail({ name, conn: null, error }));
  };
  useEffect(load, [name]);
  const conn = detail.name === name ? detail.conn : null;

  // Once the connector is known: the name the page gives the integration,
  // the settings' defaults, and no settings step when nothing must be filled.
  useEffect(() => {
    if (!s || !conn) return;
    const patch = {};
    if (!s.name) Object.assign(patch, { name: autoName(conn.title, session.end_user), nameAuto: true });
    if (s.step === 'config' && !needsSettings(conn) && !s.serverErrors) Object.assign(patch, { step: 'connect', raws: s.raws || rawsOf(conn.config_schema || {}) });
    if (Object.keys(patch).length) update(patch);
  }, [conn, s && s.step]);
  if (!s) return null;

  const steps = stepsOf(s, conn);
  const idx = steps.findIndex(([id]) => id === s.step);
  const go = (step) => { view.set((x) => ({ ...x, error: null })); update({ step }); };
  const last = idx === steps.length - 1;
  const next = () => (last ? finish() : go(steps[Math.min(idx + 1, steps.length - 1)][0]));
  const back = idx > 0 ? () => go(steps[idx - 1][0]) : null;
  // Another connector: the integration made for the one before goes (the
  // session may make one), and so does what was typed for it.
  const choose = async (c) => {
    if (c === s.connector) { go('config'); return; }
    if (s.integrationId) {
      try { await del(`/api/integrations/${s.integrationId}`); } catch (e) { if (e.status !== 404) { view.set((x) => ({ ...x, error: e.sentence })); return; } }
    }
    flow.set({ ...fresh(c), fixed: false, step: 'config' });
  };
  const embed = { name: session.branding.name, startOAuth };

  let body;
  if (s.step === 'connector') body = html`<${ConnectorStep} key="connector" s=${s} choose=${choose} />`;
  else if (detail.error && detail.name === name) body = html`<div class="dialog-body"><${Failed} error=${detail.error} retry=${load} /></div>`;
  else if (!conn || !s.name || (s.step === 'config' && !needsSettings(conn) && !s.serverErrors)) body = html`<div class="dialog-body"><${Loading} what="Loading" /></div>`;
  else {
    const Body = bodies[s.step] || ConfigStep;
    body = html`<${Body} key=${s.step} s=${s} conn=${conn} update=${update} next=${next} back=${back} go=${go}
      toConfig=${() => go('config')} embed=${embed} nextLabel=${last ? 'Done' : 'Next'} />`;
  }
  return html`<div class="wiz" data-step=${s.step}>
    <${Steps} steps=${steps} current=${s.step} />
    ${v.error && html`<div class="dialog-body connect-error"><${Alert}><p>${v.error}</p></${Alert}></div>`}
    ${v.busy && s.step === 'test' && html`<p class="visually-hidden" role="status">Finishing…</p>`}
    ${body}
  </div>`;
}

function App() {
  const v = view.use();
  const b = (session && session.branding) || {};
  const name = v.phase === 'expired' ? v.name : brandName();
  const cancellable = v.phase === 'steps';
  let body;
  if (v.phase === 'boot') body = html`<div class="dialog-body"><${Loading} /></div>`;
  else if (v.phase === 'waiting') body = html`<${Waiting} />`;
  else if (v.phase === 'notoken') body = html`<${NoToken} />`;
  else if (v.phase === 'refused') body = html`<${Refused} origin=${v.origin} onClose=${() => window.close()} />`;
  else if (v.phase === 'expired') body = html`<${Expired} name=${v.name} action=${v.action} />`;
  else if (v.phase === 'failed') body = html`<${BootFailed} error=${v.error} retry=${boot} />`;
  else if (v.phase === 'leaving') body = html`<${Leaving} status=${v.status} connector=${v.connector} name=${name} mode=${rec ? rec.mode : 'redirect'} stuck=${v.stuck} />`;
  else body = html`<${StepsView} v=${v} />`;
  return html`<div class="connect">
    <${ConnectHeader} name=${name} logo=${session ? b.logo_url : null} onCancel=${cancellable ? cancel : null} busy=${v.busy} />
    <main class="card connect-card" id="main">${body}</main>
  </div>`;
}

// connect.html's "Loading…" goes: the page draws its own.
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
boot();
// Another session's link opened in this tab while the page is open only
// changes the fragment: start again with its token.
window.addEventListener('hashchange', () => { if (/^#(.*&)?token=/.test(window.location.hash)) window.location.reload(); });
