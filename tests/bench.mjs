// npm run bench [-- --quick] [-- --corners] [-- --counter] [-- --serve] [-- --out FILE]: drives the built site in headless Chromium through
// window.playground and prints, per workload and lane, the median wall time over repeats after
// warm-up, min/max, the speedup over sequential (the median of ratios measured within one run),
// set-up, transfer and loop lag; then the native reference, wasm sizes, and the targets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { root } from '../scripts/lib.mjs';
import { launch, openPage, runSpec, startServer } from './harness.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 ? args[outIndex + 1] : null;
const REPEATS = quick ? 3 : 5;
/**
 * Repeats of the runs whose speedups are targets (primes 5M, Mandelbrot 800, the table by tasks):
 * 3 did not outlast the host's stretches on one core (`Host`: run 59, processes at 64 tasks
 * 1.04×), and over 5 the same code's medians read 1.72–1.89 for processes at 64 tasks, 1.83–1.92
 * for threads and 1.69–1.81 for Mandelbrot on processes from one bench run to the next (runs
 * 60–68). Each repeat takes 0.4–2.5 s.
 */
const RATIO_REPEATS = quick ? 3 : 9;
const started = Date.now();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/** Below this many cores just before or just after a repeat, it is run again. */
const HOST_CORES_MIN = 1.6;
const TRIES = 3;
const SPIN = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (n) => {
  let x = 1;
  for (let i = 0; i < n; i++) x = (x * 48271) % 2147483647;
  parentPort.postMessage(x);
});`;

/**
 * The cores this VM's host gives it right now, and the repeats it kept. The host now and then runs
 * the VM on one core for seconds (both parallel lanes at one core's speed, 509-558 ms against
 * 296-325 around them, with no steal time in /proc/stat): a median of 5 did not outlast it (run
 * 61: threads at 64 tasks 1.08×), nor did the start-up figures (two empty workers started in
 * 16.9 ms in run 65 and 23.5 in run 66, page ready 198 and 268 ms). A timed run (a repeat that
 * compares lanes, a corner's repeat, a cold spawn, a fresh page's start) is kept only where two
 * threads spinning the same loop did twice one's work just before and just after it (at least
 * `HOST_CORES_MIN` cores' worth), else it is run again, `TRIES` times at most; the output says
 * how many were. A corner's first run is kept as it came: it is the whole lane the first time.
 */
class Host {
  spinners = [new Worker(SPIN, { eval: true }), new Worker(SPIN, { eval: true })];
  redone = 0;
  keptShort = 0;

  spin(workers, n) {
    const t = performance.now();
    return Promise.all(workers.map((w) => new Promise((done) => {
      w.once('message', done);
      w.postMessage(n);
    }))).then(() => performance.now() - t);
  }

  /** Two threads' work over the time they took, in cores of one thread's rate (2 where both run). */
  async cores() {
    const n = 1_000_000;
    // The loop's first runs are V8's baseline code, 2-4× slower than its optimised code.
    this.warm ??= (async () => {
      for (let i = 0; i < 3; i++) await this.spin(this.spinners, n);
    })();
    await this.warm;
    const one = await this.spin([this.spinners[0]], n);
    const two = await this.spin(this.spinners, n);
    return (2 * one) / two;
  }

  async quiet(run) {
    for (let tries = 1; ; tries++) {
      const before = await this.cores();
      const out = await run();
      // Not while the page still draws the report: that took a core from the spinners too.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const after = await this.cores();
      if (Math.min(before, after) >= HOST_CORES_MIN) return out;
      if (tries === TRIES) {
        this.keptShort++;
        return out;
      }
      this.redone++;
    }
  }

  close() {
    for (const w of this.spinners) w.terminate();
  }
}
const host = new Host();

/** The workloads measured; each names its lanes, and its repeats where a target reads its speedups. */
const WORKLOADS = [
  { id: 'primes-5M', spec: { workload: 'primes', size: 5_000_000, workers: 2, pool: 'warm' }, lanes: ['sequential', 'threads', 'gil', 'processes', 'async'], repeats: RATIO_REPEATS },
  { id: 'io-2000x100-async', spec: { workload: 'io', size: 2000, latencyMs: 100, workers: 2 }, lanes: ['async'] },
  { id: quick ? 'io-20x100-2w' : 'io-40x100-2w', spec: { workload: 'io', size: quick ? 20 : 40, latencyMs: 100, workers: 2, pool: 'warm' }, lanes: ['sequential', 'threads', 'gil', 'processes', 'async'] },
  { id: 'async-cpu-yield0', spec: { workload: 'primes', size: 2_000_000, yieldEvery: 0 }, lanes: ['sequential', 'async'] },
  { id: 'async-cpu-yield1000', spec: { workload: 'primes', size: 2_000_000, yieldEvery: 1000 }, lanes: ['sequential', 'async'] },
  { id: 'share-64MB-cold', spec: { workload: 'share', size: 64, workers: 2 }, lanes: ['sequential', 'threads', 'processes'] },
  ...(quick ? [] : [
    { id: 'mandelbrot-800', spec: { workload: 'mandelbrot', size: 800, workers: 2, pool: 'warm' }, lanes: ['sequential', 'threads', 'processes'], repeats: RATIO_REPEATS },
    { id: 'hash-20000', spec: { workload: 'hash', size: 20_000, workers: 2, pool: 'warm' }, lanes: ['sequential', 'threads', 'processes'] },
  ]),
];

/**
 * Specs at the corners of the caps, each scaled to take seconds, not minutes: the largest buffer,
 * image, rounds and request counts, the smallest tasks in the largest numbers, 64 workers on
 * 2 cores, a yield every unit, the shortest GIL switch. The time budget's cost model must hold
 * here, not only near the defaults: each lane's estimate within 2× of what it took (and not
 * below it, or a spec the budget accepts could run past the budget).
 */
const CORNERS = [
  { id: 'primes-20M', spec: { workload: 'primes', size: 20_000_000, workers: 2 }, lanes: ['sequential', 'threads', 'gil', 'processes', 'async'] },
  { id: 'primes-20k-10000-tasks', spec: { workload: 'primes', size: 20_000, tasks: 10_000, workers: 2 }, lanes: ['sequential', 'threads', 'gil', 'processes', 'async'] },
  { id: 'mandelbrot-4096', spec: { workload: 'mandelbrot', size: 4096, workers: 2 }, lanes: ['sequential', 'threads', 'processes'] },
  { id: 'mandelbrot-4096-1-task', spec: { workload: 'mandelbrot', size: 4096, tasks: 1, workers: 2 }, lanes: ['sequential', 'threads', 'processes'] },
  { id: 'hash-200000x100', spec: { workload: 'hash', size: 200_000, tasks: 100, workers: 2 }, lanes: ['sequential', 'threads', 'processes'] },
  { id: 'share-256MB-1w', spec: { workload: 'share', size: 256, workers: 1 }, lanes: ['sequential', 'threads', 'processes'] },
  { id: 'share-256MB-2w', spec: { workload: 'share', size: 256, workers: 2 }, lanes: ['sequential', 'threads', 'processes'] },
  { id: 'io-20000x0', spec: { workload: 'io', size: 20_000, latencyMs: 0, workers: 2 }, lanes: ['sequential', 'threads', 'gil', 'processes', 'async'] },
  { id: 'io-20000x1-64w', spec: { workload: 'io', size: 20_000, latencyMs: 1, workers: 64 }, lanes: ['threads', 'gil', 'processes', 'async'] },
  { id: 'mixed-20x1M', spec: { workload: 'mixed', size: 20, latencyMs: 10, cpuRounds: 1_000_000, workers: 2 }, lanes: ['sequential', 'threads', 'gil', 'processes', 'async'] },
  { id: 'async-yield-1', spec: { workload: 'primes', size: 300_000, yieldEvery: 1 }, lanes: ['sequential', 'async'] },
  { id: 'gil-switch-0.1', spec: { workload: 'primes', size: 5_000_000, gilSwitchMs: 0.1, workers: 2 }, lanes: ['sequential', 'gil'] },
  { id: 'processes-64w-cold', spec: { workload: 'primes', size: 2_000_000, workers: 64, pool: 'cold' }, lanes: ['threads', 'processes'] },
];

/**
 * One run of a corner, a lane at a time on a fresh page (nothing warm from another spec): each
 * lane's timed part against the estimate's, and the whole lane (start, warm-up, run) against
 * the estimate of all of it. A timed part under a second is the median of five runs: at 10 ms one
 * collection or one late timer doubles it (10,000 tiny tasks took 10 to 29 ms sequential). A
 * longer one is the median of three: this VM now and then runs at half speed for seconds (the
 * same 20 requests of 1M SHA-256 rounds took 12.8 s sequential in one run, 6.5–6.7 s in three
 * others, and 5.6–6.5 s on the gil and async lanes, one thread too, in the same run).
 */
async function corner(browser, url, c) {
  const { page, context, problems } = await openPage(browser, url, VISITOR);
  // The page times this machine once after start-up: not the first lane's cost. Its figure goes
  // in the file, so the Rust tests estimate this corner for the machine as the page found it.
  const { speed, memory } = await page.evaluate(() => window.playground.calibrated);
  const lanes = {};
  let spec = null;
  try {
    for (const lane of c.lanes) {
      const t = Date.now();
      const report = await runSpec(page, { ...c.spec, lanes: [lane] });
      const whole = Date.now() - t;
      const [r] = report.results;
      if (!r.ok) throw new Error(`${c.id}: ${lane} failed: ${r.error}`);
      const walls = [r.wallMs];
      while (walls.length < (r.wallMs < 1000 ? 5 : 3)) {
        const [again] = (await host.quiet(() => runSpec(page, { ...c.spec, lanes: [lane] }))).results;
        if (!again.ok) throw new Error(`${c.id}: ${lane} failed: ${again.error}`);
        walls.push(again.wallMs);
      }
      const wallMs = median(walls);
      const [e] = report.estimate.lanes;
      spec ??= { ...report.spec, lanes: c.lanes };
      lanes[lane] = { wallMs, wholeMs: whole, estimateMs: e.wallMs, estimateWholeMs: e.ms, estimateOverMeasured: e.wallMs / wallMs, checksum: r.checksum };
    }
    if (problems().length) throw new Error(`${c.id}: page problems: ${problems().join('; ')}`);
  } finally {
    await context.close();
  }
  return { spec, speed, memory, lanes };
}

async function measure(page, w) {
  // One untimed run first: pools start, kernels warm, share buffers exist.
  await runSpec(page, { ...w.spec, lanes: w.lanes });
  const runs = [];
  for (let i = 0; i < (w.repeats ?? REPEATS); i++) {
    const report = await host.quiet(() => runSpec(page, { ...w.spec, lanes: rotate(w.lanes, i) }));
    const bad = report.results.find((r) => !r.ok);
    if (bad) throw new Error(`${w.id}: ${bad.lane} failed: ${bad.error}`);
    const sums = new Set(report.results.map((r) => r.checksum));
    if (sums.size !== 1) throw new Error(`${w.id}: lanes disagree: ${JSON.stringify(report.results.map((r) => [r.lane, r.checksum]))}`);
    runs.push(report);
  }
  const lanes = {};
  for (const lane of w.lanes) {
    const rs = runs.map((rep) => rep.results.find((r) => r.lane === lane));
    const seq = runs.map((rep) => rep.results.find((r) => r.lane === 'sequential'));
    const walls = rs.map((r) => r.wallMs);
    lanes[lane] = {
      medianMs: median(walls),
      minMs: Math.min(...walls),
      maxMs: Math.max(...walls),
      speedup: seq[0] ? median(rs.map((r, i) => seq[i].wallMs / r.wallMs)) : null,
      setupMs: median(rs.map((r) => r.setupMs)),
      transferMs: median(rs.map((r) => r.transferMs)),
      loopLagMs: rs[0].loopLagMs === undefined ? undefined : median(rs.map((r) => r.loopLagMs)),
      checksum: rs[0].checksum,
      // The budget's estimate (crate/src/budget.rs) of the lane's timed part over what it took
      // (warm runs: set-up is measured apart): within 2× either way is the aim.
      estimateMs: runs[0].estimate.lanes.find((e) => e.lane === lane).wallMs,
      estimateOverMeasured: runs[0].estimate.lanes.find((e) => e.lane === lane).wallMs / median(walls),
    };
  }
  return { spec: runs[0].spec, lanes };
}

/**
 * The largest trace the budget admits on every lane (10,000 requests of 1 ms: two spans each),
 * run from the page's own form on a fresh page (a script's runs write their spec into the form:
 * the bench's page holds its last one), then the timeline redrawn as a resize redraws it: the
 * draw's User Timing entry is what a visitor waits for.
 */
async function biggestRedraw(browser, url) {
  const { page, context, problems } = await openPage(browser, url, VISITOR);
  try {
    await page.evaluate(() => {
      for (const d of document.querySelectorAll('#controls details')) d.open = true;
    });
    await page.selectOption('#workload', 'io');
    await page.fill('#size', '10000');
    await page.fill('#latencyMs', '1');
    await page.fill('#jitterMs', '0');
    await page.click('#run');
    await page.waitForFunction(() => window.playground.lastReport && /^Done/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 300_000 });
    const events = await page.evaluate(() => window.playground.lastReport.results.map((r) => [r.lane, r.events.length]));
    if (events.length < 5) throw new Error(`the biggest timeline ran ${JSON.stringify(events)}, not every lane`);
    const draws = [];
    for (let i = 0; i < REPEATS; i++) {
      draws.push(await page.evaluate(async () => {
        performance.clearMeasures('timeline-draw');
        window.dispatchEvent(new Event('resize'));
        while (performance.getEntriesByName('timeline-draw').length === 0) await new Promise((r) => setTimeout(r, 20));
        return performance.getEntriesByName('timeline-draw')[0].duration;
      }));
    }
    if (problems().length) throw new Error(`the biggest timeline: page problems: ${problems().join('; ')}`);
    return { eventsPerLane: Object.fromEntries(events), redrawMs: median(draws) };
  } finally {
    await context.close();
  }
}

/**
 * The processes lane against threads as tasks get smaller: primes 5M on 2 workers, warm pools,
 * 8 to 4096 tasks (chunks automatic, as Pool.map's). Medians of ratios within one run, over
 * `RATIO_REPEATS` runs.
 */
async function taskCounts(page) {
  const out = {};
  for (const tasks of [8, 64, 256, 1024, 4096]) {
    const spec = { workload: 'primes', size: 5_000_000, tasks, workers: 2, pool: 'warm' };
    const lanes = ['sequential', 'threads', 'processes'];
    await runSpec(page, { ...spec, lanes });
    const runs = [];
    for (let i = 0; i < RATIO_REPEATS; i++) runs.push(await host.quiet(() => runSpec(page, { ...spec, lanes: rotate(lanes, i) })));
    const by = (rep, lane) => rep.results.find((r) => r.lane === lane);
    out[tasks] = {
      threads: median(runs.map((r) => by(r, 'sequential').wallMs / by(r, 'threads').wallMs)),
      processes: median(runs.map((r) => by(r, 'sequential').wallMs / by(r, 'processes').wallMs)),
      transferMs: median(runs.map((r) => by(r, 'processes').transferMs)),
      chunk: by(runs[0], 'processes').chunk,
    };
  }
  return out;
}

/**
 * A trivial task's cost (hash, 1 round, 4096 tasks, 2 workers, warm) on `lane`: the median of 9
 * runs' µs a task. Each run takes 10–150 ms, which this kind of VM stretches 2–4× now and then:
 * the median of 9, not of 3. For processes, `via` is how their chunks must have travelled.
 */
async function trivialUs(page, lane, extra = {}, via = undefined) {
  const spec = { workload: 'hash', size: 1, tasks: 4096, workers: 2, pool: 'warm', ...extra, lanes: [lane] };
  await runSpec(page, spec);
  const walls = [];
  for (let i = 0; i < 9; i++) {
    const [r] = (await runSpec(page, spec)).results;
    if (r.via !== via) throw new Error(`${lane} went by ${r.via}, not ${via}`);
    walls.push(r.wallMs);
  }
  return (median(walls) / spec.tasks) * 1000;
}

/**
 * The lane's own cost per task, one task a message and with automatic chunks, threads beside it;
 * and one a message by postMessage, on a page without isolation where pipes do not work.
 */
async function trivialTasks(page, browser) {
  const out = {
    processesOneAMessageUs: await trivialUs(page, 'processes', { chunk: 1 }, 'pipe'),
    processesBatchedUs: await trivialUs(page, 'processes', {}, 'pipe'),
    threadsUs: await trivialUs(page, 'threads'),
  };
  const plain = await startServer({ isolation: false });
  const { page: unisolated, context } = await openPage(browser, plain.url, VISITOR);
  try {
    out.processesByMessageUs = await trivialUs(unisolated, 'processes', { chunk: 1 }, 'message');
  } finally {
    await context.close();
    await plain.close();
  }
  return out;
}

/**
 * What this machine's browser charges before any code of ours runs, measured where the processes
 * lane's parent runs (a worker): two empty module workers started from it at once, as a pool of 2
 * starts (each to its first message), and the same 4096 messages a trivial run one a message
 * exchanges with its processes (the same shapes, 32 in flight to each of 2 workers, answered at
 * once, nothing computed). The spawn and one-a-message targets read against these.
 */
async function floors(page) {
  return page.evaluate(async () => {
    const url = (code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const empty = url('postMessage(0);');
    const echo = url("onmessage = (e) => postMessage({ type: 'chunk-done', sum: 0n, start: e.data.from, end: e.data.to });");
    const parent = url(`onmessage = async ({ data: { empty, echo } }) => {
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const starts = [];
      for (let i = 0; i < 9; i++) {
        const t = performance.now();
        const pair = [new Worker(empty, { type: 'module' }), new Worker(empty, { type: 'module' })];
        await Promise.all(pair.map((w) => new Promise((r) => {
          w.onmessage = () => r(starts.push(performance.now() - t));
        })));
        for (const w of pair) w.terminate();
      }
      const workers = [new Worker(echo, { type: 'module' }), new Worker(echo, { type: 'module' })];
      const N = 4096;
      const perMessage = [];
      for (let round = 0; round < 3; round++) {
        const t = performance.now();
        let sent = 0;
        let got = 0;
        await new Promise((done) => {
          const next = (w) => w.postMessage({ type: 'chunk', from: sent, to: ++sent });
          for (const w of workers) {
            w.onmessage = () => {
              if (++got === N) done();
              else if (sent < N) next(w);
            };
          }
          for (let k = 0; k < 32; k++) for (const w of workers) next(w);
        });
        perMessage.push(((performance.now() - t) / N) * 1000);
      }
      for (const w of workers) w.terminate();
      postMessage({ emptyWorkerStartMs: median(starts), messageUs: median(perMessage) });
    };`);
    const w = new Worker(parent, { type: 'module' });
    const out = await new Promise((r) => {
      w.onmessage = (e) => r(e.data);
      w.postMessage({ empty, echo });
    });
    w.terminate();
    return out;
  });
}

/** CPython's process pools on the same trivial tasks, same machine (tests/cpython_pool.py). */
function cpythonPools() {
  const out = JSON.parse(execFileSync('python3', [join(root, 'tests/cpython_pool.py'), '4096', '2', '3'], { encoding: 'utf8' }));
  const range = (key) => {
    const xs = Object.values(out).map((m) => m[key]);
    return { min: Math.min(...xs), max: Math.max(...xs) };
  };
  return { byMethod: out, submit: range('submit'), map1: range('map1'), map: range('map') };
}

/**
 * From navigation to `window.playground.ready` (what an embed or a script waits for), and to the
 * form built (what a visitor waits for), on fresh pages: medians.
 */
async function pageReady(browser, url) {
  const ready = [];
  const form = [];
  // The page is closed before the host is asked again: its calibration starts right after ready.
  const load = async () => {
    const { page, context, problems } = await openPage(browser, url, { ...VISITOR, playground: false });
    await page.waitForFunction(() => window.playground !== undefined);
    const marks = await page.evaluate(async () => {
      await window.playground.ready;
      for (let tries = 0; performance.getEntriesByName('form-shown').length === 0; tries++) {
        if (tries > 1000) throw new Error('the page built no form in 10 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      return ['playground-ready', 'form-shown'].map((name) => performance.getEntriesByName(name)[0].startTime);
    });
    if (problems().length) throw new Error(`page ready: page problems: ${problems().join('; ')}`);
    await context.close();
    return marks;
  };
  // One untimed first, as every table has: this VM pages out memory left untouched for a minute
  // (the kernel's DAMON, `pageout`), and a fresh page's renderer reads it back: after 30-90 s
  // idle the first fresh page was ready in 816-1142 ms and the five after it in 182-405.
  await load();
  for (let i = 0; i < REPEATS; i++) {
    const [r, f] = await host.quiet(load);
    ready.push(r);
    form.push(f);
  }
  return { pageReadyMs: median(ready), formShownMs: median(form) };
}

/**
 * Start-up costs: a fresh thread pool, and cold process spawns (worker start + instantiate). The
 * spawns are timed apart from the pools, after one untimed cold run: a spawn right after a new
 * pool had started (and the one before it ended) took 29.8 ms against 26.5 after a cold run
 * (medians of 32 spawns, alternated in one page), a cost of this bench's own order: a page starts
 * a new pool when the worker count changes or an idle pool was ended, not before a processes run.
 */
async function startup(page) {
  const pool = [];
  const spawns = [];
  for (let i = 0; i < REPEATS; i++) {
    // A new worker count forces a new lab and pool; alternate so every run starts one.
    const r = (await runSpec(page, { workload: 'primes', size: 100_000, lanes: ['threads'], workers: i % 2 ? 2 : 3 })).results[0];
    pool.push(r.setupMs);
  }
  const cold = { workload: 'primes', size: 100_000, lanes: ['processes'], workers: 2, pool: 'cold' };
  await runSpec(page, cold);
  for (let i = 0; i < REPEATS; i++) {
    const p = (await host.quiet(() => runSpec(page, cold))).results[0];
    spawns.push(...p.events.filter((e) => e.phase === 'spawn').map((e) => e.end - e.start));
  }
  return { threadPoolReadyMs: median(pool), processSpawnMs: median(spawns) };
}

function native() {
  const run = (extra) => JSON.parse(execFileSync('cargo', [
    'run', '--quiet', '--release', '-p', 'concurrency-playground-native', '--',
    '--repeats', String(REPEATS), '--json', ...extra,
  ], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  return {
    primes: run(['--workload', 'primes', '--size', '5000000', '--workers', '2']),
    io: run(['--workload', 'io', '--size', '2000', '--latency-ms', '100', '--lanes', 'async']),
  };
}

function wasmSizes() {
  const out = {};
  for (const dir of ['pkg', 'pkg-threads']) {
    const file = readdirSync(join(root, 'www/dist', dir)).find((f) => f.endsWith('.wasm'));
    const bytes = readFileSync(join(root, 'www/dist', dir, file));
    out[dir] = { rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  }
  return out;
}

/** The shared counter's specs: the README's table, browser and CPython side by side. */
const COUNTER_SPECS = [
  { workload: 'counter', size: 1_000_000, tasks: 4, workers: 2, sync: 'none' },
  { workload: 'counter', size: 20, tasks: 4, workers: 2, sync: 'none', stepMs: 1 },
  { workload: 'counter', size: 100_000, tasks: 4, workers: 2, sync: 'lock' },
  { workload: 'counter', size: 100_000, tasks: 4, workers: 2, sync: 'atomic' },
  { workload: 'counter', size: 100_000, tasks: 4, workers: 2, sync: 'partial' },
  { workload: 'counter', size: 20, tasks: 4, workers: 2, sync: 'lock', stepMs: 1 },
];

/** Each counter spec on every browser lane and through the bridge's script: updates lost, wall ms. */
async function counterTable(page) {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-counter-'));
  const cell = (r) => (r?.counter ? `${r.counter.lostUpdates.toLocaleString('en-US')}, ${r.wallMs.toFixed(0)} ms` : '—');
  const rows = [];
  for (const spec of COUNTER_SPECS) {
    const file = join(dir, 'counter.py');
    writeFileSync(file, await page.evaluate((s) => window.playground.pythonScript(s), spec));
    const py = JSON.parse(execFileSync('python3', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const web = await runSpec(page, spec);
    const by = (results) => Object.fromEntries(results.map((r) => [r.lane, r]));
    const [b, p] = [by(web.results), by(py.results)];
    const name = `${spec.tasks} × ${spec.size.toLocaleString('en-US')}, ${spec.sync}${spec.stepMs ? `, stepMs ${spec.stepMs}` : ''}`;
    rows.push(`| ${name} | ${['sequential', 'threads', 'gil', 'processes', 'async'].map((l) => cell(b[l])).join(' | ')} | ${['sequential', p.gil ? 'gil' : 'threads', 'processes', 'async'].map((l) => cell(p[l])).join(' | ')} |`);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`updates lost and wall time, browser lanes then CPython ${py3()} (one run each):`);
  console.log('| spec | sequential | threads | gil | processes | async | CPython sequential | CPython threads | multiprocessing | asyncio |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}

/** Serve mode's two cases in the README: slow I/O far past a pool's capacity, and CPU per request. */
const SERVE_CASES = [
  ['slow I/O: 200 req/s of 100 ms, 2 workers', { ratePerSec: 200, durationMs: 2000, latencyMs: 100, cpuRounds: 200, workers: 2 }],
  ['CPU per request: 1200 req/s of about 1 ms CPU (cpuRounds 3000), 2 workers', { ratePerSec: 1200, durationMs: 2000, latencyMs: 0, jitterMs: 0, cpuRounds: 3000, workers: 2 }],
];

/** Each serve case on every browser lane, then the same arrivals through the bridge (one run each). */
async function serveTable(page) {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-serve-'));
  const f = (v, d = 0) => (v === null || v === undefined ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: d }));
  const mem = (b) => (b === null ? '—' : b >= 1e5 ? `${f(b / 1e6, 1)} MB` : `${f(b / 1e3, 1)} kB`);
  for (const [name, options] of SERVE_CASES) {
    const report = await page.evaluate((o) => window.playground.serve(o), options);
    const file = join(dir, 'serve.json');
    writeFileSync(file, JSON.stringify(report));
    const py = JSON.parse(execFileSync('python3', ['-m', 'concurrency_bridge.serve', file], { cwd: new URL('../python/', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    console.log(`\n| ${name} | completed/s | bound/s | p50 ms | p99 ms | queued | memory | per open request |`);
    console.log('|---|---|---|---|---|---|---|---|');
    for (const l of report.lanes) console.log(`| ${l.lane} | ${f(l.completedPerSec, 1)} | ${f(l.capacityPerSec)} | ${f(l.p50Ms)} | ${f(l.p99Ms)} | ${l.queued} | ${mem(l.memoryBytes)} | ${mem(l.memoryPerRequestBytes)} |`);
    for (const l of py.lanes) console.log(`| CPython ${py.python} ${l.lane} | ${f(l.completedPerSec, 1)} | | ${f(l.p50Ms)} | ${f(l.p99Ms)} | ${l.queued} | | |`);
    console.log(report.verdict);
  }
  rmSync(dir, { recursive: true, force: true });
}

const py3 = () => execFileSync('python3', ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim();

/** Pages as a visitor has them: no request routed through the harness (tests/harness.mjs `openPage`). */
const VISITOR = { intercept: false };

const server = await startServer();
const browser = await launch();
const cornersOnly = args.includes('--corners');
if (args.includes('--counter') || args.includes('--serve')) {
  try {
    const { page } = await openPage(browser, server.url, VISITOR);
    if (args.includes('--counter')) await counterTable(page);
    if (args.includes('--serve')) await serveTable(page);
  } finally {
    await browser.close();
    await server.close();
  }
  process.exit(0);
}
const result = { machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}` }, repeats: REPEATS, ratioRepeats: RATIO_REPEATS, quick };
try {
  const { page, problems } = await openPage(browser, server.url, VISITOR);
  result.browser = await page.evaluate(() => navigator.userAgent);
  // This machine against the time budget's reference (crate/src/budget.rs): the Rust tests
  // estimate the bench's specs with it (crate/tests/bench_file.rs).
  ({ speed: result.speed, memory: result.memory } = await page.evaluate(() => window.playground.calibrated));
  result.workloads = {};
  for (const w of cornersOnly ? [] : WORKLOADS) {
    process.stderr.write(`  ${w.id}…\n`);
    result.workloads[w.id] = await measure(page, w);
  }
  result.corners = {};
  for (const c of quick ? [] : CORNERS) {
    process.stderr.write(`  corner ${c.id}…\n`);
    result.corners[c.id] = await corner(browser, server.url, c);
  }
  if (cornersOnly) {
    host.close();
    printCorners(result.corners);
    if (outFile) writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    process.exit(0);
  }
  process.stderr.write('  tasks per run, processes against threads…\n');
  result.taskCounts = await taskCounts(page);
  process.stderr.write('  a trivial task\'s cost…\n');
  result.trivial = await trivialTasks(page, browser);
  process.stderr.write('  what the browser itself charges…\n');
  result.floors = await floors(page);
  process.stderr.write('  start-up costs…\n');
  result.startup = await startup(page);
  Object.assign(result.startup, await pageReady(browser, server.url));
  process.stderr.write('  the biggest timeline…\n');
  result.timeline = await biggestRedraw(browser, server.url);
  if (problems().length) throw new Error(`page problems: ${problems().join('; ')}`);
} finally {
  host.close();
  await browser.close();
  await server.close();
}
result.host = { redone: host.redone, keptShort: host.keptShort };
process.stderr.write('  native reference…\n');
result.native = native();
process.stderr.write('  CPython\'s process pools…\n');
result.cpython = cpythonPools();
result.wasm = wasmSizes();
const primes = result.workloads['primes-5M'].lanes;
result.lanes = Object.fromEntries(Object.entries(primes).map(([k, v]) => [k, { medianMs: v.medianMs, speedup: v.speedup, setupMs: v.setupMs }]));
result.wasmOverNative = primes.sequential.medianMs / result.native.primes.lanes.sequential.medianMs;

