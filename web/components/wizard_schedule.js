// web/components/wizard_schedule.js - the wizard's schedule step: the
// schedule form (schedule_form.js), checked before going on; the schedule
// itself is sent when the person saves.
import { html, useState } from '../lib/html.js';
import { ScheduleForm, checkSchedule } from './schedule_form.js';
import { StepHead, StepForm, Alert, focusFirstError } from './wizard_parts.js';

export function ScheduleStep({ s, conn, update, next, back }) {
  const [submitted, setSubmitted] = useState(false);
  const errors = checkSchedule(s.schedule);
  const go = () => {
    setSubmitted(true);
    if (Object.keys(errors).length) { focusFirstError(); return; }
    next();
  };
  return html`<${StepForm} onNext=${go} back=${back} label="Schedule">
    <${StepHead} sub=${`When inlet copies new and changed records from ${conn.title} by itself.`}>Schedule</${StepHead}>
    ${s.scheduleError && html`<${Alert}><p>${s.scheduleError}</p></${Alert}>`}
    <${ScheduleForm} draft=${s.schedule} idPrefix="wiz-sched" errors=${submitted ? errors : {}}
      onChange=${(d) => update({ schedule: d, scheduleError: null })} />
  </${StepForm}>`;
}
