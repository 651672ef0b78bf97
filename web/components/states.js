// web/components/states.js - what a page shows while it loads, when a call
// failed (the sentence, and a retry), and when there is nothing yet.
import { html } from '../lib/html.js';

export const Loading = ({ what = 'Loading' }) => html`<p class="loading" role="status">${what}…</p>`;

export function Failed({ error, retry }) {
  return html`<div class="alert alert-error" role="alert">
    <p>${error && error.sentence ? error.sentence : 'Something went wrong. Try again.'}</p>
    ${retry && html`<button class="btn" onClick=${retry}>Try again</button>`}
  </div>`;
}

export const Empty = ({ children }) => html`<div class="empty">${children}</div>`;
