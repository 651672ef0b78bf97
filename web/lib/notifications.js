// web/lib/notifications.js - the unread notifications the bell shows:
// asked for every 15 s while the tab is visible (every 3 s for a minute
// after an action, so a sync's outcome shows up soon after it ends), with a
// toast for each new error or warning that arrives while the page is open.
// refreshBell() is for code that has just done something worth hearing about.
import { get, post, qs } from './api.js';
import { store } from './store.js';
import { toast, toastError } from '../components/toast.js';
import { plural } from './format.js';

const SLOW = 15000, FAST = 3000, FAST_FOR = 60000, LATEST = 20;

// unread: the tenant's count (null until known); version: bumped whenever
// the notifications change, so the lists on screen read them again.
export const bell = store({ unread: null, version: 0 });

let seen = null;          // ids of the unread ones already known; null before the first answer
let newest = '';          // the latest created_at known: an older unread one that comes into
                          // the first page (when newer ones are read) is not news
let timer = null, running = false, again = false, fastUntil = 0, active = false;

function schedule() {
  clearTimeout(timer);
  if (!active) return;
  timer = setTimeout(tick, Date.now() < fastUntil ? FAST : SLOW);
}
function tick() { if (document.hidden) schedule(); else check(); }

async function check() {
  if (running) { again = true; return; }
  running = true;
  try {
    const r = await get('/api/notifications' + qs({ unread: 'true', limit: LATEST }));
    if (!active) return;
    const fresh = seen ? r.data.filter((n) => !seen.has(n.id) && n.created_at >= newest) : [];
    // Newest first from the API; toasts read oldest first.
    for (const n of fresh.slice().reverse()) {
      if (n.level === 'error') toast(`${n.title}. Open the notifications (the bell) to see what to do.`, 'error');
      else if (n.level === 'warn') toast(`${n.title}. Open the notifications (the bell) to see what to do.`, 'warn');
    }
    seen = new Set(r.data.map((n) => n.id));
    for (const n of r.data) if (n.created_at > newest) newest = n.created_at;
    const prev = bell.get();
    if (prev.unread !== r.unread || fresh.length) bell.set({ unread: r.unread, version: prev.version + 1 });
  } catch (e) {
    // The count stays as it was; the next tick tries again (a lost session
    // signs out through api.js).
  } finally {
    running = false;
    if (again) { again = false; check(); } else schedule();
  }
}

// refreshBell(): read the count now, then often for a minute.
export function refreshBell() {
  fastUntil = Date.now() + FAST_FOR;
  if (active) check();
}

const visible = () => { if (!document.hidden && active) check(); };

// startBell() -> stop: the shell's bell runs the polling while it is shown.
export function startBell() {
  active = true;
  document.addEventListener('visibilitychange', visible);
  check();
  return () => {
    active = false;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', visible);
    seen = null;
    newest = '';
    bell.set({ unread: null, version: bell.get().version + 1 });
  };
}

// A change made here: the lists and the count follow at once.
function changed(unread) {
  const prev = bell.get();
  bell.set({ unread: unread === undefined ? prev.unread : unread, version: prev.version + 1 });
  if (active) check();
}

// markRead(n): its first reading is kept by the server; here the count drops at once.
export async function markRead(n) {
  if (n.read) return;
  const prev = bell.get();
  bell.set({ unread: prev.unread ? prev.unread - 1 : prev.unread, version: prev.version });
  try { await post(`/api/notifications/${encodeURIComponent(n.id)}/read`); } finally { changed(); }
}

// markAllRead(): mark every one read, and say how it went in a toast.
export async function markAllRead() {
  try {
    const r = await post('/api/notifications/read-all');
    changed(0);
    const marked = r ? r.marked : 0;
    toast(marked ? `${plural(marked, 'notification')} marked read.` : 'Nothing was unread.', 'success');
  } catch (e) { toastError(e); }
}

// appPath(n): where the notification leads inside the app. Its link is
// {INLET_PUBLIC_URL}/ui/integrations/{id}; only the path is used, so it
// opens here whatever address the server was told it has.
export function appPath(n) {
  if (n.link) {
    try {
      const u = new URL(n.link, window.location.origin);
      if (u.pathname === '/' || u.pathname.startsWith('/ui/')) return u.pathname + u.search + u.hash;
    } catch (e) { /* not a URL: fall back below */ }
  }
  if (n.integration_id) return `/ui/integrations/${encodeURIComponent(n.integration_id)}`;
  return null;
}
