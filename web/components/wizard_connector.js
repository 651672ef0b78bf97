// web/components/wizard_connector.js - the wizard's first step when it was
// not opened for a connector: a searchable list of them, one to choose
// (radio buttons: the arrow keys move through the list).
import { html, useState } from '../lib/html.js';
import { useLoad } from '../lib/load.js';
import { connectors } from '../lib/connectors.js';
import { Logo } from './logo.js';
import { Loading, Failed } from './states.js';
import { StepHead, StepForm, noSubmit } from './wizard_parts.js';

const matches = (c, q) => !q || [c.name, c.title, c.description, c.category].some((x) => x && x.toLowerCase().includes(q.toLowerCase()));

export function ConnectorStep({ s, choose }) {
  const cat = useLoad(() => connectors(), []);
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState(s.connector);
  const [error, setError] = useState(null);
  const shown = cat.data ? cat.data.list.filter((c) => matches(c, q)) : [];
  const next = () => { if (!picked) setError('Choose a connector to go on.'); else choose(picked); };
  return html`<${StepForm} onNext=${next} label="Choose a connector">
    <${StepHead}>Choose what to connect</${StepHead}>
    <div class="field"><label for="wiz-connector-q">Search connectors</label>
      <input type="search" id="wiz-connector-q" value=${q} onInput=${(e) => setQ(e.target.value)} onKeyDown=${noSubmit} placeholder="Salesforce, HubSpot…" /></div>
    ${cat.error && html`<${Failed} error=${cat.error} retry=${() => cat.reload(false)} />`}
    ${cat.loading && !cat.data && html`<${Loading} what="Loading connectors" />`}
    ${cat.data && shown.length === 0 && html`<p class="muted">No connector matches “${q}”.</p>`}
    <fieldset class="wiz-connectors" aria-describedby=${error ? 'wiz-connector-err' : undefined}>
      <legend class="visually-hidden">Connector</legend>
      ${shown.map((c) => html`<label class="wiz-connector" key=${c.name}>
        <input type="radio" name="connector" value=${c.name} checked=${picked === c.name}
          onChange=${() => { setPicked(c.name); setError(null); }} />
        <${Logo} connector=${c.logo_url ? c.name : null} title=${c.title} size=${28} />
        <span><span class="strong">${c.title}</span> <span class="muted small">${c.description}</span></span>
      </label>`)}
    </fieldset>
    ${error && html`<p class="field-error" id="wiz-connector-err" role="alert">${error}</p>`}
  </${StepForm}>`;
}