/**
 * The lowest and highest estimate/measured over every corner's lanes, but those whose estimate is
 * within `TINY_MS` of what they took: there one collection or one late timer decides the ratio,
 * and the budget guards minutes (crate/tests/bench_file.rs holds the same rule).
 */
const TINY_MS = 25;
function worstCorner(corners) {
  const ratios = Object.values(corners).flatMap((c) => Object.values(c.lanes).filter((v) => Math.abs(v.estimateMs - v.wallMs) >= TINY_MS).map((v) => v.estimateOverMeasured));
  return { low: Math.min(...ratios), high: Math.max(...ratios) };
}

/** How far the worst estimate was from its measurement, as a factor ≥ 1 either way. */
function worstEstimate(workloads) {
  const ratios = Object.values(workloads).flatMap((w) => Object.values(w.lanes).map((v) => v.estimateOverMeasured));
  return Math.max(...ratios.map((r) => Math.max(r, 1 / r)));
}

const io40 = Object.entries(result.workloads).find(([k]) => k.startsWith('io-') && k.endsWith('-2w'))[1].lanes;
const KB = 1024;
const mandelbrot = result.workloads['mandelbrot-800']?.lanes;
const x = (v) => `${v.toFixed(2)}×`;
const us = (v) => `${v.toFixed(1)} µs`;
result.targets = [
  ['threads ≥ 1.85× sequential (primes 5M)', primes.threads.speedup, (v) => v >= 1.85, x],
  ['processes ≥ 1.85× sequential (primes 5M, 64 tasks, warm pool)', result.taskCounts[64].processes, (v) => v >= 1.85, x],
  ['processes ≥ 1.8× sequential (primes 5M, 1024 tasks)', result.taskCounts[1024].processes, (v) => v >= 1.8, x],
  ['processes ≥ 1.6× sequential (primes 5M, 4096 tasks)', result.taskCounts[4096].processes, (v) => v >= 1.6, x],
  ...(mandelbrot ? [['processes ≥ 1.7× sequential (mandelbrot 800)', mandelbrot.processes.speedup, (v) => v >= 1.7, x]] : []),
  ['a trivial task, one a message, ≤ 20 µs (processes, 2 workers)', result.trivial.processesOneAMessageUs, (v) => v <= 20, us],
  ['a trivial task, chunks automatic, ≤ 2 µs (processes, 2 workers)', result.trivial.processesBatchedUs, (v) => v <= 2, us],
  ['gil ≤ 1.1× sequential time (primes 5M)', 1 / primes.gil.speedup, (v) => v <= 1.1, (v) => `${v.toFixed(2)}`],
  ['async CPU ≤ 1.05× sequential time (primes 5M)', 1 / primes.async.speedup, (v) => v <= 1.05, (v) => `${v.toFixed(2)}`],
  ['io 2000 × 100 ms async ≤ 150 ms', result.workloads['io-2000x100-async'].lanes.async.medianMs, (v) => v <= 150, (v) => `${v.toFixed(0)} ms`],
  ['wasmOverNative ≤ 1.3 (primes sequential)', result.wasmOverNative, (v) => v <= 1.3, (v) => v.toFixed(2)],
  ['timeline redraw of the biggest report < 16 ms', result.timeline.redrawMs, (v) => v < 16, (v) => `${v.toFixed(1)} ms`],
  ['budget estimate within 2× of measured, every lane', worstEstimate(result.workloads), (v) => v <= 2, (v) => `worst ${v.toFixed(2)}× off`],
  ...(quick ? [] : [['budget at the corners: estimate 0.9× to 2× of measured, every lane (or within 25 ms)', worstCorner(result.corners), (v) => v.low >= 0.9 && v.high <= 2, (v) => `${v.low.toFixed(2)} to ${v.high.toFixed(2)}`]]),
  ['thread pool ready ≤ 300 ms', result.startup.threadPoolReadyMs, (v) => v <= 300, (v) => `${v.toFixed(0)} ms`],
  ['process spawn ≤ 25 ms median', result.startup.processSpawnMs, (v) => v <= 25, (v) => `${v.toFixed(1)} ms`],
  ['page ready ≤ 250 ms', result.startup.pageReadyMs, (v) => v <= 250, (v) => `${v.toFixed(0)} ms`],
  ['pkg/ ≤ 100 KB gzipped', result.wasm.pkg.gzipBytes / KB, (v) => v <= 100, (v) => `${v.toFixed(0)} KB`],
  ['pkg-threads/ ≤ 100 KB gzipped', result.wasm['pkg-threads'].gzipBytes / KB, (v) => v <= 100, (v) => `${v.toFixed(0)} KB`],
].map(([name, value, ok, show]) => ({ name, value, shown: show(value), met: ok(value) }));
result.seconds = (Date.now() - started) / 1000;

