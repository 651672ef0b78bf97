// web/lib/integration_actions.js - what the dashboard and the settings page
// both do to an integration: sync now, reconnect, disconnect, delete. Each
// ends in a toast that says what happened.
import { post, del, qs } from './api.js';
import { toast, toastError } from '../components/toast.js';
import { refreshBell } from './notifications.js';

export async function syncNow(it) {
  try {
    await post(`/api/integrations/${it.id}/sync`, {});
    toast(`Sync of ${it.name} started.`, 'success');
    refreshBell(); // a sync that fails soon is told at once, not at the next poll
    return true;
  } catch (e) {
    if (e.code === 'sync_running') toast(`${it.name} is syncing already; its progress is in Logs.`, 'info');
    else toastError(e);
    return false;
  }
}

// OAuth connectors go to the provider's consent page and come back to
// returnTo; the others have their keys replaced on the settings page.
export function reconnectUrl(it, returnTo) {
  return `/api/oauth/${encodeURIComponent(it.connector)}/start` + qs({ integration_id: it.id, return_to: returnTo });
}

export async function disconnect(it) {
  try {
    const r = await post(`/api/integrations/${it.id}/disconnect`);
    if (r && r.revoked === false && r.revoke_error)
      toast(`${it.name} is disconnected. The provider could not be told (${r.revoke_error}); revoke the access there too.`, 'info');
    else toast(`${it.name} is disconnected. Its settings and data are kept; reconnect to sync again.`, 'success');
    return true;
  } catch (e) { toastError(e); return false; }
}

export async function remove(it, purge) {
  try {
    await del(`/api/integrations/${it.id}` + (purge ? '?purge=true' : ''));
    toast(purge ? `${it.name} and the data it synced are deleted.` : `${it.name} is deleted.`, 'success');
    return true;
  } catch (e) { toastError(e); return false; }
}
