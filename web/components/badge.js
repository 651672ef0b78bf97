// web/components/badge.js - an integration's status, and a run's, as a
// coloured badge with words (colour is never the only signal).
import { html } from '../lib/html.js';

const integrationWords = {
  active: 'Active', syncing: 'Syncing', paused: 'Paused', error: 'Error',
  needs_reauth: 'Needs re-auth', disconnected: 'Disconnected', draft: 'Not connected',
};
const tone = {
  active: 'ok', syncing: 'busy', paused: 'muted', error: 'bad', needs_reauth: 'warn', disconnected: 'muted', draft: 'muted',
  success: 'ok', partial: 'warn', failed: 'bad', cancelled: 'muted', queued: 'busy', running: 'busy',
};

// The status to show: "syncing" while its last run is queued or running.
export function shownStatus(integration) {
  const r = integration.last_run;
  if (integration.status === 'active' && r && (r.status === 'running' || r.status === 'queued')) return 'syncing';
  return integration.status;
}

export function StatusBadge({ status }) {
  const words = integrationWords[status] || status;
  return html`<span class=${'badge badge-' + (tone[status] || 'muted')} data-status=${status}>${words}</span>`;
}

export function RunBadge({ status }) {
  const words = { success: 'Succeeded', partial: 'Partial', failed: 'Failed', cancelled: 'Cancelled', queued: 'Queued', running: 'Running' }[status] || status;
  return html`<span class=${'badge badge-' + (tone[status] || 'muted')} data-status=${status}>${words}</span>`;
}
