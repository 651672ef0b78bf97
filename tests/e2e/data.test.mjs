// tests/e2e/data.test.mjs - the data explorer against two synced Salesforce
// integrations: every list shows what the API answers for the same query
// (search, the integration filter, paging both ways, the other models'
// tabs, by mouse and by keyboard), a record shows its properties and its
// source integration, and another tenant sees none of it.
import { test } from 'node:test';
import { newTenant, browser, signIn, api, connectSalesforce, base, assert } from './lib.mjs';

const PAGE = 25;                 // the explorer's page size
const SORT = '-updated_at';      // and its default sort

// A sync started through the API, waited for until it ends (polling the
// run; the deadline keeps a stuck run from hanging the suite).
async function syncToSuccess(key, id) {
  await api(key, 'POST', `/api/integrations/${id}/discover`);
  const run = await api(key, 'POST', `/api/integrations/${id}/sync`, {});
  const deadline = Date.now() + 120000;
  for (;;) {
    const r = await api(key, 'GET', `/api/runs/${run.id}`);
    if (r.status !== 'queued' && r.status !== 'running') { assert.equal(r.status, 'success', JSON.stringify(r)); return r; }
    assert.ok(Date.now() < deadline, 'the sync did not end in time');
    await new Promise((res) => setTimeout(res, 250));
  }
}

const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')).toString();
const listApi = (key, model, params) => api(key, 'GET', `/api/data/${model}?` + qs({ limit: PAGE, sort: SORT, ...params }));

// Wait until the table of model shows exactly these rows, in this order.
async function waitRows(page, model, ids, pageNo = 1) {
  await page.waitForFunction(({ model, ids, pageNo }) => {
    const t = document.querySelector(`table[data-model="${model}"][data-page="${pageNo}"]`);
    if (!t) return false;
    const shown = [...t.querySelectorAll('tbody tr')].map((r) => r.dataset.id);
    return JSON.stringify(shown) === JSON.stringify(ids);
  }, { model, ids, pageNo });
}

