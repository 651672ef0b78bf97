// web/lib/schema.js - what the UI makes of a connector's JSON Schema (its
// config_schema and secrets_schema): the fields in the order a form shows
// them, the value each input holds, and the checks a person gets while
// typing. The server checks everything again and is the one that decides:
// these checks only spare a round trip for the common mistakes (required,
// type, pattern, min/max, enum, the shape of a format). A date-time is
// checked for its shape here, not its calendar (the 30th of February has the
// shape); the server's message for it lands under the field all the same.

// fieldsOf(schema) -> [{name, schema, required}]: the required fields first,
// then the others, each group in the schema's order.
export function fieldsOf(schema) {
  const props = (schema && schema.properties) || {};
  const req = new Set((schema && schema.required) || []);
  const all = Object.keys(props).map((name) => ({ name, schema: props[name] || {}, required: req.has(name) }));
  return [...all.filter((f) => f.required), ...all.filter((f) => !f.required)];
}

export const titleOf = (f) => f.schema.title || f.name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

// The type a field is edited as: "enum", "boolean", "integer", "number",
// "list" (an array of strings, one a line), "json" (anything else) or "string".
export function kindOf(s) {
  if (Array.isArray(s.enum)) return 'enum';
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t === 'boolean' || t === 'integer' || t === 'number' || t === 'string') return t;
  if (t === 'array' && (!s.items || s.items.type === 'string' || !s.items.type)) return 'list';
  if (t === 'object' || t === 'array') return 'json';
  return 'string';
}

// A secret, or a setting that should be typed like one.
export const isSecret = (s) => s.writeOnly === true || s.format === 'password';

// rawDefault(schema) -> what the input starts with: the default, as typed.
export function rawDefault(s) {
  const k = kindOf(s);
  if (k === 'boolean') return s.default === true;
  if (s.default === undefined || s.default === null) return k === 'enum' ? undefined : '';
  if (k === 'enum') return s.default;
  if (k === 'list') return Array.isArray(s.default) ? s.default.join('\n') : '';
  if (k === 'json') return JSON.stringify(s.default, null, 2);
  return String(s.default);
}

// rawFrom(schema, value) -> the input's content for a stored value.
export function rawFrom(s, v) {
  if (v === undefined || v === null) return rawDefault(s);
  const k = kindOf(s);
  if (k === 'boolean' || k === 'enum') return v;
  if (k === 'list') return Array.isArray(v) ? v.join('\n') : '';
  if (k === 'json') return JSON.stringify(v, null, 2);
  return String(v);
}

const blank = (raw) => raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
const listOf = (raw) => String(raw).split('\n').map((x) => x.trim()).filter(Boolean);

// valueOf(schema, raw) -> the JSON value to send, or undefined for an empty input.
export function valueOf(s, raw) {
  const k = kindOf(s);
  if (k === 'boolean') return raw === true;
  if (k === 'enum') return raw === undefined ? undefined : raw;
  if (blank(raw)) return undefined;
  if (k === 'integer' || k === 'number') return Number(raw);
  if (k === 'list') return listOf(raw);
  if (k === 'json') { try { return JSON.parse(raw); } catch (e) { return raw; } }
  return raw;
}

