// web/components/toast.js - the outcome of every action as a toast: toast()
// from anywhere, <Toasts/> once in the shell. Read out by screen readers
// (a live region); errors stay until closed, the rest leave after 6 s.
import { html } from '../lib/html.js';
import { store } from '../lib/store.js';

const toasts = store([]);
let next = 1;

// toast(text, kind): kind is "success", "error" or "info".
export function toast(text, kind = 'info') {
  const id = next++;
  toasts.set((t) => [...t.slice(-4), { id, text, kind }]);
  if (kind !== 'error') setTimeout(() => dismiss(id), 6000);
}
// toastError(e): the sentence of an ApiError (or any error) as an error toast.
export const toastError = (e) => toast(e && e.sentence ? e.sentence : 'Something went wrong. Try again.', 'error');
const dismiss = (id) => toasts.set((t) => t.filter((x) => x.id !== id));

export function Toasts() {
  const list = toasts.use();
  return html`<div class="toasts" role="status" aria-live="polite">
    ${list.map((t) => html`<div class=${'toast toast-' + t.kind} key=${t.id} data-kind=${t.kind}>
      <span>${t.text}</span>
      <button class="icon-btn" aria-label="Dismiss" onClick=${() => dismiss(t.id)}>×</button>
    </div>`)}
  </div>`;
}
