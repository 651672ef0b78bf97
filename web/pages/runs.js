// web/pages/runs.js - STUB: replaced by this page's own work.
import { html } from '../lib/html.js';

export function Runs(props) {
  return html`<section class="page"><h1>Runs</h1><pre>${JSON.stringify(props)}</pre></section>`;
}
