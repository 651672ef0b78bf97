// web/pages/settings_general.js - the integration's name and its settings
// (the connector's config schema as a form), saved with one PATCH; and
// pausing or resuming it. The server's message for a field shows under it.
import { html, useState, useEffect, useRef } from '../lib/html.js';
import { patch } from '../lib/api.js';
import { toast, toastError } from '../components/toast.js';
import { errorAt, placed, describedBy, focusProblem } from '../lib/fields.js';

const props = (schema) => Object.entries((schema && schema.properties) || {})
  .filter(([, p]) => p && ['string', 'integer', 'number', 'boolean'].includes(Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type));
const typeOf = (p) => (Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type);

function formOf(it, schema) {
  const f = { name: it.name, config: {} };
  for (const [k, p] of props(schema)) {
    const v = it.config ? it.config[k] : undefined;
    f.config[k] = typeOf(p) === 'boolean' ? v === true : v === undefined || v === null ? '' : String(v);
  }
  return f;
}

// The merge patch of config: changed members only, an emptied one null.
function configPatch(it, schema, form) {
  const out = {};
  for (const [k, p] of props(schema)) {
    const t = typeOf(p), before = it.config ? it.config[k] : undefined, raw = form.config[k];
    let v;
    if (t === 'boolean') v = raw;
    else if (raw === '') v = null;
    else if (t === 'integer' || t === 'number') v = Number(raw);
    else v = raw;
    if ((before === undefined ? null : before) !== v && !(t === 'boolean' && before === undefined && v === false)) out[k] = v;
  }
  return out;
}

function ConfigField({ name, p, value, required, err, onChange }) {
  const id = `cfg-${name}`, help = p.description ? `${id}-help` : null, eid = err ? `${id}-err` : null;
  const t = typeOf(p);
  const common = { id, 'aria-invalid': err ? 'true' : 'false', 'aria-describedby': describedBy(help, eid) };
  let input;
  if (t === 'boolean') {
    return html`<div class="field"><label class="check"><input type="checkbox" ...${common} checked=${value}
      onChange=${(e) => onChange(e.target.checked)} /> ${p.title || name}</label>
      ${help && html`<p id=${help} class="field-help">${p.description}</p>`}
      ${err && html`<p id=${eid} class="field-error">${err}</p>`}</div>`;
  }
  if (Array.isArray(p.enum)) {
    input = html`<select ...${common} value=${value} onChange=${(e) => onChange(e.target.value)}>
      ${!required && html`<option value="">${p.default !== undefined ? `Default (${p.default})` : 'None'}</option>`}
      ${p.enum.filter((v) => v !== null).map((v) => html`<option value=${String(v)}>${String(v)}</option>`)}</select>`;
  } else {
    input = html`<input ...${common} type=${t === 'integer' || t === 'number' ? 'number' : 'text'} value=${value}
      placeholder=${p.format === 'date-time' ? '2024-01-01T00:00:00Z' : p.default !== undefined && p.default !== '' ? String(p.default) : ''}
      required=${required} onInput=${(e) => onChange(e.target.value)} />`;
  }
  return html`<div class="field"><label for=${id}>${p.title || name}${required ? '' : html` <span class="muted small">(optional)</span>`}</label>
    ${input}
    ${help && html`<p id=${help} class="field-help">${p.description}</p>`}
    ${err && html`<p id=${eid} class="field-error">${err}</p>`}</div>`;
}

export function General({ it, connector, onSaved }) {
  const schema = connector ? connector.config_schema : null;
  const [form, setForm] = useState(() => formOf(it, schema));
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const formEl = useRef(null);
  useEffect(() => { if (err) focusProblem(formEl.current); }, [err]);
  // A new answer from the server (another save, a poll) resets the form
  // only when the user has nothing unsaved in it.
  const base = JSON.stringify(formOf(it, schema));
  const [seen, setSeen] = useState(base);
  useEffect(() => {
    if (base !== seen) { if (JSON.stringify(form) === seen) setForm(JSON.parse(base)); setSeen(base); }
  }, [base]);
  const dirty = JSON.stringify(form) !== base;
  const required = new Set((schema && schema.required) || []);

  const save = async (e) => {
    e.preventDefault();
    const name = form.name.trim();
    if (!name) { setErr({ fields: { '/name': 'Give the integration a name.' }, sentence: 'Give the integration a name.' }); return; }
    const body = { name };
    const cfg = configPatch(it, schema, form);
    if (Object.keys(cfg).length) body.config = cfg;
    setBusy(true); setErr(null);
    try {
      await patch(`/api/integrations/${encodeURIComponent(it.id)}`, body);
      toast('Saved: name and settings.', 'success');
      onSaved();
    } catch (x) { setErr(x); if (!x.fields || !Object.keys(x.fields).length) toastError(x); }
    setBusy(false);
  };
  const pause = async (status) => {
    try {
      await patch(`/api/integrations/${encodeURIComponent(it.id)}`, { status });
      toast(status === 'paused' ? `${it.name} is paused: it will not sync on its schedule until resumed.` : `${it.name} is active again.`, 'success');
      onSaved();
    } catch (x) { toastError(x); }
  };
  const nameErr = errorAt(err, '/name');
  const fields = props(schema);

  return html`<form ref=${formEl} onSubmit=${save} novalidate>
    <div class="field"><label for="it-name">Name</label>
      <input id="it-name" type="text" maxlength="200" value=${form.name} required
        aria-invalid=${nameErr ? 'true' : 'false'} aria-describedby=${describedBy('it-name-help', nameErr && 'it-name-err')}
        onInput=${(e) => setForm({ ...form, name: e.target.value })} />
      <p id="it-name-help" class="field-help">How this integration is called across inlet, in notifications too.</p>
      ${nameErr && html`<p id="it-name-err" class="field-error">${nameErr}</p>`}</div>
    ${fields.length > 0 && html`<fieldset class="plain"><legend>Connection settings</legend>
      ${fields.map(([k, p]) => html`<${ConfigField} key=${k} name=${k} p=${p} value=${form.config[k]} required=${required.has(k)}
        err=${errorAt(err, `/config/${k}`)} onChange=${(v) => setForm({ ...form, config: { ...form.config, [k]: v } })} />`)}
    </fieldset>`}
    ${err && !placed(err, ['/name', '/config']) && html`<p class="field-error" role="alert" tabindex="-1">${err.sentence}</p>`}
    <div class="form-foot">
      <button class="btn btn-primary" type="submit" disabled=${busy || !dirty}>${busy ? 'Saving…' : 'Save'}</button>
      ${dirty && html`<button class="btn" type="button" onClick=${() => { setForm(JSON.parse(base)); setErr(null); }}>Undo changes</button>`}
      <span class="spacer"></span>
      ${it.status === 'active' && html`<button class="btn" type="button" onClick=${() => pause('paused')}>Pause syncing</button>`}
      ${it.status === 'paused' && html`<button class="btn" type="button" onClick=${() => pause('active')}>Resume syncing</button>`}
    </div>
  </form>`;
}
