// The built site in WebKitGTK (MiniBrowser under Xvfb, driven by WebKitWebDriver over plain
// WebDriver HTTP: ./webdriver.mjs): isolation, every lane's answers, the five stories, the embed,
// no error or warning seen on the page and no request to another origin, and WebKit's figures
// for primes 5M. Its own folder, as tests-firefox/: `node --test tests/` would run it otherwise.
//   SITE_DIR=/tmp/some-build node --test tests-webkit/   (default: www/dist)
//
// What it can see of the console. WebDriver classic sends no console events from WebKit, and
// nothing can run before the page's own scripts (the page's CSP blocks an injected inline script,
// and WebKitWebDriver has no "script on every new document"). So right after each navigation
// `PROBE` installs, through executeScript (not subject to the CSP), counters for `error`,
// `unhandledrejection` and `securitypolicyviolation` events and wrappers around console.error and
// console.warn, and a PerformanceObserver over every resource the document fetched (buffered:
// from its first request on). It cannot see: an error, rejection or console message on the page
// before the probe is installed (a broken start-up shows as a page that never gets ready); any
// console message or uncaught error inside a worker that the page does not pass on (workers log
// to their own console; the page reports its workers' failures as lane errors, which the tests
// check); requests made by workers (their resource entries live in their own timeline); and
// messages the engine itself prints to the console (e.g. a CSP or CORP refusal is seen only
// through the event it fires or the resource it leaves, not its console line).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../tests/harness.mjs';
import { WebKit } from './webdriver.mjs';

const LANES = ['sequential', 'threads', 'gil', 'processes', 'async'];

/** What each story's cards are, in order (www/src/ui/presets.ts). */
const STORIES = {
  cpu: LANES,
  'io-fast': LANES,
  'io-slow': LANES,
  share: ['sequential', 'threads', 'processes'],
  crash: ['threads', 'processes'],
};

