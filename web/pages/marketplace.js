// web/pages/marketplace.js - every connector as a card: search, a category
// filter, the ones already connected marked; a card opens the wizard.
import { html, useState, useMemo } from '../lib/html.js';
import { useLoad } from '../lib/load.js';
import { get } from '../lib/api.js';
import { openWizard } from '../components/wizard.js';
import { Logo } from '../components/logo.js';
import { Loading, Failed, Empty } from '../components/states.js';

const categoryWords = { crm: 'CRM', support: 'Support', chat: 'Chat', engineering: 'Engineering', marketing: 'Marketing', other: 'Other' };
const words = (c) => categoryWords[c] || (c ? c[0].toUpperCase() + c.slice(1) : 'Other');

function matches(c, q) {
  if (!q) return true;
  const t = q.toLowerCase();
  return [c.name, c.title, c.description, c.category].some((s) => s && s.toLowerCase().includes(t));
}

export function Marketplace() {
  // Fresh on every visit: the counts of connected integrations change.
  const cat = useLoad(() => get('/api/connectors'), []);
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const all = cat.data ? cat.data.data : [];
  const categories = useMemo(() => [...new Set(all.map((c) => c.category || 'other'))].sort(), [all]);
  const shown = all.filter((c) => matches(c, q) && (!category || (c.category || 'other') === category));

  return html`<section class="page">
    <div class="page-head"><h1>Marketplace</h1></div>
    <p class="muted">Connect an account to start syncing its data. Connecting takes a minute; you never handle a token.</p>
    <div class="toolbar">
      <label class="inline"><span class="visually-hidden">Search connectors</span>
        <input type="search" placeholder="Search connectors" value=${q} onInput=${(e) => setQ(e.target.value)} /></label>
      <div class="chips" role="group" aria-label="Category">
        <button class="chip" aria-pressed=${category === '' ? 'true' : 'false'} onClick=${() => setCategory('')}>All</button>
        ${categories.map((c) => html`<button class="chip" aria-pressed=${category === c ? 'true' : 'false'} onClick=${() => setCategory(c)}>${words(c)}</button>`)}
      </div>
    </div>
    ${cat.error && html`<${Failed} error=${cat.error} retry=${() => cat.reload(false)} />`}
    ${cat.loading && !cat.data && html`<${Loading} what="Loading connectors" />`}
    ${cat.data && shown.length === 0 && html`<${Empty}><p>No connector matches “${q}”.</p></${Empty}>`}
    <ul class="cards" aria-label="Connectors">
      ${shown.map((c) => html`<li class="card connector-card" key=${c.name} data-connector=${c.name}>
        <div class="connector-head"><${Logo} connector=${c.logo_url ? c.name : null} title=${c.title} size=${40} />
          <div><h2 class="h3">${c.title}</h2><span class="tag">${words(c.category)}</span></div>
          ${c.integrations > 0 && html`<span class="badge badge-ok connected-mark">Connected${c.integrations > 1 ? ` ×${c.integrations}` : ''}</span>`}</div>
        <p class="muted">${c.description}</p>
        <button class="btn ${c.integrations > 0 ? '' : 'btn-primary'}" onClick=${() => openWizard(c.name)}
          aria-label=${`Connect ${c.title}`}>${c.integrations > 0 ? 'Connect another' : 'Connect'}</button>
      </li>`)}
    </ul>
  </section>`;
}
