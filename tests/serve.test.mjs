// Serve mode end to end in Chromium: requests arriving for a set time on every lane, checked
// against arithmetic the page does not do (Little's law from the raw records, counts, each
// percentile from a sort of the latencies, each lane's physical bound), the seed's I/O rule in
// numbers, refusals that name the field, Stop, and the section on the page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, useSite } from './harness.mjs';

const site = useSite();

/** Nearest rank, as servers' tools define a percentile. */
function percentile(sorted, q) {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
}

/** Checks what must hold of any lane's figures against its raw records. */
function checkLane(report, lane) {
  const { arrivals, options } = report;
  assert.ok(lane.ok, `${lane.lane}: ${lane.error}`);
  assert.equal(lane.offered, arrivals.length, `${lane.lane}: every lane is offered the same arrivals`);
  assert.equal(lane.completed + lane.queued, lane.offered, `${lane.lane}: completed + queued = offered`);
  const seen = new Set();
  const latencies = [];
  let inSystem = 0;
  for (let i = 0; i < lane.records.length; i += 3) {
    const [index, start, end] = lane.records.slice(i, i + 3);
    assert.ok(!seen.has(index), `${lane.lane}: request ${index} served twice`);
    seen.add(index);
    assert.ok(start >= arrivals[index] - 0.5, `${lane.lane}: request ${index} started ${start} before it arrived ${arrivals[index]}`);
    assert.ok(end - arrivals[index] >= options.latencyMs - options.jitterMs - 0.5, `${lane.lane}: request ${index} beat its own I/O`);
    latencies.push(end - arrivals[index]);
    inSystem += end - arrivals[index];
  }
  assert.equal(seen.size, lane.completed);
  // The queued ones are in the system until the lane's end.
  arrivals.forEach((a, i) => { if (!seen.has(i)) inSystem += lane.endedMs - a; });
  const little = inSystem / lane.endedMs;
  assert.ok(Math.abs(lane.meanInSystem - little) <= 1e-6 * Math.max(1, little), `${lane.lane}: L ${lane.meanInSystem} but the records give ${little}`);
  latencies.sort((a, b) => a - b);
  for (const [q, key] of [[0.5, 'p50Ms'], [0.95, 'p95Ms'], [0.99, 'p99Ms']]) {
    assert.ok(Math.abs(lane[key] - percentile(latencies, q)) < 1e-9, `${lane.lane}: ${key} ${lane[key]} but the sort gives ${percentile(latencies, q)}`);
  }
  assert.equal(lane.maxMs, latencies[latencies.length - 1]);
  if (lane.capacityPerSec !== null) {
    assert.ok(lane.completedPerSec <= lane.capacityPerSec * 1.05, `${lane.lane}: ${lane.completedPerSec}/s is past its bound ${lane.capacityPerSec}/s`);
  }
  assert.ok(lane.memoryBytes > 0 && lane.memoryPerRequestBytes > 0 && lane.memorySource.length > 0, `${lane.lane}: memory ${JSON.stringify(lane)}`);
}

/**
 * A real CPython serve report: the page serves a short run from its form, and the bridge serves
 * its export on sequential and async (in `dir`).
 */
async function servedByCpython(page, dir) {
  for (const [name, value] of [['ratePerSec', '30'], ['durationMs', '300'], ['latencyMs', '5'], ['cpuRounds', '0'], ['workers', '2']]) await page.fill(`#serve-${name}`, value);
  await page.click('#serve-run');
  await page.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.' && !document.querySelector('#serve-run').disabled, null, { timeout: 120_000 });
  const exported = join(dir, 'serve.json');
  writeFileSync(exported, await page.evaluate(() => JSON.stringify(window.playground.lastServe)));
  return JSON.parse(execFileSync('python3', ['-m', 'concurrency_bridge.serve', exported, 'sequential', 'async'], { cwd: new URL('../python/', import.meta.url), encoding: 'utf8', timeout: 120_000 }));
}

