// tests/e2e/connect.test.mjs - the connect page (GET /connect) that a host
// product sends its users to, in a real browser: as a popup opened by
// web/connect.js from a host page this test serves, and as a full-page
// redirect, both through the sandbox's Salesforce consent page; the
// refusals (an opener on an origin the tenant did not register, an expired
// or spent token, connectors the session does not allow); a reconnect;
// a cancel; an API-key connector; and the tenant's branding, checked by
// axe-core in both themes.
import { test } from 'node:test';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { newTenant, browser, api, assertNoSecret, consentSalesforce, connectSalesforce, base, assert } from './lib.mjs';
import { fixtureServer } from './fixture_server.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// A host product's page: it includes the snippet from inlet and opens the
// popup with the token the test hands it (window.connectToken), writing
// what the promise gave into #result.
const hostPage = () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<script src="${base}/ui/connect.js"></script></head>
<body><h1>Host app</h1>
<button id="connect" type="button">Connect an account</button>
<output id="result"></output>
<script>
document.getElementById('connect').addEventListener('click', function () {
  var out = document.getElementById('result');
  InletConnect.open({ token: window.connectToken }).then(
    function (r) { out.textContent = JSON.stringify(r); },
    function (e) { out.textContent = JSON.stringify({ rejected: e.message, code: e.code }); });
});
</script></body></html>`;

// hostServer() -> {origin, seen, close}: the host product's server on a
// free loopback port; seen is every request it got (method, path and
// query, Referer), to show that no token ever reached it.
async function hostServer() {
  const seen = [];
  const srv = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.referer || ''}`);
    const path = new URL(req.url, 'http://host').pathname;
    if (path === '/app') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(hostPage());
    } else if (path === '/back') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Back</title></head><body><h1>Back in the host app</h1></body></html>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    origin: `http://127.0.0.1:${srv.address().port}`,
    seen,
    close: () => { srv.closeAllConnections(); return new Promise((r) => srv.close(r)); },
  };
}

// A tenant whose connect settings register the host's origin.
async function setUp(name, branding) {
  const t = newTenant(name);
  const host = await hostServer();
  await api(t.key, 'PUT', '/api/connect-settings', { allowed_origins: [host.origin], ...(branding ? { branding } : {}) });
  return { t, host };
}

const endUser = { id: 'usr_4711', email: 'ada@acme.example', display_name: 'Ada Lovelace' };

// Uncaught errors and console errors of a page (a popup is a page of its own).
function watchErrors(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
}

// Wait until the heading of a step has the focus (each step moves it there).
async function onStep(page, heading) {
  await page.getByRole('heading', { name: heading }).waitFor();
  await page.waitForFunction((h) => document.activeElement && document.activeElement.matches('h3.wiz-title')
    && document.activeElement.textContent.includes(h), heading);
}

const stepLabels = (page) => page.locator('.wiz-steps .wiz-step-label').allTextContents();

// The token is nowhere in the page (text, attributes, inputs, the address,
// cookies, localStorage) and in sessionStorage only under the page's own
// key, which it needs for the way back from the consent page.
async function assertTokenHidden(page, token) {
  const found = await page.evaluate((tok) => {
    const where = [];
    if (document.documentElement.outerHTML.includes(tok)) where.push('DOM');
    for (const el of document.querySelectorAll('input, textarea')) if (el.value.includes(tok)) where.push('an input');
    if (window.location.href.includes(tok)) where.push('the address');
    if (document.cookie.includes(tok)) where.push('a cookie');
    for (let i = 0; i < localStorage.length; i++) if ((localStorage.getItem(localStorage.key(i)) || '').includes(tok)) where.push('localStorage');
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i);
      if (k !== 'inlet.connect' && (sessionStorage.getItem(k) || '').includes(tok)) where.push(`sessionStorage ${k}`);
    }
    return where;
  }, token);
  assert.deepEqual(found, [], 'the connect token is in the page');
}

// Click the host page's button with this token: the popup it opens.
async function openPopup(page, token, errors) {
  await page.evaluate((tok) => { window.connectToken = tok; }, token);
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect')]);
  watchErrors(popup, errors);
  popup.setDefaultTimeout(15000);
  return popup;
}

