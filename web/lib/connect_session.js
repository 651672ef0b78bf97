// web/lib/connect_session.js - how the connect page (pages/connect_app.js)
// gets its connect session's token and tells the host product how it went,
// in the two ways docs/embedding.md describes. Redirect mode: the token in
// the address's fragment (never sent to a server), the outcome in the
// query of the session's return_url. Popup mode (web/connect.js): the token
// by postMessage from the opener, the outcome by postMessage back to the
// session's return origin. The token waits in this tab's sessionStorage
// while the person is at the provider's consent page, and goes when the
// page ends (finished, cancelled, refused or expired).

const KEY = 'inlet.connect';
const ACK_WAIT_MS = 1000;   // how long a popup waits for the opener's "inlet:ack" before closing

// saved() -> {token, mode, returnUrl, returnOrigin, name} kept by save, or null.
export function saved() {
  let v = null;
  try { v = JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch (e) { v = null; }
  return v && typeof v.token === 'string' && (v.mode === 'redirect' || v.mode === 'popup') ? v : null;
}

export function save(rec) {
  try { sessionStorage.setItem(KEY, JSON.stringify(rec)); } catch (e) { /* private mode: no way back from the provider */ }
}

export function forgetToken() {
  try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
}

// tokenFromFragment() -> the token of "#token=...", or null. The fragment
// leaves the address at once, so that the token is in no history entry,
// bookmark or copied link.
export function tokenFromFragment() {
  const h = window.location.hash;
  if (!h || h.length < 2) return null;
  const token = new URLSearchParams(h.slice(1)).get('token');
  if (!token) return null;
  history.replaceState(history.state, '', window.location.pathname + window.location.search);
  return token;
}

// tokenFromOpener() -> Promise of {token, origin}: popup mode. The page says
// it is ready to the window that opened it and takes the token from that
// window only; origin is where the token came from, which the caller checks
// against the session's return origin before using anything.
export function tokenFromOpener() {
  return new Promise((resolve) => {
    const onMessage = (e) => {
      const d = e.data;
      if (e.source !== window.opener || !d || d.type !== 'inlet:token' || typeof d.token !== 'string') return;
      window.removeEventListener('message', onMessage);
      resolve({ token: d.token, origin: e.origin });
    };
    window.addEventListener('message', onMessage);
    // Any origin may hear it: the message holds nothing, and only the
    // session's origin will be trusted with what follows.
    window.opener.postMessage({ type: 'inlet:ready' }, '*');
  });
}

// returnAddress(returnUrl, outcome) -> return_url with inlet_connect=... (and
// integration_id, connector or message) in its query, keeping its own
// parameters and fragment.
export function returnAddress(returnUrl, out) {
  const u = new URL(returnUrl);
  u.searchParams.set('inlet_connect', out.status);
  if (out.integration_id) u.searchParams.set('integration_id', out.integration_id);
  if (out.connector) u.searchParams.set('connector', out.connector);
  if (out.message) u.searchParams.set('message', out.message);
  return u.toString();
}

// report(out, {mode, returnUrl, origin}) -> Promise of false when the page
// could not hand the outcome over (no opener any more, a window that would
// not close), so that it says what to do. out: {status: "connected" |
// "cancelled" | "error", integration_id?, connector?, message?}. Popup:
// posted to origin (the session's return origin) only, then the window
// closes once the opener acknowledged it (web/connect.js does) or after a
// second. Redirect: the browser goes to return_url.
export function report(out, { mode, returnUrl, origin }) {
  if (mode === 'redirect') {
    if (!returnUrl) return Promise.resolve(false);
    window.location.assign(returnAddress(returnUrl, out));
    return new Promise(() => {});   // the page is leaving
  }
  const opener = window.opener;
  if (!opener || opener.closed || !origin) return Promise.resolve(false);
  return new Promise((resolve) => {
    let timer = null;
    const close = () => {
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      window.close();
      // Still here: the browser keeps windows a script did not open.
      setTimeout(() => resolve(false), 200);
    };
    const onMessage = (e) => {
      if (e.source === opener && e.origin === origin && e.data && e.data.type === 'inlet:ack') close();
    };
    window.addEventListener('message', onMessage);
    timer = setTimeout(close, ACK_WAIT_MS);
    opener.postMessage({ type: 'inlet:connect', ...out }, origin);
  });
}
