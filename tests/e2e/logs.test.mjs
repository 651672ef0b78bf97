// tests/e2e/logs.test.mjs - the run logs and a run's detail: a sync started
// from the page runs live and ends with the counts the API reports, the
// detail's per-stream counts and log are the API's, the server's paging
// works past one page, and a long run (the sandbox slowed down) can be
// cancelled from its page.
import { test } from 'node:test';
import { newTenant, browser, signIn, api, assert, connectSalesforce, sandbox } from './lib.mjs';

const faults = (body) => fetch(`${sandbox}/_sandbox/faults`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
}).then((r) => assert.equal(r.status, 200, 'the sandbox took the faults'));

// A connected Salesforce integration with its catalog discovered (and,
// when streams are given, only those selected).
async function setUp(page, key, name, streams) {
  const id = await connectSalesforce(page, key, name);
  await api(key, 'POST', `/api/integrations/${id}/discover`);
  if (streams) await api(key, 'PUT', `/api/integrations/${id}/catalog`, { streams: streams.map((s) => ({ tap_stream_id: s })) });
  return id;
}

// The run once it has ended, as the API has it.
async function ended(key, runId) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const r = await api(key, 'GET', `/api/runs/${runId}`);
    if (r.status !== 'queued' && r.status !== 'running') return r;
    assert.ok(Date.now() < deadline, `run ${runId} is still ${r.status}`);
    await new Promise((res) => setTimeout(res, 150));
  }
}

const number = (s) => Number(String(s).replace(/[^0-9-]/g, ''));

test('a sync started from the logs runs live, ends with the API\'s counts, and its detail matches', async () => {
  const t = newTenant('logs');
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    const id = await setUp(page, t.key, 'Logs SF');
    await page.goto(`/ui/integrations/${id}/runs`);
    await page.getByRole('heading', { name: 'Run logs', level: 1 }).waitFor();
    await page.getByText('No runs yet').waitFor();

    // Slow the provider down so that the run is seen running.
    await faults({ latency_ms: 250 });
    await page.getByRole('button', { name: 'Sync now' }).click();
    const row = page.locator('tr[data-run]').first();
    await page.locator('tr[data-run][data-status="running"], tr[data-run][data-status="queued"]').first().waitFor();
    await page.locator('tr[data-run][data-status="running"]').first().waitFor({ timeout: 30000 });
    const runId = await row.getAttribute('data-run');
    const before = await row.locator('[data-duration]').textContent();
    // The duration ticks and the counts grow while it runs.
    await page.waitForFunction(([rid, d]) => {
      const r = document.querySelector(`tr[data-run="${rid}"]`);
      return r && r.querySelector('[data-duration]').textContent !== d;
    }, [runId, before], { timeout: 30000 });
    await faults({});
    await page.locator(`tr[data-run="${runId}"][data-status="success"]`).waitFor({ timeout: 60000 });

    const run = await ended(t.key, runId);
    assert.equal(run.status, 'success');
    assert.ok(run.counts.processed > 0, 'the sync read records');
    for (const k of ['processed', 'created', 'updated', 'failed'])
      assert.equal(number(await row.locator(`[data-count="${k}"]`).textContent()), run.counts[k], `${k} on the logs page`);
    const listed = (await api(t.key, 'GET', `/api/integrations/${id}/runs`)).data;
    assert.equal(listed[0].id, runId, 'the new run is at the top');

    // The detail: totals, per-stream counts and the log, as the API has them.
    await row.getByRole('link').click();
    await page.waitForURL(`**/ui/runs/${runId}`);
    await page.getByRole('heading', { name: /^Run of / }).waitFor();
    await page.locator('ul[aria-label="Counts"] [data-count="processed"]').waitFor();
    for (const k of ['processed', 'created', 'updated', 'unchanged', 'deleted', 'failed'])
      assert.equal(number(await page.locator(`ul[aria-label="Counts"] [data-count="${k}"]`).textContent()), run.counts[k], `total ${k}`);
    const streams = Object.keys(run.streams);
    assert.ok(streams.length > 1, 'the API counts per stream');
    assert.equal(await page.locator('table[aria-label="Counts per stream"] tbody tr').count(), streams.length);
    for (const s of streams)
      for (const [k, v] of Object.entries(run.streams[s]))
        assert.equal(number(await page.locator(`tr[data-stream="${s}"] [data-count="${k}"]`).textContent()), v, `${s} ${k}`);
    assert.equal(await page.locator('ol[aria-label="Run log"] li').count(), run.log.length, 'every log line');
    await page.locator('ol[aria-label="Run log"]').getByText(run.log[0].message, { exact: true }).first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel sync' }).count(), 0, 'an ended run cannot be cancelled');

    // The breadcrumbs lead back to the logs and the integration.
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    await crumbs.getByRole('link', { name: 'Logs', exact: true }).click();
    await page.getByRole('heading', { name: 'Run logs', level: 1 }).waitFor();
    await page.goto(`/ui/runs/${runId}`);
    await crumbs.getByRole('link', { name: 'Logs SF', exact: true }).click();
    await page.waitForURL(`**/ui/integrations/${id}`);
    assert.deepEqual(errors, []);
  } finally { await faults({}).catch(() => {}); await b.close(); }
});

