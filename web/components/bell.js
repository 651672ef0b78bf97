// web/components/bell.js - STUB: the notifications bell.
import { html } from '../lib/html.js';

export function Bell() { return html`<span></span>`; }