const hostResult = async (page) => {
  await page.locator('#result').filter({ hasText: /\S/ }).waitFor();
  return JSON.parse(await page.locator('#result').textContent());
};

const tokenStatus = async (token) => {
  const r = await fetch(`${base}/api/connect/session`, { headers: { Authorization: `Bearer ${token}` } });
  const body = await r.json();
  return `${r.status} ${body.error ? body.error.code : 'ok'}`;
};

test('popup: the host page opens the connect page, which connects Salesforce and tells the host', async () => {
  const { t, host } = await setUp('connect-popup', { name: 'Acme Analytics' });
  const cs = await api(t.key, 'POST', '/api/connect-sessions', {
    end_user: endUser, allowed_connectors: ['salesforce', 'hubspot'], return_url: `${host.origin}/back`,
  });
  const { browser: b, page, errors } = await browser();
  try {
    await page.goto(`${host.origin}/app`);
    const popup = await openPopup(page, cs.token, errors);
    await popup.waitForURL(`${base}/connect`);   // without the token
    await popup.getByRole('heading', { name: 'Connect your account to Acme Analytics', level: 1 }).waitFor();

    // Only what the session allows, and a step to choose between them.
    await onStep(popup, 'Choose what to connect');
    assert.deepEqual(await stepLabels(popup), ['Choose', 'Connect', 'Test']);
    const radios = await popup.getByRole('radio').evaluateAll((els) => els.map((e) => e.value).sort());
    assert.deepEqual(radios, ['hubspot', 'salesforce']);
    await popup.getByRole('radio', { name: /^Salesforce/ }).check();
    await popup.getByRole('button', { name: 'Next' }).click();

    // Salesforce has no setting that must be filled: straight to Connect.
    await onStep(popup, 'Connect your Salesforce account');
    await popup.getByText('allow Acme Analytics to read your data').waitFor();
    await assertTokenHidden(popup, cs.token);
    await popup.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await consentSalesforce(popup);
    await popup.waitForURL(`${base}/connect`);   // the outcome is taken out of the address
    await onStep(popup, 'Test the connection');
    await popup.getByText('The connection works.').waitFor();
    await assertTokenHidden(popup, cs.token);

    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Done' }).click();
    await closed;
    const result = await hostResult(page);
    assert.equal(result.status, 'connected');
    assert.equal(result.connector, 'salesforce');
    assert.match(result.integration_id, /^int_/);

    // What the API says: the integration is active and is the end user's;
    // the session is completed and its token spent.
    const it = await api(t.key, 'GET', `/api/integrations/${result.integration_id}`);
    assert.equal(it.status, 'active');
    assert.equal(it.connector, 'salesforce');
    assert.deepEqual(it.end_user, endUser);
    assert.equal(it.name, 'Salesforce (Ada Lovelace)');
    const done = await api(t.key, 'GET', `/api/connect-sessions/${cs.id}`);
    assert.equal(done.status, 'completed');
    assert.equal(done.integration_id, result.integration_id);
    assert.equal(await tokenStatus(cs.token), '401 connect_session_expired');
    assert.equal((await api(t.key, 'GET', '/api/integrations')).data.length, 1);
    assert.deepEqual(errors, []);
  } finally { await b.close(); await host.close(); }
});

