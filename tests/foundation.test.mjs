// The built site in Chromium over a COOP/COEP server: loads clean, threads on, every lane's
// checksum is the known answer, URLs autorun, bad input is refused, cancel works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPage, runSpec, useSite } from './harness.mjs';

const site = useSite();

const lanesOf = (report) => report.results.map((r) => r.lane);
const checksums = (report) => report.results.map((r) => r.checksum);

describe('isolated page', () => {
  let page;
  let problems;
  before(async () => {
    ({ page, problems } = await openPage(site.browser, site.url));
  });
  after(() => assert.deepEqual(problems(), [], 'no page error, console error or foreign request'));

  test('capabilities: isolated, threads on, unbuilt lanes off with a reason', async () => {
    const caps = await page.evaluate(() => window.playground.capabilities());
    assert.equal(caps.crossOriginIsolated, true);
    assert.equal(caps.sharedMemory, true);
    assert.equal(caps.threads, true);
    assert.ok(caps.lanes.includes('sequential') && caps.lanes.includes('threads'));
    for (const lane of ['gil', 'processes', 'async', 'sequential', 'threads']) {
      assert.ok(caps.lanes.includes(lane) || caps.reasons[lane], `${lane} is on or has a reason`);
    }
    assert.equal(typeof (await page.evaluate(() => window.playground.version)), 'string');
  });

  test('every registered workload: its example gives one checksum on every lane, and the answer says so', async () => {
    // From the crate's registry (crate/src/workloads): a workload added there is tested here.
    const workloads = await page.evaluate(() => window.playground.schema().workloads);
    assert.ok(workloads.length >= 6, workloads.map((w) => w.name).join(', '));
    for (const w of workloads) {
      const report = await runSpec(page, { workload: w.name, ...w.example, workers: 2 });
      const sums = new Set(report.results.map((r) => r.checksum));
      assert.equal(report.results.length, 5, w.name);
      assert.ok(report.results.every((r) => r.ok), `${w.name}: ${JSON.stringify(report.results.map((r) => r.error))}`);
      assert.equal(sums.size, 1, `${w.name}: ${[...sums].join(' ')}`);
      assert.match(report.answer, /^Every lane /, w.name);
    }
  });

  test('primes 5M: both lanes count 348513', async () => {
    const report = await runSpec(page, { workload: 'primes', size: 5_000_000, lanes: ['sequential', 'threads'], workers: 2 });
    assert.deepEqual(lanesOf(report), ['sequential', 'threads']);
    for (const r of report.results) {
      assert.equal(r.ok, true, r.error);
      assert.equal(r.checksum, '348513');
      assert.ok(r.wallMs > 0);
      assert.equal(r.events.length, report.spec.tasks, 'one compute event per task');
    }
    assert.equal(report.spec.workers, 2);
    assert.ok(['sequential', 'threads'].includes(report.verdict.fastest));
    assert.match(report.verdict.text, /fastest/);
  });

  test('every CPU workload: threads checksum equals sequential', async () => {
    for (const [workload, size] of [['mandelbrot', 300], ['hash', 2000], ['share', 4]]) {
      const report = await runSpec(page, { workload, size, lanes: ['sequential', 'threads'], workers: 2 });
      assert.ok(report.results.every((r) => r.ok), JSON.stringify(report.results.map((r) => r.error)));
      const [a, b] = checksums(report);
      assert.match(a, /^[0-9a-f]{16}$/);
      assert.equal(a, b, workload);
    }
  });

  test('events share one clock and name both threads', async () => {
    const report = await runSpec(page, { workload: 'primes', size: 2_000_000, tasks: 32, lanes: ['threads'], workers: 2 });
    const [r] = report.results;
    const rows = new Set(r.events.map((e) => e.row));
    assert.deepEqual([...rows].sort(), [0, 1]);
    for (const e of r.events) {
      assert.equal(e.phase, 'compute');
      assert.ok(e.start >= -1 && e.end <= r.wallMs + 1 && e.end >= e.start, JSON.stringify({ event: e, wallMs: r.wallMs }));
    }
  });

  test('the worker count changes between runs without a reload', async () => {
    for (const workers of [1, 3, 2]) {
      const report = await runSpec(page, { workload: 'primes', size: 300_000, lanes: ['threads'], workers });
      const [r] = report.results;
      assert.equal(r.ok, true, r.error);
      assert.equal(r.workers, workers);
      assert.equal(r.checksum, '25997');
      assert.ok(Math.max(...r.events.map((e) => e.row)) < workers);
    }
  });

  test('bad specs are rejected with the field named', async () => {
    const cases = [
      [{ workload: 'primes', size: -1 }, /^size: .*2 to 20000000/],
      [{ workload: 'nope', size: 10 }, /^workload: must be one of primes/],
      [{ workload: 'primes', size: 1000, workers: 0 }, /^workers: .*1 to 64/],
      [{ workload: 'primes', size: 1000, lanes: ['threads', 'bogus'] }, /^lanes: /],
      [{ workload: 'primes', size: '1000' }, /^size: /],
      [{ workload: 'primes', size: 1000, extra: 1 }, /^extra: is not a spec field/],
      [null, /^spec: /],
    ];
    for (const [spec, pattern] of cases) {
      const message = await page.evaluate((s) => window.playground.run(s).then(() => 'resolved', (e) => e.message), spec);
      assert.match(message, pattern, JSON.stringify(spec));
    }
  });

  test('cancel stops a long run quickly and the next run is right', async () => {
    const started = Date.now();
    const report = await page.evaluate(async () => {
      const run = window.playground.run({ workload: 'primes', size: 20_000_000, lanes: ['threads', 'sequential'], workers: 2 });
      await new Promise((r) => setTimeout(r, 1500));
      const t = performance.now();
      window.playground.cancel();
      const rep = await run;
      return { ...rep, cancelMs: performance.now() - t };
    });
    assert.ok(Date.now() - started < 15_000);
    assert.ok(report.cancelMs < 400, `cancel took ${report.cancelMs} ms`);
    assert.ok(report.results.every((r) => !r.ok && r.error === 'cancelled'), JSON.stringify(report.results.map((r) => r.error)));
    const next = await runSpec(page, { workload: 'primes', size: 1_000_000, lanes: ['sequential', 'threads'], workers: 2 });
    assert.deepEqual(checksums(next), ['78498', '78498']);
  });
});

describe('URL', () => {
  test('autorun=1 runs the linked spec and shows its figures as text', async () => {
    const url = `${site.url}?workload=primes&size=1000000&lanes=sequential,threads&workers=2&autorun=1`;
    const { page, problems, context } = await openPage(site.browser, url);
    await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 2 && document.getElementById('verdict').textContent !== '', null, { timeout: 60_000 });
    const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => ({
      lane: tr.dataset.lane, checksum: tr.querySelector('.checksum').textContent, ok: tr.querySelector('.ok').textContent,
    })));
    assert.deepEqual(rows, [
      { lane: 'sequential', checksum: '78498', ok: 'done' },
      { lane: 'threads', checksum: '78498', ok: 'done' },
    ]);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('bad parameters are reported, not run, and never become HTML', async () => {
    const url = `${site.url}?workload=%3Cimg%20src=x%20onerror=alert(1)%3E&size=abc&autorun=1`;
    const { page, problems, context } = await openPage(site.browser, url);
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /workload: must be one of .*<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('#results tbody tr').count(), 0);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
