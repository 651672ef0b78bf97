// web/components/schedule_form.js - when an integration syncs by itself, as
// the API's Schedule takes it (docs/scheduling.md): manual, hourly, daily,
// weekly, monthly or a cron expression, every time in UTC. The form keeps
// its inputs as typed (a draft: formOf makes one from a stored schedule);
// scheduleBody turns a draft into the body of PUT .../schedule, describe()
// a schedule into a sentence. A part left empty is chosen by inlet, spread
// by the integration's id, so that many integrations do not start together.
// The wizard and the settings page both use it.
import { html } from '../lib/html.js';

export const KINDS = [
  ['manual', 'Manually', 'Only when you choose Sync now.'],
  ['hourly', 'Every hour', ''],
  ['daily', 'Every day', ''],
  ['weekly', 'Every week', ''],
  ['monthly', 'Every month', ''],
  ['cron', 'Custom (cron)', 'Five fields: minute, hour, day of month, month, day of week.'],
];
export const WEEKDAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

const BY_NUMBER = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// formOf(schedule) -> a draft from a stored schedule (null: manual).
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

// utc(iso) -> "Wed, Dec 9, 2026, 09:30 UTC": schedules are UTC, so is this.
export function utc(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en', { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short',
    day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) + ' UTC';
}

// checkSchedule(draft) -> {member: message} for what is wrong.
export function checkSchedule(d) {
  const e = {};
  if (d.kind === 'hourly' && d.minute !== '' && !(/^\d{1,2}$/.test(d.minute) && Number(d.minute) <= 59)) e.minute = 'A minute from 0 to 59, or leave it empty.';
  if (['daily', 'weekly', 'monthly'].includes(d.kind) && d.time !== '' && !TIME.test(d.time.trim())) e.time = 'A time as HH:MM from 00:00 to 23:59, or leave it empty.';
  if (d.kind === 'cron') {
    if (!d.expression.trim()) e.expression = 'Required: five fields such as 0 6 * * 1-5.';
    else if (d.expression.trim().split(/\s+/).length !== 5) e.expression = 'Five fields: minute, hour, day of month, month, day of week (e.g. 0 6 * * 1-5).';
  }
  return e;
}

// scheduleBody(draft) -> the Schedule; members left empty are left out, and
// inlet spreads them over the period.
export function scheduleBody(d) {
  const b = { kind: d.kind };
  if (d.kind === 'hourly' && d.minute !== '') b.minute = Number(d.minute);
  if (['daily', 'weekly', 'monthly'].includes(d.kind) && d.time.trim()) b.time = d.time.trim();
  if (d.kind === 'weekly' && d.weekday) b.weekday = d.weekday;
  if (d.kind === 'monthly' && d.day) b.day = d.day === 'last' ? 'last' : Number(d.day);
  if (d.kind === 'cron') b.expression = d.expression.trim().replace(/\s+/g, ' ');
  return b;
}

