// web/pages/notifications.js - every notification, newest first, a page at
// a time, all or only the unread ones: what happened, what to do, and a
// link to the integration to do it (which marks it read).
import { html, useState } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { useLoad } from '../lib/load.js';
import { relTime, dateTime, plural } from '../lib/format.js';
import { bell, markRead, markAllRead, appPath } from '../lib/notifications.js';
import { openNotification } from '../components/bell.js';
import { usePager, Pager } from '../components/pager.js';
import { Loading, Failed, Empty } from '../components/states.js';
import { LevelBadge } from '../components/level_badge.js';
import { toast, toastError } from '../components/toast.js';

const PAGE = 25;

function Row({ n }) {
  const path = appPath(n);
  const name = n.data && n.data.integration_name;
  return html`<li class=${'card note-card' + (n.read ? '' : ' note-unread')} data-notification=${n.id}>
    <div class="note-line"><${LevelBadge} level=${n.level} />
      <h2 class="h3 note-title">${n.title}</h2>
      ${n.read ? html`<span class="muted small">Read</span>` : html`<span class="badge badge-busy">Unread</span>`}
      <time class="muted small note-when" datetime=${n.created_at} title=${dateTime(n.created_at)}>${relTime(n.created_at)}</time></div>
    <p class="note-text">${n.body}</p>
    <div class="note-actions">
      ${path && html`<a class="btn btn-small btn-primary" href=${path} onClick=${(e) => openNotification(n, e)}>
        ${name ? `Open ${name}` : 'Open the integration'}</a>`}
      ${!n.read && html`<button class="btn btn-small" onClick=${() => markRead(n).then(() => toast('Marked read.', 'success'), toastError)}>Mark read</button>`}
    </div>
  </li>`;
}

// The list of one filter; remounted when the filter changes, so paging
// starts again from the first page.
function List({ unreadOnly, version }) {
  const pager = usePager();
  const list = useLoad(() => get('/api/notifications' + qs({ unread: unreadOnly ? 'true' : '', limit: PAGE, cursor: pager.cursor })),
    [pager.cursor, version]);
  const rows = list.data ? list.data.data : [];
  return html`<div>
    ${list.error && html`<${Failed} error=${list.error} retry=${() => list.reload(false)} />`}
    ${list.loading && !list.data && html`<${Loading} what="Loading notifications" />`}
    ${list.data && rows.length === 0 && (unreadOnly
      ? html`<${Empty}><h2>Nothing unread</h2><p>You have read every notification.</p></${Empty}>`
      : pager.page === 1
        ? html`<${Empty}><h2>No notifications yet</h2><p>inlet tells you here when a sync fails or partly fails, when it recovers,
            and when an account must be reconnected, with a link to the place to fix it.</p></${Empty}>`
        : html`<${Empty}><p>No more notifications.</p></${Empty}>`)}
    ${rows.length > 0 && html`<ul class="note-list" aria-label="Notifications" data-page=${pager.page}>
      ${rows.map((n) => html`<${Row} key=${n.id} n=${n} />`)}</ul>`}
    <${Pager} pager=${pager} nextCursor=${list.data && list.data.next_cursor} label="Pages of notifications" />
  </div>`;
}

export function Notifications() {
  const b = bell.use();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const all = async () => { setBusy(true); await markAllRead(); setBusy(false); };
  return html`<section class="page">
    <div class="page-head"><h1>Notifications</h1>
      <button class="btn" disabled=${busy || !b.unread} onClick=${all}>Mark all read</button></div>
    <div class="toolbar">
      <div class="chips" role="group" aria-label="Show">
        <button class="chip" aria-pressed=${unreadOnly ? 'false' : 'true'} onClick=${() => setUnreadOnly(false)}>All</button>
        <button class="chip" aria-pressed=${unreadOnly ? 'true' : 'false'} onClick=${() => setUnreadOnly(true)}>Unread${b.unread ? ` (${b.unread})` : ''}</button>
      </div>
      <span class="muted small" role="status">${b.unread === null ? '' : b.unread ? `${plural(b.unread, 'unread notification')}` : 'All read'}</span>
    </div>
    <${List} key=${unreadOnly ? 'unread' : 'all'} unreadOnly=${unreadOnly} version=${b.version} />
  </section>`;
}
