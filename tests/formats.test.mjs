// What the page hands to other tools: the trace in the Chrome Trace Event format (Perfetto,
// chrome://tracing), checked against the format's rules, and Perfetto's own: on every thread,
// complete spans nest or are disjoint (its JSON importer drops or misdraws partial overlaps,
// google/perfetto#4280).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, runSpec, useSite } from './harness.mjs';

const site = useSite();
const PHASES = ['spawn', 'compute', 'wait', 'transfer', 'gil-wait'];

/** Checks one exported trace; returns its X spans per lane name for the caller's own checks. */
function checkTrace(trace, report) {
  assert.equal(trace.displayTimeUnit, 'ms');
  assert.deepEqual(trace.metadata.spec, report.spec);
  const names = new Map();
  const threads = new Set();
  const open = new Map();
  const spans = new Map();
  for (const e of trace.traceEvents) {
    assert.ok(['X', 'M', 'i', 'b', 'e'].includes(e.ph), `phase ${e.ph}`);
    assert.ok(Number.isInteger(e.pid) && e.pid > 0 && Number.isInteger(e.tid) && e.tid >= 0, JSON.stringify(e));
    if (e.ph === 'M') {
      if (e.name === 'process_name') names.set(e.pid, e.args.name);
      if (e.name === 'thread_name') threads.add(`${e.pid}/${e.tid}`);
      continue;
    }
    assert.ok(Number.isFinite(e.ts) && e.ts >= 0, JSON.stringify(e));
    if (e.ph === 'X') {
      assert.ok(Number.isFinite(e.dur) && e.dur >= 0, JSON.stringify(e));
      assert.ok(PHASES.includes(e.name), e.name);
      const key = `${e.pid}/${e.tid}`;
      if (!spans.has(key)) spans.set(key, []);
      spans.get(key).push(e);
    } else if (e.ph === 'b') {
      assert.ok(!open.has(e.id), `async slice ${e.id} begins once`);
      open.set(e.id, e);
    } else if (e.ph === 'e') {
      const b = open.get(e.id);
      assert.ok(b && b.name === e.name && b.cat === e.cat && b.pid === e.pid && e.ts >= b.ts, `async slice ${e.id} ends after its begin`);
      open.delete(e.id);
    } else {
      assert.equal(e.s, 't');
      assert.equal(e.name, 'fault');
    }
  }
  assert.equal(open.size, 0, 'every async slice ends');
  // Perfetto's rule, thread by thread: each span inside the one still open, or after it.
  for (const [key, list] of spans) {
    assert.ok(threads.has(key), `thread ${key} is named`);
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const stack = [];
    for (const e of list) {
      while (stack.length && stack[stack.length - 1] <= e.ts) stack.pop();
      assert.ok(stack.length === 0 || e.ts + e.dur <= stack[stack.length - 1],
        `${names.get(e.pid)} thread ${key}: a ${e.name} span at ${e.ts} µs partly overlaps the one open until ${stack[stack.length - 1]} µs`);
      stack.push(e.ts + e.dur);
    }
  }
  // Every recorded event is in the trace, once: a span, or an async slice.
  for (const [i, r] of report.results.entries()) {
    const pid = i + 1;
    const xs = trace.traceEvents.filter((e) => e.pid === pid && (e.ph === 'X' || e.ph === 'b')).length;
    assert.equal(xs, r.events.length, r.lane);
    assert.equal(trace.traceEvents.filter((e) => e.pid === pid && e.ph === 'i').length, r.faults?.length ?? 0, `${r.lane}: one instant per fault`);
  }
  return names;
}

test('the Chrome trace of every lane, with and without faults: named threads, nested spans', async () => {
  const { page, problems, context } = await openPage(site.browser, site.url);
  const lanes = ['sequential', 'threads', 'gil', 'processes', 'async'];
  const specs = [
    { workload: 'primes', size: 1_000_000, tasks: 16, workers: 2, fault: 'panic-one-task', lanes },
    { workload: 'primes', size: 300_000, tasks: 64, workers: 2, fault: 'oom-one-task', lanes },
    // Many small tasks on processes: results come back while the next task computes.
    { workload: 'hash', size: 50, tasks: 2000, workers: 2, lanes },
    // Thousands of waits in flight at once on one thread, and waits that block threads.
    { workload: 'mixed', size: 400, latencyMs: 5, jitterMs: 4, cpuRounds: 200, workers: 4, lanes },
    { workload: 'share', size: 8, workers: 2, lanes },
  ];
  for (const spec of specs) {
    const report = await runSpec(page, spec);
    const trace = JSON.parse(JSON.stringify(await page.evaluate(() => window.playground.traceEvents())));
    const names = checkTrace(trace, report);
    const expected = report.results.map((r) => (r.ok ? r.lane : `${r.lane} (${r.outcome === 'survived' ? `survived: ${r.tasksDone} of ${spec.tasks} tasks` : 'failed'})`));
    assert.deepEqual([...names.values()], expected, JSON.stringify(spec));
  }
  assert.deepEqual(problems(), []);
  await context.close();
});
