// web/components/wizard_review.js - the wizard's last step: everything
// chosen, each with a way back to change it, and Save, which stores the
// stream choice and the schedule and, when the box is ticked (it is unless
// unticked), starts the first sync.
import { html, useState, useEffect } from '../lib/html.js';
import { get, put, post } from '../lib/api.js';
import { fieldsOf, titleOf, valuesOf, isSecret } from '../lib/schema.js';
import { StepHead, StepForm } from './wizard_parts.js';
import { catalogBody, fieldsOfStream, modeWords } from './wizard_streams.js';
import { scheduleBody, describe } from './schedule_form.js';
import { authOf } from './wizard_connect.js';

const shown = (v) => (typeof v === 'boolean' ? (v ? 'Yes' : 'No') : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v));

function Row({ label, children, step, go }) {
  return html`<div class="wiz-review-row"><dt>${label}</dt><dd>${children}</dd>
    <dd class="wiz-review-edit">${step && html`<button type="button" class="btn btn-small btn-quiet" onClick=${() => go(step)}
      aria-label=${`Change ${label.toLowerCase()}`}>Change</button>`}</dd></div>`;
}

export function ReviewStep({ s, conn, update, back, go, done }) {
  const [busy, setBusy] = useState(false);
  const [identity, setIdentity] = useState(null);
  useEffect(() => {
    get(`/api/integrations/${s.integrationId}`).then((it) => {
      const id = it.connection && it.connection.identity;
      setIdentity(id && (id.email || id.preferred_username || id.name));
    }, () => {});
  }, []);

  const schema = conn.config_schema || {};
  const config = valuesOf(schema, s.raws || {});
  const settings = fieldsOf(schema).filter((f) => config[f.name] !== undefined);
  const body = s.catalog && s.choice ? catalogBody(s.catalog, s.choice) : { streams: [] };
  const byId = Object.fromEntries((s.catalog ? s.catalog.streams : []).map((st) => [st.tap_stream_id, st]));
  const sched = scheduleBody(s.schedule);
  const a = authOf(conn);

  const save = async () => {
    setBusy(true);
    const id = s.integrationId;
    try {
      await put(`/api/integrations/${id}/catalog`, body);
    } catch (e) { update({ catalogError: e.sentence, step: 'streams' }); return; }
    let it;
    try {
      it = await put(`/api/integrations/${id}/schedule`, sched);
    } catch (e) { update({ scheduleError: e.sentence, step: 'schedule' }); return; }
    let run = null, syncError = null;
    if (s.firstSync) {
      try { run = await post(`/api/integrations/${id}/sync`, {}); } catch (e) { syncError = e; }
    }
    setBusy(false);
    done(it, run, syncError);
  };

  return html`<${StepForm} onNext=${save} back=${back} busy=${busy} nextLabel="Save" label="Review and save">
    <${StepHead} sub="Check what inlet will do; Change goes back to a step without losing anything.">Review and save</${StepHead}>
    <dl class="wiz-review">
      <${Row} label="Name" step="config" go=${go}><span class="strong">${s.name}</span> <span class="muted">(${conn.title})</span></${Row}>
      <${Row} label="Settings" step="config" go=${go}>${settings.length === 0 ? html`<span class="muted">Defaults</span>`
        : html`<ul class="plain">${settings.map((f) => html`<li key=${f.name}>${titleOf(f)}: ${isSecret(f.schema) ? 'set' : shown(config[f.name])}</li>`)}</ul>`}</${Row}>
      <${Row} label="Account" step="connect" go=${go}>${a === 'oauth2' ? html`Connected${identity ? ` as ${identity}` : ''}`
        : a === 'none' ? 'No account needed' : html`${a === 'basic' ? 'Sign in details' : 'API key'}: set`}
        ${s.test && s.test.ok ? ' · test passed' : ''}</${Row}>
      <${Row} label="Streams" step="streams" go=${go}>${body.streams.length === 0 ? html`<span class="muted">None</span>`
        : html`<ul class="plain">${body.streams.map((x) => {
          const st = byId[x.tap_stream_id];
          const all = st ? fieldsOfStream(st).length : 0;
          const n = st ? fieldsOfStream(st).filter((f) => s.choice[x.tap_stream_id].fields[f.name]).length : 0;
          return html`<li key=${x.tap_stream_id}>${(st && st.stream) || x.tap_stream_id} <span class="muted small">${n === all ? 'all fields' : `${n} of ${all} fields`}${x.sync_mode ? ` · ${modeWords[x.sync_mode] || x.sync_mode}` : ''}</span></li>`;
        })}</ul>`}</${Row}>
      <${Row} label="Schedule" step="schedule" go=${go}>${describe(sched)}</${Row}>
    </dl>
    <label class="check wiz-first-sync"><input type="checkbox" checked=${s.firstSync} onChange=${(e) => update({ firstSync: e.target.checked })} />
      <span>Run the first sync now <span class="muted small">Otherwise it waits for the schedule, or for Sync now.</span></span></label>
  </${StepForm}>`;
}
