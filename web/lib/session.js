// web/lib/session.js - who is signed in. The API key is sent once, to POST
// /api/session, and never kept: the session lives in an HttpOnly cookie the
// page cannot read, and the CSRF token in memory.
import { api, setCsrf, onSignedOut } from './api.js';
import { store } from './store.js';

// null while unknown, false when signed out, else {tenant_id, ...}.
export const session = store(null);
// true when the server ended the session under the user (the sign-in page says so).
export const sessionEnded = store(false);

export async function loadSession() {
  try {
    const s = await api('GET', '/api/session');
    setCsrf(s.csrf_token);
    session.set(s);
  } catch (e) {
    if (e.status === 401) session.set(false);
    else throw e;
  }
}

export async function signIn(apiKey) {
  const s = await api('POST', '/api/session', { api_key: apiKey });
  sessionEnded.set(false);
  setCsrf(s.csrf_token);
  await loadSession();
}

export async function signOut() {
  try { await api('DELETE', '/api/session'); } finally { setCsrf(null); session.set(false); }
}

onSignedOut(() => { setCsrf(null); if (session.get()) sessionEnded.set(true); session.set(false); });
