// web/components/wizard_config.js - the wizard's settings step: the
// integration's name and the form its connector's config_schema makes,
// checked while typed; the server's own refusals (per field, by JSON
// Pointer) come back under the field they name. On the connect page (embed
// set, pages/connect_app.js) the end user does not name the integration:
// the page has named it already.
import { html, useState, useEffect } from '../lib/html.js';
import { get, put, qs } from '../lib/api.js';
import { checkAll, valuesOf, rawsOf, fieldsOf, fieldErrors } from '../lib/schema.js';
import { SchemaForm } from './schema_form.js';
import { StepHead, StepForm, Alert, focusFirstError } from './wizard_parts.js';

const NAME_MAX = 200;
function checkName(name) {
  if (!name.trim()) return 'Required: a name to know this integration by.';
  if ([...name].length > NAME_MAX) return `Must be at most ${NAME_MAX} characters long.`;
  return null;
}

// A name not taken yet: "Salesforce", else "Salesforce 2", ...
async function freeName(conn) {
  try {
    const r = await get('/api/integrations' + qs({ connector: conn.name, limit: 200 }));
    const taken = new Set(r.data.map((it) => it.name));
    let n = conn.title, i = 2;
    while (taken.has(n)) n = `${conn.title} ${i++}`;
    return n;
  } catch (e) { return conn.title; }
}

// serverErrors(e) -> {name, config: {field: message}, other}: where a refusal goes.
export function serverErrors(e) {
  const config = fieldErrors(e, '/config');
  const named = fieldErrors(e, '');
  let name = named.name || null;
  // A name in use is a 409 without a pointer; its message starts with "name:".
  if (!name && e.code === 'conflict' && /^name\b/i.test(e.sentence)) name = e.sentence.replace(/^name:\s*/i, '').replace(/^./, (c) => c.toUpperCase());
  const other = Object.keys(config).length || name ? null : e.sentence;
  return { name, config, other };
}

export function ConfigStep({ s, conn, update, next, back, embed = null }) {
  const schema = conn.config_schema || { type: 'object', properties: {} };
  const [touched, setTouched] = useState({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);

  // Sent back by the server's refusal (wizard_connect.js): the field it
  // names takes the focus in place of the heading.
  const [refused] = useState(() => !!(s.serverErrors && (s.serverErrors.name || Object.values(s.serverErrors.config).some(Boolean))));
  useEffect(() => { if (refused) focusFirstError(); }, []);
  useEffect(() => {
    if (s.raws) return;
    // The connector's title at once; "Salesforce 2" when that name is taken,
    // unless the person has typed one by then.
    update({ raws: rawsOf(schema), ...(s.name ? {} : { name: conn.title, nameAuto: true }) });
    if (!s.name && !embed) freeName(conn).then((n) => update((cur) => (cur.nameAuto ? { name: n } : {})));
  }, []);
  if (!s.raws) return null;

  const server = s.serverErrors || { config: {}, name: null, other: null };
  const client = checkAll(schema, s.raws);
  const nameErr = embed ? null : server.name || ((touched.$name || submitted) ? checkName(s.name) : null);
  const errors = {};
  for (const f of fieldsOf(schema)) {
    const m = server.config[f.name] || ((touched[f.name] || submitted) ? client[f.name] : null);
    if (m) errors[f.name] = m;
  }

  const setRaw = (name, v) => {
    setTouched((t) => ({ ...t, [name]: true }));
    // A change answers the server's message about the field: it goes.
    update((cur) => ({ raws: { ...cur.raws, [name]: v },
      serverErrors: cur.serverErrors && { ...cur.serverErrors, config: { ...cur.serverErrors.config, [name]: undefined }, other: null } }));
  };
  const setName = (v) => {
    setTouched((t) => ({ ...t, $name: true }));
    update((cur) => ({ name: v, nameAuto: false, serverErrors: cur.serverErrors && { ...cur.serverErrors, name: null, other: null } }));
  };

  const go = async () => {
    setSubmitted(true);
    if ((!embed && checkName(s.name)) || Object.keys(client).length) {
      if (fieldsOf(schema).some((f) => !f.required && client[f.name])) update({ advancedOpen: true });
      focusFirstError();
      return;
    }
    const config = valuesOf(schema, s.raws);
    const name = s.name.trim();
    // Created already (the person came back): change it in place. Its
    // secrets are kept (PUT without "secrets" keeps them).
    if (s.integrationId && s.sent && (s.sent.name !== name || JSON.stringify(s.sent.config) !== JSON.stringify(config))) {
      setBusy(true);
      try {
        await put(`/api/integrations/${s.integrationId}`, { name, config });
        const configChanged = JSON.stringify(s.sent.config) !== JSON.stringify(config);
        // New settings can mean another account or org (Salesforce's login
        // host): an OAuth connection is made again, and streams discovered again.
        const oauth = conn.auth && conn.auth.type === 'oauth2';
        update({ sent: { name, config }, serverErrors: null,
          ...(configChanged ? { catalog: null, choice: null, test: null, ...(oauth ? { connected: false } : {}) } : {}) });
      } catch (e) {
        const se = serverErrors(e);
        update({ serverErrors: se, ...(Object.keys(se.config).length ? { advancedOpen: true } : {}) });
        setBusy(false);
        focusFirstError();
        return;
      }
      setBusy(false);
    }
    update({ name });
    next();
  };

  return html`<${StepForm} onNext=${go} back=${back} busy=${busy} label="Settings">
    <${StepHead} focus=${!refused} sub=${embed ? `Tell ${embed.name} about your ${conn.title} account.` : `Name this ${conn.title} connection and check its settings.`}>Settings</${StepHead}>
    ${server.other && html`<${Alert}><p>${server.other}</p></${Alert}>`}
    ${!embed && html`<div class="field" data-field="$name">
      <label for="wiz-name">Integration name</label>
      <input id="wiz-name" name="name" value=${s.name} maxlength=${NAME_MAX} autocomplete="off"
        aria-invalid=${nameErr ? 'true' : undefined} aria-describedby=${'wiz-name-help' + (nameErr ? ' wiz-name-err' : '')}
        onInput=${(e) => setName(e.target.value)} onBlur=${() => setTouched((t) => ({ ...t, $name: true }))} />
      <p class="field-help" id="wiz-name-help">How this integration appears in inlet, e.g. “${conn.title} EU”.</p>
      ${nameErr && html`<p class="field-error" id="wiz-name-err">${nameErr}</p>`}
    </div>`}
    <${SchemaForm} schema=${schema} idPrefix="wiz-config" raws=${s.raws} errors=${errors} foldAll
      advancedOpen=${s.advancedOpen} onToggle=${(open) => update({ advancedOpen: open })}
      onInput=${setRaw} onBlur=${(n) => setTouched((t) => ({ ...t, [n]: true }))} />
    ${fieldsOf(schema).length === 0 && html`<p class="muted">${conn.title} has no settings to choose.</p>`}
  </${StepForm}>`;
}
