// web/pages/data.js - STUB: replaced by this page's own work.
import { html } from '../lib/html.js';

export function DataExplorer(props) {
  return html`<section class="page"><h1>DataExplorer</h1><pre>${JSON.stringify(props)}</pre></section>`;
}
