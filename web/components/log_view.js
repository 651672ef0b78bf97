// web/components/log_view.js - a run's log as plain lines: time (UTC),
// level, source, message. Long logs stay quick because a line is a bare
// <li> of text, built once per answer, never a component of its own. The
// level is written out, so colour is never the only sign of an error.
import { html, useState, useMemo } from '../lib/html.js';

const levels = { info: 'INFO', warn: 'WARN', error: 'ERROR' };

export function LogView({ lines, live }) {
  const [problemsOnly, setProblemsOnly] = useState(false);
  const [wrap, setWrap] = useState(true);
  const problems = useMemo(() => lines.filter((l) => l.level !== 'info').length, [lines]);
  const items = useMemo(() => (problemsOnly ? lines.filter((l) => l.level !== 'info') : lines)
    .map((l, i) => html`<li key=${i} class=${'log-' + l.level}><span class="log-time">${(l.at || '').slice(11, 23)}</span> <span class="log-level">${levels[l.level] || l.level}</span> <span class="log-source">${l.source}</span> <span class="log-msg">${l.message}</span></li>`),
  [lines, problemsOnly]);
  if (!lines.length) return html`<p class="muted">${live ? 'Nothing logged yet.' : 'This run logged nothing.'}</p>`;
  return html`<div class="log-box">
    <div class="toolbar log-tools">
      <span class="muted small">${lines.length} line${lines.length === 1 ? '' : 's'}, ${problems} warning${problems === 1 ? '' : 's'} or error${problems === 1 ? '' : 's'}. Times are UTC.</span>
      <label class="check"><input type="checkbox" checked=${problemsOnly} onChange=${(e) => setProblemsOnly(e.target.checked)} /> Warnings and errors only</label>
      <label class="check"><input type="checkbox" checked=${wrap} onChange=${(e) => setWrap(e.target.checked)} /> Wrap long lines</label>
    </div>
    <ol class=${'log' + (wrap ? ' log-wrap' : '')} aria-label="Run log" tabindex="0">${items}</ol>
  </div>`;
}
