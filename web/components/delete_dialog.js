// web/components/delete_dialog.js - the confirmation before an integration
// is deleted: it names what goes (credentials, schedule, settings) and lets
// the user erase the synced data too.
import { html, useState } from '../lib/html.js';
import { Confirm } from './dialog.js';
import { remove } from '../lib/integration_actions.js';

export function DeleteDialog({ integration, onClose, onDeleted }) {
  const [purge, setPurge] = useState(false);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    const ok = await remove(integration, purge);
    setBusy(false);
    if (ok) { onClose(); if (onDeleted) onDeleted(); }
  };
  return html`<${Confirm} title=${`Delete ${integration.name}?`} action=${purge ? 'Delete integration and data' : 'Delete integration'}
      busy=${busy} onConfirm=${go} onClose=${onClose}>
    <p>This removes the integration <strong>${integration.name}</strong>, its stored credentials, its schedule and its settings.
      It cannot be undone.</p>
    <label class="check"><input type="checkbox" checked=${purge} onChange=${(e) => setPurge(e.target.checked)} />
      Also erase everything it synced: its tables, its contacts, accounts, tickets and deals, and its run history.</label>
    ${!purge && html`<p class="muted">Without this, the synced data stays where it is.</p>`}
  </${Confirm}>`;
}
