// web/components/wizard_state.js - the add-integration wizard's state: one
// object for every step, kept outside the steps so that Back and Next never
// lose what was typed, and the part of it that survives the trip to an OAuth
// provider's consent page (sessionStorage, this tab only, never a secret).
import { store } from '../lib/store.js';
import { get } from '../lib/api.js';
import { isSecret } from '../lib/schema.js';

// The wizard's state, null while closed. Only the wizard watches it, so a
// keystroke redraws the dialog and not the page under it.
export const flow = store(null);
export const update = (patch) => flow.set((s) => (s ? { ...s, ...(typeof patch === 'function' ? patch(s) : patch) } : s));

export function fresh(connector) {
  return {
    connector: connector || null,
    fixed: !!connector,        // opened for one connector: no choosing step
    step: connector ? 'config' : 'connector',
    name: '', nameAuto: false, // nameAuto: the name inlet proposed, not typed
    raws: null,                // the settings as typed (null: not drawn yet)
    advancedOpen: false,       // the optional settings unfolded
    serverErrors: null,        // {name, config: {field: message}, other}: the server's refusal
    integrationId: null,       // once created
    sent: null,                // {name, config} as the server has them
    connected: false,          // OAuth: consent given; keys: stored
    oauthError: null,          // {error, message} from the provider
    secretRaws: null,          // keys as typed, until sent (memory only)
    replacing: false,          // replacing stored keys
    test: null,                // the last test's answer
    catalog: null,             // the discovered catalog (memory only)
    choice: null,              // {streamId: {selected, fields: {f: bool}, mode}}
    openStreams: {},           // streams whose fields are unfolded
    catalogError: null,        // the server's refusal of the choice, at save
    schedule: { kind: 'daily', minute: '', time: '', weekday: 'mon', day: '1', expression: '' },
    scheduleError: null,       // the server's refusal of the schedule, at save
    firstSync: true,
  };
}

// The steps a wizard has, in order.
export const STEPS = [
  ['connector', 'Connector'], ['config', 'Settings'], ['connect', 'Connect'], ['test', 'Test'],
  ['streams', 'Streams'], ['schedule', 'Schedule'], ['review', 'Review'],
];
export const stepsOf = (s) => STEPS.filter(([id]) => id !== 'connector' || !s.fixed);

// A connector in full (config_schema, secrets_schema, auth, test), once a page load.
const details = new Map();
export function connectorDetail(name) {
  if (!details.has(name)) {
    const p = get(`/api/connectors/${encodeURIComponent(name)}`);
    details.set(name, p);
    p.catch(() => details.delete(name));
  }
  return details.get(name);
}

const KEY = 'inlet.wizard';
const MAX_AGE = 30 * 60 * 1000;   // an OAuth flow lives 10 minutes; a consent page left open longer is stale

// keep(s, schema): what the wizard needs back after the provider's page.
// Settings the schema marks write-only are left out: a secret never goes to
// storage (sessionStorage outlives the page and any script of the origin can read it).
// key: the connect page keeps its own (pages/connect_app.js).
export function keep(s, schema, key = KEY) {
  const props = (schema && schema.properties) || {};
  const raws = {};
  for (const [k, v] of Object.entries(s.raws || {})) if (!props[k] || !isSecret(props[k])) raws[k] = v;
  const kept = {
    connector: s.connector, fixed: s.fixed, name: s.name, raws, advancedOpen: s.advancedOpen,
    integrationId: s.integrationId, sent: s.sent, connected: !!s.connected, schedule: s.schedule, firstSync: s.firstSync,
    at: Date.now(),
  };
  try { sessionStorage.setItem(key, JSON.stringify(kept)); } catch (e) { /* private mode: the wizard cannot resume */ }
}

// kept() -> the kept state, or null (none, or too old).
export function kept(key = KEY) {
  let v = null;
  try { v = JSON.parse(sessionStorage.getItem(key) || 'null'); } catch (e) { v = null; }
  if (!v || typeof v !== 'object' || !v.integrationId || !(Date.now() - v.at < MAX_AGE)) return null;
  return v;
}

export function forget(key = KEY) {
  try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
}
