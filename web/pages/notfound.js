// web/pages/notfound.js - an address the UI does not know.
import { html } from '../lib/html.js';
import { Link } from '../lib/router.js';

export function NotFound() {
  return html`<section class="page"><h1>Page not found</h1>
    <p>There is nothing at this address. <${Link} href="/">Go to your integrations</${Link}>.</p></section>`;
}