function printCorners(corners) {
  console.log('\nthe budget at the corners of the caps (est/meas: the timed part, median of 3 runs, of 5 under 1 s; whole: start + warm-up + run, the first time):');
  console.log(`${pad('corner', 26)}${pad('lane', 12)}${pad('measured ms', 13)}${pad('estimate', 10)}${pad('est/meas', 10)}${pad('whole ms', 10)}${pad('est whole', 11)}est/meas whole`);
  for (const [id, c] of Object.entries(corners)) {
    for (const [lane, v] of Object.entries(c.lanes)) {
      console.log(`${pad(id, 26)}${pad(lane, 12)}${pad(v.wallMs.toFixed(0), 13)}${pad(v.estimateMs.toFixed(0), 10)}${pad(v.estimateOverMeasured.toFixed(2), 10)}${pad(v.wholeMs.toFixed(0), 10)}${pad(v.estimateWholeMs.toFixed(0), 11)}${(v.estimateWholeMs / v.wholeMs).toFixed(2)}`);
    }
  }
}

function pad(s, n) {
  return String(s).padEnd(n);
}
const num = (v, d = 1) => (v === undefined || v === null ? '—' : v.toFixed(d));
console.log(`\nconcurrency-playground bench (${quick ? 'quick, ' : ''}${REPEATS} repeats, ${RATIO_REPEATS} where a target reads a speedup, ${result.machine.cores} cores, speed ${result.speed.toFixed(2)}, memory ${result.memory.toFixed(2)}) in ${result.seconds.toFixed(0)} s`);
console.log(`browser: ${result.browser}\n`);
console.log(`${pad('workload', 22)}${pad('lane', 12)}${pad('median ms', 11)}${pad('min', 9)}${pad('max', 9)}${pad('speedup', 9)}${pad('setup', 8)}${pad('transfer', 10)}${pad('loop lag', 10)}${pad('estimate', 10)}${pad('est/meas', 10)}checksum`);
// A pool of w workers cannot do more than w times one worker's work: a median ratio past that
// (a memory-bound run whose sequential repeats vary) is the machine's noise, and is marked.
const pastLimit = (w, lane, v) => lane !== 'async' && v.speedup !== null && v.speedup > w.spec.workers;
const speedup = (w, lane, v) => (v.speedup === null ? '—' : `${v.speedup.toFixed(2)}×${pastLimit(w, lane, v) ? '*' : ''}`);
for (const [id, w] of Object.entries(result.workloads)) {
  for (const [lane, v] of Object.entries(w.lanes)) {
    console.log(`${pad(id, 22)}${pad(lane, 12)}${pad(num(v.medianMs), 11)}${pad(num(v.minMs), 9)}${pad(num(v.maxMs), 9)}${pad(speedup(w, lane, v), 9)}${pad(num(v.setupMs, 0), 8)}${pad(num(v.transferMs, 0), 10)}${pad(num(v.loopLagMs, 0), 10)}${pad(num(v.estimateMs, 0), 10)}${pad(num(v.estimateOverMeasured, 2), 10)}${v.checksum}`);
  }
}
if (Object.values(result.workloads).some((w) => Object.entries(w.lanes).some(([lane, v]) => pastLimit(w, lane, v)))) {
  console.log('* past the worker count: not a result, the spread of that workload\'s repeats (see min and max)');
}
console.log(`\nprimes 5M on 2 workers, warm pools, by tasks (medians of ${RATIO_REPEATS}; chunks automatic):`);
console.log(`${pad('tasks', 8)}${pad('threads ×seq', 14)}${pad('processes ×seq', 16)}${pad('processes transfer ms', 23)}chunk`);
for (const [tasks, v] of Object.entries(result.taskCounts)) console.log(`${pad(tasks, 8)}${pad(v.threads.toFixed(2), 14)}${pad(v.processes.toFixed(2), 16)}${pad(v.transferMs.toFixed(0), 23)}${v.chunk}`);
console.log(`\nthe host: ${result.host.redone} timed runs (the tables, the corners' repeats, spawns, fresh pages) run again, this VM having had under ${HOST_CORES_MIN} cores just before or after them (two threads spinning against one); ${result.host.keptShort} kept after ${TRIES} tries`);
const cp = result.cpython;
const span = (r) => `${r.min.toFixed(1)}–${r.max.toFixed(1)} µs`;
console.log(`\na trivial task (hash, 1 round, 4096 tasks, 2 workers): processes ${result.trivial.processesOneAMessageUs.toFixed(1)} µs one a message through pipes (${result.trivial.processesByMessageUs.toFixed(1)} µs by postMessage, on a page without isolation), ${result.trivial.processesBatchedUs.toFixed(2)} µs in automatic chunks; threads ${result.trivial.threadsUs.toFixed(2)} µs`);
console.log(`this browser alone, nothing computed, from a worker as the lane's parent: ${result.floors.messageUs.toFixed(1)} µs a message answered (the same 4096 messages, 32 in flight to 2 workers); two empty workers started at once take ${result.floors.emptyWorkerStartMs.toFixed(1)} ms each`);
console.log(`CPython ${py3()} on the same tasks (${Object.keys(cp.byMethod).join(', ')}): ProcessPoolExecutor.submit ${span(cp.submit)}, Pool.map(chunksize=1) ${span(cp.map1)}, Pool.map ${span(cp.map)} a task`);
if (!quick) printCorners(result.corners);
console.log(`\nbiggest timeline: ${JSON.stringify(result.timeline.eventsPerLane)} events; redraw ${num(result.timeline.redrawMs)} ms (median)`);
console.log('\nnative reference (same kernels, same machine):');
for (const [lane, v] of Object.entries(result.native.primes.lanes)) console.log(`  primes-5M ${pad(lane, 12)}${num(v.medianMs)} ms  ${v.speedup === null ? '' : `${v.speedup.toFixed(2)}×`}`);
console.log(`  io-2000x100 async    ${num(result.native.io.lanes.async.medianMs)} ms`);
console.log(`\nstart-up: page ready ${num(result.startup.pageReadyMs)} ms (the form shown at ${num(result.startup.formShownMs)} ms), thread pool ready ${num(result.startup.threadPoolReadyMs)} ms, process spawn ${num(result.startup.processSpawnMs)} ms (median)`);
console.log(`wasm: pkg ${result.wasm.pkg.rawBytes} B raw / ${result.wasm.pkg.gzipBytes} B gz; pkg-threads ${result.wasm['pkg-threads'].rawBytes} B raw / ${result.wasm['pkg-threads'].gzipBytes} B gz`);
console.log('\ntargets:');
const nameWidth = Math.max(...result.targets.map((t) => t.name.length)) + 2;
for (const t of result.targets) console.log(`  ${t.met ? 'met    ' : 'NOT MET'}  ${pad(t.name, nameWidth)}${t.shown}`);
if (outFile) {
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${outFile}`);
}