test('redirect: the session URL goes back to return_url with the outcome; the token never reaches a server', async () => {
  const { t, host } = await setUp('connect-redirect');
  const cs = await api(t.key, 'POST', '/api/connect-sessions', {
    end_user: { id: 'usr_42' }, allowed_connectors: ['salesforce'], return_url: `${host.origin}/back?from=inlet`,
  });
  assert.ok(cs.url.startsWith(`${base}/connect#token=inlet_cs_`), cs.url);
  const { browser: b, context, page, errors } = await browser();
  const requests = [];
  context.on('request', (r) => requests.push(`${r.url()} ${r.headers().referer || ''}`));
  try {
    await page.goto(cs.url);
    // No branding: the tenant's own name.
    await page.getByRole('heading', { name: `Connect your account to ${t.name}`, level: 1 }).waitFor();
    assert.equal(page.url(), `${base}/connect`, 'the fragment leaves the address');
    // One connector allowed: nothing to choose.
    await onStep(page, 'Connect your Salesforce account');
    assert.deepEqual(await stepLabels(page), ['Connect', 'Test']);
    assert.equal(await page.getByRole('radio').count(), 0);
    await assertTokenHidden(page, cs.token);
    await page.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await consentSalesforce(page);
    await onStep(page, 'Test the connection');
    await page.getByText('The connection works.').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();

    await page.waitForURL(`${host.origin}/back?**`);
    await page.getByRole('heading', { name: 'Back in the host app' }).waitFor();
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('from'), 'inlet', 'return_url keeps its own query');
    assert.equal(u.searchParams.get('inlet_connect'), 'connected');
    assert.equal(u.searchParams.get('connector'), 'salesforce');
    const id = u.searchParams.get('integration_id');
    const it = await api(t.key, 'GET', `/api/integrations/${id}`);
    assert.equal(it.status, 'active');
    assert.deepEqual(it.end_user, { id: 'usr_42', email: null, display_name: null });
    assert.equal((await api(t.key, 'GET', `/api/connect-sessions/${cs.id}`)).status, 'completed');

    // The fragment stays in the browser: no request (to inlet, the
    // provider or the host) carried the token in its address or Referer.
    assert.ok(requests.length > 5);
    assert.deepEqual(requests.filter((r) => r.includes('inlet_cs_')), []);
    assert.deepEqual(host.seen.filter((r) => r.includes('inlet_cs_')), []);
    assert.ok(host.seen.some((r) => r.startsWith('GET /back?')));

    // The link again, once spent: the page says so.
    await page.goto(cs.url);
    await page.getByText('This link has expired or was used. Go back to the app you came from and start again.').waitFor();
    assert.equal(page.url(), `${base}/connect`);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(errors, []);
  } finally { await b.close(); await host.close(); }
});

test('a popup opened from an origin the tenant did not register is refused, and nothing is made', async () => {
  const { t, host } = await setUp('connect-origin');
  const stranger = await hostServer();   // serves the same page, on an origin not registered
  const cs = await api(t.key, 'POST', '/api/connect-sessions', { end_user: endUser, return_url: `${host.origin}/back` });
  const { browser: b, page, errors } = await browser();
  try {
    await page.goto(`${stranger.origin}/app`);
    const popup = await openPopup(page, cs.token, errors);
    await popup.getByRole('heading', { name: 'This window was not opened by the right app' }).waitFor();
    await popup.getByText(`This page was opened from ${stranger.origin}, which this link was not made for.`).waitFor();
    assert.equal(await popup.evaluate(() => sessionStorage.length), 0, 'the token is not kept');
    assert.equal(await popup.getByRole('radio').count(), 0);
    assert.equal(await popup.getByRole('button', { name: 'Cancel' }).count(), 0);
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Close' }).click();
    await closed;
    assert.deepEqual(await hostResult(page), { rejected: 'The window was closed before the account was connected.', code: 'closed' });

    assert.deepEqual((await api(t.key, 'GET', '/api/integrations')).data, []);
    const s = await api(t.key, 'GET', `/api/connect-sessions/${cs.id}`);
    assert.equal(s.status, 'pending');
    assert.equal(s.integration_id, null);
    assert.equal(await tokenStatus(cs.token), '200 ok', 'still usable from the right origin');
    assert.deepEqual(errors, []);
  } finally { await b.close(); await host.close(); await stranger.close(); }
});

