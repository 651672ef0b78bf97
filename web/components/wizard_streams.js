// web/components/wizard_streams.js - the wizard's streams step: discovery
// runs once, then the catalog (Singer's format, docs/singer.md) becomes a
// list of streams to tick, each with its fields folded away and, where the
// stream supports more than one, its sync mode. The choice stays in the
// wizard's state and is sent (PUT .../catalog) when the person saves.
import { html, useEffect, useState } from '../lib/html.js';
import { get, post } from '../lib/api.js';
import { plural } from '../lib/format.js';
import { StepHead, StepForm, Alert, noSubmit } from './wizard_parts.js';

export const modeWords = {
  full_refresh_overwrite: 'Full refresh | Overwrite',
  full_refresh_append: 'Full refresh | Append',
  incremental_append: 'Incremental | Append',
  incremental_append_deduped: 'Incremental | Append + Deduped',
};

const topMeta = (st) => ((st.metadata || []).find((m) => Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0) || { metadata: {} }).metadata || {};

// fieldsOfStream(stream) -> [{name, inclusion, selected}]: its top-level fields.
export function fieldsOfStream(st) {
  const meta = {};
  for (const m of st.metadata || [])
    if (Array.isArray(m.breadcrumb) && m.breadcrumb.length === 2 && m.breadcrumb[0] === 'properties') meta[m.breadcrumb[1]] = m.metadata || {};
  return Object.keys((st.schema && st.schema.properties) || {}).map((name) => {
    const m = meta[name] || {};
    const inclusion = m.inclusion || 'available';
    const selected = inclusion === 'automatic' ? true : inclusion === 'unsupported' ? false : (m.selected ?? m['selected-by-default'] ?? true);
    return { name, inclusion, selected };
  });
}
const choosable = (f) => f.inclusion !== 'automatic' && f.inclusion !== 'unsupported';

// choiceOf(catalog) -> {streamId: {selected, fields: {name: bool}, mode}} as the catalog stands.
export function choiceOf(catalog) {
  const out = {};
  for (const st of catalog.streams) {
    const m = topMeta(st);
    const fields = {};
    for (const f of fieldsOfStream(st)) fields[f.name] = f.selected;
    out[st.tap_stream_id] = { selected: !!(m.selected ?? m['selected-by-default'] ?? false), fields, mode: st.sync_mode || null };
  }
  return out;
}

// catalogBody(catalog, choice) -> the body of PUT .../catalog. A stream with
// every field ticked goes without "fields", so that fields the provider adds
// later are synced too.
export function catalogBody(catalog, choice) {
  const streams = [];
  for (const st of catalog.streams) {
    const c = choice[st.tap_stream_id];
    if (!c || !c.selected) continue;
    const avail = fieldsOfStream(st).filter(choosable);
    const chosen = avail.filter((f) => c.fields[f.name]);
    const out = { tap_stream_id: st.tap_stream_id };
    if (chosen.length !== avail.length) out.fields = chosen.map((f) => f.name);
    if (c.mode) out.sync_mode = c.mode;
    streams.push(out);
  }
  return { streams };
}

const nameOf = (st) => st.stream || st.tap_stream_id;
const idAttr = (id) => id.replace(/[^A-Za-z0-9_-]/g, '_');

function Stream({ st, c, q, open, setOpen, change }) {
  const fields = fieldsOfStream(st);
  const modes = st.supported_sync_modes || [];
  const name = nameOf(st);
  const key = idAttr(st.tap_stream_id);
  const ticked = fields.filter((f) => c.fields[f.name]).length;
  const shownFields = q && !name.toLowerCase().includes(q) ? fields.filter((f) => f.name.toLowerCase().includes(q)) : fields;
  const setAll = (v) => change({ fields: Object.fromEntries(fields.map((f) => [f.name, choosable(f) ? v : f.selected])) });
  return html`<li class="wiz-stream" data-stream=${st.tap_stream_id}>
    <div class="wiz-stream-row">
      <label class="check wiz-stream-pick"><input type="checkbox" checked=${c.selected}
        onChange=${(e) => change({ selected: e.target.checked })} /><span class="strong">${name}</span></label>
      <span class="muted small" id=${`wiz-count-${key}`}>${ticked} of ${fields.length} fields</span>
      ${modes.length > 1 && html`<label class="inline small wiz-mode">Sync mode
        <select value=${c.mode || ''} aria-label=${`Sync mode of ${name}`} onChange=${(e) => change({ mode: e.target.value })}>
          ${modes.map((m) => html`<option value=${m}>${modeWords[m] || m}</option>`)}
        </select></label>`}
    </div>
    <details class="wiz-fields" open=${open} onToggle=${(e) => { if (e.target.open !== open) setOpen(e.target.open); }}>
      <summary>Fields of ${name}${q && shownFields.length !== fields.length ? ` (${shownFields.length} match)` : ''}</summary>
      ${open && html`<div class="wiz-field-tools">
          <button type="button" class="btn btn-small" onClick=${() => setAll(true)} aria-label=${`All fields of ${name}`}>All fields</button>
          <button type="button" class="btn btn-small" onClick=${() => setAll(false)} aria-label=${`No fields of ${name}`}>No fields</button></div>
        <fieldset class="wiz-field-list"><legend class="visually-hidden">Fields of ${name}</legend>
          ${shownFields.map((f) => html`<label class="check" key=${f.name}>
            <input type="checkbox" checked=${!!c.fields[f.name]} disabled=${!choosable(f)} data-field=${f.name}
              onChange=${(e) => change({ fields: { ...c.fields, [f.name]: e.target.checked } })} />
            <span>${f.name}${f.inclusion === 'automatic' ? html` <span class="muted small">(always synced)</span>` : ''}${f.inclusion === 'unsupported' ? html` <span class="muted small">(not supported)</span>` : ''}</span>
          </label>`)}
        </fieldset>`}
    </details>
  </li>`;
}

