// web/components/dialog.js - a modal dialog: focus moves into it, Tab stays
// inside, Escape closes, and focus returns to what opened it.
import { html, useEffect, useRef } from '../lib/html.js';

const focusable = 'a[href],button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';

export function Dialog({ title, onClose, children, wide = false, label }) {
  const box = useRef(null);
  useEffect(() => {
    const opener = document.activeElement;
    const first = box.current.querySelector('[autofocus]') || box.current.querySelector(focusable);
    (first || box.current).focus();
    return () => { if (opener && opener.focus) opener.focus(); };
  }, []);
  const key = (e) => {
    if (e.key === 'Escape') { e.stopPropagation(); onClose(); return; }
    if (e.key !== 'Tab') return;
    const items = [...box.current.querySelectorAll(focusable)].filter((x) => x.offsetParent !== null);
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  };
  return html`<div class="backdrop" onMouseDown=${(e) => e.target === e.currentTarget && onClose()}>
    <div class=${'dialog' + (wide ? ' dialog-wide' : '')} role="dialog" aria-modal="true"
         aria-label=${label || title} ref=${box} tabindex="-1" onKeyDown=${key}>
      <header class="dialog-head"><h2>${title}</h2>
        <button class="icon-btn" aria-label="Close" onClick=${onClose}>×</button></header>
      ${children}
    </div>
  </div>`;
}

// confirm dialog: a question, what it removes, and two buttons.
export function Confirm({ title, children, action = 'Delete', danger = true, busy = false, onConfirm, onClose }) {
  return html`<${Dialog} title=${title} onClose=${onClose}>
    <div class="dialog-body">${children}</div>
    <footer class="dialog-foot">
      <button class="btn" onClick=${onClose}>Cancel</button>
      <button class=${'btn ' + (danger ? 'btn-danger' : 'btn-primary')} disabled=${busy} onClick=${onConfirm}>${action}</button>
    </footer>
  </${Dialog}>`;
}
