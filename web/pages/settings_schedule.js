// web/pages/settings_schedule.js - when the integration syncs by itself:
// the schedule now and its next run (in UTC, said plainly), and the form
// that changes it (PUT .../schedule).
import { html, useState, useEffect, useRef } from '../lib/html.js';
import { put } from '../lib/api.js';
import { relTime } from '../lib/format.js';
import { toast } from '../components/toast.js';
import { ScheduleForm, formOf, scheduleBody, checkSchedule, describe, utc } from '../components/schedule_form.js';
import { errorAt, focusProblem } from '../lib/fields.js';

const MEMBERS = ['kind', 'minute', 'time', 'weekday', 'day', 'expression'];

export function Schedule({ it, onSaved }) {
  const [form, setForm] = useState(() => formOf(it.schedule));
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const formEl = useRef(null);
  useEffect(() => { if (err) focusProblem(formEl.current); }, [err]);
  const stored = JSON.stringify(it.schedule || null);
  useEffect(() => { setForm(formOf(it.schedule)); }, [stored]);
  const dirty = JSON.stringify(scheduleBody(form)) !== JSON.stringify(scheduleBody(formOf(it.schedule)));

  // The server names the member in its message ("/time: expected ..."), but
  // sends no pointer list for schedules; a cron expression is then the
  // only member that can be wrong, so its message goes there.
  const errors = {};
  if (err) {
    for (const m of MEMBERS) errors[m] = errorAt(err, `/${m}`);
    if (!MEMBERS.some((m) => errors[m]) && form.kind === 'cron') errors.expression = err.sentence;
  }
  const shownAtField = MEMBERS.some((m) => errors[m]);

  const save = async (e) => {
    e.preventDefault();
    const wrong = checkSchedule(form);
    if (Object.keys(wrong).length) {
      const fields = {};
      for (const [m, text] of Object.entries(wrong)) fields[`/${m}`] = text;
      setErr({ sentence: Object.values(wrong)[0], fields });
      return;
    }
    setBusy(true); setErr(null);
    try {
      const r = await put(`/api/integrations/${encodeURIComponent(it.id)}/schedule`, scheduleBody(form));
      toast(r.next_run_at ? `Schedule saved: ${describe(r.schedule)}. Next run ${utc(r.next_run_at)}.` : 'Schedule saved: it syncs only when started by hand.', 'success');
      onSaved();
    } catch (x) { setErr(x); }
    setBusy(false);
  };

  return html`<div>
    <dl class="facts facts-inline">
      <div><dt>Now</dt><dd data-schedule>${describe(it.schedule)}</dd></div>
      <div><dt>Next run</dt><dd data-next-run>${it.next_run_at ? html`${utc(it.next_run_at)} <span class="muted">(${relTime(it.next_run_at)})</span>`
        : html`<span class="muted">${it.status === 'paused' ? 'None while paused' : 'None: started by hand'}</span>`}</dd></div>
    </dl>
    <form ref=${formEl} onSubmit=${save} novalidate>
      <${ScheduleForm} draft=${form} onChange=${(f) => { setForm(f); setErr(null); }} errors=${errors} />
      ${err && !shownAtField && html`<p class="field-error" role="alert" tabindex="-1">${err.sentence}</p>`}
      <div class="form-foot">
        <button class="btn btn-primary" type="submit" disabled=${busy || !dirty}>${busy ? 'Saving…' : 'Save schedule'}</button>
        ${dirty && html`<button class="btn" type="button" onClick=${() => { setForm(formOf(it.schedule)); setErr(null); }}>Undo changes</button>`}
      </div>
    </form>
  </div>`;
}