test('the logs page through the server\'s pages', async () => {
  const t = newTenant('logs-pages');
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    // One small stream keeps each of the eleven syncs short.
    const id = await setUp(page, t.key, 'Paged SF', ['User']);
    for (let i = 0; i < 11; i++) {
      const run = await api(t.key, 'POST', `/api/integrations/${id}/sync`, {});
      await ended(t.key, run.id);
    }
    const first = await api(t.key, 'GET', `/api/integrations/${id}/runs?limit=10`);
    assert.ok(first.next_cursor, 'the API has a second page');
    const second = await api(t.key, 'GET', `/api/integrations/${id}/runs?limit=10&cursor=${encodeURIComponent(first.next_cursor)}`);

    await page.goto(`/ui/integrations/${id}/runs`);
    await page.getByRole('heading', { name: 'Run logs', level: 1 }).waitFor();
    await page.getByLabel('Runs per page').selectOption('10');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 10);
    const ids = () => page.locator('tr[data-run]').evaluateAll((els) => els.map((e) => e.dataset.run));
    assert.deepEqual(await ids(), first.data.map((r) => r.id), 'page 1, newest first');

    const pages = page.getByRole('navigation', { name: 'Run pages' });
    await pages.getByRole('button', { name: 'Next' }).click();
    await pages.getByText('Page 2').waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-run]').length === n, second.data.length);
    assert.deepEqual(await ids(), second.data.map((r) => r.id), 'page 2');
    assert.equal(await pages.getByRole('button', { name: 'Next' }).isDisabled(), !second.next_cursor);

    await pages.getByRole('button', { name: 'Previous' }).click();
    await pages.getByText('Page 1').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run]').length === 10);
    assert.deepEqual(await ids(), first.data.map((r) => r.id));
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('a long run shows its progress and is cancelled from its page', async () => {
  const t = newTenant('logs-cancel');
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    const id = await setUp(page, t.key, 'Slow SF');
    // Every provider call now takes 1.5 s: the run lasts long enough.
    await faults({ latency_ms: 1500 });
    const started = await api(t.key, 'POST', `/api/integrations/${id}/sync`, { mode: 'full' });
    await page.goto(`/ui/runs/${started.id}`);
    await page.getByRole('heading', { name: /^Run of / }).waitFor();
    await page.locator('.facts [data-status="running"]').waitFor({ timeout: 30000 });
    // Counts grow on the page while it runs (the page polls the server).
    await page.waitForFunction(() => {
      const el = document.querySelector('ul[aria-label="Counts"] [data-count="processed"]');
      return el && Number(el.textContent.replace(/[^0-9]/g, '')) > 0;
    }, null, { timeout: 45000 });
    assert.equal((await api(t.key, 'GET', `/api/runs/${started.id}`)).status, 'running', 'still running when cancelled');

    await page.getByRole('button', { name: 'Cancel sync' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this sync?' });
    await dialog.getByRole('button', { name: 'Cancel sync' }).click();
    await page.locator('.toast', { hasText: 'The sync is cancelled' }).waitFor();
    await page.locator('.facts [data-status="cancelled"]').waitFor();
    await page.locator('[data-problem]', { hasText: 'This sync was cancelled' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel sync' }).count(), 0);
    const run = await api(t.key, 'GET', `/api/runs/${started.id}`);
    assert.equal(run.status, 'cancelled');
    assert.deepEqual(errors, []);
  } finally { await faults({}).catch(() => {}); await b.close(); }
});