test('data explorer: lists, search, integration filter, paging, a record and its source, other tabs, isolation', async () => {
  const t = newTenant('data');
  const { browser: b, page, errors } = await browser();
  try {
    const eu = await connectSalesforce(page, t.key, 'Sales EU');
    const us = await connectSalesforce(page, t.key, 'Sales US');
    await syncToSuccess(t.key, eu);
    await syncToSuccess(t.key, us);

    await signIn(page, t.key);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data' }).click();
    await page.getByRole('heading', { name: 'Data', level: 1 }).waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Contacts' }).getAttribute('aria-selected'), 'true');

    // The first page: the rows the API answers for the same query, and their count.
    const first = await listApi(t.key, 'contacts', {});
    assert.equal(first.data.length, PAGE, 'two synced integrations have more than a page of contacts');
    await waitRows(page, 'contacts', first.data.map((r) => r.id));
    await page.getByText(`${first.data.length} contacts on this page.`).waitFor();

    // Search by a contact's name, as the API has it.
    const someone = first.data.find((r) => r.first_name && r.last_name);
    const name = `${someone.first_name} ${someone.last_name}`;
    await page.getByLabel('Search contacts').fill(name);
    const found = await listApi(t.key, 'contacts', { q: name });
    assert.ok(found.data.some((r) => r.id === someone.id));
    await waitRows(page, 'contacts', found.data.map((r) => r.id));
    await page.locator(`tr[data-id="${someone.id}"]`).getByRole('link', { name }).waitFor();
    assert.match(page.url(), /[?&]q=/, 'the search is in the address');

    // A search that matches nothing says so, and Clear filters brings all back.
    await page.getByLabel('Search contacts').fill('zzzz no such name');
    await page.getByText('No contacts match these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitRows(page, 'contacts', first.data.map((r) => r.id));
    assert.equal(await page.getByLabel('Search contacts').inputValue(), '');

    // Only one integration's rows.
    await page.getByLabel('Integration').selectOption({ label: 'Sales US' });
    const us1 = await listApi(t.key, 'contacts', { integration_id: us });
    assert.ok(us1.data.every((r) => r.integration_id === us));
    await waitRows(page, 'contacts', us1.data.map((r) => r.id));
    const sources = await page.locator('table[data-model="contacts"] tbody td[data-label="Source"]').allInnerTexts();
    assert.deepEqual([...new Set(sources)], ['Sales US']);

    // Next and Previous follow the API's cursors.
    assert.ok(us1.next_cursor, 'one integration has more than a page of contacts');
    const us2 = await listApi(t.key, 'contacts', { integration_id: us, cursor: us1.next_cursor });
    await page.getByRole('navigation', { name: 'Pages of contacts' }).getByRole('button', { name: 'Next' }).click();
    await waitRows(page, 'contacts', us2.data.map((r) => r.id), 2);
    await page.getByRole('navigation', { name: 'Pages of contacts' }).getByRole('button', { name: 'Previous' }).click();
    await waitRows(page, 'contacts', us1.data.map((r) => r.id), 1);

    // A record: its fields, its properties as a list, its source integration.
    const c = us1.data.find((r) => r.first_name && r.last_name && r.account_id) || us1.data[0];
    const full = await api(t.key, 'GET', `/api/data/contacts/${c.id}`);
    await page.locator(`tr[data-id="${c.id}"] th a`).click();
    await page.waitForURL(`**/ui/data/contacts/${c.id}`);
    await page.getByRole('heading', { level: 1, name: [c.first_name, c.last_name].filter(Boolean).join(' ') }).waitFor();
    const props = page.locator('dl[aria-label="Properties"]');
    for (const k of Object.keys(full.properties)) await props.getByText(k, { exact: true }).waitFor();
    const srcTable = page.getByRole('table', { name: 'Sources' });
    assert.equal(full.sources.length, 1);
    const link = srcTable.getByRole('link', { name: 'Sales US' });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), `/ui/integrations/${us}`);
    await srcTable.getByText(full.sources[0].external_id).waitFor();
    if (c.account_id) {
      const acc = await api(t.key, 'GET', `/api/data/accounts/${c.account_id}`);
      await page.getByRole('link', { name: acc.name, exact: true }).waitFor();
    }

    // Back to the list: its filters are kept.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Contacts' }).click();
    await waitRows(page, 'contacts', us1.data.map((r) => r.id));
    assert.equal(await page.getByLabel('Integration').inputValue(), us);

    // The other models, by keyboard (arrows on the tabs) and by mouse; the
    // integration filter carries over.
    await page.getByRole('tab', { name: 'Contacts' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/ui\/data\/accounts/);
    assert.equal(await page.getByRole('tab', { name: 'Accounts' }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Accounts');
    const accounts = await listApi(t.key, 'accounts', { integration_id: us });
    assert.ok(accounts.data.length > 0);
    await waitRows(page, 'accounts', accounts.data.map((r) => r.id));
    await page.getByRole('tab', { name: 'Deals' }).click();
    const deals = await listApi(t.key, 'deals', { integration_id: us });
    assert.ok(deals.data.length > 0);
    await waitRows(page, 'deals', deals.data.map((r) => r.id));
    await page.getByRole('tab', { name: 'Tickets' }).click();
    const tickets = await listApi(t.key, 'tickets', { integration_id: us });
    await waitRows(page, 'tickets', tickets.data.map((r) => r.id));
    assert.deepEqual(errors, []);

    // Another tenant sees nothing of this one's, not even by address.
    const other = newTenant('data-other');
    const ctx2 = await b.newContext({ baseURL: base });
    const p2 = await ctx2.newPage();
    await signIn(p2, other.key);
    await p2.goto('/ui/data/contacts');
    await p2.getByRole('heading', { name: 'No contacts yet' }).waitFor();
    await p2.getByRole('button', { name: 'Connect an integration' }).waitFor();
    assert.equal(await p2.locator('table[data-model]').count(), 0);
    await p2.goto(`/ui/data/contacts/${c.id}`);
    await p2.getByRole('heading', { name: 'Contact not found', level: 1 }).waitFor();
    await p2.getByRole('alert').filter({ hasText: 'It may have been deleted' }).waitFor();
    assert.equal(await p2.getByText(c.email || c.id, { exact: true }).count(), 0);
  } finally { await b.close(); }
});
