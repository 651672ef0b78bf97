// web/components/pager.js - cursor paging: the API gives next_cursor; the
// pager keeps the cursors of the pages before so "Previous" works too.
import { html, useState } from '../lib/html.js';

// usePager() -> {cursor, page, next(c), prev(), reset()}
export function usePager() {
  const [stack, setStack] = useState([null]);
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    next: (c) => setStack((s) => [...s, c]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([null]),
  };
}

export function Pager({ pager, nextCursor, label = 'Pages' }) {
  if (pager.page === 1 && !nextCursor) return null;
  return html`<nav class="pager" aria-label=${label}>
    <button class="btn" disabled=${pager.page === 1} onClick=${pager.prev}>Previous</button>
    <span>Page ${pager.page}</span>
    <button class="btn" disabled=${!nextCursor} onClick=${() => pager.next(nextCursor)}>Next</button>
  </nav>`;
}
