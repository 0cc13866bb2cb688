// The processes lane: own instances, message passing, spawn and copy costs, crash isolation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPage, runSpec, startServer, useSite } from './harness.mjs';

const site = useSite();
let page;
let problems;

const byLane = (report) => Object.fromEntries(report.results.map((r) => [r.lane, r]));

/** The processes' workers, each running the plain build in its own memory. */
function wasmWorkers() {
  // Processes start from their script's blob: URL (worker-client.ts processScript); no other worker does.
  return page.workers().filter((w) => w.url().startsWith('blob:')).length;
}

/** Waits (up to 2 s: a terminated worker's close event takes a moment) until `n` are left. */
async function expectWasmWorkers(n) {
  for (let i = 0; i < 40 && wasmWorkers() !== n; i++) await page.waitForTimeout(50);
  assert.equal(wasmWorkers(), n, 'live plain-build workers');
}

/** π(hi) - π(lo) by a sieve: the test's own answer, not the playground's. */
function primesBetween(lo, hi) {
  const sieve = new Uint8Array(hi).fill(1);
  let count = 0;
  for (let n = 2; n < hi; n++) {
    if (!sieve[n]) continue;
    if (n >= lo) count++;
    for (let m = n * n; m < hi; m += n) sieve[m] = 0;
  }
  return count;
}