test('an unknown token is refused in both modes; a token spent in another tab sends the person back', async () => {
  const { t, host } = await setUp('connect-expired', { name: 'Acme Analytics' });
  const { browser: b, context, page, errors } = await browser();
  const bogus = 'inlet_cs_' + 'A'.repeat(43);
  try {
    // Redirect mode, never valid: the host is unknown, so it says "the app you came from".
    await page.goto(`${base}/connect#token=${bogus}`);
    await page.getByRole('heading', { name: 'This link can no longer be used' }).waitFor();
    await page.getByText('This link has expired or was used. Go back to the app you came from and start again.').waitFor();

    // Popup mode: Close tells the opener why.
    await page.goto(`${host.origin}/app`);
    const popup = await openPopup(page, bogus, errors);
    await popup.getByText('This link has expired or was used.').waitFor();
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Close' }).click();
    await closed;
    assert.deepEqual(await hostResult(page), { rejected: 'This link has expired or was used.', code: 'error' });

    // Two tabs with one link: the first finishes, the second learns at its
    // next call that the link was used, and goes back with an error.
    const cs = await api(t.key, 'POST', '/api/connect-sessions', {
      end_user: endUser, allowed_connectors: ['salesforce'], return_url: `${host.origin}/back`,
    });
    const late = await context.newPage();
    watchErrors(late, errors);
    await late.goto(cs.url);
    await onStep(late, 'Connect your Salesforce account');
    await page.goto(cs.url);
    await onStep(page, 'Connect your Salesforce account');
    await page.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await consentSalesforce(page);
    await page.getByText('The connection works.').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.waitForURL(`${host.origin}/back?**`);
    const id = new URL(page.url()).searchParams.get('integration_id');

    await late.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await late.getByText('This link has expired or was used. Go back to Acme Analytics and start again.').waitFor();
    await late.getByRole('button', { name: 'Back to Acme Analytics' }).click();
    await late.waitForURL(`${host.origin}/back?**`);
    const u = new URL(late.url());
    assert.equal(u.searchParams.get('inlet_connect'), 'error');
    assert.equal(u.searchParams.get('message'), 'This link has expired or was used.');
    // The late tab made nothing.
    assert.deepEqual((await api(t.key, 'GET', '/api/integrations')).data.map((x) => x.id), [id]);
    assert.deepEqual(errors, []);
  } finally { await b.close(); await host.close(); }
});

test('a reconnect session skips choosing, works with the keyboard alone, and keeps the integration', async () => {
  const { t, host } = await setUp('connect-reconnect');
  const { browser: b, page, errors } = await browser();
  const kb = page.keyboard;
  try {
    const id = await connectSalesforce(page, t.key, 'Sales EU');
    const cs = await api(t.key, 'POST', '/api/connect-sessions', {
      end_user: endUser, integration_id: id, return_url: `${host.origin}/back`,
    });
    await page.goto(cs.url);
    await onStep(page, 'Connect your Salesforce account');
    assert.deepEqual(await stepLabels(page), ['Connect', 'Test']);
    // Keyboard only: Tab to the button, Enter.
    for (let i = 0; i < 20 && !(await page.evaluate(() => document.activeElement.textContent.trim() === 'Continue to Salesforce')); i++) await kb.press('Tab');
    await kb.press('Enter');
    await consentSalesforce(page);
    await onStep(page, 'Test the connection');
    await page.getByText('The connection works.').waitFor();
    for (let i = 0; i < 20 && !(await page.evaluate(() => document.activeElement.textContent.trim() === 'Done')); i++) await kb.press('Tab');
    await kb.press('Enter');
    await page.waitForURL(`${host.origin}/back?**`);
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('inlet_connect'), 'connected');
    assert.equal(u.searchParams.get('integration_id'), id);
    const list = (await api(t.key, 'GET', '/api/integrations')).data;
    assert.deepEqual(list.map((x) => [x.id, x.name, x.status]), [[id, 'Sales EU', 'active']]);
    assert.equal((await api(t.key, 'GET', `/api/connect-sessions/${cs.id}`)).status, 'completed');
    assert.deepEqual(errors, []);
  } finally { await b.close(); await host.close(); }
});

