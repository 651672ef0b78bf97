// tests/e2e/notifications.test.mjs - a sync that fails (the Salesforce
// emulator answering 500 to every data call) started from the dashboard:
// a toast names the failure, the bell counts it, its item leads to the
// integration and is then read; the notifications page lists, filters and
// marks all read.
import { test } from 'node:test';
import { newTenant, browser, signIn, api, connectSalesforce, sandbox, assert } from './lib.mjs';

async function faults(body) {
  const r = await fetch(`${sandbox}/_sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.text());
}
const failEverything = () => faults({ error_every: 1, error_status: 500 });

// The integration's latest run, once it has ended.
async function ended(key, id, status) {
  const deadline = Date.now() + 120000;
  for (;;) {
    const runs = (await api(key, 'GET', `/api/integrations/${id}/runs?limit=1`)).data;
    if (runs.length && runs[0].status !== 'queued' && runs[0].status !== 'running') {
      assert.equal(runs[0].status, status, JSON.stringify(runs[0]));
      return runs[0];
    }
    assert.ok(Date.now() < deadline, 'the sync did not end in time');
    await new Promise((res) => setTimeout(res, 250));
  }
}

const bellButton = (page) => page.getByRole('banner').locator('button.bell-btn');
const waitUnread = (page, n, timeout = 15000) =>
  page.waitForFunction((n) => document.querySelector('button.bell-btn')?.dataset.unread === String(n), n, { timeout });

test('a failing sync: toast, bell count, the link to the fix, read; mark all read', async () => {
  const t = newTenant('notify');
  const { browser: b, page, errors } = await browser();
  try {
    const id = await connectSalesforce(page, t.key, 'Sales EU');
    await api(t.key, 'POST', `/api/integrations/${id}/discover`);
    await signIn(page, t.key);
    await waitUnread(page, 0);
    assert.equal(await bellButton(page).getAttribute('aria-label'), 'Notifications');

    // The fault, then Sync now on the dashboard.
    await failEverything();
    await page.getByRole('button', { name: 'Sync Sales EU now' }).click();
    await ended(t.key, id, 'failed');
    const api1 = await api(t.key, 'GET', '/api/notifications?unread=true');
    assert.equal(api1.unread, 1);
    const n = api1.data[0];
    assert.equal(n.event, 'sync.failed');
    assert.equal(n.title, 'Sync failed: Sales EU');

    // The bell hears of it by itself (it asks every 15 s): a toast naming
    // the failure, and the count.
    const toast = page.locator('.toasts .toast').filter({ hasText: 'Sync failed: Sales EU' });
    await toast.waitFor({ timeout: 40000 });
    assert.equal(await toast.getAttribute('data-kind'), 'error');
    await waitUnread(page, 1);
    assert.equal(await bellButton(page).getAttribute('aria-label'), 'Notifications, 1 unread');
    await page.locator('.bell-count').filter({ hasText: '1' }).waitFor();

    // The popover by keyboard: it opens on Enter with the item focused,
    // Escape closes it and gives focus back to the bell.
    await bellButton(page).focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    const item = panel.locator(`[data-notification="${n.id}"] a`);
    await item.waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('.note') !== null);
    await item.getByText('Error', { exact: true }).waitFor();
    await item.getByText(n.title, { exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('bell-btn')), true);

    // The item leads to the integration (its link's path, inside the app)
    // and becomes read.
    const path = new URL(n.link).pathname;
    assert.equal(path, `/ui/integrations/${id}`);
    await bellButton(page).click();
    assert.equal(await item.getAttribute('href'), path);
    await item.click();
    await page.waitForURL(`**${path}`);
    await page.locator('main h1').waitFor();
    await waitUnread(page, 0);
    assert.equal(await bellButton(page).getAttribute('aria-label'), 'Notifications');
    const api2 = await api(t.key, 'GET', '/api/notifications');
    assert.equal(api2.unread, 0);
    assert.equal(api2.data.find((x) => x.id === n.id).read, true);

    // Two more: it recovers (info), then fails again (error).
    await faults({});
    await api(t.key, 'POST', `/api/integrations/${id}/sync`, {});
    await ended(t.key, id, 'success');
    await failEverything();
    await api(t.key, 'POST', `/api/integrations/${id}/sync`, {});
    await ended(t.key, id, 'failed');
    const api3 = await api(t.key, 'GET', '/api/notifications');
    assert.equal(api3.unread, 2);
    assert.deepEqual(api3.data.map((x) => x.event), ['sync.failed', 'sync.recovered', 'sync.failed']);

    // The page: all of them, then only the unread, then mark all read.
    await bellButton(page).click();
    await panel.getByRole('link', { name: 'See all notifications' }).click();
    await page.waitForURL('**/ui/notifications');
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await waitUnread(page, 2);
    const list = page.getByRole('list', { name: 'Notifications' });
    await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('.note-list [data-notification]')]
      .map((e) => e.dataset.notification)) === JSON.stringify(ids), api3.data.map((x) => x.id));
    await list.locator(`[data-notification="${api3.data[1].id}"]`).getByText('Sync recovered: Sales EU').waitFor();
    await page.getByRole('button', { name: 'Unread (2)' }).click();
    await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('.note-list [data-notification]')]
      .map((e) => e.dataset.notification)) === JSON.stringify(ids), api3.data.filter((x) => !x.read).map((x) => x.id));
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.locator('.toasts .toast').filter({ hasText: '2 notifications marked read.' }).waitFor();
    await page.getByRole('heading', { name: 'Nothing unread' }).waitFor();
    await waitUnread(page, 0);
    assert.equal((await api(t.key, 'GET', '/api/notifications?unread=true')).unread, 0);
    assert.deepEqual(errors, []);
  } finally {
    await faults({}).catch(() => {});
    await b.close();
  }
});
