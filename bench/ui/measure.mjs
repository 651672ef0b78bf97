// bench/ui/measure.mjs BASE BIG_KEY EMPTY_KEY - page loads in Debian's
// chromium: for each page, the time from navigation to the page usable
// (its data drawn, nothing loading) and the first contentful paint, median
// of BENCH_RUNS (5) loads after one warm-up, for the big tenant's pages and
// for the empty tenant's dashboard (the reference), printed with their ratio.
import { chromium } from 'playwright-core';

const [base, bigKey, emptyKey] = process.argv.slice(2);
const runs = Number(process.env.BENCH_RUNS || 5);
const b = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function session(key) {
  const context = await b.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
  return page;
}

// ms until path is usable (ready: a selector that appears with the data).
async function load(page, path, ready) {
  const times = [], paints = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = Date.now();
    await page.goto(path);
    await page.waitForSelector(ready);
    await page.waitForFunction(() => !document.querySelector('.loading, .boot'));
    const t = Date.now() - t0;
    const fcp = await page.evaluate(() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0);
    if (i > 0) { times.push(t); paints.push(fcp); }
  }
  return { ready: median(times), fcp: median(paints) };
}

const big = await session(bigKey), empty = await session(emptyKey);
const oneRuns = await big.evaluate(async () => (await (await fetch('/api/integrations?limit=1')).json()).data[0].id);
const ref = await load(empty, '/', '.empty');
for (const [name, path, ready] of [['dashboard', '/', 'tbody tr'], ['an integration\'s runs', `/ui/integrations/${oneRuns}/runs`, 'main h1']]) {
  const x = await load(big, path, ready);
  console.log(`ui: ${name}: usable in ${x.ready} ms (first contentful paint ${Math.round(x.fcp)} ms) with `
    + `the big tenant; the empty tenant's dashboard ${ref.ready} ms (${Math.round(ref.fcp)} ms); ratio ${(x.ready / ref.ready).toFixed(2)}`);
}
await b.close();