test('Cancel removes the integration the page made and tells the host', async () => {
  const { t, host } = await setUp('connect-cancel');
  const cs = await api(t.key, 'POST', '/api/connect-sessions', {
    end_user: endUser, allowed_connectors: ['salesforce'], return_url: `${host.origin}/back`,
  });
  const { browser: b, page, errors } = await browser();
  try {
    await page.goto(`${host.origin}/app`);
    const popup = await openPopup(page, cs.token, errors);
    await onStep(popup, 'Connect your Salesforce account');
    await popup.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await consentSalesforce(popup);
    await popup.getByText('The connection works.').waitFor();
    const made = (await api(t.key, 'GET', '/api/integrations')).data;
    assert.equal(made.length, 1);
    assert.equal(made[0].status, 'active');

    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Cancel' }).click();
    await closed;
    assert.deepEqual(await hostResult(page), { status: 'cancelled' });
    assert.deepEqual((await api(t.key, 'GET', '/api/integrations')).data, []);
    // The host reads the outcome from the session too; its token is spent.
    const s = await api(t.key, 'GET', `/api/connect-sessions/${cs.id}`);
    assert.equal(s.status, 'cancelled');
    assert.equal(s.integration_id, null);
    assert.deepEqual(errors, []);
  } finally { await b.close(); await host.close(); }
});

test('an API-key connector: the key goes in a write-only field and never comes back', async () => {
  const srv = await fixtureServer('connect-key');
  const host = await hostServer();
  const secret = `sk_test_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const { browser: b, page, errors } = await browser();
  try {
    await srv.call('PUT', '/api/connect-settings', { allowed_origins: [host.origin], branding: { name: 'Acme Analytics' } });
    const cs = await srv.call('POST', '/api/connect-sessions', {
      end_user: endUser, allowed_connectors: ['tap-counter'], return_url: `${host.origin}/back`,
    });
    await page.goto(cs.url);
    // Its settings are all optional: no settings step.
    await onStep(page, 'Connect your Counter (test tap) account');
    assert.deepEqual(await stepLabels(page), ['Connect', 'Test']);
    const input = page.getByLabel('API key');
    assert.equal(await input.getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.locator('[data-field="api_key"] .field-error').filter({ hasText: 'Required.' }).waitFor();
    assert.deepEqual((await srv.call('GET', '/api/integrations')).data, []);
    await input.fill(secret);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();

    // No test request in this connector's file: Done is there at once.
    await onStep(page, 'Test the connection');
    await page.getByText('has no connection test').waitFor();
    await assertNoSecret(page, [secret]);
    await assertTokenHidden(page, cs.token);
    await page.getByRole('button', { name: 'Back' }).click();
    await onStep(page, 'Connect your Counter (test tap) account');
    await page.getByText('Set', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('API key').count(), 0);
    await page.getByRole('button', { name: 'Next' }).click();
    await onStep(page, 'Test the connection');
    await page.getByRole('button', { name: 'Done' }).click();

    await page.waitForURL(`${host.origin}/back?**`);
    const id = new URL(page.url()).searchParams.get('integration_id');
    const it = await srv.call('GET', `/api/integrations/${id}`);
    assert.equal(it.status, 'active');
    assert.deepEqual(it.secrets_set, ['api_key']);
    assert.deepEqual(it.end_user, endUser);
    assert.equal((await srv.call('GET', `/api/connect-sessions/${cs.id}`)).status, 'completed');
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await host.close();
    await srv.stop();
  }
});

// A 40x40 SVG logo as a data: URL, as the branding allows.
const logo = 'data:image/svg+xml;base64,' + Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" rx="8" fill="#7a1fa2"/></svg>').toString('base64');

// The page's serious and critical axe violations (WCAG 2 A and AA).
async function violations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary.split('\n')[1] || ''})`));
  });
}

const styleOf = (loc) => loc.evaluate((el) => {
  const s = getComputedStyle(el);
  return { background: s.backgroundColor, color: s.color };
});

