// web/lib/mapping_view.js - the mappings in effect (docs/mappings.md): the
// connector's defaults with the integration's override rows over them (a
// row replaces the default's field of the same stream, model and target
// field), grouped by stream and model; and sources and transforms in words.

export const MODEL_FIELDS = {
  accounts: ['external_id', 'deleted', 'name', 'domain', 'website', 'industry', 'phone', 'employees', 'annual_revenue', 'remote_created_at', 'remote_updated_at'],
  contacts: ['external_id', 'deleted', 'first_name', 'last_name', 'email', 'phone', 'title', 'company', 'account', 'lead_source', 'lead_status', 'remote_created_at', 'remote_updated_at'],
  tickets: ['external_id', 'deleted', 'subject', 'description', 'status', 'priority', 'requester_email', 'assignee', 'contact', 'account', 'remote_created_at', 'remote_updated_at', 'remote_closed_at'],
  deals: ['external_id', 'deleted', 'name', 'amount', 'currency', 'stage', 'status', 'probability', 'close_date', 'owner', 'account', 'contact', 'remote_created_at', 'remote_updated_at'],
};
export const MODELS = Object.keys(MODEL_FIELDS);

const compact = (v) => JSON.stringify(v);

// transformText(["trim", {"default": "USD"}]) -> "trim, default “USD”".
export function transformText(list) {
  if (!Array.isArray(list) || !list.length) return '';
  return list.map((t) => {
    if (typeof t === 'string') return t;
    if (t && typeof t === 'object') {
      const k = Object.keys(t)[0];
      if (k === 'default' || k === 'const') return `${k} ${compact(t[k])}`;
      if (k === 'date') return `date ${typeof t.date === 'string' ? t.date : compact(t.date)}`;
      if (k === 'enum') return `enum (${Object.keys(t.enum).length} values${t.default !== undefined ? `, else ${compact(t.default)}` : ''})`;
      return compact(t);
    }
    return compact(t);
  }).join(', ');
}

// sourceText(source) -> "Title", "first of Phone, MobilePhone", "none".
export function sourceText(src) {
  if (src === null || src === undefined) return 'none';
  if (typeof src === 'string') return src;
  if (Array.isArray(src)) return src.join(', ');
  let s;
  if (src.from !== undefined) s = src.from;
  else if (src.first_of) s = `first of ${src.first_of.join(', ')}`;
  else if (src.const !== undefined) s = `constant ${compact(src.const)}`;
  else s = src.transforms ? 'made by its transforms' : compact(src);
  if (src.optional) s += ' (if present)';
  return s;
}

// A source as one value and its own transforms apart (the object form
// carries them inside).
function split(src) {
  if (src && typeof src === 'object' && !Array.isArray(src) && src.transforms) {
    const { transforms, ...rest } = src;
    const keys = Object.keys(rest).filter((k) => k !== 'optional');
    const bare = keys.length === 1 && keys[0] === 'from' && !rest.optional ? rest.from : keys.length ? rest : null;
    return [bare, transforms];
  }
  return [src, []];
}

// effective(defaults, rows) -> [{key, stream, model, fields: [{target,
// source, transforms, origin, row}]}]; origin "default", "override" or
// "removed" (an override that maps the field to nothing).
export function effective(defaults, rows) {
  const groups = new Map();
  const group = (stream, model) => {
    const key = `${stream}\u0000${model}`;
    if (!groups.has(key)) groups.set(key, { key, stream, model, fields: new Map(), properties: undefined });
    return groups.get(key);
  };
  for (const d of defaults || []) {
    const g = group(d.stream, d.model);
    for (const [target, src] of Object.entries(d.fields || {})) {
      const [source, transforms] = split(src);
      g.fields.set(target, { target, source, transforms, origin: 'default', row: null, optional: !!(src && src.optional) });
    }
    if (d.properties !== undefined) g.fields.set('properties', { target: 'properties', source: d.properties, transforms: [], origin: 'default', row: null });
  }
  for (const r of rows || []) {
    const g = group(r.stream, r.model);
    const removed = (r.source_field === null || r.source_field === undefined) && (!r.transforms || !r.transforms.length);
    g.fields.set(r.target_field, { target: r.target_field, source: r.source_field, transforms: r.transforms || [],
      origin: removed ? 'removed' : 'override', row: r, default: g.fields.get(r.target_field) });
  }
  return [...groups.values()].sort((a, b) => a.stream.localeCompare(b.stream) || a.model.localeCompare(b.model))
    .map((g) => ({ ...g, fields: [...g.fields.values()] }));
}

// The form's text for a source, and back: a bare name stays a name; an
// object, a list or a quoted string is JSON.
export const sourceInput = (src) => (src === null || src === undefined ? '' : typeof src === 'string' ? src : JSON.stringify(src));
export function parseSource(text) {
  const t = text.trim();
  if (!t) return null;
  if (/^[{["]/.test(t)) return JSON.parse(t);
  return t;
}
export const transformsInput = (list) => (!Array.isArray(list) || !list.length ? ''
  : list.every((x) => typeof x === 'string') ? list.join(', ') : JSON.stringify(list));
export function parseTransforms(text) {
  const t = text.trim();
  if (!t) return [];
  if (t.startsWith('[')) return JSON.parse(t);
  if (t.startsWith('{')) return [JSON.parse(t)];
  return t.split(',').map((x) => x.trim()).filter(Boolean);
}
