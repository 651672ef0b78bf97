// web/components/wizard_test.js - the wizard's test step: the connector's
// harmless test request with the new credentials, run as the step opens.
// Success says so plainly; a failure gives the provider's own message and
// what to do about it, and Next waits for a working connection. The
// connect page (embed, nextLabel) ends here: its Next is Done.
import { html, useEffect, useState } from '../lib/html.js';
import { post } from '../lib/api.js';
import { StepHead, StepForm, Alert } from './wizard_parts.js';
import { authOf } from './wizard_connect.js';

export function TestStep({ s, conn, update, next, back, nextLabel = 'Next', embed = null }) {
  const [busy, setBusy] = useState(false);
  const hasTest = !!conn.test;
  const run = async () => {
    setBusy(true);
    try {
      const r = await post(`/api/integrations/${s.integrationId}/test`, {});
      update({ test: r });
    } catch (e) {
      update({ test: { ok: false, error: e.sentence, ours: true } });
    } finally { setBusy(false); }
  };
  useEffect(() => { if (hasTest && !s.test) run(); }, []);

  const t = s.test;
  const oauth = authOf(conn) === 'oauth2';
  const fix = oauth
    ? `Go Back and choose Connect again to give ${embed ? embed.name : 'inlet'} access once more; if it keeps failing, check the settings or ask your ${conn.title} administrator whether your user may use the API.`
    : `Go Back and replace the key with one ${conn.title} accepts (a key that is current, with read access), then test again.`;
  return html`<${StepForm} onNext=${next} back=${back} nextLabel=${nextLabel} nextDisabled=${hasTest && !(t && t.ok)} label="Test the connection"
      extra=${hasTest && html`<button type="button" class="btn" onClick=${run} disabled=${busy}>Test again</button>`}>
    <${StepHead}>Test the connection</${StepHead}>
    ${!hasTest && html`<p>${conn.title} has no connection test. ${embed ? `Choose ${nextLabel} to finish.` : 'The first sync will show whether the connection works; its outcome comes as a notification.'}</p>`}
    ${hasTest && busy && html`<p class="loading" role="status">Asking ${conn.title}…</p>`}
    ${hasTest && !busy && t && t.ok && html`<${Alert} kind="ok"><p data-test="ok"><strong>The connection works.</strong> ${conn.title} answered in ${t.latency_ms} ms.</p></${Alert}>`}
    ${hasTest && !busy && t && !t.ok && html`<${Alert}><div data-test="failed">
      <p><strong>${t.ours ? 'The test could not run.' : `${conn.title} refused the test.`}</strong> ${t.error || 'It gave no reason.'}</p>
      <p>${fix}</p></div></${Alert}>`}
  </${StepForm}>`;
}
