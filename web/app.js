// web/app.js - the UI's entry: checks the session, then draws the shell
// (header, navigation, bell, theme) around the page the address names. The
// add-integration wizard is a dialog over whatever page is open.
import { html, render, useEffect } from './lib/html.js';
import { location, match, Link, navigate } from './lib/router.js';
import { session, loadSession, signOut } from './lib/session.js';
import { Toasts, toastError } from './components/toast.js';
import { Bell } from './components/bell.js';
import { ThemeToggle } from './components/theme.js';
import { Wizard, wizard, resumeWizard } from './components/wizard.js';
import { SignIn } from './pages/signin.js';
import { Dashboard } from './pages/dashboard.js';
import { Marketplace } from './pages/marketplace.js';
import { Runs } from './pages/runs.js';
import { RunDetail } from './pages/run.js';
import { Settings } from './pages/settings.js';
import { DataExplorer } from './pages/data.js';
import { Notifications } from './pages/notifications.js';
import { NotFound } from './pages/notfound.js';

// Address -> page. The first match wins.
const routes = [
  ['/', Dashboard], ['/ui', Dashboard],
  ['/ui/marketplace', Marketplace],
  ['/ui/integrations/:id', Settings],
  ['/ui/integrations/:id/runs', Runs],
  ['/ui/runs/:id', RunDetail],
  ['/ui/data', DataExplorer], ['/ui/data/:model', DataExplorer], ['/ui/data/:model/:id', DataExplorer],
  ['/ui/notifications', Notifications],
];

function page(path) {
  for (const [pattern, C] of routes) {
    const params = match(pattern, path);
    if (params) return html`<${C} ...${params} />`;
  }
  return html`<${NotFound} />`;
}

const nav = [['/', 'Integrations'], ['/ui/marketplace', 'Marketplace'], ['/ui/data', 'Data']];

function Shell() {
  const loc = location.use();
  const w = wizard.use();
  const current = (href) => (href === '/' ? loc.path === '/' || loc.path === '/ui' || loc.path.startsWith('/ui/integrations') || loc.path.startsWith('/ui/runs')
    : loc.path.startsWith(href));
  useEffect(() => { resumeWizard(); }, []);
  return html`<div class="shell">
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <${Link} class="brand" href="/"><img src="/ui/components/icon.svg" alt="" width="24" height="24" /><span>inlet</span></${Link}>
      <nav class="nav" aria-label="Main">
        ${nav.map(([href, label]) => html`<${Link} href=${href} aria-current=${current(href) ? 'page' : undefined}>${label}</${Link}>`)}
      </nav>
      <div class="top-tools">
        <${Bell} />
        <${ThemeToggle} />
        <button class="btn btn-quiet" onClick=${() => signOut().then(() => navigate('/'), toastError)}>Sign out</button>
      </div>
    </header>
    <main id="main" tabindex="-1">${page(loc.path)}</main>
    ${w && html`<${Wizard} ...${w} />`}
  </div>`;
}

function App() {
  const s = session.use();
  useEffect(() => { loadSession().catch(() => session.set(false)); }, []);
  if (s === null) return html`<p class="boot">Loading inlet…</p><${Toasts} />`;
  return html`${s ? html`<${Shell} />` : html`<${SignIn} />`}<${Toasts} />`;
}

render(html`<${App} />`, document.getElementById('app'));