export function StreamsStep({ s, conn, update, next, back }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [q, setQ] = useState('');
  const [problem, setProblem] = useState(null);
  const load = async () => {
    setBusy(true); setError(null);
    try {
      await post(`/api/integrations/${s.integrationId}/discover`, {});
      const catalog = await get(`/api/integrations/${s.integrationId}/catalog`);
      update((cur) => ({ catalog, choice: cur.choice || choiceOf(catalog), openStreams: {} }));
    } catch (e) { setError(e); } finally { setBusy(false); }
  };
  useEffect(() => { if (!s.catalog || !s.choice) load(); }, []);

  const cat = s.catalog;
  const choice = s.choice;
  const lq = q.trim().toLowerCase();
  const shown = cat && choice ? cat.streams.filter((st) => !lq || nameOf(st).toLowerCase().includes(lq)
    || fieldsOfStream(st).some((f) => f.name.toLowerCase().includes(lq))) : [];
  const selected = cat && choice ? cat.streams.filter((st) => choice[st.tap_stream_id] && choice[st.tap_stream_id].selected).length : 0;
  const change = (id) => (patch) => { setProblem(null); update((cur) => ({ choice: { ...cur.choice, [id]: { ...cur.choice[id], ...patch } } })); };
  const pickShown = (v) => { setProblem(null); update((cur) => {
    const c = { ...cur.choice };
    for (const st of shown) c[st.tap_stream_id] = { ...c[st.tap_stream_id], selected: v };
    return { choice: c };
  }); };
  const go = () => {
    if (!selected) { setProblem('Choose at least one stream to sync.'); return; }
    next();
  };

  return html`<${StepForm} onNext=${go} back=${back} busy=${busy} nextDisabled=${!cat} label="Streams and fields">
    <${StepHead} sub=${`What to copy from ${conn.title}: each stream is a table of records; untick the fields you do not need.`}>Choose streams and fields</${StepHead}>
    ${busy && html`<p class="loading" role="status">Finding what ${conn.title} has…</p>`}
    ${error && html`<${Alert}><p>${error.sentence}</p><button type="button" class="btn" onClick=${load}>Try again</button></${Alert}>`}
    ${s.catalogError && html`<${Alert}><p>${s.catalogError}</p></${Alert}>`}
    ${cat && choice && html`
      <div class="toolbar wiz-stream-tools">
        <label class="inline"><span class="visually-hidden">Search streams and fields</span>
          <input type="search" placeholder="Search streams and fields" value=${q} onInput=${(e) => setQ(e.target.value)} onKeyDown=${noSubmit} /></label>
        <button type="button" class="btn btn-small" onClick=${() => pickShown(true)}>Select all${lq ? ' shown' : ''}</button>
        <button type="button" class="btn btn-small" onClick=${() => pickShown(false)}>Select none${lq ? ' shown' : ''}</button>
        <span class="muted small" role="status">${selected} of ${plural(cat.streams.length, 'stream')} selected</span>
      </div>
      ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
      ${shown.length === 0 && html`<p class="muted">No stream or field matches “${q}”.</p>`}
      <ul class="wiz-streams" aria-label="Streams">
        ${shown.map((st) => html`<${Stream} key=${st.tap_stream_id} st=${st} c=${choice[st.tap_stream_id]} q=${lq}
          open=${!!(s.openStreams || {})[st.tap_stream_id]}
          setOpen=${(v) => update((cur) => ({ openStreams: { ...(cur.openStreams || {}), [st.tap_stream_id]: v } }))}
          change=${change(st.tap_stream_id)} />`)}
      </ul>`}
  </${StepForm}>`;
}
