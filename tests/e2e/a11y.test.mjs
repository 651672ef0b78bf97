// tests/e2e/a11y.test.mjs - every page, in the light and the dark theme,
// checked by axe-core (WCAG 2 A and AA rules: labels, names, roles,
// contrast...): no serious or critical violation. And a phone-sized
// screen never scrolls sideways.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { newTenant, browser, signIn, api, connectSalesforce, assert } from './lib.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// The page's serious and critical violations, as "rule: target" lines.
async function violations(page) {
  // evaluate runs through the DevTools protocol: the page's CSP, which
  // forbids injected scripts, does not apply to it.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary.split('\n')[1] || ''})`));
  });
}

async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.loading, .boot'));
  await page.waitForTimeout(250);
}

async function setUp() {
  const t = newTenant('a11y');
  const { browser: b, page } = await browser();
  const id = await connectSalesforce(page, t.key, 'Sales EU');
  await api(t.key, 'POST', `/api/integrations/${id}/discover`);
  await api(t.key, 'POST', `/api/integrations/${id}/sync`, {});
  let run;
  for (let i = 0; i < 600; i++) {
    run = (await api(t.key, 'GET', `/api/integrations/${id}/runs?limit=1`)).data[0];
    if (run && run.status !== 'queued' && run.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await b.close();
  return { t, id, run };
}

for (const scheme of ['light', 'dark']) {
  test(`every page passes axe in the ${scheme} theme`, async () => {
    const { t, id, run } = await setUp();
    const { browser: b, page } = await browser({ colorScheme: scheme });
    try {
      await page.goto('/');
      await settled(page);
      const found = { signin: await violations(page) };
      await signIn(page, t.key);
      const pages = {
        dashboard: '/', marketplace: '/ui/marketplace', runs: `/ui/integrations/${id}/runs`, run: `/ui/runs/${run.id}`,
        settings: `/ui/integrations/${id}`, data: '/ui/data/contacts', notifications: '/ui/notifications',
      };
      for (const [name, path] of Object.entries(pages)) {
        await page.goto(path);
        await settled(page);
        found[name] = await violations(page);
      }
      await page.goto('/ui/marketplace');
      await page.getByRole('button', { name: 'Connect Salesforce' }).click();
      await page.getByRole('dialog').waitFor();
      await settled(page);
      found.wizard = await violations(page);
      for (const [name, v] of Object.entries(found)) assert.deepEqual(v, [], `${name} (${scheme})`);
    } finally { await b.close(); }
  });
}

test('on a phone-sized screen no page scrolls sideways', async () => {
  const { t, id, run } = await setUp();
  const { browser: b, page } = await browser({ viewport: { width: 375, height: 740 } });
  try {
    await signIn(page, t.key);
    for (const path of ['/', '/ui/marketplace', `/ui/integrations/${id}/runs`, `/ui/runs/${run.id}`, `/ui/integrations/${id}`, '/ui/data/contacts', '/ui/notifications']) {
      await page.goto(path);
      await settled(page);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(wide <= 0, `${path} is ${wide}px wider than the screen`);
    }
  } finally { await b.close(); }
});
