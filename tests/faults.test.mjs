// Fault paths are deterministic: every fault on every lane, many rounds, each ending its lane with
// the right kind, keeping what the lane is meant to keep, and leaving nothing uncaught on the page.
// A panic hook that could not tell the page (it met a lock another thread's progress report held)
// used to trap at once: now and then an uncaught "unreachable" and the wrong kind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, runSpec, useSite } from './harness.mjs';

const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 20);
const FAULTS = { 'panic-one-task': 'panicked', 'oom-one-task': 'oom' };
const LANES = ['sequential', 'threads', 'gil', 'processes', 'async'];

const site = useSite();

/** π below each task's bound, by a sieve: the oracle for what the processes lane keeps. */
function primesPerTask(size, tasks) {
  const sieve = new Uint8Array(size).fill(1);
  sieve[0] = 0;
  sieve[1] = 0;
  for (let i = 2; i * i < size; i++) if (sieve[i]) for (let j = i * i; j < size; j += i) sieve[j] = 0;
  return Array.from({ length: tasks }, (_, t) => {
    const lo = Math.floor((size * t) / tasks);
    const hi = Math.floor((size * (t + 1)) / tasks);
    let n = 0;
    for (let i = lo; i < hi; i++) n += sieve[i];
    return n;
  });
}

test(`every fault on every lane, ${ROUNDS} rounds: the right kind, nothing uncaught`, { timeout: 600_000 }, async () => {
  const { page, problems, context } = await openPage(site.browser, site.url);
  // Many tiny tasks: the other threads report progress all the time while the fault hits.
  const base = { workload: 'primes', size: 300_000, tasks: 256, workers: 2, lanes: LANES };
  const perTask = primesPerTask(base.size, base.tasks);
  const counts = {};
  const wrong = [];
  let pageErrors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [fault, kind] of Object.entries(FAULTS)) {
      // A new seed each round: the fault hits a different task, early or late in the run.
      const spec = { ...base, fault, seed: round + 1 };
      const seen = problems().length;
      const report = await runSpec(page, spec);
      pageErrors += problems().length - seen;
      for (const r of report.results) {
        const key = `${r.lane} ${fault}`;
        counts[key] ??= { runs: 0, wrongKind: 0 };
        counts[key].runs++;
        const fail = (why) => wrong.push(`${key}, round ${round}: ${why}`);
        if (r.ok || r.errorKind !== kind) {
          counts[key].wrongKind++;
          fail(`${r.ok ? 'ok' : r.errorKind}: ${r.error}`);
        }
        if (r.faults?.length !== 1) fail(`${r.faults?.length ?? 0} fault marks`);
        if (r.lane === 'processes') {
          // A crash kills one process: the pool keeps every other task, and the checksum is theirs.
          const failedTask = r.faults?.[0]?.task;
          const kept = perTask.reduce((sum, n, t) => (t === failedTask ? sum : sum + n), 0);
          if (JSON.stringify(r.failedTasks) !== JSON.stringify([failedTask])) fail(`failed tasks ${r.failedTasks}`);
          if (r.tasksDone !== base.tasks - 1) fail(`${r.tasksDone} tasks kept`);
          if (r.checksum !== String(kept)) fail(`checksum ${r.checksum}, want ${kept}`);
        } else if (!(r.tasksDone < base.tasks)) {
          fail(`kept ${r.tasksDone} tasks: a fault in one memory loses the lane`);
        }
      }
    }
  }
  console.log(`fault stress (${ROUNDS} rounds): ${Object.entries(counts).map(([k, v]) => `${k} ${v.runs} runs, ${v.wrongKind} wrong kinds`).join('; ')}; page errors: ${pageErrors}`);
  assert.deepEqual(wrong, []);
  assert.deepEqual(problems(), []);
  // The same seed picks the same task on every lane: a next, clean run is right everywhere.
  const clean = await runSpec(page, { ...base, fault: 'none', tasks: 8 });
  for (const r of clean.results) assert.equal(r.checksum, String(perTask.reduce((a, b) => a + b, 0)), r.lane);
  assert.deepEqual(problems(), []);
  await context.close();
});