describe('processes lane', () => {
  before(async () => {
    ({ page, problems } = await openPage(site.browser, site.url));
  });
  after(() => assert.deepEqual(problems(), []));

  test('is on, and agrees with sequential on every workload', async () => {
    const caps = await page.evaluate(() => window.playground.capabilities());
    assert.ok(caps.lanes.includes('processes'));
    for (const [workload, size, extra] of [
      ['primes', 1_000_000], ['mandelbrot', 240], ['hash', 1500], ['share', 8], ['io', 24, { latencyMs: 5 }], ['mixed', 12, { latencyMs: 5 }],
    ]) {
      const report = await runSpec(page, { workload, size, lanes: ['sequential', 'processes'], workers: 2, ...extra });
      const { sequential, processes } = byLane(report);
      assert.ok(sequential.ok && processes.ok, `${workload}: ${sequential.error ?? ''} ${processes.error ?? ''}`);
      assert.equal(processes.checksum, sequential.checksum, workload);
      if (workload === 'primes') assert.equal(processes.checksum, '78498');
      const rows = new Set(processes.events.filter((e) => e.phase === 'compute').map((e) => e.row));
      assert.deepEqual([...rows].sort(), [0, 1], `${workload}: both processes worked`);
    }
  });

  test('cold start: each process spawns (worker start + instantiate) before the run', async () => {
    const report = await runSpec(page, { workload: 'primes', size: 500_000, lanes: ['processes'], workers: 3 });
    const [r] = report.results;
    assert.equal(r.ok, true, r.error);
    const spawns = r.events.filter((e) => e.phase === 'spawn');
    assert.deepEqual(spawns.map((e) => e.row).sort(), [0, 1, 2]);
    for (const e of spawns) assert.ok(e.end <= 0.01 && e.end > e.start, JSON.stringify(e));
    assert.ok(r.setupMs > 0);
    assert.ok(r.transferMs > 0, 'every task crossed by message');
  });

  test('a warm pool is reused: no spawn, no set-up', async () => {
    const spec = { workload: 'primes', size: 500_000, lanes: ['processes'], workers: 2, pool: 'warm' };
    const first = (await runSpec(page, spec)).results[0];
    const second = (await runSpec(page, spec)).results[0];
    assert.ok(first.setupMs > 0);
    assert.equal(second.setupMs, 0);
    assert.equal(second.events.filter((e) => e.phase === 'spawn').length, 0);
    assert.equal(second.checksum, '41538');
    // A cold run after it ends the warm pool: no process left behind.
    await page.waitForTimeout(200);
    const before = wasmWorkers();
    await runSpec(page, { ...spec, pool: 'cold' });
    await expectWasmWorkers(before - 2);
  });

  test('fewer chunks than messages in flight: each chunk runs once, before its process is ended', async () => {
    // Each process has several requests in flight and is sent its end as soon as the queue is
    // empty: with 1 to 5 chunks for 2 processes the end races the last chunks (the fuzz found it).
    for (const pool of ['warm', 'cold']) {
      for (let tasks = 1; tasks <= 5; tasks++) {
        for (const workload of ['primes', 'counter']) {
          const spec = { workload, size: workload === 'primes' ? 20_000 : 1000, tasks, workers: 2, pool, lanes: ['sequential', 'processes'], ...(workload === 'counter' ? { sync: 'atomic' } : {}) };
          const { sequential, processes } = byLane(await runSpec(page, spec));
          assert.ok(processes.ok, `${JSON.stringify(spec)}: ${processes.error}`);
          assert.equal(processes.checksum, sequential.checksum, JSON.stringify(spec));
          assert.equal(processes.replacedProcesses, 0, JSON.stringify(spec));
        }
      }
    }
    assert.equal(byLane(await runSpec(page, { workload: 'primes', size: 20_000, tasks: 1, workers: 2 })).processes.checksum, '2262');
  });

  test('the verdict says how many tasks went in a message: batched as Pool.map, or as the spec asked', async () => {
    const spec = { workload: 'hash', size: 1, tasks: 4096, workers: 2, pool: 'warm', lanes: ['sequential', 'processes'] };
    await runSpec(page, spec);
    const auto = await runSpec(page, spec);
    const { chunk, via } = byLane(auto).processes;
    assert.equal(via, 'pipe');
    assert.equal(await page.evaluate(() => window.playground.capabilities().pipes), true);
    // Pool.map's rule is the most a message carries: ⌈tasks / (4 × processes)⌉.
    assert.ok(chunk > 1 && chunk <= Math.ceil(4096 / 8), `automatic chunk ${chunk}`);
    assert.match(auto.verdict.text, new RegExp(`Their messages kept them waiting [\\d.,]+ ms in all \\(summed over 2 processes; ${chunk.toLocaleString('en-US')} tasks a message, batched as Pool\\.map batches them, through pipes\\)\\.`), auto.verdict.text);
    for (const [asked, words] of [[1, '1 task a message'], [100, '100 tasks a message']]) {
      const report = await runSpec(page, { ...spec, chunk: asked, pool: 'cold' });
      assert.equal(byLane(report).processes.chunk, asked);
      assert.match(report.verdict.text, new RegExp(`Starting the processes took another [\\d.,]+ ms, and messages kept them waiting [\\d.,]+ ms in all \\(summed over 2 processes; ${words}, as the spec asked, through pipes\\)\\.`), report.verdict.text);
    }
    // An image's answers carry its pixels: they go by message, and the verdict says so.
    const image = byLane(await runSpec(page, { workload: 'mandelbrot', size: 64, tasks: 64, workers: 2, lanes: ['processes'] })).processes;
    assert.equal(image.via, 'message');
  });

  test('answers by message held and sent several at once: every band of the image arrives once, and the run ends', async () => {
    // 240 rows in chunks of 1, 3 and 7 rows: 30, 10 and 4 chunks in flight a process, so each
    // holds 15, 5 and 2 answers before it sends them; the last ones go with its end.
    for (const chunk of [1, 3, 7]) {
      const spec = { workload: 'mandelbrot', size: 240, tasks: 240, chunk, workers: 2, pool: 'warm', lanes: ['sequential', 'processes'] };
      const { report, rows } = await page.evaluate(async (s) => {
        const pg = window.playground;
        const kept = pg.observer;
        const rows = [];
        pg.observer = { ...kept, lanePixels: (lane, first, pixels) => { if (lane === 'processes') for (let r = 0; r < pixels.length / s.size; r++) rows.push(first + r); } };
        try {
          return { report: await pg.run(s), rows };
        } finally {
          pg.observer = kept;
        }
      }, spec);
      const { sequential, processes } = byLane(report);
      assert.ok(processes.ok, processes.error);
      assert.equal(processes.via, 'message');
      assert.equal(processes.checksum, sequential.checksum, `chunk ${chunk}`);
      assert.deepEqual(rows.sort((a, b) => a - b), Array.from({ length: 240 }, (_, i) => i), `chunk ${chunk}: each row once`);
    }
  });

  test('share: each process gets its own copy; threads read the one shared buffer', async () => {
    const report = await runSpec(page, { workload: 'share', size: 32, lanes: ['threads', 'processes'], workers: 2 });
    const { threads, processes } = byLane(report);
    assert.equal(threads.checksum, processes.checksum);
    assert.equal(threads.transferMs, 0);
    const copies = processes.events.filter((e) => e.phase === 'transfer' && e.task === -1);
    assert.deepEqual(copies.map((e) => e.row).sort(), [0, 1], 'one 32 MB copy per process');
    assert.ok(processes.transferMs >= copies.reduce((s, e) => s + e.end - e.start, 0) - 0.01);
  });

  test('a panicking task kills one process; the rest complete and the checksum covers them', async () => {
    const spec = { workload: 'primes', size: 1_000_000, tasks: 16, lanes: ['processes'], workers: 2, fault: 'panic-one-task' };
    const [r] = (await runSpec(page, spec)).results;
    assert.equal(r.ok, false);
    assert.equal(r.failedTasks.length, 1);
    const [bad] = r.failedTasks;
    assert.equal(r.replacedProcesses, 1);
    assert.match(r.error, new RegExp(`task ${bad} panicked \\(injected fault\\)`));
    assert.match(r.error, /the other 15 tasks completed/);
    const lo = Math.floor((1_000_000 * bad) / 16);
    const hi = Math.floor((1_000_000 * (bad + 1)) / 16);
    assert.equal(Number(r.checksum), 78498 - primesBetween(lo, hi));
    assert.equal(r.events.filter((e) => e.phase === 'spawn' && e.start >= 0).length, 1, 'the replacement process');
  });

  test('the same panic takes the whole threads lane down; the next run rebuilds the pool', async () => {
    const spec = { workload: 'primes', size: 1_000_000, lanes: ['threads'], workers: 2 };
    const [bad] = (await runSpec(page, { ...spec, fault: 'panic-one-task' })).results;
    assert.equal(bad.ok, false);
    assert.match(bad.error, /panicked: task \d+ panicked \(injected fault\).*whole lane failed/);
    const [good] = (await runSpec(page, spec)).results;
    assert.equal(good.ok, true, good.error);
    assert.ok(good.setupMs > 0, 'a new pool');
    assert.equal(good.checksum, '78498');
  });

  test('cancel terminates every process at once', async () => {
    await page.waitForTimeout(200);
    const before = wasmWorkers();
    const out = await page.evaluate(async () => {
      const run = window.playground.run({ workload: 'primes', size: 20_000_000, lanes: ['processes'], workers: 3 });
      await new Promise((r) => setTimeout(r, 800));
      const t = performance.now();
      window.playground.cancel();
      const report = await run;
      return { ms: performance.now() - t, error: report.results[0].error };
    });
    assert.equal(out.error, 'cancelled');
    assert.ok(out.ms < 200, `${out.ms} ms`);
    await expectWasmWorkers(before);
  });
});

