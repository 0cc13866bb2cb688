// The Python bridge (issue 14): window.playground.pythonScript(spec) is a self-contained Python 3
// script that runs the spec under CPython's models. Every lane it finishes must print the
// browser's checksum for the same spec: the kernels are ported exactly, seeds and splits too.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPage, runSpec, useSite } from './harness.mjs';

const PYTHON = process.env.PYTHON ?? 'python3';

const WORKERS = 2;
/** Per test: a browser run and a python3 run of a small spec take a few seconds. */
const TIMEOUT = { timeout: 180_000 };
const SPECS = [
  { workload: 'primes', size: 200_000, tasks: 8 },
  { workload: 'mandelbrot', size: 64 },
  { workload: 'hash', size: 200, tasks: 4 },
  { workload: 'io', size: 20, latencyMs: 2 },
  { workload: 'mixed', size: 10, latencyMs: 2, cpuRounds: 100 },
  { workload: 'share', size: 2, tasks: 4 },
];
const FAULTS = [
  [{ workload: 'primes', size: 100_000, tasks: 8, fault: 'panic-one-task' }, /task \d+ panicked \(injected fault\)/],
  [{ workload: 'primes', size: 100_000, tasks: 8, fault: 'oom-one-task' }, /MemoryError: task \d+ ran out of memory \(injected fault\)/],
];

const site = useSite();
let page;
let problems;
let dir;
/** One row per spec for the table printed at the end. */
const rows = [];

const byLane = (results) => Object.fromEntries(results.map((r) => [r.lane, r]));

