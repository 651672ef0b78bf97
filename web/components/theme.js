// web/components/theme.js - light or dark: the system's choice until the
// user picks one, which is remembered in this browser.
import { html, useState } from '../lib/html.js';

const saved = localStorage.getItem('inlet-theme');
const dark = window.matchMedia('(prefers-color-scheme: dark)');
// The page's theme is one attribute (style.css keys the dark tokens on it):
// the user's choice, else the system's, following the system as it changes.
document.documentElement.dataset.theme = saved || (dark.matches ? 'dark' : 'light');
dark.addEventListener('change', (e) => {
  if (!localStorage.getItem('inlet-theme')) document.documentElement.dataset.theme = e.matches ? 'dark' : 'light';
});

export function ThemeToggle() {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme);
  const flip = () => {
    const t = theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = t;
    localStorage.setItem('inlet-theme', t);
    setTheme(t);
  };
  return html`<button class="icon-btn" onClick=${flip} aria-label=${theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
    title="Theme">${theme === 'dark' ? '☀' : '☾'}</button>`;
}
