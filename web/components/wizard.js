// web/components/wizard.js - the add-integration wizard (a dialog).
// STUB: replaced by the wizard's own work.
import { html } from '../lib/html.js';
import { store } from '../lib/store.js';
import { Dialog } from './dialog.js';

export const wizard = store(null);
export function openWizard(connector) { wizard.set({ connector }); }
export function resumeWizard() {}
export function Wizard({ connector }) {
  return html`<${Dialog} title="Add an integration" onClose=${() => wizard.set(null)}><p class="dialog-body">${connector}</p></${Dialog}>`;
}