const ordinal = (n) => n + (n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th');
const at = (t) => (t ? ` at ${t} UTC` : ' at a time inlet picks');

// describe(schedule) -> "Every day at 06:00 UTC".
export function describe(s) {
  if (!s || s.kind === 'manual') return 'Manually: only when you choose Sync now';
  const b = formOf(s);
  if (b.kind === 'hourly') return b.minute !== '' ? `Every hour at minute ${b.minute}` : 'Every hour, at a minute inlet picks';
  if (b.kind === 'daily') return 'Every day' + at(b.time);
  if (b.kind === 'weekly') return (b.weekday ? `Every ${(WEEKDAYS.find(([k]) => k === b.weekday) || [0, b.weekday])[1]}` : 'Once a week, on a day inlet picks,') + at(b.time);
  if (b.kind === 'monthly') return (b.day ? `Every month on the ${b.day === 'last' ? 'last day' : ordinal(Number(b.day))}` : 'Once a month, on a day inlet picks,') + at(b.time);
  return `On the cron expression ${b.expression} (UTC)`;
}

// "06:00 UTC is 07:00 here (Europe/Paris)", for a person who thinks in local time.
function localHint(t) {
  if (!TIME.test(t || '')) return null;
  const [h, m] = t.split(':').map(Number);
  const d = new Date(Date.UTC(2000, 0, 3, h, m));
  const local = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (local === t) return null;
  let zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
  return `${t} UTC is ${local} your time${zone ? ` (${zone})` : ''}.`;
}

// <${ScheduleForm} draft errors onChange idPrefix />
export function ScheduleForm({ draft: d, errors = {}, onChange, idPrefix = 'sched' }) {
  const set = (k) => (e) => onChange({ ...d, [k]: e.target.value });
  const err = (k) => errors[k] && html`<p class="field-error" id=${`${idPrefix}-${k}-err`}>${errors[k]}</p>`;
  const inv = (k) => (errors[k] ? 'true' : undefined);
  const desc = (k, help) => [help && `${idPrefix}-${k}-help`, errors[k] && `${idPrefix}-${k}-err`].filter(Boolean).join(' ') || undefined;
  const time = html`<div class="field"><label for=${`${idPrefix}-time`}>Time, in UTC <span class="muted small">(optional)</span></label>
    <input id=${`${idPrefix}-time`} class="input-short" inputmode="numeric" placeholder="HH:MM" value=${d.time} autocomplete="off"
      aria-invalid=${inv('time')} aria-describedby=${desc('time', true)} onInput=${set('time')} />
    <p class="field-help" id=${`${idPrefix}-time-help`}>24-hour clock, UTC. ${localHint(d.time.trim()) || 'Leave it empty and inlet picks one, so that syncs do not all start at once.'}</p>
    ${err('time')}</div>`;
  return html`<fieldset class="sched-kinds">
      <legend>How often</legend>
      ${KINDS.map(([k, label, help]) => html`<label class="check" key=${k}>
        <input type="radio" name=${`${idPrefix}-kind`} value=${k} checked=${d.kind === k} onChange=${() => onChange({ ...d, kind: k })} />
        <span>${label}${help && html` <span class="muted small">${help}</span>`}</span></label>`)}
    </fieldset>
    <p class="muted small sched-utc">All times are in UTC (it is ${new Date().toISOString().slice(11, 16)} UTC now).</p>
    ${d.kind === 'hourly' && html`<div class="field"><label for=${`${idPrefix}-minute`}>Minute past the hour <span class="muted small">(optional)</span></label>
      <input id=${`${idPrefix}-minute`} class="input-short" type="number" min="0" max="59" step="1" value=${d.minute}
        aria-invalid=${inv('minute')} aria-describedby=${desc('minute', true)} onInput=${set('minute')} />
      <p class="field-help" id=${`${idPrefix}-minute-help`}>0 to 59. Leave it empty and inlet picks one.</p>${err('minute')}</div>`}
    ${d.kind === 'weekly' && html`<div class="field"><label for=${`${idPrefix}-weekday`}>Day of the week</label>
      <select id=${`${idPrefix}-weekday`} class="input-short" value=${d.weekday} onChange=${set('weekday')}>
        <option value="">Let inlet pick</option>
        ${WEEKDAYS.map(([k, w]) => html`<option value=${k}>${w}</option>`)}</select></div>`}
    ${d.kind === 'monthly' && html`<div class="field"><label for=${`${idPrefix}-day`}>Day of the month</label>
      <select id=${`${idPrefix}-day`} class="input-short" value=${d.day} aria-describedby=${`${idPrefix}-day-help`} onChange=${set('day')}>
        <option value="">Let inlet pick (1st to 28th)</option>
        ${Array.from({ length: 31 }, (_, i) => html`<option value=${String(i + 1)}>${ordinal(i + 1)}</option>`)}
        <option value="last">Last day</option></select>
      <p class="field-help" id=${`${idPrefix}-day-help`}>The 29th to 31st fall on the last day of shorter months.</p></div>`}
    ${['daily', 'weekly', 'monthly'].includes(d.kind) && time}
    ${d.kind === 'cron' && html`<div class="field"><label for=${`${idPrefix}-expression`}>Cron expression, in UTC</label>
      <input id=${`${idPrefix}-expression`} class="mono" value=${d.expression} placeholder="0 6 * * 1-5" spellcheck=${false} autocomplete="off"
        aria-invalid=${inv('expression')} aria-describedby=${desc('expression', true)} onInput=${set('expression')} />
      <p class="field-help" id=${`${idPrefix}-expression-help`}>Minute, hour, day of month, month, day of week; “0 6 * * 1-5” is 06:00 UTC on weekdays.</p>
      ${err('expression')}</div>`}`;
}
