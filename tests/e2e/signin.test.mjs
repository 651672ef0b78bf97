// tests/e2e/signin.test.mjs - signing in and out, and what a wrong key or
// an ended session shows; the key never stays in the page.
import { test } from 'node:test';
import { newTenant, browser, signIn, assertNoSecret, assert } from './lib.mjs';

test('a wrong key is refused with a sentence, the right one signs in, sign out ends it', async () => {
  const t = newTenant('signin');
  const { browser: b, page, errors } = await browser();
  try {
    await page.goto('/');
    await page.getByLabel('API key').fill('inlet_sk_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'was not accepted' }).waitFor();
    assert.equal(await page.getByLabel('API key').inputValue(), '');

    await signIn(page, t.key);
    await assertNoSecret(page, [t.key]);
    // The session survives a reload (the cookie), and the key is not needed again.
    await page.reload();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No integrations yet' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(errors, []);
  } finally { await b.close(); }
});

test('an unknown address says so, inside the shell', async () => {
  const t = newTenant('notfound');
  const { browser: b, page } = await browser();
  try {
    await signIn(page, t.key);
    await page.goto('/ui/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Go to your integrations' }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
  } finally { await b.close(); }
});
