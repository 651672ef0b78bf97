// web/lib/data_filters.js - the data explorer's filters live in the address
// (?q=&integration_id=&account_id=&since=&deleted=1&sort=), so a filtered
// list can be shared, and Back from a record returns to it. This turns the
// address into filters, filters into the API's parameters, and remembers the
// last list of each model for the record page's way back.
import { navigate, location } from './router.js';
import { models, sorts } from './models.js';

const keys = ['q', 'integration_id', 'account_id', 'since', 'deleted', 'sort'];

// filtersOf(query, model) -> {q, integration_id, account_id, since, deleted, sort}
export function filtersOf(query, model) {
  const f = {};
  for (const k of keys) f[k] = query.get(k) || '';
  if (!models[model].byAccount) f.account_id = '';
  if (!sorts(models[model]).some(([v]) => v === f.sort)) f.sort = sorts(models[model])[0][0];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.since)) f.since = '';
  f.deleted = f.deleted === '1' ? '1' : '';
  return f;
}

// Whether anything narrows the list (the sort does not).
export const narrowed = (f) => Boolean(f.q || f.integration_id || f.account_id || f.since || f.deleted);

// sinceIso("2026-05-15") -> the start of that day where the user is, in
// RFC 3339 (UTC, whole seconds) as updated_since takes it.
export function sinceIso(d) {
  const [y, m, dd] = d.split('-').map(Number);
  return new Date(y, m - 1, dd).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// apiParams(f) -> the query of GET /api/data/{model}, without paging.
export function apiParams(f) {
  return {
    q: f.q, integration_id: f.integration_id, account_id: f.account_id,
    updated_since: f.since ? sinceIso(f.since) : '', include_deleted: f.deleted ? 'true' : '', sort: f.sort,
  };
}

function search(f, model) {
  const u = new URLSearchParams();
  for (const k of keys) if (f[k] && !(k === 'sort' && f[k] === sorts(models[model])[0][0])) u.set(k, f[k]);
  const s = u.toString();
  return s ? '?' + s : '';
}

// listHref(model, f) -> "/ui/data/contacts?q=...".
export const listHref = (model, f) => `/ui/data/${model}` + search(f, model);

// setFilters(model, patch): change some filters in place (no new history
// entry per keystroke).
export function setFilters(model, patch) {
  const f = { ...filtersOf(location.get().query, model), ...patch };
  navigate(listHref(model, f), { replace: true });
}

// tabHref(model, f): another model's list keeps the filters that mean the
// same there (integration, date, deleted, sort); a search does not carry
// over, nor an account to the accounts list.
export function tabHref(model, f) {
  return listHref(model, { ...f, q: '', account_id: models[model].byAccount ? f.account_id : '' });
}

const last = {};
export const rememberList = (model, href) => { last[model] = href; };
export const lastList = (model) => last[model] || `/ui/data/${model}`;
