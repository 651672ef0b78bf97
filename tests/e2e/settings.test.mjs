// tests/e2e/settings.test.mjs - an integration's settings page: rename,
// a weekly schedule, a field deselected, a rediscovery, a mapping override
// (with the server's message at the field first), write-only secrets that
// never reach the DOM, a field deleted and re-created at the provider
// marked by Rediscover, a needed reconnect said first and fixed from the
// page, and delete back to the dashboard. Every change is checked in the
// API, not only on the page.
import { test } from 'node:test';
import { newTenant, browser, signIn, api, assert, assertNoSecret, connectSalesforce, consentSalesforce, sandbox, base } from './lib.mjs';

const faults = (body) => fetch(`${sandbox}/_sandbox/faults`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
}).then((r) => assert.equal(r.status, 200, 'the sandbox took the faults'));

// The sandbox's Salesforce schema (docs/sandbox.md): hide or show fields.
const schema = (body) => fetch(`${sandbox}/_sandbox/schema`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
}).then(async (r) => assert.equal(r.status, 200, `the sandbox took the schema change: ${await r.text()}`));

async function setUp(page, key, name) {
  const id = await connectSalesforce(page, key, name);
  await api(key, 'POST', `/api/integrations/${id}/discover`);
  return id;
}

const toast = (page, text) => page.locator('.toast', { hasText: text }).first().waitFor();
const section = (page, name) => page.getByRole('region', { name });
const fieldMeta = (catalog, stream, field) => catalog.streams.find((s) => s.tap_stream_id === stream).metadata
  .find((m) => m.breadcrumb.length === 2 && m.breadcrumb[1] === field).metadata;