describe('serve mode', () => {
  let page;
  let context;
  let problems;
  test('set-up', async () => {
    ({ page, context, problems } = await openPage(site.browser, site.url));
  });

  test('slow I/O far above what a pool serves: async keeps up, the pools cap at workers / latency and queue', async () => {
    const serve = () => page.evaluate(() => window.playground.serve({ ratePerSec: 150, durationMs: 1500, latencyMs: 100, jitterMs: 10, cpuRounds: 0, workers: 2 }));
    const asyncOf = (r) => r.lanes.find((l) => l.lane === 'async');
    // Every request's own wait (100 ms and up to 10 of jitter) and little more.
    const [p50, p99] = [100 + 10 + 15, 100 + 10 + 80];
    const keptUp = (a) => a.p50Ms < p50 && a.p99Ms < p99;
    let report = await serve();
    // One stall of the VM's host holds the async worker and every request in flight with it (a
    // p99 of 280 ms in a clean-clone run): that run is printed, and served again.
    if (!keptUp(asyncOf(report))) {
      const a = asyncOf(report);
      console.log(`async p50 ${a.p50Ms.toFixed(0)} ms, p99 ${a.p99Ms.toFixed(0)} ms: served again`);
      report = await serve();
    }
    const by = Object.fromEntries(report.lanes.map((l) => [l.lane, l]));
    for (const lane of report.lanes) checkLane(report, lane);
    const offered = report.arrivals.length;
    assert.ok(offered > 150 && offered < 300, `${offered} arrivals for 150/s over 1.5 s`);
    // Async: every request's own wait and little more; its throughput the offered rate.
    assert.equal(by.async.queued, 0);
    // Its tail held loosely on its own (one stall of a worker delays every request in flight
    // alike: seen in WebKit in CI), tightly against the pools' below.
    assert.ok(by.async.p50Ms < p50, `async p50 ${by.async.p50Ms}`);
    assert.ok(by.async.p99Ms < p99, `async p99 ${by.async.p99Ms}`);
    assert.ok(by.async.completedPerSec > 0.85 * by.async.offeredPerSec, `async ${by.async.completedPerSec}/s of ${by.async.offeredPerSec}`);
    // Pools of 2 blocking workers: about 2 / 0.1 s = 20 a second, the rest queued and waiting.
    for (const lane of ['threads', 'gil', 'processes']) {
      assert.ok(by[lane].completedPerSec > 14 && by[lane].completedPerSec <= 21, `${lane}: ${by[lane].completedPerSec}/s`);
      assert.ok(by[lane].queued > offered / 2, `${lane}: ${by[lane].queued} queued`);
      assert.ok(by[lane].p99Ms > 5 * by.async.p99Ms, `${lane}: p99 ${by[lane].p99Ms} against async's ${by.async.p99Ms}`);
    }
    assert.ok(by.sequential.completedPerSec <= 10.5);
    // Memory per open request: a future's state is far smaller than a thread's stack or a process.
    assert.ok(by.async.memoryPerRequestBytes * 50 < by.threads.memoryPerRequestBytes, `${by.async.memoryPerRequestBytes} vs ${by.threads.memoryPerRequestBytes}`);
    assert.ok(by.processes.memoryBytes > by.sequential.memoryBytes, 'two processes hold two memories');
    assert.match(report.verdict, /→ async/);
    // Little's law where nothing queues: L = λ W.
    const lw = (by.async.completedPerSec / 1000) * by.async.meanMs;
    assert.ok(Math.abs(by.async.meanInSystem - lw) < 0.15 * lw, `async L ${by.async.meanInSystem} against λW ${lw}`);
  });

  test('fast I/O, few connections: every lane keeps up and the verdict says threads are enough', async () => {
    const report = await page.evaluate(() => window.playground.serve({ ratePerSec: 40, durationMs: 1000, latencyMs: 5, cpuRounds: 100, workers: 2 }));
    for (const lane of report.lanes) {
      checkLane(report, lane);
      assert.ok(lane.completed >= lane.offered - 1, `${lane.lane}: ${lane.completed} of ${lane.offered}`);
    }
    assert.match(report.verdict, /threads are enough/);
  });

  test('many slow requests, more than a batch run may wait one after another, serve on every lane', async () => {
    // About 2,000 requests of 200 ms: 400 s one after another, past the 5 minutes a batch `io`
    // run may wait. A serve run ends at its duration, so every lane serves it; every lane failed
    // on it once, refused by the batch run's cap where the lanes read the run's spec again.
    const report = await page.evaluate(() => window.playground.serve({ ratePerSec: 2000, durationMs: 1000, latencyMs: 200, jitterMs: 0, cpuRounds: 0, workers: 2 }));
    const by = Object.fromEntries(report.lanes.map((l) => [l.lane, l]));
    assert.ok(report.arrivals.length * 200 > 300_000, `${report.arrivals.length} arrivals`);
    for (const lane of report.lanes) checkLane(report, lane);
    assert.equal(by.async.completed, report.arrivals.length);
    assert.ok(by.async.p50Ms < 200 + 15, `async p50 ${by.async.p50Ms}`);
    for (const lane of ['threads', 'gil', 'processes']) assert.ok(by[lane].completed <= 2 * (1000 / 200) + 2, `${lane}: ${by[lane].completed}`);
  });

  test('under the GIL, busy requests take turns: none holds its thread more than a few switch intervals', async () => {
    // More requests than one core serves, each about 1 ms of CPU and no real wait: a thread that
    // ends one takes the GIL straight back for the next, which had shut the other thread out for
    // 0.3-1.5 s (the request it had begun took that long); now about two 5 ms intervals at most.
    const report = await page.evaluate(() => window.playground.serve({ ratePerSec: 1200, durationMs: 1000, latencyMs: 0, jitterMs: 0, cpuRounds: 3000, workers: 2, lanes: ['gil'] }));
    const [gil] = report.lanes;
    checkLane(report, gil);
    let longest = 0;
    for (let i = 0; i < gil.records.length; i += 3) longest = Math.max(longest, gil.records[i + 2] - gil.records[i + 1]);
    assert.ok(gil.queued > 0, `the lane must be past what it serves: ${gil.queued} queued`);
    assert.ok(longest < 150, `a request held its thread ${longest.toFixed(1)} ms`);
  });

  test('the same seed gives the same arrivals; another seed others', async () => {
    const [a, b, c] = await page.evaluate(async () => {
      const o = { ratePerSec: 100, durationMs: 300, latencyMs: 0, cpuRounds: 0, lanes: ['async'] };
      const one = await window.playground.serve(o);
      const two = await window.playground.serve(o);
      const three = await window.playground.serve({ ...o, seed: 7 });
      return [one.arrivals, two.arrivals, three.arrivals];
    });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('bad options name their field; past the budget is refused with a duration that fits', async () => {
    const errors = await page.evaluate(async () => {
      const out = [];
      for (const o of [{ ratePerSec: 'many' }, { ratePerSec: 0 }, { latencyMs: 10, jitterMs: 20 }, { colour: 'red' }, { ratePerSec: 20000, durationMs: 60000 }, { lanes: ['nope'] },
        { ratePerSec: 20000, durationMs: 1000, cpuRounds: 1000000, latencyMs: 0 }, { durationMs: 60000, latencyMs: 10000, ratePerSec: 300, workers: 64 }]) {
        try {
          await window.playground.serve(o);
          out.push(null);
        } catch (e) {
          out.push({ kind: e.kind, field: e.field, message: e.message });
        }
      }
      return out;
    });
    assert.deepEqual(errors.slice(0, 6).map((e) => e?.field), ['ratePerSec', 'ratePerSec', 'jitterMs', 'colour', 'ratePerSec', 'lanes']);
    for (const e of errors) assert.ok(e && e.message.length > 10, JSON.stringify(e));
    // A name that is no lane is told the lanes, not that it is off in this browser.
    assert.match(errors[5].message, /must be one of sequential, threads, gil, processes, async, got "nope"/);
    assert.equal(errors[6].kind, 'budget');
    assert.equal(errors[6].field, 'cpuRounds');
    assert.equal(errors[7].kind, 'budget');
    assert.equal(errors[7].field, 'durationMs');
    assert.match(errors[7].message, /durationMs \d+ ms or less would fit/);
    // Options that bring no request, options that are not an object, and a sweep's rates: each
    // refused by its name before anything runs (no request had made every pool fail on a batch
    // field, `size`; null had thrown a TypeError; an empty list of rates one too).
    const more = await page.evaluate(async () => {
      const out = [];
      for (const call of [
        () => window.playground.serve({ ratePerSec: 1, durationMs: 100, latencyMs: 0, cpuRounds: 0 }),
        () => window.playground.serve(5),
        () => window.playground.serveSweep({ durationMs: 300 }, []),
        () => window.playground.serveSweep({ durationMs: 300 }, 'abc'),
        () => window.playground.serveSweep({ durationMs: 300 }, [20, 0.5]),
        () => window.playground.serveSweep({ durationMs: 100 }, [1, 20]),
      ]) {
        try {
          await call();
          out.push(null);
        } catch (e) {
          out.push({ kind: e.kind, field: e.field, message: e.message });
        }
      }
      return out;
    });
    assert.deepEqual(more.map((e) => e && [e.kind, e.field]), [['invalid', 'ratePerSec'], ['invalid', 'options'], ['invalid', 'rates'], ['invalid', 'rates'], ['invalid', 'rates'], ['invalid', 'rates']], JSON.stringify(more));
    assert.match(more[0].message, /^ratePerSec: .*brings none/);
    assert.match(more[1].message, /^options: must be an object such as \{ ratePerSec/);
    assert.match(more[4].message, /^rates: 0\.5 is refused: ratePerSec: /);
    // null is the defaults, as a field's null is; the defaults fit the budget, so it is only checked.
    const checked = await page.evaluate(() => window.playground.checkServe(null).options.ratePerSec);
    assert.equal(checked, 100);
  });

  test('Stop settles a serve run within 200 ms, at its start and in the middle, and the next one runs', async () => {
    for (const delay of [0, 400, 1500]) {
      const out = await page.evaluate(async (delay) => {
        const running = window.playground.serve({ ratePerSec: 100, durationMs: 3000, latencyMs: 50, cpuRounds: 0, workers: 2 });
        await new Promise((r) => setTimeout(r, delay));
        const t = performance.now();
        window.playground.cancel();
        const report = await running;
        return { settledMs: performance.now() - t, lanes: report.lanes.map((l) => l.errorKind ?? 'ok') };
      }, delay);
      assert.ok(out.settledMs < 200, `at ${delay} ms: settled in ${out.settledMs} ms`);
      assert.ok(out.lanes.includes('cancelled'), `at ${delay} ms: ${out.lanes}`);
    }
    // One run at a time, of any kind: a second serve or a batch run while one serves is refused.
    const twice = await page.evaluate(async () => {
      const first = window.playground.serve({ ratePerSec: 20, durationMs: 500, latencyMs: 5, cpuRounds: 0, lanes: ['async'] });
      const refused = [];
      for (const second of [() => window.playground.serve({}), () => window.playground.run({ workload: 'primes', size: 1000 })]) {
        try {
          await second();
          refused.push(null);
        } catch (e) {
          refused.push(e.kind);
        }
      }
      const report = await first;
      return { refused, ok: report.lanes.every((l) => l.ok) };
    });
    assert.deepEqual(twice, { refused: ['invalid', 'invalid'], ok: true });
    const after = await page.evaluate(() => window.playground.serve({ ratePerSec: 20, durationMs: 300, latencyMs: 5, cpuRounds: 0 }));
    for (const lane of after.lanes) checkLane(after, lane);
  });

  test('a sweep over a short duration leaves out the offered loads that bring no request, and writes its options in the address', async () => {
    const report = await page.evaluate(() => window.playground.serveSweep({ durationMs: 300, latencyMs: 5, cpuRounds: 0, lanes: ['sequential', 'async'] }));
    const rates = report.lanes[0].points.map((p) => p.ratePerSec);
    assert.ok(rates.length >= 2 && rates.every((r) => r * 0.3 >= 0.5), `rates ${rates}`);
    for (const [name, value] of [['durationMs', '300'], ['latencyMs', '5'], ['cpuRounds', '0'], ['ratePerSec', '150']]) await page.fill(`#serve-${name}`, value);
    await page.click('#serve-sweep');
    await page.waitForFunction(() => /^Sweep (done|stopped)/.test(document.querySelector('#serve-status').textContent), null, { timeout: 120_000 });
    assert.equal(new URL(page.url()).searchParams.get('ratePerSec'), '150');
  });

  test('a sweep of offered load finds the pools\' knee and not async\'s', async () => {
    const sweep = await page.evaluate(() => window.playground.serveSweep({ durationMs: 600, latencyMs: 50, jitterMs: 0, cpuRounds: 0, workers: 2, lanes: ['threads', 'async'] }, [10, 80, 200]));
    const by = Object.fromEntries(sweep.lanes.map((l) => [l.lane, l]));
    assert.equal(by.async.kneePerSec, null, JSON.stringify(by.async));
    assert.ok(by.threads.kneePerSec !== null && by.threads.kneePerSec >= 80, JSON.stringify(by.threads));
    assert.match(sweep.verdict, /threads fell behind at/);
  });

  test('the section: the preset serves, the table and verdict fill, exports work, no overflow at 390 px', async () => {
    const phone = await openPage(site.browser, site.url, { viewport: { width: 390, height: 844 } });
    try {
      await phone.page.click('#serve-preset');
      await phone.page.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.', null, { timeout: 120_000 });
      const rows = await phone.page.locator('#serve-table tbody tr').count();
      assert.equal(rows, 5);
      assert.match(await phone.page.textContent('#serve-verdict'), /async/);
      assert.equal(await phone.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
      const download = phone.page.waitForEvent('download');
      await phone.page.click('#serve-csv');
      const csv = await (await download).createReadStream().then(async (s) => {
        let text = '';
        for await (const chunk of s) text += chunk;
        return text;
      });
      assert.equal(csv.trim().split('\n').length, 6);
      // A bad field: the error names it, and nothing runs.
      await phone.page.fill('#serve-ratePerSec', '0');
      await phone.page.click('#serve-run');
      await phone.page.waitForSelector('#serve-error:not([hidden])');
      assert.match(await phone.page.textContent('#serve-error'), /ratePerSec/);
      assert.deepEqual(phone.problems(), []);
    } finally {
      await phone.context.close();
    }
  });

  test('a run a script starts through serve() is shown in the section: busy while it goes, then its options, report and address', async () => {
    const own = await openPage(site.browser, site.url);
    try {
      const options = { ratePerSec: 50, durationMs: 400, latencyMs: 20, workers: 2, lanes: ['sequential', 'async'], seed: 7 };
      const [report, during] = await own.page.evaluate(async (o) => {
        const running = window.playground.serve(o);
        const buttons = () => ({ serve: document.getElementById('serve-run').disabled, stop: document.getElementById('serve-stop').disabled, run: document.getElementById('run').disabled });
        await new Promise((r) => { const wait = () => (document.getElementById('serve-status').textContent.startsWith('Serving') ? r() : requestAnimationFrame(wait)); wait(); });
        const seen = buttons();
        return [await running, seen];
      }, options);
      assert.deepEqual(during, { serve: true, stop: false, run: true }, 'the section and the race wait while a script serves');
      await own.page.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.' && !document.querySelector('#serve-run').disabled);
      assert.equal(await own.page.locator('#serve-table tbody tr').count(), report.lanes.length);
      assert.equal(await own.page.inputValue('#serve-ratePerSec'), '50');
      assert.equal(await own.page.inputValue('#serve-seed'), '7');
      const address = new URL(own.page.url()).searchParams;
      assert.equal(address.get('view'), 'serve');
      assert.equal(address.get('ratePerSec'), '50');
      assert.equal(await own.page.locator('#run').isDisabled(), false);
      assert.deepEqual(own.problems(), []);
    } finally {
      await own.context.close();
    }
  });

  test('the keyboard serves and stops where it is: focus on serve\'s Stop, no scroll; one thread\'s memory unmeasured; a sweep stopped at once', async () => {
    const { page, context, problems: seen } = await openPage(site.browser, site.url);
    try {
      for (const [name, value] of [['ratePerSec', '100'], ['durationMs', '1500'], ['latencyMs', '5'], ['cpuRounds', '0'], ['workers', '1']]) await page.fill(`#serve-${name}`, value);
      await page.focus('#serve-run');
      const before = await page.evaluate(() => window.scrollY);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('#serve-run').disabled);
      // Serve's buttons had handed the focus to the batch run's Stop, 2,600 px up the page.
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'serve-stop');
      assert.ok(Math.abs((await page.evaluate(() => window.scrollY)) - before) < 200, 'the page stays where it was');
      await page.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.', null, { timeout: 120_000 });
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'serve-run', 'and back to Serve');
      // One thread has no second stack to measure a thread's memory against: shown as unknown, not 0.
      const perRequest = await page.evaluate(() => Object.fromEntries(window.playground.lastServe.lanes.map((l) => [l.lane, l.memoryPerRequestBytes])));
      assert.equal(perRequest.threads, null);
      assert.equal(perRequest.gil, null);
      assert.ok(perRequest.processes > 0 && perRequest.async > 0, JSON.stringify(perRequest));
      const cells = await page.evaluate(() => [...document.querySelectorAll('#serve-table tbody tr')].map((r) => [r.children[0].textContent, r.lastElementChild.textContent]));
      assert.deepEqual(cells.filter(([lane]) => lane === 'threads' || lane === 'gil').map(([, mem]) => mem), ['—', '—']);
      // A sweep stopped before its first offered load: said so, no TypeError, no empty chart.
      await page.click('#serve-sweep');
      await page.click('#serve-stop');
      await page.waitForFunction(() => !document.querySelector('#serve-sweep').disabled, null, { timeout: 60_000 });
      assert.equal(await page.locator('#serve-error').isHidden(), true, await page.textContent('#serve-error'));
      assert.match(await page.textContent('#serve-status'), /^Sweep stopped\.$/);
      assert.match(await page.textContent('#serve-sweep-verdict'), /stopped before its first offered load/);
      assert.equal(await page.locator('#serve-sweep-figure').isHidden(), true);
      assert.deepEqual(seen(), []);
    } finally {
      await context.close();
    }
  });

  test('CPython serves the exported arrivals and its report opens beside the browser\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    for (const [name, value] of [['ratePerSec', '60'], ['durationMs', '800'], ['latencyMs', '50'], ['cpuRounds', '0'], ['workers', '2']]) {
      await page.fill(`#serve-${name}`, value);
    }
    await page.click('#serve-run');
    await page.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.', null, { timeout: 120_000 });
    const download = page.waitForEvent('download');
    await page.click('#serve-json');
    const exported = join(dir, 'serve.json');
    await (await download).saveAs(exported);
    const out = execFileSync('python3', ['-m', 'concurrency_bridge.serve', exported], { cwd: new URL('../python/', import.meta.url), encoding: 'utf8', timeout: 120_000 });
    const python = JSON.parse(out);
    const browser = JSON.parse(readFileSync(exported, 'utf8'));
    assert.deepEqual(python.arrivals, browser.arrivals, 'CPython served the browser\'s arrivals');
    // Every request accounted for on every lane; asyncio, like the async lane, never queues.
    const by = Object.fromEntries(python.lanes.map((l) => [l.lane, l]));
    assert.equal(by.async.queued, 0);
    for (const l of python.lanes) assert.equal(l.completed + l.queued, browser.arrivals.length);
    const file = join(dir, 'cpython-serve.json');
    writeFileSync(file, out);
    await page.setInputFiles('#serve-python-file', file);
    await page.waitForFunction(() => document.querySelector('#serve-share-status').textContent.includes('CPython'));
    assert.match(await page.textContent('#serve-share-status'), /the same arrivals/);
    assert.equal(await page.locator('#serve-table tr.cpython').count(), 4);
    // Another tool's JSON is refused with the field named, and nothing of it is shown as HTML.
    writeFileSync(file, JSON.stringify({ python: '<img src=x onerror=alert(1)>', arrivals: [], lanes: [{ lane: '<b>x</b>' }] }));
    await page.setInputFiles('#serve-python-file', file);
    // Refused in the section's alert, not its status line; a report with no arrivals is refused by them.
    await page.waitForSelector('#serve-error:not([hidden])');
    assert.match(await page.textContent('#serve-error'), /^report\.arrivals: /);
    assert.equal(await page.locator('#serve-section img, #serve img').count(), 0);
  });

  test('a CPython serve report is counted in words, and one refused goes to the alert and takes the last report\'s rows and sentence with it', async () => {
    // A real report: the browser serves, CPython serves its export on two lanes.
    const dir = mkdtempSync(join(tmpdir(), 'serve-words-'));
    const real = await servedByCpython(page, dir);
    const file = join(dir, 'cpython-serve.json');
    const open = async (text) => {
      writeFileSync(file, text);
      await page.setInputFiles('#serve-python-file', file);
    };
    const shown = async (rows) => {
      await page.waitForFunction((rows) => document.querySelectorAll('#serve-table tr.cpython').length === rows && document.querySelector('#serve-error').hidden
        && document.querySelector('#serve-share-status').textContent.startsWith('CPython'), rows);
      return page.textContent('#serve-share-status');
    };
    await open(JSON.stringify(real));
    assert.match(await shown(2), /^CPython [\d.]+: 2 lanes, the same arrivals as this browser's run\.$/);
    // Truncated: refused in the alert (role=alert), the status line emptied, the last rows gone.
    await open(JSON.stringify(real).slice(0, 500));
    await page.waitForSelector('#serve-error:not([hidden])');
    assert.match(await page.textContent('#serve-error'), /^report\.json: /);
    assert.equal(await page.getAttribute('#serve-error', 'role'), 'alert');
    assert.equal(await page.textContent('#serve-share-status'), '');
    assert.equal(await page.locator('#serve-table tr.cpython').count(), 0);
    assert.equal(await page.locator('#serve-table tbody tr').count(), 5, 'the browser\'s own rows stay');
    // One lane is "1 lane"; a report that opens clears the last error.
    await open(JSON.stringify({ ...real, lanes: real.lanes.filter((l) => l.lane === 'async') }));
    assert.match(await shown(1), /^CPython [\d.]+: 1 lane, the same arrivals/);
    assert.equal(await page.textContent('#serve-error'), '');
  });

  test('a CPython serve report that cannot be true is refused by the field that breaks it: no lanes or arrivals, a lane twice, impossible figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-bad-'));
    const real = await servedByCpython(page, dir);
    assert.ok(real.arrivals.length >= 3, `${real.arrivals.length} arrivals`);
    const [seq, aio] = real.lanes;
    const n = real.arrivals.length;
    /** The real report with lane i's figures changed. */
    const withLane = (i, change) => ({ ...real, lanes: real.lanes.map((l, j) => (j === i ? { ...l, ...change } : l)) });
    const cases = [
      [{ ...real, lanes: [] }, /^report\.lanes: must list the lanes/],
      [{ ...real, arrivals: [] }, /^report\.arrivals: must list the requests/],
      [{ ...real, lanes: [aio, aio, aio] }, /^report\.lanes\[1\]\.lane: lists async twice/],
      [{ ...real, lanes: [seq, aio, seq] }, /^report\.lanes\[2\]\.lane: lists sequential twice/],
      [withLane(0, { lane: '<b>x</b>' }), /^report\.lanes\[0\]\.lane: must be one of/],
      [{ ...real, arrivals: real.arrivals.map((a, i) => (i === 2 ? real.options.durationMs + 1 : a)) }, /^report\.arrivals\[2\]: must be before options\.durationMs/],
      [{ ...real, options: {} }, /^report\.options\.durationMs: /],
      // The visitor's lane: offered 5, completed 900, p50 100, p99 1, max 0.5.
      [withLane(1, { offered: 5, completed: 900, p50Ms: 100, p99Ms: 1, maxMs: 0.5 }), n === 5 ? /^report\.lanes\[1\]\.completed: / : /^report\.lanes\[1\]\.offered: must be the number of the report's arrivals/],
      [withLane(0, { offered: n + 1, queued: seq.queued + 1 }), /^report\.lanes\[0\]\.offered: /],
      [withLane(0, { offered: n - 0.5 }), /^report\.lanes\[0\]\.offered: must be a whole number/],
      [withLane(1, { completed: n + 1 }), /^report\.lanes\[1\]\.completed: must be at most offered/],
      [withLane(1, { queued: aio.queued + 1 }), /^report\.lanes\[1\]\.queued: must be offered − completed/],
      [withLane(0, { p50Ms: seq.p95Ms * 2 }), /^report\.lanes\[0\]\.p95Ms: must be at least p50Ms/],
      [withLane(1, { p99Ms: aio.p95Ms / 2 }), /^report\.lanes\[1\]\.p99Ms: must be at least p95Ms/],
      [withLane(1, { maxMs: aio.p99Ms / 2 }), /^report\.lanes\[1\]\.maxMs: must be at least p99Ms/],
      [withLane(0, { meanMs: seq.maxMs * 2 }), /^report\.lanes\[0\]\.meanMs: must be at most maxMs/],
      [withLane(0, { p50Ms: -1 }), /^report\.lanes\[0\]\.p50Ms: must be a number ≥ 0/],
      [withLane(0, { completedPerSec: seq.completedPerSec * 10 + 1 }), /^report\.lanes\[0\]\.completedPerSec: must be at most completed over options\.durationMs/],
    ];
    const file = join(dir, 'cpython-serve.json');
    for (const [report, field] of cases) {
      // The real report first, so that each refusal is seen to take its rows away.
      writeFileSync(file, JSON.stringify(real));
      await page.setInputFiles('#serve-python-file', file);
      await page.waitForFunction(() => document.querySelectorAll('#serve-table tr.cpython').length === 2 && document.querySelector('#serve-error').hidden);
      writeFileSync(file, JSON.stringify(report));
      await page.setInputFiles('#serve-python-file', file);
      await page.waitForSelector('#serve-error:not([hidden])');
      assert.match(await page.textContent('#serve-error'), field);
      assert.equal(await page.locator('#serve-table tr.cpython').count(), 0, `${field}: the last report's rows stayed`);
      assert.equal(await page.textContent('#serve-share-status'), '');
    }
    assert.equal(await page.locator('#serve img, #serve b').count(), 0, 'nothing of a report is shown as HTML');
    // The real report itself holds every check.
    writeFileSync(file, JSON.stringify(real));
    await page.setInputFiles('#serve-python-file', file);
    await page.waitForFunction(() => document.querySelectorAll('#serve-table tr.cpython').length === 2 && document.querySelector('#serve-error').hidden);
  });

  test('a serve link fills the form and serves; a bad value in it is refused by name', async () => {
    const { page: linked, context: ctx, problems: seen } = await openPage(site.browser, `${site.url}/?view=serve&ratePerSec=30&durationMs=400&latencyMs=20&cpuRounds=0&workers=2&autorun=1`);
    try {
      await linked.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.', null, { timeout: 120_000 });
      assert.equal(await linked.inputValue('#serve-ratePerSec'), '30');
      assert.equal(await linked.locator('#serve-table tbody tr').count(), 5);
      await linked.goto(`${site.url}/?view=serve&ratePerSec=lots&autorun=1`);
      await linked.waitForFunction(() => window.playground !== undefined);
      await linked.waitForSelector('#serve-error:not([hidden])');
      assert.match(await linked.textContent('#serve-error'), /ratePerSec/);
      assert.deepEqual(seen(), []);
    } finally {
      await ctx.close();
    }
  });

  test('a serve link\'s lanes are ticked, served alone and kept in the address; no lane ticked is refused by name', async () => {
    const { page: linked, context: ctx, problems: seen } = await openPage(site.browser, `${site.url}/?view=serve&ratePerSec=30&durationMs=300&latencyMs=20&cpuRounds=0&workers=2&lanes=sequential,async&autorun=1`);
    try {
      await linked.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.', null, { timeout: 120_000 });
      const ticked = () => linked.$$eval('#serve-lanes input:checked', (boxes) => boxes.map((b) => b.value));
      assert.deepEqual(await ticked(), ['sequential', 'async']);
      assert.deepEqual(await linked.$$eval('#serve-table tbody tr th', (cells) => cells.map((c) => c.textContent.trim().split(/\s/)[0])), ['sequential', 'async']);
      assert.equal(new URL(linked.url()).searchParams.get('lanes'), 'sequential,async');
      // Every lane ticked again: the default, left out of the address.
      for (const lane of ['threads', 'processes']) await linked.check(`#serve-lanes input[value=${lane}]`);
      await linked.check('#serve-lanes input[value=gil]');
      await linked.click('#serve-run');
      await linked.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.' && !document.querySelector('#serve-run').disabled, null, { timeout: 120_000 });
      assert.equal(new URL(linked.url()).searchParams.get('lanes'), null);
      assert.equal(await linked.locator('#serve-table tbody tr').count(), 5);
      for (const box of await linked.$$('#serve-lanes input:checked')) await box.uncheck();
      await linked.click('#serve-run');
      await linked.waitForSelector('#serve-error:not([hidden])');
      assert.match(await linked.textContent('#serve-error'), /^lanes: /);
      assert.equal(await linked.getAttribute('#serve-lanes', 'aria-invalid'), 'true');
      assert.deepEqual(seen(), []);
    } finally {
      await ctx.close();
    }
  });

  test('the embed serves: preset=serve with the link\'s options, its table and verdict, the full page\'s link; Embed this carries a serve run', async () => {
    const { page: embed, context: ctx, problems: seen } = await openPage(site.browser, `${site.url}/embed.html?preset=serve&ratePerSec=60&durationMs=600&latencyMs=50&autorun=1`, { viewport: { width: 390, height: 800 } });
    try {
      await embed.waitForFunction(() => document.querySelector('#status').textContent === 'Done.', null, { timeout: 120_000 });
      assert.equal(await embed.locator('#serve-table tbody tr').count(), 5);
      assert.match(await embed.textContent('#serve-verdict'), /requests\/s/);
      assert.match(await embed.getAttribute('#full', 'href'), /^index\.html\?view=serve&ratePerSec=60&durationMs=600&latencyMs=50/);
      assert.equal(await embed.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
      // The link's lanes: the note and the blurb name only those, and only they serve.
      await embed.goto(`${site.url}/embed.html?preset=serve&ratePerSec=60&durationMs=300&latencyMs=20&lanes=sequential,async&autorun=1`);
      await embed.waitForFunction(() => document.querySelector('#status').textContent === 'Done.', null, { timeout: 120_000 });
      assert.match(await embed.textContent('#isolation-note'), /^Racing here: sequential and async[ .]/);
      assert.match(await embed.textContent('#embed-blurb'), /one worker against one async loop\.$/);
      assert.equal(await embed.locator('#serve-table tbody tr').count(), 2);
      await embed.goto(`${site.url}/embed.html?preset=serve&ratePerSec=-5`);
      await embed.waitForSelector('#error:not([hidden])');
      assert.match(await embed.textContent('#error'), /ratePerSec/);
      assert.deepEqual(seen(), []);
    } finally {
      await ctx.close();
    }
    // A serve run on the page puts its options in the address, and Embed this gives the serve preset.
    await page.evaluate(() => window.scrollTo(0, 0));
    for (const [name, value] of [['ratePerSec', '40'], ['durationMs', '300'], ['latencyMs', '10']]) await page.fill(`#serve-${name}`, value);
    await page.click('#serve-run');
    await page.waitForFunction(() => document.querySelector('#serve-status').textContent === 'Done.', null, { timeout: 120_000 });
    assert.match(await page.evaluate(() => location.search), /view=serve&ratePerSec=40/);
    await page.click('#embed-this');
    assert.match(await page.locator('#embed-code').inputValue(), /embed\.html\?preset=serve&amp;ratePerSec=40|embed\.html\?preset=serve&ratePerSec=40/);
  });

  test('a clean console', async () => {
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
