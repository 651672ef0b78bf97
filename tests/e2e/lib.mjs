// tests/e2e/lib.mjs - what every browser test needs: Debian's chromium
// driven by playwright-core, a tenant of its own (made with the inlet
// command line, so tests never share data), signing in, the sandbox, and
// the checks every page must pass (no secret in the DOM, no script error).
// run.sh starts `inlet serve --demo` and sets the INLET_E2E_* variables.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const base = process.env.INLET_E2E_BASE;        // http://127.0.0.1:PORT
export const sandbox = process.env.INLET_E2E_SANDBOX;  // the Salesforce emulator's origin
const inlet = process.env.INLET;
assert.ok(base && sandbox && inlet, 'run under tests/e2e/run.sh');

let seq = 0;
// newTenant(name) -> {id, key}: a tenant only this test uses.
export function newTenant(name) {
  const unique = `${name}-${process.pid}-${++seq}`;
  const out = execFileSync(inlet, ['tenant', 'create', unique], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const id = /^tenant\s+(\S+)/m.exec(out)[1];
  const key = /^api_key\s+(\S+)/m.exec(out)[1];
  return { id, key, name: unique };
}

// api(key, method, path, body?) -> parsed JSON: set-up and checks beside the UI.
export async function api(key, method, path, body) {
  const r = await fetch(base + path, {
    method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// browser() -> {browser, context, page, errors}: a fresh profile; errors
// collects uncaught page errors and console errors.
export async function browser({ viewport = { width: 1280, height: 860 }, colorScheme = 'light' } = {}) {
  const b = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const context = await b.newContext({ viewport, colorScheme, baseURL: base });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // A refused request logs "Failed to load resource" on its own; the tests
  // check what the page made of it, so only script errors are collected.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(15000);
  return { browser: b, context, page, errors };
}

// signIn(page, key): through the sign-in form, as a person does.
export async function signIn(page, key) {
  await page.goto('/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
}

// assertNoSecret(page, secrets): none of the strings is anywhere in the
// DOM (text, attributes, input values) or in the page's storage.
export async function assertNoSecret(page, secrets) {
  const found = await page.evaluate((list) => {
    const hay = [document.documentElement.outerHTML];
    for (const el of document.querySelectorAll('input, textarea')) hay.push(el.value);
    for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) hay.push(s.key(i), s.getItem(s.key(i)));
    hay.push(document.cookie);
    const all = hay.join('\n');
    return list.filter((x) => x && all.includes(x));
  }, secrets.filter(Boolean));
  assert.deepEqual(found.map((s) => s.slice(0, 12) + '…'), [], 'a secret is in the page');
}

// The sandbox's Salesforce consent page: log in and allow.
export async function consentSalesforce(page) {
  await page.waitForURL(`${sandbox}/**`);
  await page.getByLabel(/user/i).fill('user@sandbox.inlet.test');
  await page.getByLabel(/password/i).fill('sandbox');
  await page.getByRole('button', { name: /allow/i }).click();
}

// connectSalesforce(key, name) -> integration id: an integration connected
// through the API and the consent form (for tests about other pages).
export async function connectSalesforce(page, key, name) {
  const start = await fetch(`${base}/api/oauth/salesforce/start?name=${encodeURIComponent(name)}`,
    { headers: { Authorization: `Bearer ${key}` }, redirect: 'manual' });
  const { location } = await start.json();
  await page.goto(location);
  await consentSalesforce(page);
  await page.waitForURL(/inlet_oauth=connected/);
  return new URL(page.url()).searchParams.get('integration_id');
}

export { assert };
