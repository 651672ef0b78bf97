// web/components/catalog_editor.js - choosing streams and fields from a
// catalog: a checkbox per stream with its sync mode, its fields folded
// under it (all / none, a search over both), and the last discovery's
// changes marked "new" or "removed" in words, not colour alone. It edits a
// choice (lib/catalog.js) and leaves saving to its caller.
import { html, useState } from '../lib/html.js';
import { MODES, MODE_HELP, fieldsOf, streamId } from '../lib/catalog.js';

const Mark = ({ kind }) => html`<span class=${'mark mark-' + kind}>${kind === 'new' ? 'New' : 'Removed'}</span>`;

function Fields({ s, id, c, q, added, removed, onField, onAll }) {
  const fields = fieldsOf(s);
  const shown = q ? fields.filter((f) => f.name.toLowerCase().includes(q)) : fields;
  const gone = (removed || []).filter((n) => !q || n.toLowerCase().includes(q));
  return html`<div class="fields-panel" id=${`fields-${id}`}>
    <div class="toolbar">
      <button class="btn btn-small" type="button" onClick=${() => onAll(true)} aria-label=${`Select every field of ${id}`}>All fields</button>
      <button class="btn btn-small" type="button" onClick=${() => onAll(false)} aria-label=${`Select only the required fields of ${id}`}>Only required</button>
    </div>
    <ul class="field-grid" aria-label=${`Fields of ${id}`}>
      ${shown.map((f) => html`<li key=${f.name} data-field=${f.name}><label class="check">
        <input type="checkbox" checked=${f.inclusion === 'automatic' || !!c.fields[f.name]}
          disabled=${f.inclusion !== 'available' || !c.selected} onChange=${(e) => onField(f.name, e.target.checked)} />
        <span><span class="field-name">${f.name}</span>
          ${f.type && html` <span class="muted small">${f.type}</span>`}
          ${f.inclusion === 'automatic' && html` <span class="muted small">(always synced)</span>`}
          ${f.inclusion === 'unsupported' && html` <span class="muted small">(cannot be synced)</span>`}
          ${added && added.includes(f.name) && html` <${Mark} kind="new" />`}</span></label></li>`)}
      ${gone.map((n) => html`<li key=${'gone-' + n} class="removed" data-field=${n} data-removed><span class="check">
        <span><span class="field-name">${n}</span> <${Mark} kind="removed" /></span></span></li>`)}
    </ul>
  </div>`;
}

function StreamRow({ s, c, q, changes, error, onChange }) {
  const id = streamId(s);
  const [open, setOpen] = useState(false);
  const fields = fieldsOf(s);
  const usable = fields.filter((f) => f.inclusion !== 'unsupported');
  const chosen = usable.filter((f) => f.inclusion === 'automatic' || c.fields[f.name]).length;
  const added = changes && changes.fields_added ? changes.fields_added[id] : null;
  const removed = changes && changes.fields_removed ? changes.fields_removed[id] : null;
  const isNew = changes && (changes.streams_added || []).includes(id);
  // A search that matches fields but not the stream's name opens its fields.
  const fieldHit = q && !id.toLowerCase().includes(q);
  const expanded = open || fieldHit;
  const set = (patch) => onChange({ ...c, ...patch });
  const modes = s.supported_sync_modes || Object.keys(MODES);
  return html`<li class=${'stream-row' + (c.selected ? ' is-selected' : '')} data-stream=${id}>
    <div class="stream-head">
      <label class="check stream-check"><input type="checkbox" checked=${c.selected} onChange=${(e) => set({ selected: e.target.checked })} />
        <span class="strong">${id}</span>${isNew && html` <${Mark} kind="new" />`}</label>
      <span class="muted small" data-field-count>${chosen} of ${usable.length} fields${added && added.length ? html` · ${added.length} new` : ''}${removed && removed.length ? html` · ${removed.length} removed` : ''}</span>
      <label class="inline small"><span class="visually-hidden">Sync mode of ${id}</span>
        <select value=${c.mode} disabled=${!c.selected} onChange=${(e) => set({ mode: e.target.value })} title=${MODE_HELP[c.mode] || ''}>
          ${modes.map((m) => html`<option value=${m}>${MODES[m] || m}</option>`)}
        </select></label>
      <button class="btn btn-small" type="button" aria-expanded=${expanded ? 'true' : 'false'} aria-controls=${`fields-${id}`}
        aria-label=${`Fields of ${id}`} disabled=${fieldHit} onClick=${() => setOpen(!open)}>${expanded ? 'Hide fields' : 'Fields'}</button>
    </div>
    ${error && html`<p class="field-error" role="alert" tabindex="-1">${error}</p>`}
    ${expanded && html`<${Fields} s=${s} id=${id} c=${c} q=${fieldHit ? q : ''} added=${added} removed=${removed}
      onField=${(name, on) => set({ fields: { ...c.fields, [name]: on } })}
      onAll=${(on) => set({ fields: Object.fromEntries(fields.map((f) => [f.name, f.inclusion === 'automatic' || (on && f.inclusion === 'available')])) })} />`}
  </li>`;
}

// <CatalogEditor catalog choice onChange changes errors />: errors maps a
// stream id to the server's message about it.
export function CatalogEditor({ catalog, choice, onChange, changes, errors = {} }) {
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const streams = catalog.streams.filter((s) => !q || streamId(s).toLowerCase().includes(q)
    || fieldsOf(s).some((f) => f.name.toLowerCase().includes(q)));
  const ids = catalog.streams.map(streamId);
  const selected = ids.filter((id) => choice[id] && choice[id].selected).length;
  const setAll = (on) => onChange(Object.fromEntries(ids.map((id) => [id, { ...choice[id], selected: on }])));
  const gone = (changes && changes.streams_removed) || [];
  return html`<div class="catalog-editor">
    <div class="toolbar">
      <label class="inline"><span class="visually-hidden">Search streams and fields</span>
        <input type="search" placeholder="Search streams and fields" value=${query} onInput=${(e) => setQuery(e.target.value)} /></label>
      <button class="btn btn-small" type="button" onClick=${() => setAll(true)}>Select all streams</button>
      <button class="btn btn-small" type="button" onClick=${() => setAll(false)}>Select none</button>
      <span class="muted small" data-selected-count>${selected} of ${ids.length} streams selected</span>
    </div>
    ${q && !streams.length && html`<p class="muted">No stream or field matches “${query}”.</p>`}
    <ul class="stream-list" aria-label="Streams">
      ${streams.map((s) => html`<${StreamRow} key=${streamId(s)} s=${s} c=${choice[streamId(s)]} q=${q} changes=${changes}
        error=${errors[streamId(s)]} onChange=${(c) => onChange({ ...choice, [streamId(s)]: c })} />`)}
      ${gone.map((id) => html`<li key=${'gone-' + id} class="stream-row removed" data-stream=${id} data-removed>
        <div class="stream-head"><span class="strong">${id}</span> <${Mark} kind="removed" />
          <span class="muted small">The provider no longer has this stream; it is no longer synced.</span></div></li>`)}
    </ul>
  </div>`;
}
