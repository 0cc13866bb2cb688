// The verdict, the answer and the status in words that follow the measured numbers: faster only
// past 1×, one sentence for lanes past their limit, a warm pool's kept copies, I/O words that
// depend on whether anything waited and which lane won, singular nouns for one, grouped digits.
// Each expectation is worked out here from the report's own figures (wall times, events, counts),
// not from the words.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPage, runSpec, useSite } from './harness.mjs';

const site = useSite();
let page;
let problems;

const byLane = (report) => Object.fromEntries(report.results.map((r) => [r.lane, r]));
/** Each finished lane's speedup over sequential, from the wall times. */
const speedups = (report) => {
  const { sequential } = byLane(report);
  return Object.fromEntries(report.results.filter((r) => r.ok && r.lane !== 'sequential').map((r) => [r.lane, sequential.wallMs / r.wallMs]));
};
/** The sentence of `text` that holds `phrase` (numbers such as 2.4× hold no ". "). */
const sentenceWith = (text, phrase) => text.split('. ').find((s) => s.includes(phrase));
const grouped = (x) => x.toLocaleString('en-US');
/**
 * Runs `spec`, whose first lane is sequential, with another program on the machine until that
 * lane has finished: busy workers, four for each core, started (and seen running) before the
 * run. Sequential is then slower than the lanes after it by more than any of them could gain by
 * computing at once.
 */
function runWithSequentialSlowed(spec) {
  return page.evaluate(async (s) => {
    const pg = window.playground;
    const shown = pg.observer;
    // Each spins until told through shared memory: terminate() alone left such loops running
    // into the next lanes.
    const busy = URL.createObjectURL(new Blob(['onmessage = (e) => { const stop = new Int32Array(e.data); postMessage(0); while (Atomics.load(stop, 0) === 0); };'], { type: 'text/javascript' }));
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const hogs = Array.from({ length: 4 * navigator.hardwareConcurrency }, () => new Worker(busy));
    await Promise.all(hogs.map((w) => new Promise((running) => {
      w.onmessage = running;
      w.postMessage(flag.buffer);
    })));
    const stop = () => {
      Atomics.store(flag, 0, 1);
      hogs.forEach((w) => w.terminate());
    };
    pg.observer = {
      ...shown,
      laneFinished: (r) => {
        if (r.lane === 'sequential') stop();
        shown.laneFinished?.(r);
      },
    };
    try {
      return await pg.run(s);
    } finally {
      stop();
      pg.observer = shown;
      URL.revokeObjectURL(busy);
    }
  }, spec);
}

/** "1 task", "2 tasks", "1 process". */
const plural = /\b1 (?!ms\b)[a-z-]+s\b/;

