// web/lib/names.js - the names behind ids a record points at (a contact's
// account, a source's integration). The lists carry only ids, so each name
// is read once per page load, a few at a time (the API limits requests per
// session), and remembered.
import { get } from './api.js';
import { useState, useEffect } from './html.js';

const cache = new Map();   // "accounts/acc_..." -> Promise of the row or null
const queue = [];
let running = 0;
const PARALLEL = 3;

function pump() {
  while (running < PARALLEL && queue.length) {
    const { path, resolve } = queue.shift();
    running++;
    get(path).then(resolve, () => resolve(null)).finally(() => { running--; pump(); });
  }
}

// lookup("accounts", id) -> Promise of the row, or null when it cannot be
// read (deleted, or the call failed; the caller shows the id's fallback).
export function lookup(kind, id) {
  const key = `${kind}/${id}`;
  if (!cache.has(key)) {
    const path = kind === 'integrations' ? `/api/integrations/${encodeURIComponent(id)}` : `/api/data/${kind}/${encodeURIComponent(id)}`;
    const p = new Promise((resolve) => { queue.push({ path, resolve }); pump(); });
    p.then((row) => { if (!row) cache.delete(key); });   // a failure is asked again next time
    cache.set(key, p);
  }
  return cache.get(key);
}

// remember(kind, row): a row already read (a list's page) needs no lookup.
export function remember(kind, row) { if (row && row.id) cache.set(`${kind}/${row.id}`, Promise.resolve(row)); }

// useLookup(kind, ids) -> {id: row|null}, filled in as the answers come.
export function useLookup(kind, ids) {
  const [rows, setRows] = useState({});
  const key = ids.filter(Boolean).join(',');
  useEffect(() => {
    let live = true;
    const unique = [...new Set(ids.filter(Boolean))];
    for (const id of unique) lookup(kind, id).then((row) => { if (live) setRows((r) => ({ ...r, [id]: row })); });
    return () => { live = false; };
  }, [kind, key]);
  return rows;
}
