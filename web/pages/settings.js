// web/pages/settings.js - STUB: replaced by this page's own work.
import { html } from '../lib/html.js';

export function Settings(props) {
  return html`<section class="page"><h1>Settings</h1><pre>${JSON.stringify(props)}</pre></section>`;
}
