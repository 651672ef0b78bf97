// web/lib/catalog.js - a Singer catalog (docs/singer.md) as the choice a
// person makes: which streams, which of their top-level fields, which sync
// mode; and that choice as the body of PUT .../catalog. Pure functions.

export const MODES = {
  full_refresh_overwrite: 'Full refresh | Overwrite',
  full_refresh_append: 'Full refresh | Append',
  incremental_append: 'Incremental | Append',
  incremental_append_deduped: 'Incremental | Append + Deduped',
};
export const MODE_HELP = {
  full_refresh_overwrite: 'Reads every record each time; the table ends as the source is.',
  full_refresh_append: 'Reads every record each time and keeps each sync as a snapshot.',
  incremental_append: 'Reads what changed; keeps every change as a new row.',
  incremental_append_deduped: 'Reads what changed; one row per record, kept up to date.',
};

const meta = (s, crumb) => {
  const m = (s.metadata || []).find((x) => JSON.stringify(x.breadcrumb) === JSON.stringify(crumb));
  return (m && m.metadata) || {};
};
export const streamId = (s) => s.tap_stream_id || s.stream;

function typeWords(p) {
  if (!p) return '';
  let t = Array.isArray(p.type) ? p.type.filter((x) => x !== 'null') : [p.type];
  t = t.filter(Boolean);
  if (p.format === 'date-time') return 'date and time';
  if (p.format === 'date') return 'date';
  return t.join(' or ');
}

// fieldsOf(stream) -> [{name, type, inclusion, selected}] in schema order.
export function fieldsOf(s) {
  const props = (s.schema && s.schema.properties) || {};
  return Object.keys(props).map((name) => {
    const m = meta(s, ['properties', name]);
    const inclusion = m.inclusion || 'available';
    const selected = inclusion === 'automatic' ? true : inclusion === 'unsupported' ? false
      : m.selected !== undefined ? m.selected === true : m['selected-by-default'] === true;
    return { name, type: typeWords(props[name]), inclusion, selected };
  });
}

// choiceOf(catalog) -> {id: {selected, fields: {name: bool}, mode}}.
export function choiceOf(catalog) {
  const out = {};
  for (const s of (catalog && catalog.streams) || []) {
    const m = meta(s, []);
    const fields = {};
    for (const f of fieldsOf(s)) fields[f.name] = f.selected;
    out[streamId(s)] = { selected: m.selected === true, fields, mode: s.sync_mode || '' };
  }
  return out;
}

// bodyOf(catalog, choice) -> {streams: [...]}: the selected streams, each
// with exactly its chosen fields and its mode. The automatic fields go too
// (the server keeps them whatever is sent).
export function bodyOf(catalog, choice) {
  const streams = [];
  for (const s of catalog.streams) {
    const id = streamId(s), c = choice[id];
    if (!c || !c.selected) continue;
    const fields = fieldsOf(s).filter((f) => f.inclusion !== 'unsupported' && (f.inclusion === 'automatic' || c.fields[f.name])).map((f) => f.name);
    const item = { tap_stream_id: id, fields };
    if (c.mode) item.sync_mode = c.mode;
    streams.push(item);
  }
  return { streams };
}

// The stream a refused PUT's pointer ("/streams/3/fields/1") is about.
export function streamOfPointer(body, pointer) {
  const m = /^\/streams\/(\d+)/.exec(pointer || '');
  return m && body.streams[Number(m[1])] ? body.streams[Number(m[1])].tap_stream_id : null;
}

// countChanges(changes) -> how many streams and fields a discovery added or removed.
export function countChanges(ch) {
  if (!ch) return 0;
  const n = (o) => Object.values(o || {}).reduce((a, l) => a + l.length, 0);
  return (ch.streams_added || []).length + (ch.streams_removed || []).length + n(ch.fields_added) + n(ch.fields_removed);
}
