// web/pages/run.js - STUB: replaced by this page's own work.
import { html } from '../lib/html.js';

export function RunDetail(props) {
  return html`<section class="page"><h1>RunDetail</h1><pre>${JSON.stringify(props)}</pre></section>`;
}
