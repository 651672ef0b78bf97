// tests/e2e/wizard.test.mjs - the add-integration wizard in a real browser:
// Salesforce from the marketplace through the sandbox's consent page to a
// first sync that ends in success; Back and Next keeping what was typed; the
// server's per-field refusals under their field; the provider saying no, and
// a cancelled wizard leaving nothing behind; the whole way with the keyboard
// only; and an API-key connector whose key never reaches the page.
import { test } from 'node:test';
import { newTenant, browser, signIn, api, assertNoSecret, consentSalesforce, base, assert } from './lib.mjs';
import { fixtureServer } from './fixture_server.mjs';

const fmt = new Intl.NumberFormat('en');
const topMeta = (st) => st.metadata.find((m) => m.breadcrumb.length === 0).metadata;
const fieldMeta = (st, f) => (st.metadata.find((m) => m.breadcrumb.length === 2 && m.breadcrumb[1] === f) || { metadata: {} }).metadata;
const selectedOf = (st) => !!(topMeta(st).selected ?? topMeta(st)['selected-by-default']);

// The focused element, described: what a keyboard user is on.
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el) return {};
  const label = el.labels && el.labels[0] ? el.labels[0].textContent.trim() : '';
  return { tag: el.tagName.toLowerCase(), type: el.type || '', text: (el.textContent || '').trim(), aria: el.getAttribute('aria-label') || '', label, name: el.name || '' };
});

// Press Tab (or Shift+Tab) until the focused element matches, as a person
// does; fails after max presses.
async function tabTo(page, want, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    const f = await focused(page);
    if (want(f)) return f;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`no element matched after ${max} Tab presses`);
}

async function currentStep(page) {
  return page.locator('.wiz-steps [aria-current="step"] .wiz-step-label').textContent();
}

// Wait until an input holds value (some are filled in after a call).
const hasValue = (page, label, value) => page.waitForFunction(([l, v]) => [...document.querySelectorAll('input')]
  .some((el) => el.labels && el.labels[0] && el.labels[0].textContent.trim() === l && el.value === v), [label, value]);

// Wait until the heading of a step has the focus (each step moves it there).
async function onStep(page, heading) {
  const dlg = page.getByRole('dialog');
  await dlg.getByRole('heading', { name: heading }).waitFor();
  await page.waitForFunction((h) => document.activeElement && document.activeElement.matches('h3.wiz-title')
    && document.activeElement.textContent.includes(h), heading);
}

