// web/pages/data_list.js - one model's rows (contacts, accounts, tickets or
// deals) from every integration: search, filters and sort in the address,
// a page at a time by the API's cursors, and an empty state that says what
// to do when nothing has been synced yet.
import { html, useState, useEffect, useRef } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { useLoad } from '../lib/load.js';
import { Link, navigate, location } from '../lib/router.js';
import { relTime, dateTime, plural } from '../lib/format.js';
import { models, sorts } from '../lib/models.js';
import { filtersOf, narrowed, apiParams, setFilters, tabHref, listHref, rememberList } from '../lib/data_filters.js';
import { useLookup, remember } from '../lib/names.js';
import { usePager, Pager } from '../components/pager.js';
import { Loading, Failed, Empty } from '../components/states.js';
import { Tabs } from '../components/tabs.js';

const PAGE = 25;

// The tenant's integrations, for the filter and the Source column (the
// API's largest page; a tenant with more sees the first 200 by name here).
function useIntegrations() {
  return useLoad(() => get('/api/integrations?limit=200').then((r) => r.data), []);
}

function SearchBox({ model, value }) {
  const m = models[model];
  const [text, setText] = useState(value);
  const pushed = useRef(value);
  const timer = useRef(null);
  // The address changed under us (a tab, Clear filters): show its search.
  useEffect(() => { if (value !== pushed.current) { pushed.current = value; setText(value); } }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const input = (e) => {
    const v = e.target.value;
    setText(v);
    clearTimeout(timer.current);
    // Wait for a pause in typing: one request per word, not per key.
    timer.current = setTimeout(() => { pushed.current = v.trim(); setFilters(model, { q: v.trim() }); }, 300);
  };
  return html`<div class="field data-search">
    <label for="data-q">Search ${m.many}</label>
    <input id="data-q" type="search" value=${text} maxlength="100" onInput=${input} aria-describedby="data-q-help"
      placeholder=${`Starts with…`} />
    <p class="field-help" id="data-q-help">Finds ${m.many} whose ${m.search} starts with what you type.</p>
  </div>`;
}

function Filters({ model, f, integrations }) {
  const m = models[model];
  const list = integrations || [];
  const known = !f.integration_id || list.some((it) => it.id === f.integration_id);
  const accounts = useLookup('accounts', f.account_id ? [f.account_id] : []);
  const account = f.account_id && accounts[f.account_id];
  return html`<div class="data-filters" role="search" aria-label=${`Filter ${m.many}`}>
    <${SearchBox} model=${model} value=${f.q} />
    <div class="field">
      <label for="data-integration">Integration</label>
      <select id="data-integration" value=${f.integration_id} onChange=${(e) => setFilters(model, { integration_id: e.target.value })}>
        <option value="">All integrations</option>
        ${list.map((it) => html`<option value=${it.id}>${it.name}</option>`)}
        ${!known && html`<option value=${f.integration_id}>${f.integration_id}</option>`}
      </select>
    </div>
    <div class="field">
      <label for="data-since">Changed since</label>
      <input id="data-since" type="date" value=${f.since} onChange=${(e) => setFilters(model, { since: e.target.value })} />
    </div>
    <div class="field">
      <label for="data-sort">Sort</label>
      <select id="data-sort" value=${f.sort} onChange=${(e) => setFilters(model, { sort: e.target.value })}>
        ${sorts(m).map(([v, words]) => html`<option value=${v}>${words}</option>`)}
      </select>
    </div>
    <label class="check data-deleted"><input type="checkbox" checked=${f.deleted === '1'}
      onChange=${(e) => setFilters(model, { deleted: e.target.checked ? '1' : '' })} /> Include deleted</label>
    ${f.account_id && html`<div class="chips data-account" role="group" aria-label="Account filter">
      <span class="chip chip-static">Account: ${account ? account.name || account.domain : account === null ? f.account_id : '…'}</span>
      <button class="btn btn-small" onClick=${() => setFilters(model, { account_id: '' })}
        aria-label="Remove the account filter">Remove</button>
    </div>`}
  </div>`;
}

function Cell({ col, row }) {
  const v = col.value(row);
  if (col.kind === 'account') {
    if (row.account_id) {
      const name = row.account_name || v || 'Open account';
      return html`<${Link} href=${`/ui/data/accounts/${row.account_id}`}>${name}</${Link}>`;
    }
    return v ? html`${v}` : html`<span class="muted">—</span>`;
  }
  if (col.kind === 'time') return v ? html`<span title=${dateTime(v)}>${relTime(v)}</span>` : html`<span class="muted">—</span>`;
  if (col.kind === 'email' && v) return html`<a href=${`mailto:${v}`}>${v}</a>`;
  return v === null || v === undefined || v === '' ? html`<span class="muted">—</span>` : html`${v}`;
}

function Table({ model, rows, page, loading, integrations }) {
  const m = models[model];
  const byId = {};
  for (const it of integrations || []) byId[it.id] = it;
  return html`<div class="table-wrap" aria-busy=${loading ? 'true' : 'false'}>
    <table class="table data-table" aria-label=${m.words} data-model=${model} data-page=${page}>
      <thead><tr>
        ${m.columns.map((c) => html`<th scope="col" class=${c.num ? 'num' : ''}>${c.label}</th>`)}
        <th scope="col">Source</th>
      </tr></thead>
      <tbody>${rows.map((r) => html`<tr key=${r.id} data-id=${r.id}>
        ${m.columns.map((c) => (c.primary
          ? html`<th scope="row" data-label=${c.label} class="data-primary">
              <${Link} href=${`/ui/data/${model}/${r.id}`}>${c.value(r) || m.title(r)}</${Link}>
              ${r.deleted_at && html` <span class="badge badge-muted">Deleted</span>`}</th>`
          : html`<td data-label=${c.label} class=${c.num ? 'num' : ''}><${Cell} col=${c} row=${r} /></td>`))}
        <td data-label="Source" class="muted small">${byId[r.integration_id] ? byId[r.integration_id].name : r.connector || '—'}</td>
      </tr>`)}</tbody>
    </table>
  </div>`;
}

function Nothing({ model, f, integrations, intsLoading }) {
  const m = models[model];
  if (!narrowed(f) && intsLoading) return html`<${Loading} what=${`Loading ${m.many}`} />`;
  if (narrowed(f)) {
    return html`<${Empty}><p>No ${m.many} match these filters.</p>
      ${f.q && html`<p class="small">The search finds ${m.many} whose ${m.search} starts with “${f.q}”.</p>`}
      <button class="btn" onClick=${() => navigate(listHref(model, { sort: f.sort }), { replace: true })}>Clear filters</button></${Empty}>`;
  }
  if (integrations && integrations.length === 0) {
    return html`<${Empty}><h2>No ${m.many} yet</h2>
      <p>${m.words} come from the accounts you connect. Connect an integration and sync it: its ${m.many} appear here.</p>
      <button class="btn btn-primary" onClick=${() => navigate('/ui/marketplace')}>Connect an integration</button></${Empty}>`;
  }
  return html`<${Empty}><h2>No ${m.many} yet</h2>
    <p>None of your integrations has synced ${m.many}. Sync one (Sync now on the integrations page); they appear here when the sync ends.
      If one has synced and this stays empty, choose its ${m.one} streams in its settings.</p>
    <button class="btn btn-primary" onClick=${() => navigate('/')}>Go to integrations</button></${Empty}>`;
}

// The rows of one set of filters; remounted (key) when they change, so the
// pages start again from the first.
function Results({ model, f, integrations, intsLoading }) {
  const m = models[model];
  const pager = usePager();
  const list = useLoad(() => get(`/api/data/${model}` + qs({ ...apiParams(f), limit: PAGE, cursor: pager.cursor }))
    .then((r) => ({ ...r, page: pager.page })), [pager.cursor]);
  const rows = list.data ? list.data.data : [];
  if (model === 'accounts') for (const r of rows) remember('accounts', r);
  return html`<div>
    ${list.error && html`<${Failed} error=${list.error} retry=${() => list.reload(false)} />`}
    ${list.loading && !list.data && html`<${Loading} what=${`Loading ${m.many}`} />`}
    ${list.data && rows.length === 0 && list.data.page === 1 && html`<${Nothing} model=${model} f=${f} integrations=${integrations} intsLoading=${intsLoading} />`}
    ${rows.length > 0 && html`<${Table} model=${model} rows=${rows} page=${list.data.page} loading=${list.loading} integrations=${integrations} />
      <p class="muted small" role="status">${plural(rows.length, m.one, m.many)} on this page.</p>`}
    <${Pager} pager=${pager} nextCursor=${list.data && list.data.next_cursor} label=${`Pages of ${m.many}`} />
  </div>`;
}

export function DataList({ model }) {
  const m = models[model];
  const loc = location.use();
  const f = filtersOf(loc.query, model);
  const ints = useIntegrations();
  const integrations = ints.data;
  const href = listHref(model, f);
  rememberList(model, href);
  const tabs = Object.entries(models).map(([key, x]) => ({ key, label: x.words, href: tabHref(key, f) }));
  return html`<section class="page data-page">
    <div class="page-head"><h1>Data</h1></div>
    <p class="muted">Contacts, accounts, tickets and deals from all your integrations, in one shape.</p>
    <${Tabs} items=${tabs} current=${model} label="Kind of record" panel="data-panel" />
    <div id="data-panel" role="tabpanel" aria-labelledby=${`tab-${model}`}>
      <h2 class="visually-hidden">${m.words}</h2>
      <${Filters} model=${model} f=${f} integrations=${integrations} />
      ${ints.error && html`<${Failed} error=${ints.error} retry=${() => ints.reload(false)} />`}
      <${Results} key=${href} model=${model} f=${f} integrations=${integrations} intsLoading=${ints.loading && !ints.data} />
    </div>
  </section>`;
}
