// What the page hands to other tools: the trace in the Chrome Trace Event format (Perfetto,
// chrome://tracing), checked against the format's rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, runSpec, useSite } from './harness.mjs';

const site = useSite();

test('the last run as a Chrome trace: a process per lane, a thread per worker, complete events', async () => {
  const { page, problems, context } = await openPage(site.browser, site.url);
  const report = await runSpec(page, { workload: 'primes', size: 1_000_000, tasks: 16, workers: 2, fault: 'panic-one-task', lanes: ['threads', 'processes'] });
  const trace = JSON.parse(JSON.stringify(await page.evaluate(() => window.playground.traceEvents())));
  assert.equal(trace.displayTimeUnit, 'ms');
  assert.deepEqual(trace.metadata.spec, report.spec);
  const names = new Map();
  for (const e of trace.traceEvents) {
    assert.ok(['X', 'M', 'i'].includes(e.ph), `phase ${e.ph}`);
    assert.ok(Number.isInteger(e.pid) && e.pid > 0 && Number.isInteger(e.tid) && e.tid >= 0, JSON.stringify(e));
    if (e.ph === 'M') {
      if (e.name === 'process_name') names.set(e.pid, e.args.name);
      continue;
    }
    assert.ok(Number.isFinite(e.ts) && e.ts >= 0, JSON.stringify(e));
    if (e.ph === 'X') {
      assert.ok(Number.isFinite(e.dur) && e.dur >= 0, JSON.stringify(e));
      assert.ok(['spawn', 'compute', 'wait', 'transfer', 'gil-wait'].includes(e.name));
    } else {
      assert.equal(e.s, 't');
      assert.equal(e.name, 'fault');
    }
  }
  assert.deepEqual([...names.values()], ['threads (failed)', 'processes (failed)']);
  const spans = (lane) => trace.traceEvents.filter((e) => e.ph === 'X' && names.get(e.pid)?.startsWith(lane)).length;
  for (const r of report.results) assert.equal(spans(r.lane), r.events.length, r.lane);
  assert.equal(trace.traceEvents.filter((e) => e.ph === 'i').length, 2, 'one fault per lane');
  // Every worker row that has spans is named.
  const threads = new Set(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.tid}`));
  for (const e of trace.traceEvents.filter((x) => x.ph === 'X')) assert.ok(threads.has(`${e.pid}/${e.tid}`), `${e.pid}/${e.tid}`);
  assert.deepEqual(problems(), []);
  await context.close();
});