test('the wizard connects Salesforce through its consent page to a first sync that succeeds', async () => {
  const t = newTenant('wizard-sf');
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByRole('button', { name: 'Connect Salesforce' }).click();
    const dlg = page.getByRole('dialog', { name: 'Add Salesforce' });
    await onStep(page, 'Settings');
    assert.equal(await currentStep(page), 'Settings');
    // Opened for Salesforce: no connector step; the indicator lists the rest.
    assert.deepEqual(await page.locator('.wiz-steps .wiz-step-label').allTextContents(),
      ['Settings', 'Connect', 'Test', 'Streams', 'Schedule', 'Review']);
    await hasValue(page, 'Integration name', 'Salesforce');
    await dlg.getByLabel('Integration name').fill('Sales EU');
    // The optional settings are folded, with their defaults.
    assert.equal(await dlg.getByLabel('API version').isVisible(), false);
    await dlg.getByText('Advanced settings').click();
    assert.equal(await dlg.getByLabel('API version').inputValue(), 'v61.0');
    assert.equal(await dlg.getByLabel('Org type').inputValue(), '0');
    await dlg.getByRole('button', { name: 'Next' }).click();

    await onStep(page, 'Connect your Salesforce account');
    await dlg.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await consentSalesforce(page);
    // Back in the wizard, at the test step, the outcome gone from the address.
    await page.waitForURL(`${base}/ui/marketplace`);
    await onStep(page, 'Test the connection');
    assert.equal(await currentStep(page), 'Test');
    await dlg.getByText('The connection works.').waitFor();
    const it = (await api(t.key, 'GET', '/api/integrations')).data.find((x) => x.name === 'Sales EU');
    assert.equal(it.status, 'active');
    assert.deepEqual(it.config, { login_host: 'login.salesforce.com', api_version: 'v61.0' });
    await dlg.getByRole('button', { name: 'Next' }).click();

    await onStep(page, 'Choose streams and fields');
    const streams = dlg.getByRole('list', { name: 'Streams' });
    await streams.locator('[data-stream="Account"]').waitFor();
    const discovered = await api(t.key, 'GET', `/api/integrations/${it.id}/catalog`);
    assert.equal(await streams.locator('[data-stream]').count(), discovered.streams.length);
    assert.ok(selectedOf(discovered.streams.find((s) => s.tap_stream_id === 'User')), 'User is selected by default');
    await streams.locator('[data-stream="User"]').getByRole('checkbox', { name: 'User' }).uncheck();
    const account = streams.locator('[data-stream="Account"]');
    await account.getByText('Fields of Account').click();
    await account.getByRole('checkbox', { name: 'Website' }).uncheck();
    await account.getByText('11 of 12 fields').waitFor();
    // The search filters the list, and Back/Next keep the choice.
    await dlg.getByPlaceholder('Search streams and fields').fill('invoice');
    assert.deepEqual(await streams.locator('[data-stream]').evaluateAll((els) => els.map((e) => e.dataset.stream)), ['Invoice__c']);
    await dlg.getByPlaceholder('Search streams and fields').fill('');
    await dlg.getByRole('button', { name: 'Back' }).click();
    await onStep(page, 'Test the connection');
    await dlg.getByRole('button', { name: 'Next' }).click();
    await onStep(page, 'Choose streams and fields');
    assert.equal(await streams.locator('[data-stream="User"]').getByRole('checkbox', { name: 'User' }).isChecked(), false);
    await dlg.getByRole('button', { name: 'Next' }).click();

    await onStep(page, 'Schedule');
    await dlg.getByText('All times are in UTC').waitFor();
    await dlg.getByRole('radio', { name: 'Every day' }).check();
    await dlg.getByLabel('Time, in UTC').fill('06:00');
    await dlg.getByRole('button', { name: 'Next' }).click();

    await onStep(page, 'Review and save');
    await dlg.getByText('Every day at 06:00 UTC').waitFor();
    await dlg.getByText('11 of 12 fields').waitFor();
    assert.equal(await dlg.getByRole('checkbox', { name: /Run the first sync now/ }).isChecked(), true);
    await dlg.getByRole('button', { name: 'Save' }).click();

    // Closed, a toast, and the dashboard lists it.
    await dlg.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.locator('.toast').filter({ hasText: 'Sales EU is set up' }).waitFor();
    await page.locator(`tr[data-integration="${it.id}"]`).getByText('Sales EU').waitFor();

    // The first sync's outcome comes as a toast with its counts: the API's.
    const done = page.locator('.toast').filter({ hasText: 'The first sync of Sales EU finished' });
    await done.waitFor({ timeout: 60000 });
    const runs = (await api(t.key, 'GET', `/api/integrations/${it.id}/runs`)).data;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'success');
    assert.equal(runs[0].triggered_by, 'manual');
    const c = runs[0].counts;
    assert.ok(c.processed > 0);
    const text = await done.textContent();
    assert.ok(text.includes(`${fmt.format(c.processed)} records (${fmt.format(c.created)} new, ${fmt.format(c.updated)} updated)`), text);

    // What was stored is what was chosen.
    const saved = await api(t.key, 'GET', `/api/integrations/${it.id}`);
    assert.deepEqual(saved.schedule, { kind: 'daily', time: '06:00' });
    assert.match(saved.next_run_at, /T06:00:00Z$/);
    const cat = await api(t.key, 'GET', `/api/integrations/${it.id}/catalog`);
    for (const st of cat.streams) {
      const before = discovered.streams.find((s) => s.tap_stream_id === st.tap_stream_id);
      assert.equal(selectedOf(st), st.tap_stream_id === 'User' ? false : selectedOf(before), st.tap_stream_id);
    }
    const acc = cat.streams.find((s) => s.tap_stream_id === 'Account');
    assert.equal(fieldMeta(acc, 'Website').selected, false);
    assert.equal(fieldMeta(acc, 'Name').selected, true);
    assert.deepEqual(Object.keys(runs[0].streams).sort(), cat.streams.filter(selectedOf).map((s) => s.tap_stream_id).sort());
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('Back and Next keep what was typed, refusals show under their field, and a cancel leaves nothing behind', async () => {
  const t = newTenant('wizard-back');
  await api(t.key, 'POST', '/api/integrations', { connector: 'salesforce', name: 'Taken' });
  await api(t.key, 'POST', '/api/integrations', { connector: 'salesforce', name: 'Salesforce' });
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByRole('button', { name: 'Connect Salesforce' }).click();
    const dlg = page.getByRole('dialog', { name: 'Add Salesforce' });
    await onStep(page, 'Settings');
    const field = (name) => dlg.locator(`[data-field="${name}"]`);
    await hasValue(page, 'Integration name', 'Salesforce 2');   // "Salesforce" is taken
    await dlg.getByLabel('Integration name').fill('Taken');
    await dlg.getByText('Advanced settings').click();

    // Checked while typed: the pattern, with an example of the right form.
    await dlg.getByLabel('API version').fill('v61.1');
    await field('api_version').locator('.field-error').filter({ hasText: 'Not in the expected form, such as v61.0.' }).waitFor();
    assert.equal(await dlg.getByLabel('API version').getAttribute('aria-invalid'), 'true');
    await dlg.getByLabel('API version').fill('v60.0');
    await field('api_version').locator('.field-error').waitFor({ state: 'detached' });
    // The 30th of February has the shape of a date-time: only the server knows better.
    await dlg.getByLabel('Start date').fill('2024-02-30T00:00:00Z');
    await dlg.getByLabel('Org type').selectOption({ label: 'test.salesforce.com' });
    await dlg.getByRole('button', { name: 'Next' }).click();

    await onStep(page, 'Connect your Salesforce account');
    await dlg.getByRole('button', { name: 'Back' }).click();
    await onStep(page, 'Settings');
    assert.equal(await dlg.getByLabel('Integration name').inputValue(), 'Taken');
    assert.equal(await dlg.getByLabel('API version').inputValue(), 'v60.0');
    assert.equal(await dlg.getByLabel('Start date').inputValue(), '2024-02-30T00:00:00Z');
    assert.equal(await dlg.getByLabel('Org type').inputValue(), '1');
    await dlg.getByRole('button', { name: 'Next' }).click();

    // The server refuses the date: back at the settings, its message under the field, which has the focus.
    await onStep(page, 'Connect your Salesforce account');
    await dlg.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await field('start_date').locator('.field-error').filter({ hasText: 'not a valid date-time' }).waitFor();
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'start_date');
    assert.equal(await currentStep(page), 'Settings');
    await dlg.getByLabel('Start date').fill('2024-02-01T00:00:00Z');
    await field('start_date').locator('.field-error').waitFor({ state: 'detached' });
    await dlg.getByRole('button', { name: 'Next' }).click();
    // Then the name, taken already (a 409 without a pointer, put under the name all the same).
    await dlg.getByRole('button', { name: 'Continue to Salesforce' }).click();
    await field('$name').locator('.field-error').filter({ hasText: 'exists already' }).waitFor();
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'wiz-name');
    assert.equal((await api(t.key, 'GET', '/api/integrations')).data.length, 2, 'nothing was created');
    await dlg.getByLabel('Integration name').fill('Sales back');
    await dlg.getByRole('button', { name: 'Next' }).click();
    await dlg.getByRole('button', { name: 'Continue to Salesforce' }).click();

    // The person says no at Salesforce: back at the connect step with its message.
    await page.waitForURL(/\/services\/oauth2\/authorize/);
    await page.getByRole('button', { name: /deny/i }).click();
    await page.waitForURL(`${base}/ui/marketplace`);
    await onStep(page, 'Connect your Salesforce account');
    await dlg.getByRole('alert').filter({ hasText: 'Salesforce did not connect.' }).waitFor();
    await dlg.getByText('Access was not allowed').waitFor();
    const draft = (await api(t.key, 'GET', '/api/integrations')).data.find((x) => x.name === 'Sales back');
    assert.equal(draft.status, 'draft');
    assert.deepEqual(draft.config, { login_host: 'test.salesforce.com', api_version: 'v60.0', start_date: '2024-02-01T00:00:00Z' });

    // Escape: closed without a question, and the draft it made is gone.
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached' });
    await page.locator('.toast').filter({ hasText: 'Nothing was saved' }).waitFor();
    assert.deepEqual((await api(t.key, 'GET', '/api/integrations')).data.map((x) => x.name).sort(), ['Salesforce', 'Taken']);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('opened without a connector, the wizard starts by choosing one from a searchable list', async () => {
  const t = newTenant('wizard-choose');
  const all = (await api(t.key, 'GET', '/api/connectors')).data;
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    // No page opens it this way yet; the shell's module is the one to call.
    await page.evaluate(() => import('/ui/components/wizard.js').then((m) => m.openWizard()));
    const dlg = page.getByRole('dialog', { name: 'Add an integration' });
    await onStep(page, 'Choose what to connect');
    assert.deepEqual(await page.locator('.wiz-steps .wiz-step-label').allTextContents(),
      ['Connector', 'Settings', 'Connect', 'Test', 'Streams', 'Schedule', 'Review']);
    assert.equal(await dlg.getByRole('radio').count(), all.length);
    await dlg.getByLabel('Search connectors').fill('hub');
    const hub = all.filter((c) => [c.name, c.title, c.description, c.category].some((x) => x && x.toLowerCase().includes('hub')));
    assert.equal(await dlg.getByRole('radio').count(), hub.length);
    await dlg.getByRole('button', { name: 'Next' }).click();
    await dlg.getByText('Choose a connector to go on.').waitFor();
    await dlg.getByRole('radio', { name: /^HubSpot/ }).check();
    await dlg.getByRole('button', { name: 'Next' }).click();
    await onStep(page, 'Settings');
    await page.getByRole('dialog', { name: 'Add HubSpot' }).waitFor();
    assert.equal(await page.locator('.wiz-steps li.done .wiz-step-label').textContent(), 'Connector');
    await page.getByLabel('Integration name').fill('Marketing');
    await page.getByRole('button', { name: 'Back' }).click();
    await onStep(page, 'Choose what to connect');
    assert.equal(await page.getByRole('radio', { name: /^HubSpot/ }).isChecked(), true);
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await page.getByLabel('Integration name').inputValue(), 'Marketing');
    // Another connector: its own settings, nothing of the other's.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByLabel('Search connectors').fill('');
    await page.getByRole('radio', { name: /^Slack/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('dialog', { name: 'Add Slack' }).waitFor();
    await hasValue(page, 'Integration name', 'Slack');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.deepEqual((await api(t.key, 'GET', '/api/integrations')).data, []);
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('the whole wizard works with the keyboard alone', async () => {
  const t = newTenant('wizard-keys');
  const { browser: b, page, errors } = await browser();
  const kb = page.keyboard;
  try {
    await signIn(page, t.key);
    await tabTo(page, (f) => f.tag === 'a' && f.text === 'Marketplace');
    await kb.press('Enter');
    await page.getByRole('heading', { name: 'Marketplace', level: 1 }).waitFor();
    await page.locator('[data-connector="salesforce"]').waitFor();
    await tabTo(page, (f) => f.aria === 'Connect Salesforce');
    await kb.press('Enter');

    await onStep(page, 'Settings');
    await tabTo(page, (f) => f.label === 'Integration name');
    await kb.type('Sales by keyboard');   // tabbing into a field selects what it holds
    await tabTo(page, (f) => f.tag === 'summary');
    await kb.press('Enter');
    await tabTo(page, (f) => f.name === 'api_version');
    await kb.type('v60.0');
    await kb.press('Enter');              // Enter in a field is Next

    await onStep(page, 'Connect your Salesforce account');
    await tabTo(page, (f) => f.text === 'Continue to Salesforce');
    await kb.press('Enter');
    // The provider's page, by keyboard too.
    await page.waitForURL(/\/services\/oauth2\/authorize/);
    await tabTo(page, (f) => f.name === 'username');
    await kb.type('user@sandbox.inlet.test');
    await kb.press('Tab');
    await kb.type('sandbox');
    await tabTo(page, (f) => f.tag === 'button' && /allow/i.test(f.text));
    await kb.press('Enter');

    await onStep(page, 'Test the connection');
    await page.getByText('The connection works.').waitFor();
    await tabTo(page, (f) => f.text === 'Next');
    await kb.press('Enter');

    await onStep(page, 'Choose streams and fields');
    await page.locator('[data-stream="Account"]').waitFor();
    await tabTo(page, (f) => f.type === 'checkbox' && f.label === 'Case');
    await kb.press('Space');
    await tabTo(page, (f) => f.tag === 'summary' && f.text === 'Fields of Contact');
    await kb.press('Enter');
    await tabTo(page, (f) => f.type === 'checkbox' && f.label === 'Email');
    await kb.press('Space');
    await page.locator('[data-stream="Contact"]').getByText('12 of 13 fields').waitFor();
    // Back with Shift+Tab to the search, and on to Next.
    await tabTo(page, (f) => f.type === 'search', { back: true });
    await tabTo(page, (f) => f.text === 'Next');
    await kb.press('Enter');

    await onStep(page, 'Schedule');
    await tabTo(page, (f) => f.type === 'radio');
    assert.equal((await focused(page)).label, 'Every day');
    await kb.press('ArrowDown');          // the arrows move through the radio group
    assert.equal((await focused(page)).label, 'Every week');
    await page.getByLabel('Day of the week').waitFor();
    await kb.press('ArrowUp');
    assert.equal((await focused(page)).label, 'Every day');
    await kb.press('Tab');
    assert.equal((await focused(page)).label, 'Time, in UTC (optional)');
    await kb.type('07:30');
    await kb.press('Enter');

    await onStep(page, 'Review and save');
    await page.getByText('Every day at 07:30 UTC').waitFor();
    await tabTo(page, (f) => f.text === 'Save');
    await kb.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator('.toast').filter({ hasText: 'Sales by keyboard is set up' }).waitFor();

    const it = (await api(t.key, 'GET', '/api/integrations')).data.find((x) => x.name === 'Sales by keyboard');
    assert.equal(it.config.api_version, 'v60.0');
    assert.deepEqual(it.schedule, { kind: 'daily', time: '07:30' });
    const cat = await api(t.key, 'GET', `/api/integrations/${it.id}/catalog`);
    assert.equal(selectedOf(cat.streams.find((s) => s.tap_stream_id === 'Case')), false);
    const contact = cat.streams.find((s) => s.tap_stream_id === 'Contact');
    assert.equal(selectedOf(contact), true);
    assert.equal(fieldMeta(contact, 'Email').selected, false);
    assert.equal(fieldMeta(contact, 'LastName').selected, true);
    await page.locator('.toast').filter({ hasText: 'The first sync of Sales by keyboard finished' }).waitFor({ timeout: 60000 });
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('an API key goes in a write-only field and is nowhere in the page afterwards', async () => {
  const srv = await fixtureServer('wizard-key');
  const { browser: b, page, errors } = await browser();
  const secret = `sk_test_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  try {
    await page.goto(`${srv.url}/`);
    await page.getByLabel('API key').fill(srv.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByRole('button', { name: 'Connect Counter (test tap)' }).click();
    const dlg = page.getByRole('dialog', { name: 'Add Counter (test tap)' });
    await onStep(page, 'Settings');
    await dlg.getByLabel('Integration name').fill('Counter');
    await dlg.getByText('Advanced settings').click();
    await dlg.getByLabel('Count').fill('-1');
    await dlg.locator('[data-field="count"] .field-error').filter({ hasText: 'Must be 0 or more.' }).waitFor();
    await dlg.getByLabel('Count').fill('25');
    await dlg.getByRole('button', { name: 'Next' }).click();

    await onStep(page, 'Connect your Counter (test tap) account');
    const input = dlg.getByLabel('API key');
    assert.equal(await input.getAttribute('type'), 'password');
    await dlg.getByRole('button', { name: 'Connect' }).click();
    await dlg.locator('[data-field="api_key"] .field-error').filter({ hasText: 'Required.' }).waitFor();
    await input.fill(secret);
    await dlg.getByRole('button', { name: 'Connect' }).click();

    // No test request in this connector's file: the step says so and lets the person on.
    await onStep(page, 'Test the connection');
    await dlg.getByText('has no connection test').waitFor();
    await assertNoSecret(page, [secret]);
    // Back at the connect step, the key shows as set, never as itself.
    await dlg.getByRole('button', { name: 'Back' }).click();
    await onStep(page, 'Connect your Counter (test tap) account');
    await dlg.getByText('Set', { exact: true }).waitFor();
    assert.equal(await dlg.getByLabel('API key').count(), 0);
    await dlg.getByRole('button', { name: 'Next' }).click();
    await dlg.getByRole('button', { name: 'Next' }).click();

    await onStep(page, 'Choose streams and fields');
    const items = dlg.locator('[data-stream="items"]');
    await items.getByText('Fields of items').click();
    await items.getByRole('checkbox', { name: 'name' }).check();
    await dlg.getByRole('button', { name: 'Next' }).click();
    await onStep(page, 'Schedule');
    await dlg.getByRole('radio', { name: /Manually/ }).check();
    await dlg.getByRole('button', { name: 'Next' }).click();
    await onStep(page, 'Review and save');
    await dlg.getByText('API key: set').waitFor();
    await dlg.getByRole('button', { name: 'Save' }).click();
    await dlg.waitFor({ state: 'detached' });
    await page.locator('.toast').filter({ hasText: 'The first sync of Counter finished: 25 records (25 new, 0 updated)' }).waitFor({ timeout: 60000 });

    const it = (await srv.call('GET', '/api/integrations')).data.find((x) => x.name === 'Counter');
    assert.deepEqual(it.secrets_set, ['api_key']);
    assert.deepEqual(it.config, { count: 25 });
    assert.equal(it.schedule, null);
    const runs = (await srv.call('GET', `/api/integrations/${it.id}/runs`)).data;
    assert.equal(runs[0].status, 'success');
    assert.equal(runs[0].counts.processed, 25);
    const cat = await srv.call('GET', `/api/integrations/${it.id}/catalog`);
    assert.equal(fieldMeta(cat.streams[0], 'name').selected, true);
    assert.equal(fieldMeta(cat.streams[0], 'amount').selected, false);
    await assertNoSecret(page, [secret, srv.key]);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await srv.stop();
  }
});
