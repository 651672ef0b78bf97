// web/components/connect_screens.js - the connect page's screens that are
// not steps (pages/connect_app.js): its branded header, and what it says
// while it waits for its token, when the token is refused, expired or
// missing, and when the account is connected. Each screen's heading takes
// the focus, as a step's does, so that a screen reader says where the
// person is.
import { html, useEffect, useRef, useState } from '../lib/html.js';

// The tenant's logo and name ("Connect your account to Acme"), and Cancel
// while there is something to cancel. name is null until the session is
// known.
export function ConnectHeader({ name, logo, onCancel, busy }) {
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [logo]);
  return html`<header class="connect-head">
    ${logo && !broken && html`<img class="connect-logo" src=${logo} alt=${name ? `${name} logo` : 'Logo'} height="40"
      onError=${() => setBroken(true)} />`}
    <h1 class="connect-title">${name ? `Connect your account to ${name}` : 'Connect your account'}</h1>
    ${onCancel && html`<button type="button" class="btn btn-quiet connect-cancel" onClick=${onCancel} disabled=${busy}>Cancel</button>`}
  </header>`;
}

function Screen({ title, kind, children, actions }) {
  const h = useRef(null);
  useEffect(() => { if (h.current) h.current.focus(); }, [title]);
  return html`<div class="connect-screen" data-screen=${kind}>
    <h2 class="connect-screen-title" tabindex="-1" ref=${h}>${title}</h2>
    ${children}
    ${actions && html`<div class="connect-actions">${actions}</div>`}
  </div>`;
}

export const Waiting = () => html`<${Screen} title="Getting ready" kind="waiting">
    <p class="loading" role="status">Waiting for the app that opened this window…</p></${Screen}>`;

export const NoToken = () => html`<${Screen} title="This link is incomplete" kind="notoken">
    <div class="alert alert-error" role="alert"><p>This page opens from the app you came from, with a link made for you. Go back there and choose Connect again.</p></div></${Screen}>`;

// The window that opened the page is not on the origin the session was
// made for: someone else's page holds the link.
export function Refused({ origin, onClose }) {
  return html`<${Screen} title="This window was not opened by the right app" kind="refused"
      actions=${onClose && html`<button type="button" class="btn btn-primary" onClick=${onClose}>Close</button>`}>
    <div class="alert alert-error" role="alert"><p>This page was opened from ${origin || 'an unknown site'}, which this link was not made for.
      For your safety nothing was done. Close this window and start again from the app you use.</p></div>
  </${Screen}>`;
}

// An expired or spent token. action: {label, run} (back to the host, or
// Close), or null.
export function Expired({ name, action }) {
  return html`<${Screen} title="This link can no longer be used" kind="expired"
      actions=${action && html`<button type="button" class="btn btn-primary" onClick=${action.run}>${action.label}</button>`}>
    <div class="alert alert-error" role="alert"><p>This link has expired or was used. Go back to ${name || 'the app you came from'} and start again.</p></div>
  </${Screen}>`;
}

// The session could not be read for another reason (network, server).
export function BootFailed({ error, retry }) {
  return html`<${Screen} title="The page could not load" kind="failed"
      actions=${html`<button type="button" class="btn btn-primary" onClick=${retry}>Try again</button>`}>
    <div class="alert alert-error" role="alert"><p>${error.sentence || 'Something went wrong. Try again.'}</p></div>
  </${Screen}>`;
}

// Connected (or cancelled): the page hands the outcome over and goes;
// stuck says it could not (the window would not close, or its opener is
// gone), so the person closes it.
export function Leaving({ status, connector, name, mode, stuck }) {
  const title = status === 'connected' ? (connector ? `Your ${connector} account is connected` : 'Your account is connected') : 'Nothing was connected';
  const where = name || 'the app you came from';
  return html`<${Screen} title=${title} kind=${status}>
    <p role="status">${stuck ? `You can close this window and go back to ${where}.`
      : mode === 'popup' ? `Going back to ${where}; this window closes by itself.` : `Going back to ${where}…`}</p>
  </${Screen}>`;
}
