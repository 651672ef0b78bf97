// web/components/schedule_form.js - the fields of a schedule (docs/
// scheduling.md): by hand, hourly, daily, weekly, monthly or a cron
// expression, all in UTC. A part left empty is chosen by inlet, spread by
// the integration's id, so that many integrations do not start together.
// Used by the settings page; the form state is plain strings, and
// scheduleOf() turns it into the body of PUT .../schedule.
import { html } from '../lib/html.js';

export const KINDS = [['manual', 'By hand only'], ['hourly', 'Every hour'], ['daily', 'Every day'],
  ['weekly', 'Every week'], ['monthly', 'Every month'], ['cron', 'Custom (cron expression)']];
const WEEKDAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];
const BY_NUMBER = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const dayName = (w) => (WEEKDAYS.find(([k]) => k === w) || [w, w])[1];
const ordinal = (d) => d + (d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th');

// formOf(schedule) -> the form's state from an integration's schedule (null: manual).
export function formOf(s) {
  const f = { kind: 'manual', minute: '', time: '', weekday: '', day: '', expression: '' };
  if (!s) return f;
  f.kind = s.kind || 'manual';
  if (s.minute !== undefined && s.minute !== null) f.minute = String(s.minute);
  if (s.time) f.time = s.time;
  if (s.weekday !== undefined && s.weekday !== null) f.weekday = typeof s.weekday === 'number' ? BY_NUMBER[s.weekday] : String(s.weekday).slice(0, 3).toLowerCase();
  if (s.day !== undefined && s.day !== null) f.day = String(s.day).toLowerCase();
  if (s.expression) f.expression = s.expression;
  return f;
}

// scheduleOf(form) -> the body for PUT .../schedule: only the members the
// kind takes and the user filled in.
export function scheduleOf(f) {
  const s = { kind: f.kind };
  if (f.kind === 'hourly' && f.minute !== '') s.minute = Number(f.minute);
  if (['daily', 'weekly', 'monthly'].includes(f.kind) && f.time) s.time = f.time;
  if (f.kind === 'weekly' && f.weekday) s.weekday = f.weekday;
  if (f.kind === 'monthly' && f.day) s.day = f.day === 'last' ? 'last' : Number(f.day);
  if (f.kind === 'cron') s.expression = f.expression.trim();
  return s;
}

// describe(schedule) -> "Every Wednesday at 09:30 UTC".
export function describe(s) {
  if (!s || s.kind === 'manual') return 'Only when started by hand';
  const f = formOf(s);
  const at = f.time ? ` at ${f.time} UTC` : ' at a time inlet picks';
  if (f.kind === 'hourly') return f.minute !== '' ? `Every hour at minute ${f.minute}` : 'Every hour, at a minute inlet picks';
  if (f.kind === 'daily') return `Every day${at}`;
  if (f.kind === 'weekly') return `${f.weekday ? `Every ${dayName(f.weekday)}` : 'Once a week, on a day inlet picks,'}${at}`;
  if (f.kind === 'monthly') {
    const d = f.day === 'last' ? 'On the last day of every month' : f.day ? `On the ${ordinal(Number(f.day))} of every month` : 'Once a month, on a day inlet picks,';
    return d + at;
  }
  if (f.kind === 'cron') return `Cron “${f.expression}”, in UTC`;
  return s.kind;
}

// utc(iso) -> "Wed, Dec 9, 2026, 09:30 UTC": schedules are UTC, so is this.
export function utc(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en', { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short',
    day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) + ' UTC';
}

function Err({ id, text }) {
  return text ? html`<p id=${id} class="field-error">${text}</p>` : null;
}

// <ScheduleFields form onChange errors prefix />: errors is
// {kind, minute, time, weekday, day, expression} -> message.
export function ScheduleFields({ form, onChange, errors = {}, prefix = 'sched' }) {
  const set = (k) => (e) => onChange({ ...form, [k]: e.target.value });
  const id = (k) => `${prefix}-${k}`;
  const aria = (k) => ({ 'aria-invalid': errors[k] ? 'true' : 'false', 'aria-describedby': `${id(k)}-help${errors[k] ? ' ' + id(k) + '-err' : ''}` });
  const time = html`<div class="field"><label for=${id('time')}>Time (UTC)</label>
    <input id=${id('time')} type="time" value=${form.time} onInput=${set('time')} ...${aria('time')} />
    <p id=${`${id('time')}-help`} class="field-help">Hours and minutes in UTC. Leave empty and inlet picks one.</p>
    <${Err} id=${`${id('time')}-err`} text=${errors.time} /></div>`;
  return html`<div class="schedule-fields">
    <div class="field"><label for=${id('kind')}>Runs</label>
      <select id=${id('kind')} value=${form.kind} onChange=${set('kind')} ...${aria('kind')}>
        ${KINDS.map(([k, l]) => html`<option value=${k}>${l}</option>`)}
      </select>
      <p id=${`${id('kind')}-help`} class="field-help">All times are UTC (it is ${new Date().toISOString().slice(11, 16)} UTC now).</p>
      <${Err} id=${`${id('kind')}-err`} text=${errors.kind} /></div>
    ${form.kind === 'hourly' && html`<div class="field"><label for=${id('minute')}>Minute of the hour</label>
      <input id=${id('minute')} type="number" min="0" max="59" step="1" value=${form.minute} onInput=${set('minute')} ...${aria('minute')} />
      <p id=${`${id('minute')}-help`} class="field-help">0 to 59. Leave empty and inlet picks one.</p>
      <${Err} id=${`${id('minute')}-err`} text=${errors.minute} /></div>`}
    ${form.kind === 'weekly' && html`<div class="field"><label for=${id('weekday')}>Day of the week</label>
      <select id=${id('weekday')} value=${form.weekday} onChange=${set('weekday')} ...${aria('weekday')}>
        <option value="">Let inlet pick</option>
        ${WEEKDAYS.map(([k, l]) => html`<option value=${k}>${l}</option>`)}
      </select>
      <p id=${`${id('weekday')}-help`} class="field-help">The day in UTC.</p>
      <${Err} id=${`${id('weekday')}-err`} text=${errors.weekday} /></div>`}
    ${form.kind === 'monthly' && html`<div class="field"><label for=${id('day')}>Day of the month</label>
      <select id=${id('day')} value=${form.day} onChange=${set('day')} ...${aria('day')}>
        <option value="">Let inlet pick (1st to 28th)</option>
        ${Array.from({ length: 31 }, (_, i) => html`<option value=${String(i + 1)}>${ordinal(i + 1)}</option>`)}
        <option value="last">The last day</option>
      </select>
      <p id=${`${id('day')}-help`} class="field-help">The 29th to 31st run on the last day of shorter months.</p>
      <${Err} id=${`${id('day')}-err`} text=${errors.day} /></div>`}
    ${['daily', 'weekly', 'monthly'].includes(form.kind) && time}
    ${form.kind === 'cron' && html`<div class="field"><label for=${id('expression')}>Cron expression</label>
      <input id=${id('expression')} type="text" spellcheck=${false} autocomplete="off" value=${form.expression}
        placeholder="0 9 * * MON-FRI" onInput=${set('expression')} ...${aria('expression')} />
      <p id=${`${id('expression')}-help`} class="field-help">Five fields, in UTC: minute, hour, day of the month, month, day of the week. “0 9 * * MON-FRI” is 09:00 UTC on weekdays.</p>
      <${Err} id=${`${id('expression')}-err`} text=${errors.expression} /></div>`}
  </div>`;
}
