// web/components/schema_form.js - a form generated from a JSON Schema: one
// labelled input per property (text, number, checkbox, select, password),
// the description as help text, the required fields first and the optional
// ones folded under "Advanced settings". The caller keeps the inputs'
// contents (raws) and the messages (errors), so that nothing typed is lost
// when the form is drawn again.
import { html } from '../lib/html.js';
import { fieldsOf, titleOf, kindOf, isSecret } from '../lib/schema.js';

const inputType = (s) => {
  const k = kindOf(s);
  if (k === 'integer' || k === 'number') return 'number';
  if (s.format === 'email') return 'email';
  if (s.format === 'uri') return 'url';
  return 'text';
};

const placeholderOf = (s) => {
  if (Array.isArray(s.examples) && s.examples.length) return String(s.examples[0]);
  if (s.format === 'date-time') return '2024-01-31T00:00:00Z';
  if (s.format === 'date') return '2024-01-31';
  return undefined;
};

// One field. secret: a write-only input (type password, never prefilled).
export function Field({ id, f, raw, error, onInput, onBlur, secret = false, optionalMark = true }) {
  const s = f.schema;
  const k = kindOf(s);
  const title = titleOf(f);
  const help = s.description ? `${id}-help` : null;
  const err = error ? `${id}-err` : null;
  const describedby = [help, err].filter(Boolean).join(' ') || undefined;
  const invalid = error ? 'true' : undefined;
  const helpText = s.description && html`<p class="field-help" id=${help}>${s.description}</p>`;
  const errText = error && html`<p class="field-error" id=${err}>${error}</p>`;
  const label = html`${title}${!f.required && optionalMark ? html` <span class="muted small">(optional)</span>` : ''}`;

  if (k === 'boolean') {
    return html`<div class="field" data-field=${f.name}>
      <label class="check"><input type="checkbox" id=${id} name=${f.name} checked=${raw === true}
        aria-describedby=${describedby} onChange=${(e) => onInput(e.target.checked)} /> <span>${title}</span></label>
      ${helpText}${errText}</div>`;
  }
  let input;
  if (k === 'enum') {
    const i = s.enum.indexOf(raw);
    input = html`<select id=${id} name=${f.name} aria-invalid=${invalid} aria-describedby=${describedby} required=${f.required}
        value=${i < 0 ? '' : String(i)} onChange=${(e) => onInput(e.target.value === '' ? undefined : s.enum[Number(e.target.value)])} onBlur=${onBlur}>
      ${(i < 0 || !f.required) && html`<option value="">${f.required ? 'Choose…' : '—'}</option>`}
      ${s.enum.map((v, j) => html`<option value=${String(j)}>${Array.isArray(s.enumNames) && s.enumNames[j] ? s.enumNames[j] : String(v)}</option>`)}
    </select>`;
  } else if (k === 'list' || k === 'json') {
    input = html`<textarea id=${id} name=${f.name} rows=${k === 'json' ? 5 : 3} aria-invalid=${invalid} aria-describedby=${describedby}
      class=${k === 'json' ? 'mono' : undefined} value=${raw || ''} onInput=${(e) => onInput(e.target.value)} onBlur=${onBlur}></textarea>`;
  } else if (secret || isSecret(s)) {
    input = html`<input type="password" id=${id} name=${f.name} autocomplete="new-password" spellcheck=${false}
      aria-invalid=${invalid} aria-describedby=${describedby} value=${raw || ''} onInput=${(e) => onInput(e.target.value)} onBlur=${onBlur} />`;
  } else {
    const t = inputType(s);
    input = html`<input type=${t} id=${id} name=${f.name} aria-invalid=${invalid} aria-describedby=${describedby}
      step=${kindOf(s) === 'integer' ? '1' : kindOf(s) === 'number' ? 'any' : undefined}
      min=${s.minimum} max=${s.maximum} placeholder=${placeholderOf(s)} spellcheck=${t === 'text' ? false : undefined}
      value=${raw === undefined || raw === null ? '' : raw} onInput=${(e) => onInput(e.target.value)} onBlur=${onBlur} />`;
  }
  return html`<div class="field" data-field=${f.name}>
    <label for=${id}>${label}</label>
    ${input}${helpText}${errText}
  </div>`;
}

// The whole form. raws {name: content}, errors {name: message}; onInput(name,
// content), onBlur(name); advancedOpen/onToggle keep the fold's state with the
// caller. secret: every text field is write-only. foldAll: fold the optional
// fields even when the form has no required one (the caller shows others).
export function SchemaForm({ schema, idPrefix, raws, errors, onInput, onBlur = () => {}, secret = false, foldAll = false,
  advancedOpen = false, onToggle = () => {}, advancedLabel = 'Advanced settings' }) {
  const fields = fieldsOf(schema);
  const one = (f) => html`<${Field} key=${f.name} id=${`${idPrefix}-${f.name}`} f=${f} raw=${raws[f.name]} error=${errors[f.name]}
    secret=${secret} onInput=${(v) => onInput(f.name, v)} onBlur=${() => onBlur(f.name)} />`;
  const required = fields.filter((f) => f.required);
  const optional = fields.filter((f) => !f.required);
  // A form of optional fields only has nothing to fold them away from.
  const fold = optional.length > 0 && (required.length > 0 || foldAll);
  return html`${required.map(one)}
    ${fold ? html`<details class="advanced" open=${advancedOpen}
        onToggle=${(e) => { if (e.target.open !== advancedOpen) onToggle(e.target.open); }}>
        <summary>${advancedLabel} <span class="muted small">(${optional.length} optional)</span></summary>
        <div class="advanced-body">${optional.map(one)}</div></details>`
      : optional.map(one)}`;
}
