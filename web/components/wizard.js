// web/components/wizard.js - the add-integration wizard: a dialog that goes
// step by step (connector, settings, connect, test, streams, schedule,
// review) with Back and Next, and keeps everything typed while the person
// moves back and forth. The steps are in wizard_*.js, the state in
// wizard_state.js. The shell draws <Wizard/> while `wizard` is set, and
// calls resumeWizard() once at load, for the way back from a consent page.
import { html, useEffect, useState } from '../lib/html.js';
import { store } from '../lib/store.js';
import { post, del } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { watchRun } from '../lib/run_watch.js';
import { Dialog } from './dialog.js';
import { toast } from './toast.js';
import { Loading, Failed } from './states.js';
import { flow, update, fresh, stepsOf, connectorDetail, kept, forget } from './wizard_state.js';
import { ConnectorStep } from './wizard_connector.js';
import { ConfigStep } from './wizard_config.js';
import { ConnectStep, authOf } from './wizard_connect.js';
import { TestStep } from './wizard_test.js';
import { StreamsStep } from './wizard_streams.js';
import { ScheduleStep } from './wizard_schedule.js';
import { ReviewStep } from './wizard_review.js';
import { describe } from './schedule_form.js';
import { Steps } from './wizard_parts.js';

// {connector} while the wizard is open; what the shell watches.
export const wizard = store(null);
// The last integration a wizard saved ({id, name, at}): a page that lists
// integrations and stays open under the wizard can watch it to reload.
export const wizardSaved = store(null);

// openWizard(connector?): a fresh wizard; without a connector it starts by
// choosing one.
export function openWizard(connector) {
  forget();
  flow.set(fresh(connector));
  wizard.set({ connector: connector || null });
}

// resumeWizard(): back from an OAuth consent page with
// ?inlet_oauth=connected&integration_id=... (or inlet_oauth=error&error=&message=):
// when this tab kept a wizard for that integration, reopen it at the test
// step (or at the connect step with the provider's message), and take the
// outcome out of the address. A return that is not the wizard's (a
// reconnect from the settings page) is left to its page.
export function resumeWizard() {
  const q = new URLSearchParams(window.location.search);
  const outcome = q.get('inlet_oauth');
  if (!outcome) return;
  const k = kept();
  const id = q.get('integration_id');
  if (!k || (id && id !== k.integrationId)) return;
  forget();
  const ok = outcome === 'connected';
  const saved = { ...k };
  delete saved.at;
  flow.set({
    ...fresh(k.connector), ...saved,
    // A refused reconnection leaves the earlier connection as it was.
    step: ok ? 'test' : 'connect', connected: ok || !!k.connected, test: null,
    oauthError: ok ? null : { error: q.get('error') || '', message: q.get('message') || '' },
  });
  for (const p of ['inlet_oauth', 'integration_id', 'error', 'message']) q.delete(p);
  const rest = q.toString();
  navigate(window.location.pathname + (rest ? `?${rest}` : '') + window.location.hash, { replace: true });
  wizard.set({ connector: k.connector });
}

function close() {
  flow.set(null);
  wizard.set(null);
  forget();
}

// discard(s): delete the integration a wizard created and never saved.
// Nobody would know what it is for: a draft waiting for its consent, or one
// connected but never set up. A connected OAuth one is disconnected first,
// so that the provider revokes the access just granted.
async function discard(s) {
  if (!s || !s.integrationId) return;
  try {
    const conn = await connectorDetail(s.connector).catch(() => null);
    if (s.connected && conn && authOf(conn) === 'oauth2') await post(`/api/integrations/${s.integrationId}/disconnect`).catch(() => null);
    await del(`/api/integrations/${s.integrationId}`);
    toast(`Nothing was saved: the unfinished integration ${s.name ? `“${s.name}” ` : ''}is removed.`, 'info');
  } catch (e) {
    if (e.status !== 404) toast(`The unfinished integration ${s.name ? `“${s.name}” ` : ''}could not be removed (${e.sentence}) It is on the dashboard; delete it there.`, 'error');
  }
}

// Escape, ×: the wizard closes without a question and leaves nothing stale
// (a draft integration left by a wizard cancelled after the connect step is
// deleted, see discard).
function cancel() {
  const s = flow.get();
  close();
  discard(s);
}

// Saved: the dashboard shows the new integration; the first sync's outcome
// comes as a toast when it ends.
function done(it, run, syncError) {
  close();
  wizardSaved.set({ id: it.id, name: it.name, at: Date.now() });
  if (run) toast(`${it.name} is set up. Its first sync has started; you will see here how it went.`, 'success');
  else if (syncError) toast(`${it.name} is set up, but its first sync did not start: ${syncError.sentence}`, 'error');
  else toast(`${it.name} is set up. Schedule: ${describe(it.schedule).replace(/^./, (c) => c.toLowerCase())}.`, 'success');
  navigate('/');
  if (run) watchRun(run, it.name, { what: 'The first sync' });
}

const bodies = {
  connector: ConnectorStep, config: ConfigStep, connect: ConnectStep, test: TestStep,
  streams: StreamsStep, schedule: ScheduleStep, review: ReviewStep,
};

export function Wizard() {
  const s = flow.use();
  const name = s && s.connector;
  const [detail, setDetail] = useState({ name: null, conn: null, error: null });
  const load = () => {
    if (!name) return;
    setDetail({ name, conn: null, error: null });
    connectorDetail(name).then((conn) => setDetail({ name, conn, error: null }), (error) => setDetail({ name, conn: null, error }));
  };
  useEffect(load, [name]);
  if (!s) return null;

  const steps = stepsOf(s);
  const idx = Math.max(0, steps.findIndex(([id]) => id === s.step));
  const go = (step) => update({ step });
  const next = () => go(steps[Math.min(idx + 1, steps.length - 1)][0]);
  const back = idx > 0 ? () => go(steps[idx - 1][0]) : null;
  const conn = detail.name === name ? detail.conn : null;
  const Body = bodies[s.step] || ConfigStep;
  const choose = (c) => {
    // Another connector has other settings: what was typed for the old one
    // goes, and so does an integration made for it.
    if (c !== s.connector) { discard(s); update({ ...fresh(c), fixed: false, step: 'config' }); }
    else go('config');
  };

  let body;
  if (s.step === 'connector') body = html`<${ConnectorStep} key="connector" s=${s} choose=${choose} />`;
  else if (detail.error && detail.name === name) body = html`<div class="dialog-body"><${Failed} error=${detail.error} retry=${load} /></div>`;
  else if (!conn) body = html`<div class="dialog-body"><${Loading} what="Loading the connector" /></div>`;
  else body = html`<${Body} key=${s.step} s=${s} conn=${conn} update=${update} next=${next} back=${back} go=${go} done=${done} toConfig=${() => go('config')} />`;

  const title = conn ? `Add ${conn.title}` : 'Add an integration';
  return html`<${Dialog} title=${title} onClose=${cancel} wide>
    <div class="wiz" data-step=${s.step}>
      <${Steps} steps=${steps} current=${s.step} />
      ${body}
    </div>
  </${Dialog}>`;
}
