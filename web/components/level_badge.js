// web/components/level_badge.js - a notification's level as a badge with a
// word (colour is never the only signal).
import { html } from '../lib/html.js';

const words = { error: 'Error', warn: 'Warning', info: 'Info' };
const tone = { error: 'bad', warn: 'warn', info: 'busy' };

export function LevelBadge({ level }) {
  return html`<span class=${'badge badge-' + (tone[level] || 'muted')} data-level=${level}>${words[level] || level}</span>`;
}
