// tests/e2e/marketplace.test.mjs - the marketplace: every connector the
// server has, search, the category filter, and connected ones marked.
import { test } from 'node:test';
import { newTenant, browser, signIn, api, assert } from './lib.mjs';

test('marketplace lists, searches and filters connectors', async () => {
  const t = newTenant('market');
  const all = (await api(t.key, 'GET', '/api/connectors')).data;
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByRole('heading', { name: 'Marketplace', level: 1 }).waitFor();
    const cards = page.getByRole('list', { name: 'Connectors' }).getByRole('listitem');
    await cards.first().waitFor();
    assert.equal(await cards.count(), all.length);

    await page.getByPlaceholder('Search connectors').fill('sales');
    await page.locator('[data-connector="salesforce"]').waitFor();
    const shown = await cards.evaluateAll((els) => els.map((e) => e.dataset.connector));
    const expected = all.filter((c) => [c.name, c.title, c.description, c.category]
      .some((s) => s && s.toLowerCase().includes('sales'))).map((c) => c.name);
    assert.deepEqual(shown.sort(), expected.sort());

    await page.getByPlaceholder('Search connectors').fill('no connector is called this');
    await page.getByText('No connector matches').waitFor();
    await page.getByPlaceholder('Search connectors').fill('');

    const crm = all.filter((c) => c.category === 'crm').map((c) => c.name);
    assert.ok(crm.length > 0, 'the built-ins include CRM connectors');
    await page.getByRole('group', { name: 'Category' }).getByRole('button', { name: 'CRM' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-connector]').length === n, crm.length);
    const shownCrm = await cards.evaluateAll((els) => els.map((e) => e.dataset.connector));
    assert.deepEqual(shownCrm.sort(), crm.sort());

    // The ones the tenant has are marked, with how many.
    assert.equal(await page.locator('.connected-mark').count(), 0);
    await api(t.key, 'POST', '/api/integrations', { connector: 'hubspot', name: 'One' });
    await api(t.key, 'POST', '/api/integrations', { connector: 'hubspot', name: 'Two' });
    await page.reload();
    const hubspot = page.locator('[data-connector="hubspot"]');
    await hubspot.locator('.connected-mark').waitFor();
    assert.equal(await hubspot.locator('.connected-mark').innerText(), 'Connected ×2');
    assert.equal(await hubspot.getByRole('button', { name: 'Connect HubSpot' }).innerText(), 'Connect another');
    assert.equal(await page.locator('.connected-mark').count(), 1);
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});
