// web/components/logo.js - a connector's logo (served by the API), or its
// initial when it has none.
import { html, useState } from '../lib/html.js';

export function Logo({ connector, title, size = 32 }) {
  const [failed, setFailed] = useState(false);
  if (failed || !connector) {
    return html`<span class="logo logo-letter" style=${`width:${size}px;height:${size}px`} aria-hidden="true">${(title || connector || '?')[0].toUpperCase()}</span>`;
  }
  return html`<img class="logo" src=${`/api/connectors/${encodeURIComponent(connector)}/logo.svg`} alt=""
    width=${size} height=${size} onError=${() => setFailed(true)} />`;
}
