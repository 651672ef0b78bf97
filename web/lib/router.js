// web/lib/router.js - the UI's addresses. Every page has a real path under
// /ui/ (the server answers each with the page), so links can be shared,
// opened in a new tab, and reached from a notification's link.
import { html } from './html.js';
import { store } from './store.js';

export const location = store(readLocation());

function readLocation() {
  return { path: window.location.pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(window.location.search) };
}

// navigate(path): go to path (under /ui/) without reloading the page.
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  location.set(readLocation());
  window.scrollTo(0, 0);
}
window.addEventListener('popstate', () => location.set(readLocation()));

// match(pattern, path): {params} when "/ui/integrations/:id" matches path, else null.
export function match(pattern, path) {
  const p = pattern.split('/'), s = path.split('/');
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

// <${Link} href="/ui/...">: a plain link that navigates in place (a
// modified click still opens a new tab).
export function Link({ href, children, ...rest }) {
  const click = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}
