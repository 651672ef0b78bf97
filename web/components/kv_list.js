// web/components/kv_list.js - a record's properties (whatever the source
// gave that has no column of its own) as a list of names and values a
// person can read: nested objects become "Address › City", lists are joined,
// and nothing is shown as raw JSON.
import { html } from '../lib/html.js';

// flatten({a: {b: 1}, c: [1, 2]}) -> [["a › b", 1], ["c", "1, 2"]]
export function flatten(value, prefix = '', out = []) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value).sort((x, y) => x.localeCompare(y));
    if (!keys.length && prefix) out.push([prefix, null]);
    for (const k of keys) flatten(value[k], prefix ? `${prefix} › ${k}` : k, out);
  } else if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) out.push([prefix, value.length ? value.map(words).join(', ') : null]);
    else value.forEach((v, i) => flatten(v, `${prefix} › ${i + 1}`, out));
  } else out.push([prefix, value]);
  return out;
}

function words(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (v === true) return 'Yes';
  if (v === false) return 'No';
  return String(v);
}

export function KeyValues({ value, label, empty = 'None.' }) {
  const rows = flatten(value || {});
  if (!rows.length) return html`<p class="muted">${empty}</p>`;
  return html`<dl class="kv" aria-label=${label}>
    ${rows.map(([k, v]) => html`<div class="kv-row"><dt>${k}</dt><dd class=${v === null || v === '' ? 'muted' : ''}>${words(v)}</dd></div>`)}
  </dl>`;
}