test('settings: rename, schedule, fields, rediscover, mappings and write-only secrets', async () => {
  const t = newTenant('settings');
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    const id = await setUp(page, t.key, 'Settings SF');
    await page.goto(`/ui/integrations/${id}`);
    await page.getByRole('heading', { name: 'Settings SF', level: 1 }).waitFor();
    await page.locator('.page-head [data-status="active"]').waitFor();

    // Rename.
    const general = section(page, 'General');
    await general.getByLabel('Name').fill('Sales Europe');
    await general.getByRole('button', { name: 'Save', exact: true }).click();
    await toast(page, 'Saved');
    await page.getByRole('heading', { name: 'Sales Europe', level: 1 }).waitFor();
    assert.equal((await api(t.key, 'GET', `/api/integrations/${id}`)).name, 'Sales Europe');

    // A weekly schedule, in UTC.
    const sched = section(page, 'Schedule');
    await sched.getByRole('radio', { name: 'Every week' }).check();
    await sched.getByLabel('Day of the week').selectOption('tue');
    await sched.getByLabel('Time, in UTC').fill('09:30');
    await sched.getByRole('button', { name: 'Save schedule' }).click();
    await toast(page, 'Schedule saved');
    const it = await api(t.key, 'GET', `/api/integrations/${id}`);
    assert.deepEqual(it.schedule, { kind: 'weekly', weekday: 'tue', time: '09:30' });
    assert.ok(it.next_run_at, 'the API has a next run');
    await sched.locator('[data-schedule]', { hasText: 'Every Tuesday at 09:30 UTC' }).waitFor();
    const next = new Date(it.next_run_at);
    assert.equal(next.getUTCDay(), 2);
    await sched.locator('[data-next-run]', { hasText: `${String(next.getUTCDate())}, ${next.getUTCFullYear()}, 09:30 UTC` }).waitFor();
    // A cron expression the server refuses: its message under the field.
    await sched.getByRole('radio', { name: /^Custom \(cron\)/ }).check();
    await sched.getByLabel('Cron expression, in UTC').fill('0 25 * * *');
    await sched.getByRole('button', { name: 'Save schedule' }).click();
    await sched.locator('#sched-expression-err', { hasText: 'out of range' }).waitFor();
    assert.deepEqual((await api(t.key, 'GET', `/api/integrations/${id}`)).schedule, it.schedule, 'nothing changed');
    await sched.getByRole('button', { name: 'Undo changes' }).click();

    // Deselect one field of Contact.
    const streams = section(page, 'Streams and fields');
    const contact = streams.locator('li[data-stream="Contact"]');
    await contact.getByRole('button', { name: 'Fields of Contact', exact: true }).click();
    await contact.locator('li[data-field="Title"]').getByRole('checkbox').uncheck();
    await streams.getByRole('button', { name: 'Save streams and fields' }).click();
    await toast(page, 'The choice applies from the next sync');
    let catalog = await api(t.key, 'GET', `/api/integrations/${id}/catalog`);
    assert.equal(fieldMeta(catalog, 'Contact', 'Title').selected, false, 'Title is unselected');
    assert.equal(fieldMeta(catalog, 'Contact', 'Email').selected, true, 'the other fields stay');

    // Rediscover: the sandbox's objects have not changed, and the choice stays.
    await streams.getByRole('button', { name: 'Rediscover' }).click();
    await streams.locator('[data-discovery]', { hasText: 'No changes since the last discovery' }).waitFor();
    assert.equal(await contact.getByRole('button', { name: 'Fields of Contact', exact: true }).getAttribute('aria-expanded'), 'true');
    assert.equal(await contact.locator('li[data-field="Title"]').getByRole('checkbox').isChecked(), false);
    catalog = await api(t.key, 'GET', `/api/integrations/${id}/catalog`);
    assert.equal(fieldMeta(catalog, 'Contact', 'Title').selected, false, 'rediscovery kept the choice');

    // A mapping override: the server's message at the field, then saved.
    const mappings = section(page, 'Mappings');
    await mappings.locator('details[data-mapping="Contact:contacts"] summary').click();
    await mappings.getByRole('button', { name: 'Override Contact title' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an override' });
    await dialog.getByLabel('Source').fill('Titl');
    await dialog.getByRole('button', { name: 'Add override' }).click();
    await dialog.locator('#map-source-err', { hasText: 'no field "Titl" in stream Contact' }).waitFor();
    await dialog.getByLabel('Source').fill('LastName');
    await dialog.getByLabel('Transforms').fill('upper');
    await dialog.getByRole('button', { name: 'Add override' }).click();
    await toast(page, 'Override added');
    const rows = (await api(t.key, 'GET', `/api/mappings?integration_id=${id}`)).data;
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0].stream, rows[0].model, rows[0].target_field, rows[0].source_field, rows[0].transforms],
      ['Contact', 'contacts', 'title', 'LastName', ['upper']]);
    const title = mappings.locator('details[data-mapping="Contact:contacts"] tr[data-target="title"]');
    await title.locator('td', { hasText: 'LastName' }).waitFor();
    await title.locator('.badge', { hasText: 'Override' }).waitFor();

    // Secrets are write-only: the OAuth app's client secret, replaced.
    const creds = section(page, 'Credentials');
    await creds.locator('[data-identity="E-mail"]', { hasText: 'user@sandbox.inlet.test' }).waitFor();
    const clientSecret = `client-secret-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    await creds.getByRole('button', { name: 'Replace Client secret' }).click();
    const secretField = creds.getByLabel('New client secret');
    assert.equal(await secretField.getAttribute('type'), 'password');
    await secretField.fill(clientSecret);
    await creds.getByRole('button', { name: 'Save', exact: true }).click();
    await toast(page, 'Client secret replaced');
    await creds.locator('[data-secret="client_secret"] [data-secret-state]', { hasText: 'Set' }).waitFor();
    const app = await api(t.key, 'GET', '/api/connectors/salesforce/app');
    assert.equal(app.source, 'app');
    assert.equal(app.has_secret, true);
    await assertNoSecret(page, [clientSecret]);

    // A Slack channel: its webhook URL is a secret too; a test is sent.
    const notes = section(page, 'Notifications');
    const hook = `http://127.0.0.1:9/services/T0/B0/${Math.random().toString(36).slice(2)}`;
    await notes.getByRole('button', { name: 'Add a channel' }).click();
    const add = page.getByRole('dialog', { name: 'Add a notification channel' });
    await add.getByLabel('Name').fill('#ops');
    await add.getByLabel('Slack incoming webhook URL').fill(hook);
    await add.getByRole('button', { name: 'Add channel' }).click();
    await toast(page, 'Channel “#ops” added');
    const channels = (await api(t.key, 'GET', '/api/notification-channels')).data;
    assert.equal(channels.length, 1);
    assert.equal(channels[0].config.url, 'set');
    await notes.getByRole('button', { name: 'Send a test to #ops' }).click();
    await toast(page, '#ops');
    await assertNoSecret(page, [clientSecret, hook]);
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('settings: a field deleted at the provider is marked removed by Rediscover, and new once re-created', async () => {
  const t = newTenant('settings-schema');
  const { browser: b, page, errors } = await browser();
  const contactFields = (catalog) => catalog.streams.find((s) => s.tap_stream_id === 'Contact').schema.properties;
  try {
    await signIn(page, t.key);
    const id = await setUp(page, t.key, 'Schema SF');
    const catalogOf = () => api(t.key, 'GET', `/api/integrations/${id}/catalog`);
    assert.ok(contactFields(await catalogOf()).Title, 'the first discovery has Contact.Title');
    await page.goto(`/ui/integrations/${id}`);
    await page.getByRole('heading', { name: 'Schema SF', level: 1 }).waitFor();
    const streams = section(page, 'Streams and fields');
    const contact = streams.locator('li[data-stream="Contact"]');
    const summary = streams.locator('[data-discovery]');

    // An admin deletes Contact.Title at Salesforce.
    await schema({ object: 'Contact', hide: ['Title'] });
    await streams.getByRole('button', { name: 'Rediscover' }).click();
    await toast(page, 'Rediscovered: the changes are marked');
    const catalog = await catalogOf();
    assert.equal(contactFields(catalog).Title, undefined, 'the catalog lost Title');
    assert.ok(contactFields(catalog).Email, 'and kept the other fields');
    const selected = catalog.streams.filter((s) => s.metadata.find((m) => m.breadcrumb.length === 0).metadata.selected).length;
    await summary.getByText(`Rediscovered ${catalog.streams.length} streams, ${selected} selected.`).waitFor();
    await summary.getByText('Changes since the last discovery are marked below.').waitFor();
    assert.deepEqual(await summary.locator('li').allInnerTexts(), ['Removed fields of Contact: Title.']);
    await contact.locator('[data-field-count]', { hasText: '1 removed' }).waitFor();
    await contact.getByRole('button', { name: 'Fields of Contact', exact: true }).click();
    const gone = contact.locator('li[data-field="Title"][data-removed]');
    await gone.locator('.mark-removed', { hasText: 'Removed' }).waitFor();
    assert.equal(await contact.locator('li[data-field="Title"]').count(), 1, 'listed once');
    assert.equal(await gone.getByRole('checkbox').count(), 0, 'a removed field cannot be chosen');
    assert.equal(await contact.locator('.mark-removed').count(), 1, 'only Title is removed');

    // The field is created again.
    await schema({ object: 'Contact', show: ['Title'] });
    await streams.getByRole('button', { name: 'Rediscover' }).click();
    await summary.locator('li', { hasText: 'New fields of Contact: Title.' }).waitFor();
    assert.deepEqual(await summary.locator('li').allInnerTexts(), ['New fields of Contact: Title.']);
    await contact.locator('[data-field-count]', { hasText: '1 new' }).waitFor();
    const back = contact.locator('li[data-field="Title"]');
    await back.locator('.mark-new', { hasText: 'New' }).waitFor();
    assert.equal(await contact.locator('li[data-field="Title"]').count(), 1, 'listed once');
    assert.equal(await back.getByRole('checkbox').count(), 1, 'Title can be chosen again');
    assert.equal(await contact.locator('.mark-new').count(), 1, 'only Title is new');
    assert.equal(await contact.locator('[data-removed]').count(), 0);
    assert.ok(contactFields(await catalogOf()).Title, 'the catalog has Title again');
    assert.deepEqual(errors, []);
  } finally { await schema({ reset: true }).catch(() => {}); await b.close(); }
});

test('settings: a needed reconnect is said first and fixed from the page; delete returns to the dashboard', async () => {
  const t = newTenant('settings-fix');
  const { browser: b, page, errors } = await browser();
  try {
    await signIn(page, t.key);
    const id = await setUp(page, t.key, 'Fix SF');
    // The user removed the app at Salesforce: the refresh token is refused.
    await faults({ revoke_refresh: true });
    await api(t.key, 'POST', `/api/integrations/${id}/refresh`).catch(() => {});
    await faults({});
    const broken = await api(t.key, 'GET', `/api/integrations/${id}`);
    assert.equal(broken.status, 'needs_reauth');

    await page.goto(`/ui/integrations/${id}`);
    const alert = page.locator('[data-problem="needs_reauth"]');
    await alert.getByText('Fix SF must be reconnected.').waitFor();
    await alert.getByText(broken.status_reason.slice(0, 30)).waitFor();
    await page.locator('.page-head [data-status="needs_reauth"]').waitFor();
    await alert.getByRole('button', { name: 'Reconnect' }).click();
    await consentSalesforce(page);
    await page.waitForURL(`${base}/ui/integrations/${id}`);
    await toast(page, 'Reconnected');
    await page.locator('.page-head [data-status="active"]').waitFor();
    assert.equal(await page.locator('[data-problem]').count(), 0);
    assert.equal((await api(t.key, 'GET', `/api/integrations/${id}`)).status, 'active');

    await page.locator('.page-head').getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Fix SF?' });
    await dialog.getByRole('button', { name: 'Delete integration' }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await toast(page, 'Fix SF is deleted');
    const gone = await fetch(`${base}/api/integrations/${id}`, { headers: { Authorization: `Bearer ${t.key}` } });
    assert.equal(gone.status, 404);
    assert.deepEqual(errors, []);
  } finally { await faults({}).catch(() => {}); await b.close(); }
});
