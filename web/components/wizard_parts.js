// web/components/wizard_parts.js - what every step of the wizard (and of
// the connect page, pages/connect_app.js) is drawn with: the list of steps,
// each step's heading (which takes the focus when the step opens, so a
// screen reader says where the person is), and the row of Back / Next
// buttons. A step is a <form>: Enter in a field means Next.
import { html, useEffect, useRef } from '../lib/html.js';

// <${Steps} steps=[[id, label]...] current=id>: where the person is, and
// what is done.
export function Steps({ steps, current }) {
  const at = steps.findIndex(([id]) => id === current);
  return html`<ol class="wiz-steps" aria-label="Steps">
    ${steps.map(([id, label], i) => html`<li key=${id} class=${i < at ? 'done' : i === at ? 'current' : ''}
        aria-current=${i === at ? 'step' : undefined}>
      <span class="wiz-step-n" aria-hidden="true">${i < at ? '✓' : i + 1}</span>
      <span class="wiz-step-label">${label}</span>${i < at ? html`<span class="visually-hidden"> (done)</span>` : ''}</li>`)}
  </ol>`;
}

// focus false: the step gives the focus to something else (a field the
// server refused).
export function StepHead({ children, sub, focus = true }) {
  const h = useRef(null);
  useEffect(() => { if (focus && h.current) h.current.focus(); }, []);
  return html`<div class="wiz-head"><h3 class="wiz-title" tabindex="-1" ref=${h} autofocus>${children}</h3>
    ${sub && html`<p class="muted">${sub}</p>`}</div>`;
}

// <${StepForm} onNext back nextLabel busy nextDisabled extra>: the step's
// body, then Back (when there is a step before) and Next.
export function StepForm({ onNext, back, nextLabel = 'Next', busy = false, nextDisabled = false, extra, children, label }) {
  const submit = (e) => { e.preventDefault(); if (!busy && !nextDisabled) onNext(); };
  return html`<form class="wiz-form" onSubmit=${submit} novalidate aria-label=${label}>
    <div class="dialog-body wiz-body">${children}</div>
    <footer class="dialog-foot wiz-foot">
      ${back && html`<button type="button" class="btn wiz-back" onClick=${back} disabled=${busy}>Back</button>`}
      <span class="wiz-spacer"></span>
      ${extra}
      <button type="submit" class="btn btn-primary wiz-next" disabled=${busy || nextDisabled} aria-busy=${busy ? 'true' : undefined}>
        ${busy ? 'Working…' : nextLabel}</button>
    </footer>
  </form>`;
}

// focusFirstError(form element or document): the first input marked invalid.
export function focusFirstError(root = document) {
  setTimeout(() => {
    const el = root.querySelector('.wiz-body [aria-invalid="true"]');
    if (el) el.focus();
  }, 0);
}

export const Alert = ({ kind = 'error', children }) => html`<div class=${'alert alert-' + kind} role=${kind === 'error' ? 'alert' : 'status'}>${children}</div>`;

// Enter in a search box filters; it must not submit the step (Next).
export const noSubmit = (e) => { if (e.key === 'Enter') e.preventDefault(); };
