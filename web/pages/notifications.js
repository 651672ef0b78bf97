// web/pages/notifications.js - STUB: replaced by this page's own work.
import { html } from '../lib/html.js';

export function Notifications(props) {
  return html`<section class="page"><h1>Notifications</h1><pre>${JSON.stringify(props)}</pre></section>`;
}