describe('without cross-origin isolation', () => {
  test('threads are off with a reason; sequential and processes still run right', async () => {
    const plain = await startServer({ isolation: false });
    const { page: p, problems: seen, context } = await openPage(site.browser, plain.url);
    try {
      const caps = await p.evaluate(() => window.playground.capabilities());
      assert.equal(caps.crossOriginIsolated, false);
      assert.equal(caps.threads, false);
      assert.equal(caps.pipes, false);
      assert.match(caps.reasons.threads, /cross-origin isolated/);
      assert.deepEqual(caps.lanes, ['sequential', 'processes', 'async']);
      assert.match(caps.reasons.gil, /cross-origin isolated/);
      const report = await runSpec(p, { workload: 'primes', size: 1_000_000, workers: 2 });
      assert.deepEqual(report.results.map((r) => [r.lane, r.checksum]), [['sequential', '78498'], ['processes', '78498'], ['async', '78498']]);
      // No shared memory for a pipe: the processes' chunks and answers go by postMessage.
      assert.equal(report.results[1].via, 'message');
      assert.match(report.verdict.text, /a message, batched as Pool\.map batches them, by postMessage\)/, report.verdict.text);
      const io = await runSpec(p, { workload: 'io', size: 20, latencyMs: 5, workers: 2 });
      assert.equal(new Set(io.results.map((r) => r.checksum)).size, 1);
      const refused = await p.evaluate(() => window.playground.run({ workload: 'primes', size: 1000, lanes: ['threads'] }).then(() => '', (e) => e.message));
      assert.match(refused, /^lanes: threads is off here/);
      assert.deepEqual(seen(), []);
    } finally {
      await context.close();
      await plain.close();
    }
  });

  test('a crash in one-task chunks: pipes and postMessage fail the same task and count the same rest; the warm pool runs on', async () => {
    const spec = { workload: 'hash', size: 1, tasks: 4096, chunk: 1, workers: 2, pool: 'warm', lanes: ['processes'] };
    const crash = { ...spec, fault: 'panic-one-task' };
    const plain = await startServer({ isolation: false });
    const { page: p, problems: seen, context } = await openPage(site.browser, plain.url);
    const { page: isolated, problems: seenIsolated, context: isolatedContext } = await openPage(site.browser, site.url);
    try {
      const [byMessage] = (await runSpec(p, crash)).results;
      const [byPipe] = (await runSpec(isolated, crash)).results;
      assert.deepEqual([byMessage.via, byPipe.via], ['message', 'pipe']);
      for (const r of [byMessage, byPipe]) {
        assert.equal(r.failedTasks.length, 1, r.error);
        assert.equal(r.replacedProcesses, 1);
        assert.match(r.error, /the other 4,095 tasks completed/);
      }
      assert.deepEqual(byPipe.failedTasks, byMessage.failedTasks);
      assert.equal(byPipe.checksum, byMessage.checksum, 'the answers a pipe held when its process died count; the chunks behind it ran once');
      // Stopped in its first milliseconds, a pipe run leaves nothing behind for the next run.
      const stopped = await isolated.evaluate(async (s) => {
        const run = window.playground.run(s);
        setTimeout(() => window.playground.cancel(), 2);
        return (await run).results[0].outcome;
      }, spec);
      assert.equal(stopped, 'cancelled');
      await runSpec(isolated, spec);
      const [whole] = (await runSpec(isolated, spec)).results;
      const [sequential] = (await runSpec(p, { ...spec, lanes: ['sequential'] })).results;
      assert.equal(whole.checksum, sequential.checksum);
      assert.equal(whole.setupMs, 0, 'the warm pool, reused after a run of pipes');
      assert.deepEqual([...seen(), ...seenIsolated()], []);
    } finally {
      await context.close();
      await isolatedContext.close();
      await plain.close();
    }
  });
});
