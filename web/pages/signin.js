// web/pages/signin.js - sign in with a tenant API key. The key goes to POST
// /api/session once and is then forgotten: the field is cleared whatever
// the answer.
import { html, useState } from '../lib/html.js';
import { signIn, sessionEnded } from '../lib/session.js';

export function SignIn() {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const ended = sessionEnded.use();
  const submit = async (e) => {
    e.preventDefault();
    if (!key.trim()) { setError('Enter your API key.'); return; }
    setBusy(true); setError(null);
    try {
      await signIn(key.trim());
    } catch (err) {
      setError(err.status === 401 || err.status === 422
        ? 'That key was not accepted. Check it and try again; `inlet tenant key-rotate` makes a new one.'
        : err.sentence);
    } finally {
      setKey(''); setBusy(false);
    }
  };
  return html`<main class="signin">
    <form class="card signin-card" onSubmit=${submit} novalidate>
      <div class="brand brand-large"><img src="/ui/components/icon.svg" alt="" width="32" height="32" /><span>inlet</span></div>
      <h1>Sign in</h1>
      ${ended && html`<p class="alert alert-warn" role="alert">Your session has ended. Sign in again to go on.</p>`}
      <p class="muted">Use your organization's API key. It is sent once and never stored in this browser.</p>
      <label for="api-key">API key</label>
      <input id="api-key" type="password" autocomplete="off" spellcheck=${false} value=${key} autofocus
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? 'signin-error' : undefined}
        onInput=${(e) => setKey(e.target.value)} placeholder="inlet_sk_…" />
      ${error && html`<p id="signin-error" class="field-error" role="alert">${error}</p>`}
      <button class="btn btn-primary btn-block" type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  </main>`;
}