for (const scheme of ['light', 'dark']) {
  test(`the tenant's name, logo and accent colour, and axe finds nothing (${scheme} theme)`, async () => {
    const { t, host } = await setUp(`connect-brand-${scheme}`, { name: 'Acme Analytics', logo_url: logo, accent_color: '#7a1fa2' });
    const cs = await api(t.key, 'POST', '/api/connect-sessions', {
      end_user: endUser, allowed_connectors: ['salesforce', 'hubspot', 'slack'], return_url: `${host.origin}/back`,
    });
    const { browser: b, page, errors } = await browser({ colorScheme: scheme });
    try {
      await page.goto(cs.url);
      await page.getByRole('heading', { name: 'Connect your account to Acme Analytics', level: 1 }).waitFor();
      assert.equal(await page.title(), 'Connect your account to Acme Analytics');
      const img = page.getByRole('img', { name: 'Acme Analytics logo' });
      assert.equal(await img.getAttribute('src'), logo);
      await page.waitForFunction(() => { const i = document.querySelector('.connect-logo'); return i && i.complete && i.naturalWidth > 0; });
      await onStep(page, 'Choose what to connect');
      assert.equal(await page.getByRole('radio').count(), 3);
      await page.getByText('Loading').waitFor({ state: 'detached' });

      // The primary button in the accent colour, with white text on it
      // (a dark purple). The focus ring takes the colour where it
      // contrasts 3:1 with the page (the light theme), else stays inlet's
      // (the dark theme's #9db5ff).
      const next = page.getByRole('button', { name: 'Next' });
      assert.deepEqual(await styleOf(next), { background: 'rgb(122, 31, 162)', color: 'rgb(255, 255, 255)' });
      await page.getByRole('radio', { name: /^Salesforce/ }).focus();
      await page.keyboard.press('Tab');   // keyboard focus: the ring shows
      const ring = await page.evaluate(() => {
        const el = document.activeElement;
        return { on: el.textContent.trim(), visible: el.matches(':focus-visible'), color: getComputedStyle(el).outlineColor };
      });
      assert.deepEqual(ring, { on: 'Next', visible: true, color: scheme === 'light' ? 'rgb(122, 31, 162)' : 'rgb(157, 181, 255)' });
      assert.deepEqual(await violations(page), [], `choose step (${scheme})`);

      await page.getByRole('radio', { name: /^Salesforce/ }).check();
      await next.click();
      await onStep(page, 'Connect your Salesforce account');
      assert.deepEqual(await styleOf(page.getByRole('button', { name: 'Continue to Salesforce' })),
        { background: 'rgb(122, 31, 162)', color: 'rgb(255, 255, 255)' });
      assert.deepEqual(await violations(page), [], `connect step (${scheme})`);
      await assertTokenHidden(page, cs.token);

      // A light accent gets black text; without one, inlet's colours. (A
      // page loaded again starts again at the first step.)
      await api(t.key, 'PUT', '/api/connect-settings', { branding: { name: 'Acme Analytics', accent_color: '#ffd400' } });
      await page.reload();
      await onStep(page, 'Choose what to connect');
      assert.deepEqual(await styleOf(page.getByRole('button', { name: 'Next' })), { background: 'rgb(255, 212, 0)', color: 'rgb(0, 0, 0)' });
      assert.equal(await page.locator('.connect-logo').count(), 0, 'no logo set');
      assert.deepEqual(await violations(page), [], `light accent (${scheme})`);
      await api(t.key, 'PUT', '/api/connect-settings', { branding: {} });
      await page.reload();
      await onStep(page, 'Choose what to connect');
      await page.getByRole('heading', { name: `Connect your account to ${t.name}`, level: 1 }).waitFor();
      const own = await page.evaluate(() => {
        const s = getComputedStyle(document.documentElement);
        return { background: s.getPropertyValue('--accent').trim(), color: s.getPropertyValue('--accent-text').trim() };
      });
      const hex = (rgb) => '#' + rgb.match(/\d+/g).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('');
      const btn = await styleOf(page.getByRole('button', { name: 'Next' }));
      assert.deepEqual({ background: hex(btn.background), color: hex(btn.color) }, own);

      // The expired screen passes too.
      await page.goto(`${base}/connect#token=inlet_cs_${'B'.repeat(43)}`);
      await page.getByRole('heading', { name: 'This link can no longer be used' }).waitFor();
      assert.deepEqual(await violations(page), [], `expired (${scheme})`);
      assert.deepEqual(errors, []);
    } finally { await b.close(); await host.close(); }
  });
}
