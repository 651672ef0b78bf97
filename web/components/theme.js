// web/components/theme.js - light or dark: the system's choice until the
// user picks one, which is remembered in this browser.
import { html, useState } from '../lib/html.js';

const saved = localStorage.getItem('inlet-theme');
if (saved) document.documentElement.dataset.theme = saved;

export function ThemeToggle() {
  const system = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  const [theme, setTheme] = useState(saved || system);
  const flip = () => {
    const t = theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = t;
    localStorage.setItem('inlet-theme', t);
    setTheme(t);
  };
  return html`<button class="icon-btn" onClick=${flip} aria-label=${theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
    title="Theme">${theme === 'dark' ? '☀' : '☾'}</button>`;
}
