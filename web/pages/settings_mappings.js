// web/pages/settings_mappings.js - how this integration's records become
// contacts, accounts, tickets and deals: the mapping in effect per stream
// and model (the connector's defaults, with this integration's overrides
// over them), and adding, changing or removing an override. The server
// checks an override against the stream's fields before storing it; its
// message shows under the field it names.
import { html, useState, useRef, useEffect } from '../lib/html.js';
import { get, post, put, del, qs } from '../lib/api.js';
import { useLoad } from '../lib/load.js';
import { toast, toastError } from '../components/toast.js';
import { Dialog, Confirm } from '../components/dialog.js';
import { Loading, Failed } from '../components/states.js';
import { errorAt, placed, describedBy, focusProblem } from '../lib/fields.js';
import { MODELS, MODEL_FIELDS, effective, sourceText, transformText, sourceInput, parseSource, transformsInput, parseTransforms } from '../lib/mapping_view.js';

const enc = encodeURIComponent;
const SOURCE_HELP = 'A field of the stream (Title, or Account.Name), or JSON such as {"first_of": ["MobilePhone", "Phone"]}. Empty with no transforms: the field is left out.';
const TRANSFORMS_HELP = 'Applied in order: names separated by commas (trim, upper), or a JSON list such as [{"default": "USD"}].';
const POINTERS = ['/stream', '/model', '/target_field', '/source_field', '/transforms'];

function Field({ id, label, help, err, children }) {
  return html`<div class="field"><label for=${id}>${label}</label>${children}
    ${help && html`<p id=${`${id}-help`} class="field-help">${help}</p>`}
    ${err && html`<p id=${`${id}-err`} class="field-error">${err}</p>`}</div>`;
}

function MappingDialog({ it, init, streams, onClose, onSaved }) {
  const editing = !!(init.row && init.row.id);
  const [f, setF] = useState({
    stream: init.stream || '', model: init.model || 'contacts', target: init.target || '',
    source: sourceInput(init.source), transforms: transformsInput(init.transforms),
  });
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);
  useEffect(() => { if (err) focusProblem(form.current); }, [err]);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    let source, transforms;
    const local = {};
    try { source = parseSource(f.source); } catch (x) { local['/source_field'] = `This is not valid JSON: ${x.message}`; }
    try { transforms = parseTransforms(f.transforms); } catch (x) { local['/transforms'] = `This is not valid JSON: ${x.message}`; }
    if (!editing) {
      if (!f.stream.trim()) local['/stream'] = 'Name the stream.';
      if (!f.target.trim()) local['/target_field'] = 'Name the field to set.';
    }
    if (Object.keys(local).length) { setErr({ fields: local, sentence: 'Check the fields marked.' }); return; }
    setBusy(true); setErr(null);
    try {
      if (editing) await put(`/api/mappings/${enc(init.row.id)}`, { source_field: source, transforms });
      else await post('/api/mappings', { integration_id: it.id, stream: f.stream.trim(), model: f.model, target_field: f.target.trim(), source_field: source, transforms });
      toast(`${editing ? 'Override changed' : 'Override added'}: ${f.stream}.${f.target.trim()} → ${f.model}. It applies from the next sync.`, 'success');
      onSaved();
      onClose();
    } catch (x) { setErr(x); }
    setBusy(false);
  };
  const e = (p) => errorAt(err, p);
  const aria = (id, p) => ({ 'aria-invalid': e(p) ? 'true' : 'false', 'aria-describedby': describedBy(`${id}-help`, e(p) && `${id}-err`) });
  return html`<${Dialog} title=${editing ? 'Change an override' : 'Add an override'} onClose=${onClose} wide>
    <form ref=${form} onSubmit=${submit} novalidate>
      <div class="dialog-body">
        ${err && !placed(err, POINTERS) && html`<p class="field-error" role="alert" tabindex="-1">${err.sentence}</p>`}
        <div class="form-grid">
          <${Field} id="map-stream" label="Stream" help="Where the records come from." err=${e('/stream')}>
            <input id="map-stream" list="map-streams" value=${f.stream} disabled=${editing} onInput=${set('stream')} autocomplete="off" ...${aria('map-stream', '/stream')} />
            <datalist id="map-streams">${streams.map((s) => html`<option value=${s} />`)}</datalist></${Field}>
          <${Field} id="map-model" label="Into" help="The kind of record it becomes." err=${e('/model')}>
            <select id="map-model" value=${f.model} disabled=${editing} onChange=${set('model')} ...${aria('map-model', '/model')}>
              ${MODELS.map((m) => html`<option value=${m}>${m}</option>`)}</select></${Field}>
          <${Field} id="map-target" label="Field" help="A field of the record, properties.KEY, or properties." err=${e('/target_field')}>
            <input id="map-target" list="map-targets" value=${f.target} disabled=${editing} onInput=${set('target')} autocomplete="off" spellcheck=${false} ...${aria('map-target', '/target_field')} />
            <datalist id="map-targets">${(MODEL_FIELDS[f.model] || []).map((x) => html`<option value=${x} />`)}<option value="properties" /></datalist></${Field}>
        </div>
        <${Field} id="map-source" label="Source" err=${e('/source_field')}
          help=${SOURCE_HELP}>
          <input id="map-source" value=${f.source} onInput=${set('source')} autocomplete="off" spellcheck=${false} ...${aria('map-source', '/source_field')} /></${Field}>
        <${Field} id="map-transforms" label="Transforms" err=${e('/transforms')}
          help=${TRANSFORMS_HELP}>
          <input id="map-transforms" value=${f.transforms} onInput=${set('transforms')} autocomplete="off" spellcheck=${false} ...${aria('map-transforms', '/transforms')} /></${Field}>
      </div>
      <footer class="dialog-foot">
        <button class="btn" type="button" onClick=${onClose}>Cancel</button>
        <button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Saving…' : editing ? 'Save override' : 'Add override'}</button>
      </footer>
    </form>
  </${Dialog}>`;
}

