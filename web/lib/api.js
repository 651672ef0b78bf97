// web/lib/api.js - every call the UI makes to inlet's API. It adds the CSRF
// token the session needs on writes (or, on the connect page, the connect
// session's token as a bearer), and turns every failure (network down,
// 401, 429, 5xx, a refused field) into an ApiError whose .sentence a person
// can act on; pages show that sentence, never a status or raw JSON.
let csrf = null;
let bearer = null;
const listeners = new Set();

export function setCsrf(token) { csrf = token; }
// setBearer(token): every call sends "Authorization: Bearer token" and no
// cookie (the connect page, pages/connect_app.js: it has no sign-in, and a
// tenant administrator's session cookie must not widen what it can do);
// null goes back to the session cookie.
export function setBearer(token) { bearer = token; }
// onSignedOut(fn): fn runs when a call finds the session gone (401).
export function onSignedOut(fn) { listeners.add(fn); return () => listeners.delete(fn); }

export class ApiError extends Error {
  constructor(sentence, { status = 0, code = 'network', fields = {}, retryAfter = null } = {}) {
    super(sentence);
    this.sentence = sentence;
    this.status = status;
    this.code = code;
    this.fields = fields;   // {"/pointer": "message"} for a refused field
    this.retryAfter = retryAfter;
  }
}

function upper(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }

// The sentence for a failed answer: the server's own message where it is
// written for people (4xx), a plain one where it is not.
function sentenceOf(status, body, retryAfter) {
  const msg = body && body.error && typeof body.error.message === 'string' ? body.error.message : '';
  const code = body && body.error ? body.error.code : '';
  if (status === 401 && bearer) return 'This link has expired or was used.';
  if (status === 401) return 'Your session has ended. Sign in again to go on.';
  if (status === 403 && code === 'csrf_failed') return 'This page is out of date. Reload it and try again.';
  if (status === 429) {
    const s = Number(retryAfter) || 1;
    return `Too many requests right now. Try again in ${s} second${s === 1 ? '' : 's'}.`;
  }
  if (status === 503) return 'The server is busy. Try again in a moment.';
  if (status >= 500) return 'Something went wrong on the server. Try again; if it keeps happening, the server log has the details.';
  if (status === 404) return msg ? upper(msg) + '. It may have been deleted.' : 'Not found. It may have been deleted.';
  if (msg) return upper(msg.replace(/^\/[\w/~.-]*: /, '')) + (/[.!?]$/.test(msg) ? '' : '.');
  return `The request was refused (${status}).`;
}

function fieldsOf(body) {
  const out = {};
  const d = body && body.error && body.error.details;
  if (Array.isArray(d))
    for (const f of d)
      if (f && typeof f.pointer === 'string' && typeof f.message === 'string') out[f.pointer] = f.message;
  return out;
}

// api(method, path, body?) -> the parsed answer (or null for an empty one).
// Throws ApiError.
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  else if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: bearer ? 'omit' : 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError('inlet cannot be reached. Check your network connection and try again; nothing you typed is lost.');
  }
  const text = await r.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (r.ok) return data;
  const retryAfter = r.headers.get('Retry-After');
  const err = new ApiError(sentenceOf(r.status, data, retryAfter), {
    status: r.status, code: data && data.error ? data.error.code : 'http', fields: fieldsOf(data), retryAfter,
  });
  if (r.status === 401 && path !== '/api/session') for (const fn of listeners) fn();
  return Promise.reject(err);
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b);
export const put = (p, b) => api('PUT', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const del = (p) => api('DELETE', p);

// qs({a: 1, b: null}) -> "?a=1": the query string of the members set.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}
