// web/components/crumbs.js - the trail above a page ("Integrations / Sales
// EU / Logs"): links back up, the last item the page itself.
import { html } from '../lib/html.js';
import { Link } from '../lib/router.js';

// items: [[label, href], ..., [label]]
export function Crumbs({ items }) {
  return html`<nav class="crumbs" aria-label="Breadcrumb"><ol>
    ${items.map(([label, href], i) => html`<li key=${i}>${href
      ? html`<${Link} href=${href}>${label}</${Link}>`
      : html`<span aria-current="page">${label}</span>`}</li>`)}
  </ol></nav>`;
}