const origins = { default: ['Connector', 'badge-muted'], override: ['Override', 'badge-busy'], removed: ['Left out (override)', 'badge-warn'] };

function Group({ g, onEdit, onDelete }) {
  const overrides = g.fields.filter((x) => x.row).length;
  return html`<details class="map-group" data-mapping=${`${g.stream}:${g.model}`}>
    <summary><span class="strong">${g.stream}</span> → ${g.model} <span class="muted small">(${g.fields.length} fields${overrides ? `, ${overrides} overridden` : ''})</span></summary>
    <div class="table-wrap"><table class="table" aria-label=${`Mapping of ${g.stream} into ${g.model}`}>
      <thead><tr><th scope="col">Field</th><th scope="col">Source</th><th scope="col">Transforms</th><th scope="col">Set by</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${g.fields.map((x) => html`<tr key=${x.target} data-target=${x.target}>
        <th scope="row"><code>${x.target}</code></th>
        <td data-label="Source">${x.origin === 'removed' ? html`<span class="muted">none</span>` : sourceText(x.source)}</td>
        <td data-label="Transforms">${transformText(x.transforms) || html`<span class="muted">—</span>`}</td>
        <td data-label="Set by"><span class=${'badge ' + origins[x.origin][1]}>${origins[x.origin][0]}</span></td>
        <td class="actions">${x.row
          ? html`<button class="btn btn-small" type="button" onClick=${() => onEdit({ row: x.row, stream: g.stream, model: g.model, target: x.target, source: x.row.source_field, transforms: x.row.transforms })}
              aria-label=${`Change the override of ${g.stream} ${x.target}`}>Change</button>
            <button class="btn btn-small" type="button" onClick=${() => onDelete(x.row)}
              aria-label=${`Remove the override of ${g.stream} ${x.target}`}>Use default</button>`
          : html`<button class="btn btn-small" type="button" onClick=${() => onEdit({ stream: g.stream, model: g.model, target: x.target, source: x.source, transforms: x.transforms })}
              aria-label=${`Override ${g.stream} ${x.target}`}>Override</button>`}</td>
      </tr>`)}</tbody>
    </table></div>
  </details>`;
}

export function Mappings({ it, streams = [] }) {
  const m = useLoad(() => get('/api/mappings' + qs({ integration_id: it.id })), [it.id]);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  if (m.error) return html`<${Failed} error=${m.error} retry=${() => m.reload(false)} />`;
  if (!m.data) return html`<${Loading} what="Loading mappings" />`;
  const groups = effective(m.data.defaults, m.data.data);
  const names = [...new Set([...streams, ...groups.map((g) => g.stream)])].sort();
  const remove = async () => {
    const r = deleting;
    try {
      await del(`/api/mappings/${enc(r.id)}`);
      toast(`${r.stream}.${r.target_field} uses the connector's mapping again, from the next sync.`, 'success');
      m.reload(true);
    } catch (e) { toastError(e); }
    setDeleting(null);
  };
  return html`<div>
    <p class="muted">Each stream's records become rows of a model (contacts, accounts, tickets, deals). The connector maps them; an override changes one field for this integration only.</p>
    <div class="toolbar"><button class="btn" type="button" onClick=${() => setEditing({})}>Add an override</button>
      <span class="muted small">${m.data.data.length ? `${m.data.data.length} override${m.data.data.length === 1 ? '' : 's'}` : 'No overrides: the connector’s mapping applies.'}</span></div>
    ${groups.length === 0 && html`<p class="muted">The connector maps none of its streams; add an override to map one (its first field must be external_id).</p>`}
    ${groups.map((g) => html`<${Group} key=${g.key} g=${g} onEdit=${setEditing} onDelete=${setDeleting} />`)}
    ${editing && html`<${MappingDialog} it=${it} init=${editing} streams=${names} onClose=${() => setEditing(null)} onSaved=${() => m.reload(true)} />`}
    ${deleting && html`<${Confirm} title="Use the connector's mapping again?" action="Remove override"
      onClose=${() => setDeleting(null)} onConfirm=${remove}>
      <p>The override of <code>${deleting.target_field}</code> for ${deleting.stream} → ${deleting.model} goes; the connector's mapping applies from the next sync.</p>
    </${Confirm}>`}
  </div>`;
}
