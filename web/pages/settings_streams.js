// web/pages/settings_streams.js - the integration's streams and fields: the
// stored catalog to choose from (GET .../catalog), Rediscover (POST
// .../discover) with what changed marked "new" and "removed", and Save
// (PUT .../catalog), whose refusal shows under the stream it is about.
import { html, useState, useEffect, useRef } from '../lib/html.js';
import { get, post, put } from '../lib/api.js';
import { toast, toastError } from '../components/toast.js';
import { Confirm } from '../components/dialog.js';
import { Loading, Failed } from '../components/states.js';
import { CatalogEditor } from '../components/catalog_editor.js';
import { choiceOf, bodyOf, streamOfPointer, countChanges } from '../lib/catalog.js';
import { plural } from '../lib/format.js';
import { focusProblem } from '../lib/fields.js';

const enc = encodeURIComponent;

function ChangeSummary({ result }) {
  const ch = result.changes || {};
  const n = countChanges(ch);
  const list = (o) => Object.entries(o || {}).filter(([, l]) => l.length);
  return html`<div class=${'alert ' + (n ? 'alert-warn' : 'alert-ok')} role="status" data-discovery>
    <div><p><strong>Rediscovered ${plural(result.streams, 'stream')}, ${result.selected} selected.</strong>
      ${n ? ' Changes since the last discovery are marked below.' : ' No changes since the last discovery.'}</p>
    ${n > 0 && html`<ul class="change-list">
      ${(ch.streams_added || []).length > 0 && html`<li>New streams: ${ch.streams_added.join(', ')} (not synced until you select them, unless the connector selects them by default).</li>`}
      ${(ch.streams_removed || []).length > 0 && html`<li>Removed streams: ${ch.streams_removed.join(', ')}.</li>`}
      ${list(ch.fields_added).map(([s, l]) => html`<li>New fields of ${s}: ${l.join(', ')}.</li>`)}
      ${list(ch.fields_removed).map(([s, l]) => html`<li>Removed fields of ${s}: ${l.join(', ')}.</li>`)}
    </ul>`}</div>
  </div>`;
}

export function Streams({ it, onCatalog }) {
  const [catalog, setCatalog] = useState(null);
  const [loadErr, setLoadErr] = useState(null);
  const [missing, setMissing] = useState(false);
  const [choice, setChoice] = useState(null);
  const [result, setResult] = useState(null);
  const [saveErr, setSaveErr] = useState(null);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState('');
  const [confirm, setConfirm] = useState(false);
  const root = useRef(null);
  // A refused save: focus goes to the message under the stream it is about.
  useEffect(() => { if (saveErr) focusProblem(root.current); }, [saveErr]);

  const take = (c) => { setCatalog(c); setChoice(choiceOf(c)); setMissing(false); if (onCatalog) onCatalog(c); };
  const load = async () => {
    setLoadErr(null);
    try { take(await get(`/api/integrations/${enc(it.id)}/catalog`)); } catch (e) {
      if (e.status === 404) setMissing(true); else setLoadErr(e);
    }
  };
  useEffect(() => { load(); }, [it.id]);

  const dirty = catalog && choice && JSON.stringify(bodyOf(catalog, choice)) !== JSON.stringify(bodyOf(catalog, choiceOf(catalog)));

  const discover = async () => {
    setConfirm(false); setBusy('discover'); setSaveErr(null); setErrors({});
    try {
      const r = await post(`/api/integrations/${enc(it.id)}/discover`);
      setResult(r);
      take(await get(`/api/integrations/${enc(it.id)}/catalog`));
      toast(countChanges(r.changes) ? 'Rediscovered: the changes are marked in Streams and fields.' : 'Rediscovered: nothing changed.', 'success');
    } catch (e) { toastError(e); setSaveErr(e); }
    setBusy('');
  };

  const save = async () => {
    const body = bodyOf(catalog, choice);
    if (!body.streams.length) { setSaveErr({ sentence: 'Select at least one stream: with none, a sync has nothing to read.' }); return; }
    setBusy('save'); setSaveErr(null); setErrors({});
    try {
      take(await put(`/api/integrations/${enc(it.id)}/catalog`, body));
      toast(`Saved: ${plural(body.streams.length, 'stream')} selected. The choice applies from the next sync.`, 'success');
    } catch (e) {
      const byStream = {};
      for (const [p, m] of Object.entries(e.fields || {})) {
        const s = streamOfPointer(body, p);
        if (s && !byStream[s]) byStream[s] = m;
      }
      setErrors(byStream);
      setSaveErr(e);
      if (!Object.keys(byStream).length) toastError(e);
    }
    setBusy('');
  };

  const discoverBtn = html`<button class="btn" type="button" disabled=${!!busy}
    onClick=${() => (dirty ? setConfirm(true) : discover())}>${busy === 'discover' ? 'Discovering…' : missing ? 'Discover streams' : 'Rediscover'}</button>`;

  if (loadErr) return html`<${Failed} error=${loadErr} retry=${load} />`;
  if (missing) {
    return html`<div ref=${root}><p>inlet has not asked ${it.connector} which streams this account has yet.</p>
      ${saveErr && html`<p class="field-error" role="alert" tabindex="-1">${saveErr.sentence}</p>`}
      <div class="form-foot">${discoverBtn}</div></div>`;
  }
  if (!catalog || !choice) return html`<${Loading} what="Loading streams" />`;
  return html`<div ref=${root}>
    <p class="muted">Choose what each sync reads. Rediscover asks the provider again, for example after a field was added there; your choice is kept.</p>
    ${result && html`<${ChangeSummary} result=${result} />`}
    <${CatalogEditor} catalog=${catalog} choice=${choice} onChange=${(c) => { setChoice(c); setErrors({}); }} changes=${result && result.changes} errors=${errors} />
    ${saveErr && !Object.keys(errors).length && html`<p class="field-error" role="alert" tabindex="-1">${saveErr.sentence}</p>`}
    ${Object.keys(errors).length > 0 && html`<p class="field-error" role="alert" tabindex="-1">Not saved: see the message under ${Object.keys(errors).join(', ')}.</p>`}
    <div class="form-foot">
      <button class="btn btn-primary" type="button" disabled=${!dirty || !!busy} onClick=${save}>${busy === 'save' ? 'Saving…' : 'Save streams and fields'}</button>
      ${dirty && html`<button class="btn" type="button" onClick=${() => { setChoice(choiceOf(catalog)); setErrors({}); setSaveErr(null); }}>Undo changes</button>`}
      <span class="spacer"></span>
      ${discoverBtn}
    </div>
    ${confirm && html`<${Confirm} title="Rediscover and drop your changes?" action="Rediscover" danger=${false}
      onClose=${() => setConfirm(false)} onConfirm=${discover}>
      <p>The streams and fields you changed here are not saved yet. Rediscovering reloads the saved choice, so these changes are lost.</p>
    </${Confirm}>`}
  </div>`;
}
