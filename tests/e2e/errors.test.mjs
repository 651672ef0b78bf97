// tests/e2e/errors.test.mjs - failures shown as sentences a person can act
// on, never a status, a stack or raw JSON: the network down (the browser
// offline), the session ended (401), too many requests (429, from a
// second inlet server with a tight rate limit over the same database), and
// server errors (500, 503) from a loopback server that answers only those.
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import http from 'node:http';
import { newTenant, browser, signIn, api, base, assert } from './lib.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function noRawErrors(page) {
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /\{"error"|\b(401|429|500|503)\b|TypeError|at \w+ \(/, 'raw error in the page');
}

test('offline: a sentence, and what was typed stays', async () => {
  const t = newTenant('offline');
  await api(t.key, 'POST', '/api/integrations', { connector: 'salesforce', name: 'Offline org' });
  const { browser: b, page, context, errors } = await browser();
  try {
    await signIn(page, t.key);
    await page.getByPlaceholder('Search by name').fill('Off');
    await page.locator('tbody tr').first().waitFor();
    await context.setOffline(true);
    await page.getByPlaceholder('Search by name').fill('Offl');
    await page.getByRole('alert').filter({ hasText: 'inlet cannot be reached' }).waitFor();
    assert.equal(await page.getByPlaceholder('Search by name').inputValue(), 'Offl');
    await noRawErrors(page);
    await context.setOffline(false);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('tbody tr').first().waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('the session ends under the user: back to sign in, saying so', async () => {
  const t = newTenant('ended');
  const { browser: b, page, context } = await browser();
  try {
    await signIn(page, t.key);
    await context.clearCookies();
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByRole('alert').filter({ hasText: 'Your session has ended. Sign in again to go on.' }).waitFor();
    await page.getByLabel('API key').fill(t.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Marketplace', level: 1 }).waitFor();
  } finally { await b.close(); }
});

test('too many requests: the page says when to try again', async () => {
  const t = newTenant('limited');
  const id = (await api(t.key, 'POST', '/api/integrations', { connector: 'salesforce', name: 'Busy org' })).id;
  // A second server over the same database (the environment run.sh set),
  // with a bucket of a few requests refilled at one a minute.
  const port = await freePort();
  const other = `http://127.0.0.1:${port}`;
  const child = spawn(process.env.INLET, ['serve', '--listen', `127.0.0.1:${port}`, '--workers', '0'], {
    env: { ...process.env, INLET_RATE_LIMIT: '0.016/s,12', INLET_PUBLIC_URL: other }, stdio: 'ignore',
  });
  const { browser: b, page } = await browser();
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${other}/healthz`)).ok) break; } catch (e) { /* not yet */ }
      assert.ok(i < 100, 'the second server did not come up');
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(`${other}/`);
    await page.getByLabel('API key').fill(t.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator(`tr[data-integration="${id}"]`).waitFor();
    // Each search is a request: the bucket empties, and the list says when
    // to try again instead of showing rows.
    const search = page.getByPlaceholder('Search by name');
    const limited = page.getByRole('alert').filter({ hasText: 'Too many requests right now' });
    for (let i = 0; i < 30 && !(await limited.count()); i++) {
      await search.fill(i % 2 ? 'Busy' : 'Bus');
      await page.waitForTimeout(50);
    }
    await limited.waitFor();
    assert.match(await limited.innerText(), /Too many requests right now\. Try again in \d+ seconds?\./);
    await noRawErrors(page);
  } finally {
    await b.close();
    child.kill('SIGTERM');
  }
});

test('server errors read as sentences (a loopback server that fails every call)', async () => {
  // The UI's own modules from inlet, the API calls answered by a server
  // that fails: 500 on every call, 503 on the second page load.
  let status = 500;
  const srv = http.createServer(async (req, res) => {
    if (req.url.startsWith('/api/')) {
      if (req.url === '/api/session' && req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"tenant_id":"ten_x","key_id":"key_x","via":"session","csrf_token":"c"}');
        return;
      }
      res.writeHead(status, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end(JSON.stringify({ error: { code: status === 500 ? 'internal' : 'unavailable', message: 'internal error; the server log has the details', details: null } }));
      return;
    }
    const r = await fetch(base + req.url);
    const headers = { 'Content-Type': r.headers.get('Content-Type') };
    if (r.headers.get('Content-Security-Policy')) headers['Content-Security-Policy'] = r.headers.get('Content-Security-Policy');
    res.writeHead(r.status, headers);
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${srv.address().port}`;
  const { browser: b, page } = await browser();
  try {
    await page.goto(`${url}/`);
    await page.getByRole('alert').filter({ hasText: 'Something went wrong on the server. Try again; if it keeps happening, the server log has the details.' }).first().waitFor();
    await noRawErrors(page);
    status = 503;
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'The server is busy. Try again in a moment.' }).first().waitFor();
    await noRawErrors(page);
  } finally {
    await b.close();
    srv.close();
  }
});
