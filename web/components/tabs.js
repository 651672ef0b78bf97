// web/components/tabs.js - tabs whose every tab is an address (so a tab can
// be shared and the Back button works): the ARIA tabs pattern with a roving
// tabindex. Tab reaches the chosen tab, the arrows, Home and End move to
// another and open it.
import { html, useRef } from '../lib/html.js';
import { navigate } from '../lib/router.js';

// items: [{key, label, href}]; current: the chosen key; panel: the id of
// the element the tabs control.
export function Tabs({ items, current, label, panel }) {
  const list = useRef(null);
  const go = (i) => {
    const it = items[(i + items.length) % items.length];
    navigate(it.href);
    const el = list.current && list.current.querySelector(`[data-tab="${it.key}"]`);
    if (el) el.focus();
  };
  const key = (e) => {
    const i = items.findIndex((it) => it.key === current);
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { e.preventDefault(); go(i + 1); }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { e.preventDefault(); go(i - 1); }
    else if (e.key === 'Home') { e.preventDefault(); go(0); }
    else if (e.key === 'End') { e.preventDefault(); go(items.length - 1); }
  };
  const click = (it) => (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(it.href);
  };
  return html`<div class="tabs" role="tablist" aria-label=${label} ref=${list} onKeyDown=${key}>
    ${items.map((it) => html`<a role="tab" class="tab" href=${it.href} key=${it.key} data-tab=${it.key} id=${`tab-${it.key}`}
      aria-selected=${it.key === current ? 'true' : 'false'} aria-controls=${panel}
      tabindex=${it.key === current ? '0' : '-1'} onClick=${click(it)}>${it.label}</a>`)}
  </div>`;
}