describe('verdict words', () => {
  before(async () => {
    ({ page, problems } = await openPage(site.browser, site.url));
  });
  after(() => assert.deepEqual(problems(), []));

  describe('CPU-bound: faster only past 1×', () => {
    test('each parallel lane is called faster exactly when sequential took longer, slower otherwise, with why', async () => {
      const seen = { faster: 0, slower: 0 };
      const check = async (spec) => {
        const report = await runSpec(page, { ...spec, workers: 2, lanes: ['sequential', 'threads', 'processes'] });
        const text = report.verdict.text;
        const cores = report.env.hardwareConcurrency;
        // "CPU-bound: threads 1.9× faster than sequential", not "CPU-bound: processes and threads
        // were no faster than sequential" (a lane at 1.00× beside a slower one: seen in CI).
        const faster = text.match(/CPU-bound: ([^:]*?) faster than sequential/)?.[1].replace(/^.* (?:was|were) no$/, '') ?? '';
        const slower = text.match(/([a-z, ]+?) (?:was|were) (slower|no faster) than sequential \(([^)]*) its speed\)/);
        const xs = speedups(report);
        // Shown to two decimals, a lane below 1.005× reads 1.00× at best: "faster" only past it,
        // and "no faster than" for the list once any lane in it reads 1.00×.
        const listed = Object.values(xs).filter((v) => v < 1.005 && v <= Math.min(2, spec.tasks, cores) * 1.1);
        if (slower) assert.equal(slower[2], listed.some((v) => v >= 0.995) ? 'no faster' : 'slower', text);
        for (const [lane, x] of Object.entries(xs)) {
          // Past the lane's limit the verdict explains it apart (beyondLimit), as neither.
          if (x > Math.min(2, spec.tasks, cores) * 1.1) continue;
          if (x >= 1.005) {
            seen.faster++;
            const shown = faster.match(new RegExp(`${lane} ([\\d.]+)×`));
            assert.ok(shown, `${lane} ${x.toFixed(3)}× should be called faster: ${text}`);
            assert.ok(Math.abs(Number(shown[1]) - x) < 0.06, `${lane}: shown ${shown[1]}×, measured ${x.toFixed(3)}×`);
            assert.ok(!slower?.[1].includes(lane), text);
          } else {
            seen.slower++;
            assert.ok(!faster.includes(lane), `${lane} ${x.toFixed(3)}× is not faster: ${text}`);
            assert.ok(slower?.[1].includes(lane), `${lane} ${x.toFixed(3)}× should be called slower: ${text}`);
            assert.match(text, spec.tasks === 1 ? /with one task nothing ran at once/ : /the work was too small to pay for the lanes?'s? own costs/);
          }
        }
        assert.doesNotMatch(text, /\b0\.\d+× (and [a-z]+ [\d.]+× )?faster/, text);
      };
      // Too little work: the lanes' own costs outweigh it.
      await check({ workload: 'primes', size: 2, tasks: 10_000 });
      // Enough work for two cores: faster.
      await check({ workload: 'primes', size: 2_000_000, tasks: 64 });
      // One task: nothing runs at once, so the parallel lanes are slower by their own costs; but
      // the whole run takes under a millisecond, and one late tick of sequential's reads as a
      // parallel lane faster than it (seen once in CI). Each run's words are checked; it runs
      // again, five times at most, until one of its lanes reads slower.
      const before = seen.slower;
      for (let i = 0; i < 5 && (i === 0 || seen.slower === before); i++) await check({ workload: 'mandelbrot', size: 8, tasks: 1 });
      assert.ok(seen.slower > before, `one task read slower than sequential in none of 5 runs: ${JSON.stringify(seen)}`);
      assert.ok(seen.faster > 0, JSON.stringify(seen));
    });
  });

  describe('past the limit', () => {
    test('one sentence names every lane that sequential\'s slowness explains; cache only for lanes of several cores', async () => {
      const cases = [
        // Each limit 1: one thread, or one wait at a time.
        { workload: 'primes', size: 2_000_000, tasks: 16, lanes: ['sequential', 'gil', 'async'] },
        // Limits 2 and 1 side by side.
        { workload: 'primes', size: 2_000_000, tasks: 16, lanes: ['sequential', 'threads', 'gil', 'async'] },
        // A memory-bound scan: cache for threads (2 cores), not for the one-thread lanes.
        { workload: 'share', size: 64, tasks: 8, lanes: ['sequential', 'threads', 'gil', 'async'] },
      ];
      for (const spec of cases) {
        let report, x, over, cores;
        const limit = (lane) => (lane === 'threads' || lane === 'processes' ? Math.min(2, spec.tasks, cores) : 1);
        // The premise: another program took the cores while sequential ran. The hogs share the
        // cores with it as the OS schedules them, and a clean-clone run saw the 64 MB scan's
        // sequential lane (about 35 ms) barely slowed once (gil 1.04×), so it runs again, four
        // times at most, until the premise holds; the words are checked on that run.
        for (let attempt = 1; attempt <= 4; attempt++) {
          report = await runWithSequentialSlowed({ ...spec, workers: 2 });
          cores = report.env.hardwareConcurrency;
          x = speedups(report);
          over = Object.keys(x).filter((lane) => x[lane] > limit(lane) * 1.1);
          if (over.includes('gil') && over.includes('async')) break;
        }
        const text = report.verdict.text;
        assert.ok(over.includes('gil') && over.includes('async'), `in none of 4 runs: ${JSON.stringify(x)}: ${text}`);
        const cached = spec.workload === 'share' ? over.filter((lane) => limit(lane) > 1) : [];
        const slowed = over.filter((lane) => !cached.includes(lane));
        assert.equal(text.split('sequential was slowed by something').length, 2, `said once: ${text}`);
        assert.doesNotMatch(text, /\b1 cores\b|\b1 caches\b/, text);
        const slowedSentence = sentenceWith(text, 'sequential was slowed by something');
        // Each lane with its speedup, and its limit where the limits differ, in one list.
        const oneLimit = new Set(slowed.map(limit)).size === 1;
        const list = slowed.map((lane) => `${lane} [\\d.]+×${oneLimit ? '' : ` \\(limit ${limit(lane)}×\\)`}`);
        const and = list.length > 2 ? `${list.slice(0, -1).join(', ')}, and ${list.at(-1)}` : list.join(' and ');
        assert.match(slowedSentence, new RegExp(`^${and} (is|are)( each)? more than `), text);
        if (oneLimit) assert.match(slowedSentence, /are more than the 1× that one thread can give by computing at once: /, text);
        const cacheSentence = sentenceWith(text, 'each core brings its own cache') ?? '';
        assert.equal(cacheSentence !== '', cached.length > 0, text);
        for (const lane of cached) assert.match(cacheSentence, new RegExp(`^${lane} [\\d.]+× is more than the ${limit(lane)}× that ${limit(lane)} cores can give`), text);
        for (const lane of ['gil', 'async']) assert.doesNotMatch(cacheSentence, new RegExp(`\\b${lane} `), text);
        console.log(`${spec.workload} ${spec.lanes.join(',')}: ${Object.entries(x).map(([l, v]) => `${l} ${v.toFixed(2)}×`).join(', ')}`);
      }
    });
  });

  describe('share on a warm pool', () => {
    test('the first run copies the buffer into each process, the second finds the copies kept', async () => {
      const fresh = await openPage(site.browser, site.url);
      const spec = { workload: 'share', size: 64, tasks: 8, workers: 2, lanes: ['sequential', 'threads', 'processes'], pool: 'warm' };
      const copiesOf = (report) => new Set(byLane(report).processes.events.filter((e) => e.phase === 'transfer' && e.task === -1).map((e) => e.row)).size;
      const first = await runSpec(fresh.page, spec);
      const second = await runSpec(fresh.page, spec);
      assert.equal(copiesOf(first), 2, 'a new pool: one copy for each process');
      assert.equal(copiesOf(second), 0, 'the warm pool kept its copies');
      assert.match(first.verdict.text, /Each process first had to receive its own copy of the 64 MB buffer; threads read the one shared copy\./);
      assert.doesNotMatch(second.verdict.text, /had to receive/, second.verdict.text);
      assert.match(second.verdict.text, /The warm pool's processes still held their copies of the 64 MB buffer from an earlier run, so none was sent this time/);
      assert.deepEqual(fresh.problems(), []);
      await fresh.context.close();
    });
  });

  describe('I/O: the words follow what was measured', () => {
    test('async slower than sequential is not said to have won by waiting at once', async () => {
      // Yielding to the loop after every round of the answers' hashing: async pays for it.
      const report = await runSpec(page, { workload: 'mixed', size: 4, latencyMs: 1, cpuRounds: 20_000, yieldEvery: 1, workers: 2, lanes: ['sequential', 'threads', 'async'] });
      const text = report.verdict.text;
      const x = speedups(report).async;
      assert.ok(x < 1, `async ${x.toFixed(3)}× sequential`);
      assert.doesNotMatch(text, /every request waited at once/, text);
      assert.match(text, /async [\d.,]+ (ms|s), no faster than sequential \(0\.\d+×\): its requests waited at once on one thread, but the waits it overlapped saved less than its own costs \(yielding to the loop every 1 unit\)\./, text);
      // Threads won although only two waited at a time: sequential's own figures say why.
      const { async: as, threads, sequential } = byLane(report);
      assert.ok(threads.wallMs < as.wallMs);
      const phase = (r, p) => r.totals.filter((t) => t.phase === p).reduce((a, t) => a + t.ms, 0);
      assert.equal(/Rule: slow I\/O, many connections → async, unless the work on each answer outweighs the waits, as here/.test(text), phase(sequential, 'compute') >= phase(sequential, 'wait'), text);
      assert.doesNotMatch(text, /Rule: slow I\/O, many connections → async\./, text);
    });

    test('requests that wait, many connections: async waited at once, threads a few at a time', async () => {
      const report = await runSpec(page, { workload: 'io', size: 200, latencyMs: 5, workers: 2, lanes: ['sequential', 'threads', 'async'] });
      const text = report.verdict.text;
      assert.match(text, /I\/O-bound: 200 requests × 5 ms\./);
      assert.equal(/async [\d.,]+ ms: every request waited at once on one thread\./.test(text), speedups(report).async > 1, text);
      assert.match(text, /threads [\d.,]+ ms: a waiting request holds its thread, so only 2 waited at a time\./);
      const { async: as, threads } = byLane(report);
      if (as.wallMs <= threads.wallMs) assert.match(text, /Rule: slow I\/O, many connections → async\.$/);
    });

    test('0 ms: no I/O, no CPU work blamed for the loop, no I/O rule', async () => {
      for (const spec of [{ workload: 'io', size: 20_000, latencyMs: 0 }, { workload: 'mixed', size: 1, latencyMs: 0, cpuRounds: 0 }]) {
        const report = await runSpec(page, { ...spec, workers: 2 });
        const text = report.verdict.text;
        assert.match(text, new RegExp(`No request waited \\(latency 0 ms\\), so there was no I/O to overlap: the lanes only ran the work on ${spec.size === 1 ? '1 answer' : '20,000 answers'}`), text);
        assert.doesNotMatch(text, /I\/O-bound|waited at once|CPU work that never yields|slow I\/O|fast I\/O/, text);
        assert.match(text, /Rule: with no waits there is nothing for async or threads to overlap/);
        const lag = byLane(report).async.loopLagMs;
        assert.equal(/its 20,000 futures had nothing to wait for, so they ran one after another without giving the loop a turn/.test(text), spec.size > 1 && lag > 50, `lag ${lag}: ${text}`);
        assert.doesNotMatch(`${text} ${report.answer}`, plural, text);
      }
    });
  });

  describe('one of anything, and grouped digits', () => {
    test('one request, one round: singular nouns in the verdict and the answer', async () => {
      const io = await runSpec(page, { workload: 'io', size: 1, latencyMs: 5, workers: 2, lanes: ['sequential', 'threads', 'async'] });
      assert.match(io.verdict.text, /I\/O-bound: 1 request × 5 ms\. With one request there was nothing to wait for at once/);
      assert.match(io.answer, /^Every lane got the same 1 response \(digest [0-9a-f]{16}\)\.$/);
      const hash = await runSpec(page, { workload: 'hash', size: 1, tasks: 10_000, workers: 2, lanes: ['sequential', 'threads'] });
      assert.match(hash.answer, /^Every lane computed the same 10,000 SHA-256 chains of 1 round \(digest [0-9a-f]{16}\)\.$/);
      for (const r of [io, hash]) assert.doesNotMatch(`${r.verdict.text} ${r.answer}`, plural);
    });

    test('a fault in the only task: nothing said of "0 tasks", every count singular', async () => {
      const report = await runSpec(page, { workload: 'primes', size: 100_000, tasks: 1, workers: 2, fault: 'panic-one-task' });
      const text = report.verdict.text;
      const { processes } = byLane(report);
      assert.equal(processes.tasksDone, 0);
      assert.match(text, /processes: 0 of 1 task done\. The task that panicked killed only its own process; the pool replaced it in [\d.,]+ ms but no other task was left to run\./);
      assert.match(text, /sequential: one worker, so the fault at [\d.]+ (ms|s) ended the run, before any task had finished\./);
      assert.match(processes.error, /^1 of 1 task failed \(.*\)\. The pool replaced that process; no other task was left to complete\.$/);
      assert.doesNotMatch(`${text} ${processes.error}`, /\b0 tasks\b|those 0|the other 0/);
      assert.doesNotMatch(`${text} ${processes.error}`, plural);
    });

    test('10,000 tasks, one crashed: the status, the cards and the answer group their digits', async () => {
      const url = `${site.url}?workload=primes&size=100000&tasks=10000&workers=2&lanes=sequential,processes&fault=panic-one-task&autorun=1`;
      const visit = await openPage(site.browser, url);
      await visit.page.waitForFunction(() => /^Done/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 120_000 });
      const report = await visit.page.evaluate(() => window.playground.lastReport);
      const { processes } = byLane(report);
      const kept = `${grouped(processes.tasksDone)} of 10,000 tasks`;
      assert.equal(processes.tasksDone, 10_000 - processes.failedTasks.length);
      assert.equal(await visit.page.locator('#status').textContent(), `Done: sequential failed; processes survived: ${kept}.`);
      assert.equal(await visit.page.locator('.lane-card[data-lane="processes"] .figure').textContent(), `survived: ${kept}`);
      assert.match(report.answer, new RegExp(`^Processes counted [\\d,]+ primes in the ${kept} it finished\\.$`));
      assert.match(report.verdict.text, new RegExp(`processes: ${kept} done\\.`));
      assert.match(processes.error, /^1 of 10,000 tasks failed .*the other 9,999 tasks completed and the checksum covers exactly them\.$/);
      assert.deepEqual(visit.problems(), []);
      await visit.context.close();
    });

    test('the answer lists the lanes that agree with "and"', async () => {
      // Processes count apart in their own memories: the other four lanes agree on their own.
      const report = await runSpec(page, { workload: 'counter', size: 1000, tasks: 1, workers: 2, sync: 'none' });
      assert.match(report.answer, /^Sequential, threads, gil, and async counted all 1,000 updates\. Processes left the page's counter at 0/);
    });
  });

  describe('the shared counter\'s words', () => {
    test('a share of lost updates below 1 % is "under 1 %", never "0 %"', async () => {
      // Tasks of 2 updates on two threads rarely overlap: a few of 20,000 updates lost, in about
      // one run of four (7 of 30 here, none of them 0.5 % or more).
      let small = 0;
      for (let i = 0; i < 60 && small === 0; i++) {
        const report = await runSpec(page, { workload: 'counter', size: 2, tasks: 10_000, workers: 2, sync: 'none', lanes: ['threads'] });
        const { counter } = byLane(report).threads;
        assert.doesNotMatch(report.verdict.text, /\(0 %\)/);
        if (counter.lostUpdates === 0) continue;
        const pct = Math.round((100 * counter.lostUpdates) / counter.expected);
        const share = pct === 0 ? 'under 1 %' : pct === 100 ? 'over 99 %' : `${pct} %`;
        assert.match(report.verdict.text, new RegExp(`lost ${grouped(counter.lostUpdates)} of 20,000 updates \\(${share}\\)`), report.verdict.text);
        if (pct === 0) small++;
      }
      assert.ok(small > 0, 'no run of 60 lost a few updates only');
    });

    test('times read as everywhere else: no wait at all is 0 ms, thousands are grouped, in the verdict and the timeline\'s label', async () => {
      const alone = await runSpec(page, { workload: 'counter', size: 1000, tasks: 1, workers: 2, sync: 'lock', lanes: ['threads'] });
      // One task never finds the lock taken: no lock-wait at all.
      assert.equal(byLane(alone).threads.totals.filter((t) => t.phase === 'lock-wait').length, 0);
      assert.match(alone.verdict.text, /they spent 0 ms waiting for it/, alone.verdict.text);
      // 4 tasks of 200 updates with a 2 ms step each: over a second a lane.
      const slow = await runSpec(page, { workload: 'counter', size: 200, tasks: 4, workers: 2, sync: 'lock', stepMs: 2, lanes: ['sequential', 'threads'] });
      const label = await page.evaluate(() => document.getElementById('timeline').getAttribute('aria-label'));
      for (const text of [slow.verdict.text, label]) {
        assert.doesNotMatch(text, /\b\d{4,}(\.\d)? ms/, text);
        assert.match(text, new RegExp(`sequential [^.]*${grouped(Math.round(byLane(slow).sequential.wallMs))} ms`), text);
      }
    });

    test('one task: threads slower than sequential are not blamed on a cache line passed between cores', async () => {
      // One task's thread starting on the pool takes longer than sequential's, in 8 runs of 10 here.
      let slower = 0;
      for (let i = 0; i < 10 && slower === 0; i++) {
        const report = await runSpec(page, { workload: 'counter', size: 1000, tasks: 1, workers: 2, sync: 'none', lanes: ['sequential', 'threads'] });
        assert.doesNotMatch(report.verdict.text, /cache line/, report.verdict.text);
        const { sequential, threads } = byLane(report);
        if (threads.wallMs > sequential.wallMs * 1.1) slower++;
      }
      assert.ok(slower > 0, 'threads were never slower than sequential');
    });
  });

  describe('lanes that did not run', () => {
    test('a run cancelled at once reports each lane\'s own workers: one for sequential and async', async () => {
      const report = await page.evaluate(() => {
        const run = window.playground.run({ workload: 'primes', size: 1_000_000, workers: 2 });
        window.playground.cancel();
        return run;
      });
      assert.deepEqual(report.results.map((r) => r.lane), ['sequential', 'threads', 'gil', 'processes', 'async']);
      for (const r of report.results) {
        assert.ok(r.outcome === 'cancelled' || r.outcome === 'not-run', `${r.lane}: ${r.outcome}`);
        assert.equal(r.workers, r.lane === 'sequential' || r.lane === 'async' ? 1 : 2, r.lane);
      }
    });
  });
});
