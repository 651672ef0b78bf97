// web/components/bell.js - the bell in the header: the unread count, and a
// popover with the latest notifications, each a link to the place to fix
// what it reports (opening one marks it read). Keyboard: Enter or Space
// opens it, the arrows move through it, Escape closes it and focus goes
// back to the bell.
import { html, useState, useRef, useEffect } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { useLoad } from '../lib/load.js';
import { navigate } from '../lib/router.js';
import { relTime, dateTime } from '../lib/format.js';
import { bell, startBell, markRead, markAllRead, appPath } from '../lib/notifications.js';
import { toastError } from './toast.js';
import { LevelBadge } from './level_badge.js';

export { refreshBell } from '../lib/notifications.js';

const LATEST = 8;
const focusable = 'a[href],button:not([disabled])';

// open(n, e): go to the notification's place in the app and mark it read.
// A modified click (new tab) only marks it read.
export function openNotification(n, e, after) {
  const path = appPath(n);
  markRead(n).catch(toastError);
  if (!path || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  if (after) after();
  navigate(path);
  const main = document.getElementById('main');
  if (main) main.focus();
}

function Item({ n, close }) {
  const path = appPath(n);
  const body = html`<span class="note-line"><${LevelBadge} level=${n.level} />
      <span class="note-title">${n.title}</span>
      ${!n.read && html`<span class="note-dot" aria-hidden="true"></span><span class="visually-hidden">, unread</span>`}</span>
    <span class="note-body">${n.body}</span>
    <time class="note-time" datetime=${n.created_at} title=${dateTime(n.created_at)}>${relTime(n.created_at)}</time>`;
  return html`<li class=${'note' + (n.read ? '' : ' note-unread')} data-notification=${n.id}>
    ${path ? html`<a href=${path} onClick=${(e) => openNotification(n, e, close)}>${body}</a>` : html`<div class="note-static">${body}</div>`}
  </li>`;
}

function Panel({ close, version, unread, top }) {
  const list = useLoad(() => get('/api/notifications' + qs({ limit: LATEST })), [version]);
  const box = useRef(null);
  const [busy, setBusy] = useState(false);
  const rows = list.data ? list.data.data : [];
  // Focus the first item once there is one (the list comes after the panel).
  const focused = useRef(false);
  useEffect(() => {
    if (focused.current || !box.current || (list.loading && !list.data)) return;
    const first = box.current.querySelector('.note a') || box.current.querySelector(focusable);
    if (first) { first.focus(); focused.current = true; }
  }, [list.data, list.loading]);
  const all = async () => { setBusy(true); await markAllRead(); setBusy(false); };
  const seeAll = (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    close();
    navigate('/ui/notifications');
  };
  return html`<div class="bell-panel" id="bell-panel" role="dialog" aria-label="Notifications" ref=${box}
    style=${`--bell-top:${top}px`}>
    <div class="bell-head"><h2 class="h3">Notifications</h2>
      <button class="btn btn-small" disabled=${busy || !unread} onClick=${all}>Mark all read</button></div>
    ${list.error && html`<p class="bell-msg" role="alert">${list.error.sentence}</p>`}
    ${list.loading && !list.data && html`<p class="bell-msg muted" role="status">Loading…</p>`}
    ${list.data && rows.length === 0 && html`<p class="bell-msg muted">Nothing yet. inlet tells you here when a sync fails or an account must be reconnected.</p>`}
    ${rows.length > 0 && html`<ul class="notes" aria-label="Latest notifications">${rows.map((n) => html`<${Item} key=${n.id} n=${n} close=${close} />`)}</ul>`}
    <div class="bell-foot"><a href="/ui/notifications" onClick=${seeAll}>See all notifications</a></div>
  </div>`;
}

export function Bell() {
  const b = bell.use();
  const [open, setOpen] = useState(false);
  const [top, setTop] = useState(56);
  const wrap = useRef(null), btn = useRef(null);
  useEffect(() => startBell(), []);
  useEffect(() => {
    if (!open) return undefined;
    const away = (e) => { if (wrap.current && !wrap.current.contains(e.target)) setOpen(false); };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);
  const close = () => setOpen(false);
  // On a phone the popover spans the screen just under the header, however tall it wrapped.
  const toggle = () => { setTop(Math.round(btn.current.getBoundingClientRect().bottom + 6)); setOpen(!open); };
  const key = (e) => {
    if (!open) return;
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setOpen(false); btn.current.focus(); return; }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = [...wrap.current.querySelectorAll(`.bell-panel ${focusable.split(',').join(', .bell-panel ')}`)];
    if (!items.length) return;
    e.preventDefault();
    const i = items.indexOf(document.activeElement);
    const next = e.key === 'ArrowDown' ? (i + 1) % items.length : (i <= 0 ? items.length - 1 : i - 1);
    items[next].focus();
  };
  // Focus that leaves the bell (Tab past its end) closes the popover.
  const out = (e) => { if (open && e.relatedTarget && !wrap.current.contains(e.relatedTarget)) setOpen(false); };
  const n = b.unread || 0;
  return html`<div class="bell" ref=${wrap} onKeyDown=${key} onFocusOut=${out}>
    <button class="icon-btn bell-btn" ref=${btn} aria-haspopup="dialog" aria-expanded=${open ? 'true' : 'false'}
      aria-controls=${open ? 'bell-panel' : undefined} data-unread=${b.unread === null ? '' : String(n)}
      aria-label=${n ? `Notifications, ${n} unread` : 'Notifications'} title="Notifications" onClick=${toggle}>
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" class="bell-icon">
        <path d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.4A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.6L18 12.6V9a6 6 0 0 0-6-6Z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
        <path d="M9.5 19.5a2.5 2.5 0 0 0 5 0" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
      </svg>
      ${n > 0 && html`<span class="bell-count" aria-hidden="true">${n > 99 ? '99+' : n}</span>`}
    </button>
    ${open && html`<${Panel} close=${close} version=${b.version} unread=${n} top=${top} />`}
  </div>`;
}
