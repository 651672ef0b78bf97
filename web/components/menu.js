// web/components/menu.js - a button that opens a short list of actions.
// Keyboard: Enter or Space opens it, arrows move, Escape closes and gives
// focus back to the button.
import { html, useState, useRef, useEffect } from '../lib/html.js';

export function Menu({ label, items }) {
  const [open, setOpen] = useState(false);
  const btn = useRef(null), list = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const first = list.current && list.current.querySelector('button');
    if (first) first.focus();
    const away = (e) => { if (!btn.current.parentNode.contains(e.target)) setOpen(false); };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);
  const key = (e) => {
    const all = [...list.current.querySelectorAll('button')];
    const i = all.indexOf(document.activeElement);
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false); btn.current.focus(); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); all[(i + 1) % all.length].focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); all[(i - 1 + all.length) % all.length].focus(); }
    else if (e.key === 'Tab') setOpen(false);
  };
  return html`<div class="menu">
    <button class="btn btn-small" ref=${btn} aria-haspopup="true" aria-expanded=${open ? 'true' : 'false'}
      onClick=${() => setOpen(!open)}>${label}</button>
    ${open && html`<div class="menu-list" role="menu" ref=${list} onKeyDown=${key}>
      ${items.filter(Boolean).map((it) => html`<button role="menuitem" class=${it.danger ? 'danger' : ''}
        onClick=${() => { setOpen(false); it.run(); }}>${it.label}</button>`)}
    </div>`}
  </div>`;
}
