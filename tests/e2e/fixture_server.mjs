// tests/e2e/fixture_server.mjs - a server of a test's own, with the test
// connectors of tests/fixtures/connectors beside the built-in ones: the
// built-ins all connect with OAuth, and the API-key cases need one that
// takes a key (tap-counter, a Singer tap that syncs without any provider).
// SQLite in a folder of its own, whichever engine run.sh is testing, and
// one tenant, whose key call() uses.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assert } from './lib.mjs';

// fixtureServer(name) -> {url, key, call(method, path, body?), stop()}.
export async function fixtureServer(name) {
  const inlet = process.env.INLET;
  const dir = mkdtempSync(join(process.env.TMPDIR || tmpdir(), `inlet-${name}-`));
  const env = { ...process.env, INLET_DATA_DIR: join(dir, 'data'), INLET_CONNECTORS_DIR: resolve('tests/fixtures/connectors') };
  delete env.INLET_DB; delete env.INLET_KEYS; delete env.INLET_LISTEN;
  execFileSync(inlet, ['migrate'], { env, stdio: 'ignore' });
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  const url = `http://127.0.0.1:${port}`;
  env.INLET_PUBLIC_URL = url;
  const proc = spawn(inlet, ['serve', '--listen', `127.0.0.1:${port}`], { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = once(proc, 'exit');
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    const [code] = await exited;
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, `the fixture server exited ${code}: ${log.slice(-1500)}`);
    assert.ok(!/AddressSanitizer|runtime error:/.test(log), log.slice(-1500));
  };
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) assert.fail(`the fixture server did not start: ${log.slice(-800)}`);
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch (e) { /* not up yet */ }
    if (i > 150) { await stop().catch(() => {}); assert.fail('the fixture server did not answer within 15 s'); }
    await new Promise((r) => setTimeout(r, 100));
  }
  const out = execFileSync(inlet, ['tenant', 'create', `${name}-${process.pid}`], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const key = /^api_key\s+(\S+)/m.exec(out)[1];
  const call = async (method, path, body) => {
    const r = await fetch(url + path, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return { url, key, call, stop };
}
