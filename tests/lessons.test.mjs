// Lessons that hold at the edges: the crash story's own verdict, every GIL wait drawn, the
// answer on screen (page and embed), a clean console, and zero axe-core violations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { axeViolations, openPage, runSpec, useSite } from './harness.mjs';

const site = useSite();
/** Waits until the run started from the page (or the embed) is over: Run is enabled again and the status says done. */
const untilDone = (page, timeout = 120_000) => page.waitForFunction(
  () => !document.querySelector('#run').disabled && /^Done/.test(document.querySelector('#status').textContent), null, { timeout });
const sieve = (n) => {
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
};

describe('the crash story', () => {
  test('verdict says what each lane kept and lost; no failed lane is outlined; work up to the fault is drawn', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const spec = { workload: 'primes', size: 2_000_000, tasks: 64, workers: 2, fault: 'panic-one-task', lanes: ['sequential', 'threads', 'gil', 'processes', 'async'] };
    const report = await runSpec(page, spec);
    const by = Object.fromEntries(report.results.map((r) => [r.lane, r]));
    const text = report.verdict.text;
    assert.equal(report.verdict.fastest, null);
    assert.match(text, /processes: 63 of 64 tasks done\. .*replaced it in [\d.,]+ ms.*exactly those 63 tasks/, text);
    assert.match(text, /threads: a task panicked at [\d.]+ (ms|s) and took down the one memory every thread shares: the whole lane was lost/, text);
    assert.match(text, /sequential: one worker/, text);
    assert.match(text, /async: one thread/, text);
    // The processes checksum covers exactly the 63 tasks: π(2M) minus the failed task's primes.
    const [bad] = by.processes.failedTasks;
    const lo = Math.floor((2_000_000 * bad) / 64);
    const hi = Math.floor((2_000_000 * (bad + 1)) / 64);
    assert.equal(Number(by.processes.checksum), sieve(2_000_000) - (sieve(hi) - sieve(lo)));
    assert.match(report.answer, new RegExp(`Processes counted ${Number(by.processes.checksum).toLocaleString('en-US')} primes in the 63 of 64 tasks it finished`));
    for (const lane of ['sequential', 'threads', 'gil', 'async']) {
      const r = by[lane];
      assert.equal(r.ok, false, lane);
      assert.equal(r.faults?.length, 1, `${lane}: fault marked`);
      assert.equal(r.faults[0].task, bad, `${lane}: the same seeded task fails in every lane`);
      assert.ok(r.faults[0].atMs >= 0 && r.faults[0].atMs <= r.wallMs + 1, `${lane}: fault at ${r.faults[0].atMs} of ${r.wallMs}`);
      // Work done before the fault is kept (every lane reached the faulty task after some others).
      const computed = r.events.filter((e) => e.phase === 'compute' && e.start <= r.faults[0].atMs + 1);
      if (r.tasksDone > 0) assert.ok(computed.length > 0, `${lane}: ${r.tasksDone} tasks done but none drawn`);
    }
    assert.equal(by.processes.faults.length, 1);
    // On the page: the crash story, then no card outlined as the winner.
    await page.click('button[data-preset="crash"]');
    await untilDone(page);
    assert.equal(await page.locator('.lane-card.winner').count(), 0);
    assert.match(await page.locator('#verdict').textContent(), /processes: \d+ of \d+ tasks done/);
    // One story everywhere: the status line, the card, the table and the report say the same.
    const story = await page.evaluate(() => window.playground.lastReport);
    const survived = `survived: ${story.spec.tasks - 1} of ${story.spec.tasks} tasks`;
    assert.equal(await page.locator('#status').textContent(), `Done: threads failed; processes ${survived}.`);
    assert.equal(await page.locator('.lane-card[data-lane="processes"] .figure').textContent(), survived);
    assert.equal(await page.locator('#results tr[data-lane="processes"] .ok').textContent(), survived);
    assert.deepEqual(story.results.map((r) => r.outcome), ['failed', 'survived']);
    await page.locator('.timeline-wrap').screenshot({ path: 'target/crash-story.png' });
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('GIL waits', () => {
  test('per GIL thread, compute + gil-wait + I/O wait covers its time from first to last task (5 %)', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const rows = [];
    for (const spec of [
      { workload: 'primes', size: 5_000_000, workers: 2, lanes: ['gil'] },
      // As many GIL threads as cores: with more, a thread the OS has not scheduled yet is
      // waiting for a core, not for the GIL, and rightly drawn as neither.
      { workload: 'mixed', size: 200, latencyMs: 5, cpuRounds: 4000, workers: 2, lanes: ['gil'] },
    ]) {
      // Once untimed: the lab and its pool start and warm up, and whatever ran before settles.
      await runSpec(page, spec);
      const [r] = (await runSpec(page, spec)).results;
      assert.ok(r.ok, r.error);
      const threads = [...new Set(r.events.map((e) => e.row))];
      assert.ok(threads.length >= 2, `${spec.workload}: ${threads.length} threads worked`);
      for (const row of threads) {
        const mine = r.events.filter((e) => e.row === row);
        let first = Infinity;
        let last = -Infinity;
        for (const e of mine) {
          first = Math.min(first, e.start);
          last = Math.max(last, e.end);
        }
        const covered = r.totals.filter((t) => t.row === row).reduce((s, t) => s + t.ms, 0);
        const ratio = covered / (last - first);
        rows.push(`${spec.workload} thread ${row}: ${r.totals.filter((t) => t.row === row).map((t) => `${t.phase} ${t.ms.toFixed(0)} ms`).join(', ')} over ${(last - first).toFixed(0)} ms → ${(ratio * 100).toFixed(1)} %`);
        assert.ok(ratio >= 0.95 && ratio <= 1.05, rows.at(-1));
      }
    }
    console.log(`GIL coverage:\n  ${rows.join('\n  ')}`);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('figures a teacher can stand behind', () => {
  test('the timeline paints each phase about as much as its share of the time', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    // The slow-I/O story without async (its waits overlap on sub-rows of their own).
    const report = await runSpec(page, { workload: 'io', size: 200, latencyMs: 25, jitterMs: 5, workers: 4, lanes: ['sequential', 'threads', 'gil', 'processes'] });
    const shares = await page.evaluate((results) => {
      const canvas = document.getElementById('timeline');
      const phases = ['spawn', 'compute', 'wait', 'transfer', 'gil-wait'];
      // Each phase's colour at each of the four shades over the card, as the canvas blends them.
      const css = (n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim();
      const scratch = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
      const swatch = (colour, alpha) => {
        scratch.globalAlpha = 1;
        scratch.fillStyle = css('--card');
        scratch.fillRect(0, 0, 1, 1);
        scratch.globalAlpha = alpha;
        scratch.fillStyle = colour;
        scratch.fillRect(0, 0, 1, 1);
        return [...scratch.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      };
      const palette = [['none', swatch(css('--card'), 1)], ['none', swatch(css('--muted'), 1)], ['none', swatch(css('--fg'), 1)], ['none', swatch(css('--line'), 1)]];
      for (const p of phases) for (const a of [0.25, 0.5, 0.75, 1]) palette.push([p, swatch(css(`--${p}`), a), a]);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const area = Object.fromEntries(phases.map((p) => [p, 0]));
      const dpr = window.devicePixelRatio || 1;
      for (let y = 0; y < height; y++) {
        for (let x = Math.ceil(100 * dpr); x < width; x++) {
          const i = (y * width + x) * 4;
          let best = null;
          let bestD = Infinity;
          for (const [p, [r, g, b], a] of palette) {
            const d = (data[i] - r) ** 2 + (data[i + 1] - g) ** 2 + (data[i + 2] - b) ** 2;
            if (d < bestD) [best, bestD] = [[p, a], d];
          }
          // Bars are solid fills on whole pixels: a pixel that is not one of their colours is
          // text or a grid line. A pale pixel stands for as much time as its shade says.
          if (best[0] !== 'none' && bestD <= 192) area[best[0]] += best[1];
        }
      }
      // Waits and messages are drawn half as tall as compute: weigh their time by their height.
      const tall = { spawn: 1, compute: 1, wait: 0.5, transfer: 0.5, 'gil-wait': 1 };
      const time = Object.fromEntries(phases.map((p) => [p, 0]));
      for (const r of results) for (const t of r.totals) time[t.phase] += t.ms * tall[t.phase];
      const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
      const [pa, ta] = [sum(area), sum(time)];
      return phases.map((p) => [p, area[p] / pa, time[p] / ta]);
    }, report.results);
    console.log(`timeline, slow I/O: ${shares.map(([p, a, t]) => `${p} ${(a * 100).toFixed(1)} % of the paint, ${(t * 100).toFixed(1)} % of the time`).join('; ')}`);
    for (const [phase, painted, time] of shares) {
      assert.ok(Math.abs(painted - time) <= 0.03, `${phase}: ${(painted * 100).toFixed(1)} % of the paint for ${(time * 100).toFixed(1)} % of the time`);
    }
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the share story right after load: no speedup above the cores is shown as parallelism', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    await page.click('button[data-preset="share"]');
    await untilDone(page);
    const report = await page.evaluate(() => window.playground.lastReport);
    const cores = report.env.hardwareConcurrency;
    const seq = report.results.find((r) => r.lane === 'sequential');
    const figures = [];
    for (const r of report.results.filter((x) => x.lane !== 'sequential')) {
      const x = seq.wallMs / r.wallMs;
      const limit = Math.min(report.spec.workers, report.spec.tasks, cores);
      figures.push(`${r.lane} ${x.toFixed(2)}× (limit ${limit}×)`);
      const card = await page.locator(`.lane-card[data-lane="${r.lane}"] .sub`).textContent();
      if (x > limit * 1.1) {
        assert.match(report.verdict.text, new RegExp(`${r.lane} [\\d.]+×[^:]*? (is|are) more than the ${limit}× that ${limit} cores can give`), report.verdict.text);
        assert.doesNotMatch(report.verdict.text, new RegExp(`CPU-bound: [^.]*${r.lane} [\\d.]+× faster`), report.verdict.text);
        assert.match(card, /over the \d+× limit/);
      } else {
        assert.doesNotMatch(card, /limit/);
      }
    }
    console.log(`share story, first run after load: ${figures.join(', ')}; sequential ${seq.wallMs.toFixed(0)} ms`);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('the answer on screen', () => {
  test('page: the count in words after a run from a link', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}?workload=primes&size=1000000&workers=2&autorun=1`);
    await untilDone(page);
    assert.match(await page.locator('#answer').textContent(), /^Every lane counted 78,498 primes below 1,000,000\.$/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('embed: the heading text and the answer follow the link, not the preset', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}embed.html?preset=cpu&workload=primes&size=1000000&autorun=1`);
    await untilDone(page);
    const blurb = await page.locator('#embed-blurb').textContent();
    assert.match(blurb, /^Count the primes below 1,000,000 in 64 tasks on \d+ workers?\.$/);
    assert.doesNotMatch(blurb, /5 million/);
    assert.match(await page.locator('#answer').textContent(), /^Every lane counted 78,498 primes below 1,000,000\.$/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('every workload: the answer names what the digest covers', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const cases = [
      [{ workload: 'mandelbrot', size: 64 }, /^Every lane drew the same 64 × 64 image \(escape counts' digest [0-9a-f]{16}\)\.$/],
      [{ workload: 'hash', size: 100, tasks: 4 }, /^Every lane computed the same 4 SHA-256 chains of 100 rounds \(digest [0-9a-f]{16}\)\.$/],
      [{ workload: 'io', size: 10, latencyMs: 1 }, /^Every lane got the same 10 responses \(digest [0-9a-f]{16}\)\.$/],
      [{ workload: 'share', size: 2, tasks: 4 }, /^Every lane read the same 2 MB buffer \(digest of 4 strided scans: [0-9a-f]{16}\)\.$/],
    ];
    for (const [spec, expected] of cases) {
      const report = await runSpec(page, { ...spec, workers: 2 });
      assert.match(report.answer, expected);
    }
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('a clean console and accessibility', () => {
  for (const colorScheme of ['light', 'dark']) {
    test(`axe-core finds nothing on the page before and after a run, and on the embed (${colorScheme})`, async () => {
      const { page, problems, context } = await openPage(site.browser, site.url, { bypassCSP: true, colorScheme });
      assert.deepEqual(await axeViolations(page), [], 'index before a run');
      await page.click('button[data-preset="io-fast"]');
      await untilDone(page);
      assert.deepEqual(await axeViolations(page), [], 'index after a run');
      await page.goto(`${site.url}embed.html?preset=cpu&size=500000&autorun=1`);
      await untilDone(page);
      assert.deepEqual(await axeViolations(page), [], 'embed after a run');
      assert.deepEqual(problems(), []);
      await context.close();
    });
  }

  test('at 390 px the tables that scroll sideways are reached by the keyboard (axe-core finds nothing after a run)', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url, { bypassCSP: true, viewport: { width: 390, height: 844 } });
    await page.click('button[data-preset="counter"]');
    await untilDone(page);
    assert.ok(await page.evaluate(() => document.getElementById('results').scrollWidth > 390), 'the results table is wider than the phone');
    assert.deepEqual(await axeViolations(page), []);
    // A crash's long sentences keep a readable column: no row a word a line.
    await page.click('button[data-preset="crash"]');
    await untilDone(page);
    const tallest = await page.$$eval('#results tbody tr', (rows) => Math.max(...rows.map((r) => r.getBoundingClientRect().height)));
    assert.ok(tallest < 250, `a row ${tallest} px tall`);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('no console error or warning on load, on every story, and on the embed', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    for (const story of ['cpu', 'io-fast', 'io-slow', 'share', 'crash']) {
      await page.click(`button[data-preset="${story}"]`);
      await untilDone(page);
    }
    await page.goto(`${site.url}embed.html?preset=io-slow&autorun=1`);
    await untilDone(page);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