/** Installed in the page after each navigation: records what the page does wrong (see above). */
function PROBE() {
  if (window.__smoke) return false;
  const seen = [];
  const text = (v) => (v instanceof Error ? `${v.name}: ${v.message}` : typeof v === 'string' ? v : (() => {
    try { return JSON.stringify(v); } catch { return String(v); }
  })());
  addEventListener('error', (e) => seen.push(`page error: ${e.message} (${e.filename}:${e.lineno})`));
  addEventListener('unhandledrejection', (e) => seen.push(`unhandled rejection: ${text(e.reason)}`));
  document.addEventListener('securitypolicyviolation', (e) => seen.push(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  for (const level of ['error', 'warn']) {
    const original = console[level];
    console[level] = function (...args) {
      seen.push(`console.${level}: ${args.map(text).join(' ')}`);
      return original.apply(this, args);
    };
  }
  const foreign = (url) => !(url.startsWith(location.origin + '/') || url.startsWith('blob:') || url.startsWith('data:'));
  const check = (entries) => {
    for (const e of entries) if (foreign(e.name)) seen.push(`request to another origin: ${e.name}`);
  };
  const observer = new PerformanceObserver((list) => check(list.getEntries()));
  observer.observe({ type: 'resource', buffered: true });
  check(performance.getEntriesByType('navigation'));
  window.__smoke = { seen, observer, check };
  return true;
}

/** What the probe saw since the last call (and then forgets it). */
function TAKE() {
  const probe = window.__smoke;
  if (!probe) return ['the probe is gone: the page navigated or reloaded'];
  probe.check(probe.observer.takeRecords());
  return probe.seen.splice(0);
}

let server;
let browser;

/** Navigates the current window, installs the probe, and waits for the page's API to be ready. */
async function open(url, { playground = true, b = browser } = {}) {
  await b.navigate(url);
  await b.execute(PROBE);
  if (playground) {
    await b.executeAsync(async () => {
      const end = Date.now() + 30_000;
      while (window.playground === undefined) {
        if (Date.now() > end) throw new Error('no window.playground after 30 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      await window.playground.ready;
    });
  }
}

/**
 * Polls until the Run button is enabled again and the status says Done; on a timeout, fails with
 * what the page last showed.
 */
async function untilDone(timeout = 120_000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await browser.execute(() => ({
      url: location.href,
      run: document.querySelector('#run')?.disabled,
      status: document.querySelector('#status')?.textContent,
      cards: [...document.querySelectorAll('.lane-card')].map((e) => `${e.dataset.lane}: ${e.querySelector('.figure')?.textContent}`),
    })).catch((e) => ({ error: e.message }));
    if (last.run === false && /^Done/.test(last.status ?? '')) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`not done after ${timeout} ms: ${JSON.stringify(last)}`);
}

/**
 * Runs a spec through window.playground; returns what the tests read of each lane (no trace). A
 * run not over in 90 s fails with what the page showed then, not as the whole file's timeout.
 */
async function run(spec, b = browser) {
  const out = await b.executeAsync(async (s) => {
    const over = new Promise((r) => setTimeout(() => r(null), 90_000));
    const report = await Promise.race([window.playground.run(s), over]);
    if (report === null) {
      return {
        stuck: {
          status: document.querySelector('#status')?.textContent,
          cards: [...document.querySelectorAll('.lane-card')].map((e) => `${e.dataset.lane}: ${e.className} ${e.querySelector('.figure')?.textContent}`),
        },
      };
    }
    return {
      results: report.results.map((r) => ({
        lane: r.lane, ok: r.ok, error: r.error ?? null, errorKind: r.errorKind ?? null, outcome: r.outcome ?? null,
        checksum: r.checksum ?? null, wallMs: r.wallMs, via: r.via ?? null,
      })),
    };
  }, spec);
  if (out.stuck) assert.fail(`${JSON.stringify(spec)} not over after 90 s: ${JSON.stringify(out.stuck)}`);
  return out;
}

/** Each test's own part of what the page did: nothing it caused may be an error or a warning. */
const noProblems = async (b = browser) => assert.deepEqual(await b.execute(TAKE), []);

/**
 * Sequential, threads and processes on primes 5M with 2 workers, 3 times (lanes rotated, as the
 * bench does): one line a run.
 */
async function figures(b) {
  const lanes = ['sequential', 'threads', 'processes'];
  const rows = [];
  for (let i = 0; i < 3; i++) {
    const order = lanes.map((_, j) => lanes[(i + j) % lanes.length]);
    const report = await run({ workload: 'primes', size: 5_000_000, workers: 2, lanes: order, pool: 'warm' }, b);
    const ms = {};
    for (const r of report.results) {
      assert.ok(r.ok, `${r.lane}: ${r.error}`);
      assert.equal(r.checksum, '348513', r.lane);
      ms[r.lane] = r.wallMs;
    }
    rows.push(lanes.map((l) => `${l} ${ms[l].toFixed(0)} ms`).join(', ')
      + `; threads ${(ms.sequential / ms.threads).toFixed(2)}×, processes ${(ms.sequential / ms.processes).toFixed(2)}×`);
  }
  return rows;
}

describe('WebKitGTK: the built site', () => {
  before(async () => {
    server = await startServer();
    browser = await WebKit.launch();
    await open(server.url);
  });
  after(async () => {
    await browser?.quit();
    await server?.close();
  });

  test('loads cross-origin isolated, with all five lanes', async () => {
    const caps = await browser.execute(() => window.playground.capabilities());
    const ua = await browser.execute(() => navigator.userAgent);
    console.log(`WebKitGTK ${browser.version}: ${ua}; hardwareConcurrency ${caps.hardwareConcurrency}`);
    assert.equal(caps.crossOriginIsolated, true, JSON.stringify(caps));
    assert.equal(await browser.execute(() => window.crossOriginIsolated), true);
    assert.deepEqual([...caps.lanes].sort(), [...LANES].sort(), JSON.stringify(caps));
    await noProblems();
  });

  test('every lane counts 78,498 primes below 1,000,000', async () => {
    const report = await run({ workload: 'primes', size: 1_000_000, workers: 2 });
    assert.deepEqual(report.results.map((r) => r.lane).sort(), [...LANES].sort());
    for (const r of report.results) {
      assert.ok(r.ok, `${r.lane}: ${r.error}`);
      assert.equal(r.checksum, '78498', r.lane);
    }
    // Isolated, with Atomics.waitAsync: the processes' chunks went through pipes, not by message.
    assert.equal(report.results.find((r) => r.lane === 'processes').via, 'pipe');
    await noProblems();
  });

  test('the timeline reads a bar by keyboard and by pointer: the report\'s own event', async () => {
    await run({ workload: 'primes', size: 300_000, tasks: 6, workers: 2, lanes: ['sequential', 'processes'] });
    const first = await browser.execute(() => window.playground.lastReport.results[0].events.filter((e) => e.row === 0).sort((a, b) => a.start - b.start)[0]);
    const millis = (x) => (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x).toLocaleString('en-US')} ms`);
    const words = `sequential, worker: task ${first.task}, ${first.phase} from ${millis(first.start)} to ${millis(first.end)} (${millis(first.end - first.start)})`;
    // WebDriver's actions are not in this small client: the page gets the events a key and a
    // pointer would send, which run the same listeners on WebKit's own layout.
    const [byKey, byPointer] = await browser.executeAsync(async () => {
      while (document.querySelector('#run').disabled) await new Promise((r) => setTimeout(r, 50));
      const canvas = document.querySelector('#timeline');
      const text = () => document.querySelector('.timeline-readout').textContent;
      const key = (k) => canvas.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
      canvas.focus();
      key('ArrowRight');
      const keyed = text();
      const box = document.querySelector('.timeline-marker').getBoundingClientRect();
      key('Escape');
      canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2, bubbles: true }));
      return [keyed, text()];
    });
    assert.equal(byKey, words);
    assert.equal(byPointer, words);
    await noProblems();
  });

  for (const spec of [
    { workload: 'io', size: 50, latencyMs: 5, workers: 2 },
    { workload: 'share', size: 4, tasks: 4, workers: 2 },
  ]) {
    test(`every lane agrees on ${spec.workload}`, async () => {
      const report = await run(spec);
      assert.equal(report.results.length, 5);
      for (const r of report.results) assert.ok(r.ok, `${r.lane}: ${r.error}`);
      const sums = new Set(report.results.map((r) => r.checksum));
      assert.equal(sums.size, 1, JSON.stringify(report.results.map((r) => [r.lane, r.checksum])));
      assert.match([...sums][0], /^[0-9a-f]+$/);
      await noProblems();
    });
  }

  for (const [story, lanes] of Object.entries(STORIES)) {
    test(`the ${story} story runs to Done and draws its cards`, async () => {
      await browser.clickCss(`button[data-preset="${story}"]`);
      await untilDone();
      const cards = await browser.execute(() => [...document.querySelectorAll('.lane-card')].map((e) => ({
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
      await noProblems();
    });
  }

  test('serve mode: slow I/O past the pools\' capacity queues them and not async; every request accounted for', async () => {
    const report = await browser.executeAsync(async () => {
      const r = await window.playground.serve({ ratePerSec: 100, durationMs: 1000, latencyMs: 50, jitterMs: 0, cpuRounds: 0, workers: 2 });
      return { arrivals: r.arrivals.length, lanes: r.lanes.map(({ records, queue, ...l }) => l) };
    });
    const by = Object.fromEntries(report.lanes.map((l) => [l.lane, l]));
    assert.deepEqual(Object.keys(by).sort(), [...LANES].sort());
    for (const l of report.lanes) {
      assert.ok(l.ok, `${l.lane}: ${l.error}`);
      assert.equal(l.completed + l.queued, report.arrivals, l.lane);
      if (l.capacityPerSec !== null) assert.ok(l.completedPerSec <= l.capacityPerSec * 1.05, `${l.lane}: ${l.completedPerSec} past ${l.capacityPerSec}`);
    }
    assert.equal(by.async.queued, 0);
    // Async's typical request takes its own wait and no more. One stall of the worker (seen once
    // in CI: p99 103 ms) delays every request then in flight alike, so the tail is held against
    // the pools', which queue for hundreds of ms, rather than against a few ms of slack.
    assert.ok(by.async.p50Ms < 50 + 15, `async p50 ${by.async.p50Ms}`);
    assert.ok(by.async.p99Ms < 50 + 100, `async p99 ${by.async.p99Ms}`);
    for (const lane of ['threads', 'gil', 'processes']) {
      assert.ok(by[lane].queued > report.arrivals / 3, `${lane}: ${by[lane].queued}`);
      assert.ok(by[lane].p99Ms > 3 * by.async.p99Ms, `${lane}: p99 ${by[lane].p99Ms} against async's ${by.async.p99Ms}`);
    }
    await noProblems();
  });

  test('the embed runs the cpu story: 41,538 primes below 500,000', async () => {
    const main = await browser.windowHandle();
    await browser.newWindow();
    try {
      await open(`${server.url}embed.html?preset=cpu&size=500000&autorun=1`, { playground: false });
      await untilDone();
      const answer = await browser.execute(() => document.querySelector('#answer').textContent);
      assert.match(answer, /41,538 primes/);
      await noProblems();
    } finally {
      await browser.closeWindow();
      await browser.switchTo(main);
    }
    await noProblems();
  });

  test('every fault on every lane ends it with its own kind, nothing uncaught', async () => {
    const kinds = { 'panic-one-task': 'panicked', 'oom-one-task': 'oom' };
    for (let round = 0; round < 2; round++) {
      for (const [fault, kind] of Object.entries(kinds)) {
        const report = await run({ workload: 'primes', size: 200_000, tasks: 128, workers: 2, fault, seed: round + 1 });
        for (const r of report.results) {
          assert.equal(r.errorKind, kind, `${r.lane} ${fault} round ${round}: ${r.error}`);
          assert.equal(r.outcome, r.lane === 'processes' ? 'survived' : 'failed', `${r.lane} ${fault}`);
        }
      }
    }
    await noProblems();
  });

  // Printed, not judged: a shared 2-core machine is no place for a speed limit. The same runs with
  // WebKit's accelerated compositing off show where a core goes: under Xvfb there is no GPU, so
  // WebKitGTK composites every frame of the page with Mesa's llvmpipe (software OpenGL) on the
  // web process's own threads, and during a run the page redraws every frame (progress, the frame
  // meter), which takes about half a core from the two workers.
  test("WebKit's figures: primes 5M on 2 workers, 3 runs, with and without compositing", async () => {
    const composited = await figures(browser);
    await noProblems();
    const plain = await WebKit.launch({ env: { WEBKIT_DISABLE_COMPOSITING_MODE: '1' } });
    let flat;
    try {
      await open(server.url, { b: plain });
      flat = await figures(plain);
      await noProblems(plain);
    } finally {
      await plain.quit();
    }
    console.log(`WebKitGTK ${browser.version}, primes 5M, 2 workers (hardwareConcurrency says 4):\n`
      + `  as it runs by default (composited with llvmpipe, software GL):\n    ${composited.join('\n    ')}\n`
      + `  with WEBKIT_DISABLE_COMPOSITING_MODE=1:\n    ${flat.join('\n    ')}`);
  });
});
