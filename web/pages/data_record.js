// web/pages/data_record.js - one contact, account, ticket or deal: its
// fields, its properties as a readable list, its times, and where it came
// from (the integrations that synced it, with the source's own id), each
// source linking to its integration's settings.
import { html } from '../lib/html.js';
import { get } from '../lib/api.js';
import { useLoad } from '../lib/load.js';
import { Link } from '../lib/router.js';
import { connectors } from '../lib/connectors.js';
import { relTime, dateTime } from '../lib/format.js';
import { models, times, text } from '../lib/models.js';
import { lastList, listHref } from '../lib/data_filters.js';
import { useLookup, remember } from '../lib/names.js';
import { Loading, Failed } from '../components/states.js';
import { KeyValues } from '../components/kv_list.js';
import { Logo } from '../components/logo.js';

function Ref({ kind, id, rows }) {
  const row = rows[id];
  const name = row ? models[kind].title(row) : row === null ? 'Open' : '…';
  return html`<${Link} href=${`/ui/data/${kind}/${id}`}>${name}</${Link}>`;
}

function Value({ row, field, refs }) {
  const [key, , kind] = field;
  const v = row[key];
  if (v === null || v === undefined || v === '') return html`<span class="muted">—</span>`;
  if (kind === 'account') return html`<${Ref} kind="accounts" id=${v} rows=${refs.accounts} />`;
  if (kind === 'contact') return html`<${Ref} kind="contacts" id=${v} rows=${refs.contacts} />`;
  if (kind === 'email') return html`<a href=${`mailto:${v}`}>${v}</a>`;
  if (kind === 'url') {
    const href = /^https?:\/\//i.test(v) ? v : `https://${v}`;
    return html`<a href=${href} rel="noopener noreferrer" target="_blank">${v}</a>`;
  }
  return html`${text(row, field)}`;
}

function Sources({ sources }) {
  const ints = useLookup('integrations', sources.map((s) => s.integration_id));
  const cat = useLoad(() => connectors(), []);
  const byName = cat.data ? cat.data.byName : {};
  if (!sources.length) return html`<p class="muted">inlet has no record of the sync that brought this in (it may have been pushed by a webhook).</p>`;
  return html`<div class="table-wrap"><table class="table" aria-label="Sources">
    <thead><tr><th scope="col">Integration</th><th scope="col">Stream</th><th scope="col">External id</th>
      <th scope="col">First synced</th><th scope="col">Last synced</th></tr></thead>
    <tbody>${sources.map((s) => {
      const it = ints[s.integration_id];
      const conn = byName[s.connector];
      return html`<tr data-source=${s.integration_id}>
        <td data-label="Integration"><div class="name-cell"><${Logo} connector=${s.connector} title=${conn && conn.title} size=${24} />
          <div><${Link} href=${`/ui/integrations/${s.integration_id}`} class="strong">${it ? it.name : it === null ? 'Integration (deleted or unreadable)' : '…'}</${Link}>
          <div class="muted small">${conn ? conn.title : s.connector}</div></div></div></td>
        <td data-label="Stream">${s.stream}</td>
        <td data-label="External id"><code class="break">${s.external_id}</code></td>
        <td data-label="First synced"><span title=${dateTime(s.first_synced_at)}>${relTime(s.first_synced_at)}</span></td>
        <td data-label="Last synced"><span title=${dateTime(s.last_synced_at)}>${relTime(s.last_synced_at)}</span>
          ${s.deleted_at && html` <span class="badge badge-muted">Deleted at the source ${relTime(s.deleted_at)}</span>`}</td>
      </tr>`;
    })}</tbody>
  </table></div>`;
}

function Related({ id }) {
  const links = ['contacts', 'deals', 'tickets'].map((k) => [k, listHref(k, { account_id: id })]);
  return html`<nav class="related" aria-label="This account's records">
    ${links.map(([k, href]) => html`<${Link} class="btn btn-small" href=${href}>${models[k].words} of this account</${Link}>`)}
  </nav>`;
}

export function DataRecord({ model, id }) {
  const m = models[model];
  const r = useLoad(() => get(`/api/data/${model}/${encodeURIComponent(id)}`), [model, id]);
  const row = r.data;
  if (row && model === 'accounts') remember('accounts', row);
  const refs = {
    accounts: useLookup('accounts', row && row.account_id ? [row.account_id] : []),
    contacts: useLookup('contacts', row && row.contact_id ? [row.contact_id] : []),
  };
  const back = lastList(model);
  return html`<section class="page record-page">
    <nav class="crumbs" aria-label="Breadcrumb"><${Link} href="/ui/data">Data</${Link}> › <${Link} href=${back}>${m.words}</${Link}></nav>
    ${r.error && html`<h1>${r.error.status === 404 ? `${m.one[0].toUpperCase()}${m.one.slice(1)} not found` : m.words}</h1><${Failed} error=${r.error} retry=${r.error.status === 404 ? null : () => r.reload(false)} />
      <p><${Link} href=${back}>Back to ${m.many}</${Link}></p>`}
    ${r.loading && !row && html`<${Loading} what=${`Loading the ${m.one}`} />`}
    ${row && html`<div class="page-head"><h1>${m.title(row)}</h1>
        ${row.deleted_at && html`<span class="badge badge-muted">Deleted</span>`}</div>
      ${row.deleted_at && html`<div class="alert alert-warn"><p>This ${m.one} was deleted at its source (inlet noticed ${relTime(row.deleted_at)}). It is kept here for reference.</p></div>`}
      ${model === 'accounts' && html`<${Related} id=${row.id} />`}
      <div class="record-grid">
        <section class="card" aria-labelledby="rec-fields"><h2 id="rec-fields">Details</h2>
          <dl class="kv">${m.fields.map((f) => html`<div class="kv-row"><dt>${f[1]}</dt><dd><${Value} row=${row} field=${f} refs=${refs} /></dd></div>`)}</dl>
        </section>
        <section class="card" aria-labelledby="rec-props"><h2 id="rec-props">Properties</h2>
          <p class="muted small">Everything else the source sent.</p>
          <${KeyValues} value=${row.properties} label="Properties" empty="The source sent nothing else." />
        </section>
        <section class="card" aria-labelledby="rec-times"><h2 id="rec-times">History</h2>
          <dl class="kv">${times.map(([k, label]) => html`<div class="kv-row"><dt>${label}</dt>
            <dd>${row[k] ? html`${dateTime(row[k])} <span class="muted small">(${relTime(row[k])})</span>` : html`<span class="muted">—</span>`}</dd></div>`)}
            <div class="kv-row"><dt>inlet id</dt><dd><code class="break">${row.id}</code></dd></div></dl>
        </section>
        <section class="card record-sources" aria-labelledby="rec-sources"><h2 id="rec-sources">Sources</h2>
          <${Sources} sources=${row.sources || []} />
        </section>
      </div>`}
  </section>`;
}
