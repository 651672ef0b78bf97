// tests/e2e/dashboard.test.mjs - the integrations dashboard: stat cards
// equal to the API's stats, the table (status, last sync), search and
// status filters, Sync now to success, disconnect, delete with its
// confirmation, and a reconnect through the provider's consent page.
import { test } from 'node:test';
import { newTenant, browser, signIn, api, connectSalesforce, consentSalesforce, base, assert } from './lib.mjs';

async function waitRun(key, id) {
  for (let i = 0; i < 600; i++) {
    const r = (await api(key, 'GET', `/api/integrations/${id}/runs?limit=1`)).data[0];
    if (r && r.status !== 'queued' && r.status !== 'running') return r;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('the run did not end');
}

test('stat cards, table, filters, sync now, disconnect, reconnect, delete', async () => {
  const t = newTenant('dash');
  const { browser: b, page, errors } = await browser();
  try {
    const id = await connectSalesforce(page, t.key, 'Sales EU');
    await api(t.key, 'POST', `/api/integrations/${id}/discover`);
    const draft = (await api(t.key, 'POST', '/api/integrations', { connector: 'hubspot', name: 'Marketing draft' })).id;
    await signIn(page, t.key);

    const row = (iid) => page.locator(`tr[data-integration="${iid}"]`);
    await row(id).waitFor();
    await row(draft).waitFor();
    assert.equal(await row(id).locator('[data-status]').first().getAttribute('data-status'), 'active');
    assert.equal(await row(draft).locator('[data-status]').first().getAttribute('data-status'), 'draft');
    assert.match(await row(id).innerText(), /Never/);

    // Sync now: the row shows the run, then its success; the stat cards
    // then show what the API's stats say.
    await row(id).getByRole('button', { name: 'Sync Sales EU now' }).click();
    await page.locator('.toast').filter({ hasText: 'Sync of Sales EU started' }).waitFor();
    const run = await waitRun(t.key, id);
    assert.equal(run.status, 'success');
    await row(id).locator('[data-status="success"]').waitFor({ timeout: 30000 });
    await page.reload();
    const stats = await api(t.key, 'GET', '/api/stats');
    const card = async (label) => (await page.locator(`[data-stat="${label}"]`).innerText()).replace(/,/g, '');
    await page.waitForFunction(() => !document.querySelector('[data-stat="Contacts"]').textContent.includes('…'));
    assert.equal(await card('Integrations'), String(stats.integrations.total));
    assert.equal(await card('Contacts'), String(stats.records.contacts));
    assert.equal(await card('Accounts'), String(stats.records.accounts));
    assert.equal(await card('Deals'), String(stats.records.deals));
    assert.equal(await card('Syncs, last 24 h'), String(stats.syncs.last_24h));
    assert.ok(stats.records.contacts > 0, 'the sync brought contacts');

    // Search and status filter are the server's.
    await page.getByPlaceholder('Search by name').fill('sales');
    await row(draft).waitFor({ state: 'detached' });
    await row(id).waitFor();
    await page.getByPlaceholder('Search by name').fill('');
    await page.getByLabel('Status').selectOption('draft');
    await row(id).waitFor({ state: 'detached' });
    await row(draft).waitFor();
    await page.getByLabel('Status').selectOption('');
    await row(id).waitFor();

    // Disconnect, confirmed: the badge says so and the API agrees.
    await row(id).getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Disconnect' }).click();
    await page.getByRole('dialog', { name: 'Disconnect Sales EU?' }).getByRole('button', { name: 'Disconnect' }).click();
    await row(id).locator('[data-status="disconnected"]').waitFor();
    assert.equal((await api(t.key, 'GET', `/api/integrations/${id}`)).status, 'disconnected');

    // Reconnect: to the consent page and back, active again.
    await row(id).getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Reconnect' }).click();
    await consentSalesforce(page);
    await page.waitForURL(`${base}/ui/integrations/${id}?**`);
    assert.equal((await api(t.key, 'GET', `/api/integrations/${id}`)).status, 'active');

    // Delete, with a confirmation that names what goes.
    await page.goto('/');
    await row(draft).getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Marketing draft?' });
    assert.match(await dialog.innerText(), /credentials, its schedule and its settings/);
    await dialog.getByRole('button', { name: 'Delete integration' }).click();
    await row(draft).waitFor({ state: 'detached' });
    const gone = await fetch(`${base}/api/integrations/${draft}`, { headers: { Authorization: `Bearer ${t.key}` } });
    assert.equal(gone.status, 404);
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('sixty integrations: the dashboard pages through them, 25 at a time', async () => {
  const t = newTenant('dashmany');
  const n = 60;
  for (let i = 0; i < n; i++)
    await api(t.key, 'POST', '/api/integrations', { connector: 'salesforce', name: `Org ${String(i).padStart(3, '0')}` });
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    const rows = page.locator('tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 25);
    assert.equal(await rows.first().getAttribute('data-integration') !== null, true);
    const pager = page.getByRole('navigation', { name: 'Integration pages' });
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 2').waitFor();
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 3').waitFor();
    await page.waitForFunction((left) => document.querySelectorAll('tbody tr').length === left, n - 50);
    assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await pager.getByText('Page 2').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 25);
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});