/** Runs a script with python3 and returns its parsed report. */
function runPython(script, name) {
  const file = join(dir, `${name}.py`);
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [file], { timeout: 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${PYTHON} ${file} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/** The checksum every finished browser lane shares (asserted). */
function browserChecksum(report) {
  const sums = new Set(report.results.filter((r) => r.ok).map((r) => r.checksum));
  assert.equal(sums.size, 1, `browser lanes agree: ${JSON.stringify(report.results.map((r) => [r.lane, r.checksum, r.error]))}`);
  return [...sums][0];
}

async function bothSides(raw) {
  const spec = { ...raw, workers: WORKERS };
  const script = await page.evaluate((s) => window.playground.pythonScript(s), spec);
  const browser = await runSpec(page, spec);
  const python = await runPython(script, `${raw.workload}${raw.fault ? '-fault' : ''}`);
  return { spec, script, browser, python };
}

function remember(label, browser, python, browserSum) {
  rows.push({ label, browser: byLane(browser.results), python: byLane(python.results), browserSum });
}

/** Prints the comparison: checksums per lane, then wall ms per lane on both sides. */
function printTable() {
  const pad = (cells, widths) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  const table = (head, body) => {
    const widths = head.map((_, i) => Math.max(...[head, ...body].map((r) => String(r[i]).length)));
    return [pad(head, widths), pad(widths.map((w) => '-'.repeat(w)), widths), ...body.map((r) => pad(r, widths))].join('\n');
  };
  const pyLanes = ['sequential', 'gil', 'processes', 'async'];
  const pyLane = (python, lane) => python[lane] ?? (lane === 'gil' ? python.threads : undefined);
  const sum = (r) => (!r ? '-' : r.ok ? r.checksum : `failed${r.checksum ? ` (${r.checksum})` : ''}`);
  const ms = (r) => (!r ? '-' : r.ok || r.checksum ? r.wallMs.toFixed(1) : 'x');
  const browserLanes = ['sequential', 'threads', 'gil', 'processes', 'async'];
  const version = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\nPython bridge: checksums (${version}, ${WORKERS} workers)\n${table(
    ['workload', 'browser', ...pyLanes.map((l) => `py ${l}`)],
    rows.map((r) => [r.label, r.browserSum, ...pyLanes.map((l) => sum(pyLane(r.python, l)))]),
  )}`);
  console.log(`\nWall ms per lane (x: failed)\n${table(
    ['workload', ...browserLanes.map((l) => `web ${l}`), ...pyLanes.map((l) => `py ${l}`)],
    rows.map((r) => [r.label, ...browserLanes.map((l) => ms(r.browser[l])), ...pyLanes.map((l) => ms(pyLane(r.python, l)))]),
  )}\n`);
}

describe('python bridge', () => {
  // Not skipped when python3 is missing: set-up installs it, and a bridge left untested is a hole.
  test('python3 runs', () => {
    const probe = spawnSync(PYTHON, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' });
    assert.equal(probe.status, 0, `${PYTHON} could not run: npm test's set-up installs python3 (or set PYTHON): ${probe.error?.message ?? probe.stderr}`);
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'playground-python-'));
    ({ page, problems } = await openPage(site.browser, site.url));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (rows.length > 0) printTable();
    assert.deepEqual(problems(), []);
  });

  test('the script is stable, names its lanes and checks its spec', TIMEOUT, async () => {
    const spec = { workload: 'io', size: 20, latencyMs: 2, jitterMs: 1, workers: WORKERS };
    const [a, b, reordered] = await page.evaluate(async (s) => {
      const first = window.playground.pythonScript(s);
      await new Promise((r) => setTimeout(r, 20));
      const reversed = Object.fromEntries(Object.entries(s).reverse());
      return [first, window.playground.pythonScript(s), window.playground.pythonScript(reversed)];
    }, spec);
    assert.equal(a, b, 'same spec twice: the same text');
    assert.equal(a, reordered, 'fields in another order: the same text');
    assert.match(a, /^#!\/usr\/bin\/env python3\n/);
    for (const lane of ['sequential', 'gil', 'threads', 'processes', 'async']) assert.ok(a.includes(`"${lane}"`), `names ${lane}`);
    assert.ok(a.includes('if __name__ == "__main__":'), 'safe to import (spawn and forkserver start methods)');
    const error = await page.evaluate(() => {
      try {
        window.playground.pythonScript({ workload: 'primes', size: -1 });
        return null;
      } catch (e) {
        return e.message;
      }
    });
    assert.match(error ?? '', /^size:/);
  });

  for (const raw of SPECS) {
    test(`${raw.workload}: every python lane prints the browser's checksum`, TIMEOUT, async () => {
      const { browser, python } = await bothSides(raw);
      const sum = browserChecksum(browser);
      remember(raw.workload, browser, python, sum);
      assert.deepEqual(python.spec, browser.spec, 'the script runs the spec the browser ran');
      assert.equal(python.source, 'cpython');
      const gil = python.env.gilEnabled ? 'gil' : 'threads';
      assert.deepEqual(python.results.map((r) => r.lane), ['sequential', gil, 'processes', 'async']);
      for (const r of python.results) {
        assert.equal(r.ok, true, `python ${r.lane}: ${r.error}`);
        assert.equal(r.checksum, sum, `python ${r.lane} vs browser on ${raw.workload}`);
        assert.equal(r.workers, WORKERS);
        assert.ok(r.wallMs > 0 && r.setupMs >= 0 && r.transferMs >= 0, JSON.stringify(r));
      }
      const procs = byLane(python.results).processes;
      assert.ok(procs.setupMs > 0, 'process spawn is timed');
      if (raw.workload === 'share') assert.ok(procs.transferMs > 0, 'the buffer copy to each process is timed');
      if (raw.workload === 'io') {
        // 20 requests of 2 ms one after another, as the browser waits them.
        assert.ok(byLane(python.results).sequential.wallMs >= 40, 'sequential waits every request in turn');
      }
    });
  }

  for (const sync of ['lock', 'atomic', 'partial']) {
    test(`counter with ${sync}: every python lane counts every update, as every browser lane does`, TIMEOUT, async () => {
      const { browser, python } = await bothSides({ workload: 'counter', size: 2000, tasks: 6, sync });
      const sum = browserChecksum(browser);
      remember(`counter (${sync})`, browser, python, sum);
      assert.equal(sum, '12000');
      for (const r of python.results) {
        assert.equal(r.ok, true, `python ${r.lane}: ${r.error}`);
        assert.deepEqual([r.checksum, r.counter.counted, r.counter.lostUpdates], ['12000', 12_000, 0], `python ${r.lane}`);
      }
    });
  }

  test('counter without sync: CPython threads lose no update in a bare loop, and lose them across a wait', TIMEOUT, async () => {
    const still = await bothSides({ workload: 'counter', size: 20_000, tasks: 4, sync: 'none' });
    const py = byLane(still.python.results);
    const threads = py.gil ?? py.threads;
    if (still.python.env.gilEnabled) assert.equal(threads.counter.lostUpdates, 0, 'counter += 1 in a bare loop, 3.10+');
    assert.equal(py.processes.counter.counted, 0, 'each process counted in its own memory');
    assert.equal(py.processes.counter.localCounts.reduce((a, b) => a + b, 0), 80_000);
    const stepped = await bothSides({ workload: 'counter', size: 20, tasks: 4, sync: 'none', stepMs: 1 });
    const spy = byLane(stepped.python.results);
    assert.ok((spy.gil ?? spy.threads).counter.lostUpdates > 0, 'a sleep between read and write lets the other thread in');
    assert.ok(spy.async.counter.lostUpdates > 0, 'an await between read and write lets the other coroutines in');
  });

  for (const [raw, message] of FAULTS) {
    test(`${raw.fault}: processes report the failed task and a checksum over the others, as the browser does`, TIMEOUT, async () => {
      const { browser, python } = await bothSides(raw);
      const web = byLane(browser.results);
      remember(`primes (${raw.fault})`, browser, python, web.processes?.checksum ?? '-');
      const py = byLane(python.results);
      for (const r of [py.sequential, py.gil ?? py.threads, py.async]) {
        assert.equal(r.ok, false, r.lane);
        assert.match(r.error, message, r.lane);
        assert.equal(r.checksum, '');
        assert.equal(r.errorKind, raw.fault === 'oom-one-task' ? 'oom' : 'panicked', r.lane);
      }
      assert.equal(py.processes.ok, false);
      assert.equal(web.processes.ok, false);
      assert.deepEqual(py.processes.failedTasks, web.processes.failedTasks, 'the same seeded task fails');
      assert.equal(py.processes.failedTasks.length, 1);
      assert.equal(py.processes.checksum, web.processes.checksum, 'the checksum over the other tasks');
      assert.match(py.processes.error, /^1 of 8 tasks failed/);
      assert.match(py.processes.error, message);
      assert.equal(py.processes.errorKind, raw.fault === 'oom-one-task' ? 'oom' : 'panicked');
    });
  }
});
