// web/lib/fields.js - placing a refused request's messages at its fields:
// the server names each problem with a JSON Pointer into the body, and the
// form shows it under the field the pointer leads to.

// errorAt(err, pointer) -> the message for pointer or anything under it
// ("/source_field" takes "/source_field/1"), or null.
export function errorAt(err, pointer) {
  if (!err || !err.fields) return null;
  for (const [p, m] of Object.entries(err.fields)) if (p === pointer || p.startsWith(pointer + '/')) return m;
  return null;
}

// placed(err, pointers) -> true when one of err's messages has a field among
// pointers to show it; otherwise the form shows err.sentence by itself.
export function placed(err, pointers) {
  return !!err && pointers.some((p) => errorAt(err, p));
}

// describedBy(...ids) -> the aria-describedby value of the ids given.
export const describedBy = (...ids) => ids.filter(Boolean).join(' ') || undefined;

// focusProblem(root): after a refused submit, focus goes to the first field
// marked invalid (or the form's own error) once it is drawn, so keyboard
// and screen reader users land on what to fix rather than on a disabled
// button or the page's body.
export function focusProblem(root) {
  requestAnimationFrame(() => {
    if (!root) return;
    const el = root.querySelector('[aria-invalid="true"]') || root.querySelector('.field-error[tabindex]');
    if (el) el.focus();
  });
}
