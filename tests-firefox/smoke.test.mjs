// The built site in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi): isolation, every
// lane's answers, the five stories, the embed, a clean console and no request to another origin.
// Its own folder: `node --test tests/` recurses, so a file under tests/ would run in the Chromium step.
//   SITE_DIR=/tmp/some-build node --test tests-firefox/   (default: www/dist)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchFirefox, startServer } from '../tests/harness.mjs';

const LANES = ['sequential', 'threads', 'gil', 'processes', 'async'];

/** What each story's cards are, in order (www/src/ui/presets.ts). */
const STORIES = {
  cpu: LANES,
  'io-fast': LANES,
  'io-slow': LANES,
  share: ['sequential', 'threads', 'processes'],
  crash: ['threads', 'processes'],
  counter: LANES,
};


let server;
let browser;
let origin;
const seen = [];

/** A new page that records page errors, console errors and warnings, and every request's URL. */
async function openPage(url) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => seen.push(`page error (${page.url()}): ${e.message}`));
  page.on('console', (m) => {
    if (['error', 'warn', 'warning'].includes(m.type())) seen.push(`console ${m.type()} (${page.url()}): ${m.text()}`);
  });
  page.on('request', (r) => {
    const target = r.url();
    if (!(target.startsWith(origin) || target.startsWith('blob:') || target.startsWith('data:'))) {
      seen.push(`request to another origin: ${target}`);
    }
  });
  await page.goto(url);
  return page;
}

/** Waits for the page's API, then its wasm and workers (puppeteer does not await a returned promise). */
async function ready(page) {
  await page.waitForFunction(() => window.playground !== undefined, { timeout: 30_000 });
  await page.evaluate(async () => { await window.playground.ready; });
}

/**
 * Polls until the Run button is enabled again and the status says Done; on a timeout, fails with
 * what the page last showed. (A poll from node, not `waitForFunction`: it survives a reload.)
 */
async function untilDone(page, timeout = 90_000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await page.evaluate(() => ({
      url: location.href,
      run: document.querySelector('#run')?.disabled,
      status: document.querySelector('#status')?.textContent,
      cards: [...document.querySelectorAll('.lane-card')].map((e) => `${e.dataset.lane}: ${e.querySelector('.figure')?.textContent}`),
    })).catch((e) => ({ error: e.message }));
    if (last.run === false && /^Done/.test(last.status ?? '')) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.fail(`not done after ${timeout} ms: ${JSON.stringify(last)}`);
}

const run = (page, spec) => page.evaluate((s) => window.playground.run(s), spec);

/** Each test's own part of the console: nothing it caused may be an error or a warning. */
const noProblems = () => assert.deepEqual(seen.splice(0), []);