// Connector schemas are written for the server's POSIX regular expressions;
// the bracket classes they use are translated, and a pattern JavaScript
// cannot read is left to the server.
const posix = { alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s', xdigit: '0-9a-fA-F', punct: '!-/:-@[-`{-~' };
function regexOf(pattern) {
  try { return new RegExp(pattern.replace(/\[:(\w+):\]/g, (m, n) => posix[n] || m)); } catch (e) { return null; }
}

const formats = {
  'date-time': [/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/, 'a date and time such as 2024-01-31T00:00:00Z'],
  date: [/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2024-01-31'],
  time: [/^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/, 'a time such as 08:30:00Z'],
  email: [/^[^@\s]+@[^@\s]+$/, 'an e-mail address'],
  uri: [/^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$/, 'a full address such as https://example.com'],
  hostname: [/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/, 'a host name such as example.com'],
  ipv4: [/^(\d{1,3})(\.\d{1,3}){3}$/, 'an IPv4 address'],
};

const example = (s) => (Array.isArray(s.examples) && s.examples.length ? s.examples[0] : (typeof s.default === 'string' && s.default ? s.default : null));

function checkString(s, v) {
  const n = [...v].length;
  if (s.minLength !== undefined && n < s.minLength) return `Must be at least ${s.minLength} character${s.minLength === 1 ? '' : 's'} long.`;
  if (s.maxLength !== undefined && n > s.maxLength) return `Must be at most ${s.maxLength} characters long.`;
  const f = formats[s.format];
  if (f && !f[0].test(v)) return `Must be ${f[1]}.`;
  if (s.pattern) {
    const re = regexOf(s.pattern);
    if (re && !re.test(v)) {
      const ex = example(s);
      return ex ? `Not in the expected form, such as ${ex}.` : `Not in the expected form (${s.pattern}).`;
    }
  }
  return null;
}

function checkNumber(s, v, integer) {
  if (!/^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return integer ? 'Must be a whole number.' : 'Must be a number.';
  const x = Number(v);
  if (integer && !Number.isInteger(x)) return 'Must be a whole number.';
  if (s.minimum !== undefined && x < s.minimum) return `Must be ${s.minimum} or more.`;
  if (s.maximum !== undefined && x > s.maximum) return `Must be ${s.maximum} or less.`;
  if (typeof s.exclusiveMinimum === 'number' && x <= s.exclusiveMinimum) return `Must be more than ${s.exclusiveMinimum}.`;
  if (typeof s.exclusiveMaximum === 'number' && x >= s.exclusiveMaximum) return `Must be less than ${s.exclusiveMaximum}.`;
  if (s.multipleOf && Math.abs(x / s.multipleOf - Math.round(x / s.multipleOf)) > 1e-9) return `Must be a multiple of ${s.multipleOf}.`;
  return null;
}

// check(schema, raw, required) -> the message for a wrong value, or null.
export function check(s, raw, required) {
  const k = kindOf(s);
  if (k === 'boolean') return null;
  if (blank(raw)) return required ? 'Required.' : null;
  if (k === 'enum') return s.enum.includes(raw) ? null : 'Choose one of the options.';
  if (k === 'integer' || k === 'number') return checkNumber(s, String(raw), k === 'integer');
  if (k === 'list') {
    const items = listOf(raw);
    if (s.minItems !== undefined && items.length < s.minItems) return `Give at least ${s.minItems}, one a line.`;
    if (s.maxItems !== undefined && items.length > s.maxItems) return `Give at most ${s.maxItems}, one a line.`;
    for (const it of items) {
      const m = s.items ? checkString(s.items, it) : null;
      if (m) return `“${it}”: ${m}`;
    }
    return null;
  }
  if (k === 'json') { try { JSON.parse(raw); return null; } catch (e) { return 'Must be valid JSON.'; } }
  return checkString(s, String(raw));
}

// checkAll(schema, raws) -> {name: message} for every wrong field.
export function checkAll(schema, raws) {
  const out = {};
  for (const f of fieldsOf(schema)) {
    const m = check(f.schema, raws[f.name], f.required);
    if (m) out[f.name] = m;
  }
  return out;
}

// valuesOf(schema, raws) -> the object to send: empty optional fields left out.
export function valuesOf(schema, raws) {
  const out = {};
  for (const f of fieldsOf(schema)) {
    const v = valueOf(f.schema, raws[f.name]);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

// rawsOf(schema, values) -> the inputs' contents for stored values (or defaults).
export function rawsOf(schema, values = {}) {
  const out = {};
  for (const f of fieldsOf(schema)) out[f.name] = rawFrom(f.schema, values[f.name]);
  return out;
}

// fieldErrors(apiError, prefix) -> {name: message} of the server's refusals
// under prefix ("/config"), by the top-level member they point at.
export function fieldErrors(e, prefix) {
  const out = {};
  for (const [ptr, msg] of Object.entries((e && e.fields) || {})) {
    if (!ptr.startsWith(prefix + '/')) continue;
    const name = ptr.slice(prefix.length + 1).split('/')[0].replace(/~1/g, '/').replace(/~0/g, '~');
    if (!out[name]) out[name] = msg.charAt(0).toUpperCase() + msg.slice(1) + (/[.!?]$/.test(msg) ? '' : '.');
  }
  return out;
}
