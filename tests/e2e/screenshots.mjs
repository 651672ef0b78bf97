// tests/e2e/screenshots.mjs OUTDIR - PNGs of every page of the UI, for the
// README and docs/ui.md (run by scripts/screenshots, `make screenshots`).
// The data is real: a tenant, a Salesforce integration connected through
// the sandbox's consent page, discovered and synced, and a HubSpot draft.
import { newTenant, browser, signIn, api, connectSalesforce } from './lib.mjs';

const out = process.argv[2];
const t = newTenant('screens');
const { browser: b, page, context } = await browser({ viewport: { width: 1280, height: 800 } });

async function waitRun(id) {
  for (let i = 0; i < 600; i++) {
    const r = (await api(t.key, 'GET', `/api/integrations/${id}/runs?limit=1`)).data[0];
    if (r && r.status !== 'queued' && r.status !== 'running') return r;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('the run did not end');
}

// shot(name): the page as it is, once nothing is loading any more.
async function shot(name, target = page) {
  await target.waitForFunction(() => !document.querySelector('.loading, .boot'));
  await target.waitForTimeout(300); // let transitions settle
  await target.screenshot({ path: `${out}/${name}.png` });
  console.log(`screenshots: ${out}/${name}.png`);
}

try {
  const id = await connectSalesforce(page, t.key, 'Sales EU');
  await api(t.key, 'POST', `/api/integrations/${id}/discover`);
  await api(t.key, 'PUT', `/api/integrations/${id}/schedule`, { kind: 'daily', time: '06:00' });
  await api(t.key, 'POST', `/api/integrations/${id}/sync`, {});
  const run = await waitRun(id);
  await api(t.key, 'POST', '/api/integrations', { connector: 'hubspot', name: 'Marketing' });

  await page.goto('/');
  await shot('signin');
  await signIn(page, t.key);
  await shot('dashboard');
  await page.goto('/ui/marketplace');
  await shot('marketplace');
  await page.getByRole('button', { name: 'Connect HubSpot' }).click();
  await page.getByRole('dialog').waitFor();
  await shot('wizard');
  await page.keyboard.press('Escape');
  await page.goto(`/ui/integrations/${id}/runs`);
  await shot('runs');
  await page.goto(`/ui/runs/${run.id}`);
  await shot('run');
  await page.goto(`/ui/integrations/${id}`);
  await shot('settings');
  await page.goto('/ui/data/contacts');
  await shot('data');
  await page.goto('/ui/notifications');
  await shot('notifications');

  const dark = await b.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', baseURL: page.url() });
  await dark.addCookies(await context.cookies());
  const dp = await dark.newPage();
  await dp.goto('/');
  await shot('dashboard-dark', dp);
  const phone = await b.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: page.url() });
  await phone.addCookies(await context.cookies());
  const pp = await phone.newPage();
  await pp.goto('/');
  await shot('dashboard-phone', pp);
} finally {
  await b.close();
}