describe('Firefox ESR: the built site', () => {
  let page;
  before(async () => {
    server = await startServer();
    origin = new URL(server.url).origin;
    browser = await launchFirefox();
    page = await openPage(server.url);
    await ready(page);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('loads cross-origin isolated, with all five lanes', async () => {
    const caps = await page.evaluate(() => window.playground.capabilities());
    assert.equal(caps.crossOriginIsolated, true, JSON.stringify(caps));
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), true);
    assert.deepEqual([...caps.lanes].sort(), [...LANES].sort(), JSON.stringify(caps));
    noProblems();
  });

  test('every lane counts 78,498 primes below 1,000,000', async () => {
    const report = await run(page, { workload: 'primes', size: 1_000_000, workers: 2 });
    assert.deepEqual(report.results.map((r) => r.lane).sort(), [...LANES].sort());
    for (const r of report.results) {
      assert.ok(r.ok, `${r.lane}: ${r.error}`);
      assert.equal(r.checksum, '78498', r.lane);
    }
    // Isolated, with Atomics.waitAsync: the processes' chunks went through pipes, not by message.
    assert.equal(report.results.find((r) => r.lane === 'processes').via, 'pipe');
    noProblems();
  });

  test('the timeline reads a bar by keyboard and by pointer: the report\'s own event', async () => {
    const report = await run(page, { workload: 'primes', size: 300_000, tasks: 6, workers: 2, lanes: ['sequential', 'processes'] });
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    const first = report.results[0].events.filter((e) => e.row === 0).sort((a, b) => a.start - b.start)[0];
    const millis = (x) => (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x).toLocaleString('en-US')} ms`);
    const words = `sequential, worker: task ${first.task}, ${first.phase} from ${millis(first.start)} to ${millis(first.end)} (${millis(first.end - first.start)})`;
    const readout = () => page.evaluate(() => document.querySelector('.timeline-readout').textContent);
    await page.focus('#timeline');
    await page.keyboard.press('ArrowRight');
    assert.equal(await readout(), words);
    const box = await (await page.$('.timeline-marker')).boundingBox();
    await page.keyboard.press('Escape');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    assert.equal(await readout(), words);
    noProblems();
  });

  for (const spec of [
    { workload: 'io', size: 50, latencyMs: 5, workers: 2 },
    { workload: 'share', size: 4, tasks: 4, workers: 2 },
  ]) {
    test(`every lane agrees on ${spec.workload}`, async () => {
      const report = await run(page, spec);
      assert.equal(report.results.length, 5);
      for (const r of report.results) assert.ok(r.ok, `${r.lane}: ${r.error}`);
      const sums = new Set(report.results.map((r) => r.checksum));
      assert.equal(sums.size, 1, JSON.stringify(report.results.map((r) => [r.lane, r.checksum])));
      assert.match([...sums][0], /^[0-9a-f]+$/);
      noProblems();
    });
  }

  for (const [story, lanes] of Object.entries(STORIES)) {
    test(`the ${story} story runs to Done and draws its cards`, async () => {
      await page.click(`button[data-preset="${story}"]`);
      await untilDone(page);
      const cards = await page.$$eval('.lane-card', (els) => els.map((e) => ({
        lane: e.dataset.lane,
        figure: e.querySelector('.figure').textContent,
        sub: e.querySelector('.sub').textContent,
        failed: e.classList.contains('failed'),
      })));
      assert.deepEqual(cards.map((c) => c.lane), lanes);
      for (const c of cards) {
        const card = JSON.stringify(c);
        if (story !== 'crash') {
          assert.ok(!c.failed, card);
          assert.match(c.figure, /^\d[\d,.]* ms$/, card);
        } else {
          // One task panics: the threads lane fails as a whole; processes lose that one task only.
          assert.equal(c.figure, c.lane === 'threads' ? 'failed' : 'survived: 63 of 64 tasks', card);
          assert.equal(c.failed, c.lane === 'threads', card);
          assert.match(c.sub, c.lane === 'threads' ? /whole lane failed/ : /^1 of 64 tasks failed/, card);
        }
      }
      // The crash story included: a panic on a rayon thread used to surface in Firefox as an
      // uncaught "RuntimeError: unreachable executed" on the page.
      noProblems();
    });
  }

  test('thread pools of 8 and 2 start 16 times in turn, none of them hung and retried', async () => {
    // Each pool size needs a new lab. When the lab started its pool's threads itself, Firefox now
    // and then never returned from its `new Worker()`: about one start of a pool of 8 in nine
    // took a hung 10 s try (RAYON_PATCHES in scripts/build.mjs).
    for (let i = 0; i < 16; i++) {
      const workers = i % 2 ? 2 : 8;
      const report = await run(page, { workload: 'primes', size: 20_000, tasks: 16, workers, lanes: ['threads'] });
      const [threads] = report.results;
      assert.ok(threads.ok, `start ${i}, pool of ${workers}: ${threads.error}`);
      assert.equal(threads.checksum, '2262');
      assert.ok(threads.setupMs < 10_000, `start ${i}, pool of ${workers}: set-up ${threads.setupMs} ms, a hung try of 10 s`);
    }
    noProblems();
  });

  test('the shared counter: exact with a lock or an atomic add on every lane; threads race without', async () => {
    for (const sync of ['lock', 'atomic', 'partial']) {
      const report = await run(page, { workload: 'counter', size: 20_000, tasks: 8, workers: 2, sync });
      for (const r of report.results) assert.deepEqual([r.lane, r.counter.counted, r.checksum], [r.lane, 160_000, '160000'], sync);
    }
    const report = await run(page, { workload: 'counter', size: 1_000_000, tasks: 2, workers: 2, sync: 'none' });
    const by = Object.fromEntries(report.results.map((r) => [r.lane, r.counter]));
    assert.ok(by.threads.lostUpdates > 0, JSON.stringify(by.threads));
    assert.equal(by.gil.lostUpdates, 0);
    assert.equal(by.processes.counted, 0);
    noProblems();
  });

  test('serve mode: slow I/O past the pools\' capacity queues them and not async; every request accounted for', async () => {
    const report = await page.evaluate(() => window.playground.serve({ ratePerSec: 100, durationMs: 1000, latencyMs: 50, jitterMs: 0, cpuRounds: 0, workers: 2 }));
    const by = Object.fromEntries(report.lanes.map((l) => [l.lane, l]));
    assert.deepEqual(Object.keys(by).sort(), [...LANES].sort());
    for (const l of report.lanes) {
      assert.ok(l.ok, `${l.lane}: ${l.error}`);
      assert.equal(l.completed + l.queued, report.arrivals.length, l.lane);
      if (l.capacityPerSec !== null) assert.ok(l.completedPerSec <= l.capacityPerSec * 1.05, `${l.lane}: ${l.completedPerSec} past ${l.capacityPerSec}`);
    }
    assert.equal(by.async.queued, 0);
    // Async's typical request takes its own wait and no more. One stall of the worker (seen once
    // in CI: p99 103 ms) delays every request then in flight alike, so the tail is held against
    // the pools', which queue for hundreds of ms, rather than against a few ms of slack.
    assert.ok(by.async.p50Ms < 50 + 15, `async p50 ${by.async.p50Ms}`);
    assert.ok(by.async.p99Ms < 50 + 100, `async p99 ${by.async.p99Ms}`);
    for (const lane of ['threads', 'gil', 'processes']) {
      assert.ok(by[lane].queued > report.arrivals.length / 3, `${lane}: ${by[lane].queued}`);
      assert.ok(by[lane].p99Ms > 3 * by.async.p99Ms, `${lane}: p99 ${by[lane].p99Ms} against async's ${by.async.p99Ms}`);
    }
    noProblems();
  });

  test('the embed runs the cpu story: 41,538 primes below 500,000', async () => {
    const embed = await openPage(`${server.url}embed.html?preset=cpu&size=500000&autorun=1`);
    await untilDone(embed);
    const answer = await embed.$eval('#answer', (e) => e.textContent);
    assert.match(answer, /41,538 primes/);
    await embed.close();
    noProblems();
  });

  test('every fault on every lane ends it with its own kind, 5 rounds, nothing uncaught', async () => {
    const kinds = { 'panic-one-task': 'panicked', 'oom-one-task': 'oom' };
    for (let round = 0; round < 5; round++) {
      for (const [fault, kind] of Object.entries(kinds)) {
        const report = await run(page, { workload: 'primes', size: 200_000, tasks: 128, workers: 2, fault, seed: round + 1 });
        for (const r of report.results) {
          assert.equal(r.errorKind, kind, `${r.lane} ${fault} round ${round}: ${r.error}`);
          assert.equal(r.outcome, r.lane === 'processes' ? 'survived' : 'failed', `${r.lane} ${fault}`);
        }
      }
    }
    noProblems();
  });

  test('300 fault runs on processes: every panicked process ends cleanly, nothing uncaught', async () => {
    // A process ended the moment its panic's report arrived logged its in-flight trap as an
    // uncaught "RuntimeError: unreachable executed" on the page, in about 1 fault run in 190
    // (PANICKED_WORKER_MS in www/src/worker-client.ts): this fails most runs without the fix.
    const faults = ['panic-one-task', 'oom-one-task'];
    for (let i = 0; i < 300; i++) {
      const report = await run(page, { workload: 'primes', size: 200_000, tasks: 128, workers: 2, lanes: ['processes'], fault: faults[i % 2], seed: (i % 7) + 1 });
      const [p] = report.results;
      assert.equal(p.outcome, 'survived', `run ${i}: ${p.error}`);
    }
    noProblems();
  });
});
