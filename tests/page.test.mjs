// The comparison page as a visitor uses it: presets, verdicts, the URL, exports, keyboard.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { openPage, useSite } from './harness.mjs';

const site = useSite();

async function waitDone(page, timeout = 120_000) {
  await page.waitForFunction(() => /^Done/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout });
}

/** The result table as the page shows it: text only. */
function table(page) {
  return page.$$eval('#results tbody tr', (trs) => trs.map((tr) => ({
    lane: tr.dataset.lane,
    wall: tr.querySelector('.wall').textContent,
    speedup: tr.querySelector('.speedup').textContent,
    checksum: tr.querySelector('.checksum').textContent,
    status: tr.querySelector('.ok').textContent,
  })));
}

describe('the comparison page', () => {
  let page;
  let problems;
  before(async () => {
    ({ page, problems } = await openPage(site.browser, site.url));
  });
  after(() => assert.deepEqual(problems(), []));

  const expected = {
    cpu: (fastest) => ['threads', 'processes'].includes(fastest),
    'io-fast': (fastest) => fastest !== 'sequential',
    'io-slow': (fastest) => fastest === 'async',
  };
  for (const [preset, winnerOk] of Object.entries(expected)) {
    test(`preset ${preset}: every lane finishes with one checksum, and the verdict names the right kind`, async () => {
      await page.click(`button[data-preset="${preset}"]`);
      await waitDone(page);
      const rows = await table(page);
      assert.equal(rows.length, 5);
      assert.ok(rows.every((r) => r.status === 'done'), JSON.stringify(rows));
      assert.equal(new Set(rows.map((r) => r.checksum)).size, 1, JSON.stringify(rows));
      assert.ok(rows.every((r) => Number(r.wall) > 0));
      const verdict = await page.locator('#verdict').textContent();
      const fastest = verdict.split(' ')[0];
      assert.ok(winnerOk(fastest), verdict);
      assert.match(verdict, preset === 'cpu' ? /CPU-bound.*Rule: CPU-bound → processes/ : /I\/O-bound.*Rule:/);
      assert.equal(await page.locator(`button[data-preset="${preset}"]`).getAttribute('aria-pressed'), 'true');
      assert.match(page.url(), new RegExp(`preset=${preset}`));
      assert.ok(await page.locator('.lane-card.winner').count() === 1);
    });
  }

  test('the crash preset: processes lose one task, threads lose the lane', async () => {
    await page.click('button[data-preset="crash"]');
    await page.waitForFunction(() => /^Done/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 60_000 });
    const rows = await table(page);
    const byLane = Object.fromEntries(rows.map((r) => [r.lane, r]));
    assert.match(byLane.threads.status, /whole lane failed/);
    assert.match(byLane.processes.status, /^survived: 63 of 64 tasks$/);
    assert.match(byLane.processes.checksum, /^\d+$/);
  });

  test('exports parse: JSON, CSV and PNG', async () => {
    await page.click('button[data-preset="io-fast"]');
    await waitDone(page);
    const grab = async (id) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#${id}`)]);
      return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
    };
    const json = await grab('export-json');
    const report = JSON.parse(json.bytes.toString('utf8'));
    assert.match(json.name, /\.json$/);
    assert.equal(report.results.length, 5);
    assert.equal(report.spec.workload, 'io');
    assert.equal(typeof report.verdict.text, 'string');
    const csv = await grab('export-csv');
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    assert.equal(lines[0], 'side,lane,workers,ok,outcome,wallMs,speedup,setupMs,transferMs,loopLagMs,checksum,error');
    assert.equal(lines.length, 6);
    assert.ok(lines.slice(1).every((l) => l.startsWith('browser,') && l.split(',').length === 12 && l.split(',')[4] === 'done'), lines.join('\n'));
    const trace = JSON.parse((await grab('export-trace')).bytes.toString('utf8'));
    assert.ok(trace.traceEvents.some((e) => e.ph === 'X'), 'the trace export has spans');
    for (const id of ['export-png', 'export-chart']) {
      const png = await grab(id);
      assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${id} is a PNG`);
    }
  });

  test('mandelbrot: the image fills in from the processes\' bands, live only with a core to spare', async () => {
    const paint = (workers) => page.evaluate(async (workers) => {
      const canvas = document.getElementById('mandelbrot');
      // Pixels are read from a copy made for reading: reading the page's own canvas again and
      // again makes Chromium warn (willReadFrequently), and the console must stay clean.
      const pixels = (x = 0, y = 0, w = canvas.width, h = canvas.height) => {
        const copy = document.createElement('canvas');
        copy.width = canvas.width;
        copy.height = canvas.height;
        const ctx = copy.getContext('2d', { willReadFrequently: true });
        ctx.drawImage(canvas, 0, 0);
        return ctx.getImageData(x, y, w, h).data;
      };
      const seen = [];
      const probe = setInterval(() => {
        const px = pixels();
        let filled = 0;
        for (let i = 3; i < px.length; i += 4) filled += px[i] > 0 ? 1 : 0;
        seen.push(filled / (px.length / 4));
      }, 20);
      await window.playground.run({ workload: 'mandelbrot', size: 1200, tasks: 400, workers, lanes: ['processes'] });
      clearInterval(probe);
      // The lane's last bands are painted at the next frame.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const at = (x, y) => [...pixels(x, y, 1, 1)];
      return { seen, size: canvas.width, corner: at(0, 0), inside: at(Math.floor(canvas.width * 0.7), Math.floor(canvas.height / 2)) };
    }, workers);
    // Every core busy with a process: nothing is painted until the lane ends, then all of it.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const busy = await paint(Math.min(cores, 64));
    assert.ok(busy.seen.every((f) => f === 0), `nothing painted while every core runs a process: ${busy.seen.map((f) => f.toFixed(2))}`);
    assert.deepEqual(busy.inside, [0, 0, 0, 255], 'painted when the lane ended');
    const painted = await paint(cores - 1);
    assert.equal(await page.locator('#mandelbrot-figure').isVisible(), true);
    assert.equal(painted.size, 1200);
    assert.deepEqual(painted.inside, [0, 0, 0, 255], 'the set itself is black');
    assert.notDeepEqual(painted.corner.slice(0, 3), [0, 0, 0], 'the outside is coloured');
    assert.ok(painted.seen.some((f) => f > 0.05 && f < 0.95), `partly painted while running: ${painted.seen.map((f) => f.toFixed(2))}`);
  });

  test('a workers sweep draws a scaling curve with the ideal line', async () => {
    // The runs above were a script's, and the form shows the last (processes alone): tick threads.
    assert.equal(await page.isChecked('input[name=lane][value=threads]'), false);
    await page.check('input[name=lane][value=threads]');
    await page.fill('#size', '400000');
    await page.selectOption('#workload', 'primes');
    await page.selectOption('#sweep-mode', 'workers');
    await page.click('#sweep');
    await page.waitForFunction(() => /^Sweep (done|stopped)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 120_000 });
    assert.equal(await page.locator('#sweep-figure').isVisible(), true);
    const legend = await page.locator('#chart-sweep .u-legend').textContent();
    assert.match(legend, /ideal/);
    assert.match(legend, /threads/);
  });

  test('a sweep stopped in its sequential run says so with no error; one whose sequential run fails says why, and no run is left "Running"', async () => {
    await page.fill('#size', '3000000');
    await page.selectOption('#sweep-mode', 'workers');
    await page.click('#sweep');
    await page.waitForFunction(() => !document.querySelector('#stop').disabled);
    await page.click('#stop');
    await page.waitForFunction(() => !document.querySelector('#sweep').disabled, null, { timeout: 60_000 });
    assert.equal(await page.locator('#status').textContent(), 'Sweep stopped.');
    assert.equal(await page.locator('#error').isVisible(), false);
    await page.fill('#size', '100000');
    await page.evaluate(() => { document.querySelector('#more').open = true; });
    await page.selectOption('#fault', 'panic-one-task');
    await page.click('#sweep');
    await page.waitForFunction(() => !document.querySelector('#error').hidden, null, { timeout: 60_000 });
    assert.match(await page.locator('#error').textContent(), /^the sweep's sequential run failed: .*panicked/);
    assert.equal(await page.locator('#status').textContent(), '');
    await page.selectOption('#fault', 'none');
  });

  test('bad input is shown next to its control and nothing runs', async () => {
    await page.fill('#size', '-3');
    await page.click('#run');
    const help = page.locator('#size-help');
    await page.waitForFunction(() => document.getElementById('size')?.getAttribute('aria-invalid') === 'true');
    assert.match(await help.textContent(), /^size: must be a whole number/);
    assert.equal(await page.locator('#error').isVisible(), true);
    await page.fill('#size', '100000');
    assert.equal(await page.locator('#size').getAttribute('aria-invalid'), null, 'editing clears the error');
  });
});

describe('the URL and the keyboard', () => {
  test('a browser that reports no valid locale (WebKitGTK under LANG=C says "C") still gets the whole page', async () => {
    const browser = site.browser;
    const context = await browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'language', { get: () => 'C', configurable: true });
      Object.defineProperty(Navigator.prototype, 'languages', { get: () => ['C'], configurable: true });
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && errors.push(m.text()));
    await page.goto(`${site.url}?workload=primes&size=100000&workers=2&autorun=1`);
    assert.equal(await page.evaluate(() => navigator.language), 'C');
    await waitDone(page);
    assert.match(await page.locator('#answer').textContent(), /^Every lane counted 9,592 primes below 100,000\.$/);
    assert.ok(await page.locator('#chart-wall canvas').count() > 0, 'the chart is drawn');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the form shows before the page makes any Intl object, its ranges grouped as toLocaleString groups them', async () => {
    // The first Intl object a page makes loads the locale data (16-46 ms of the page thread on a
    // slow machine): nothing the form or the charts' library does at start-up may make one.
    const context = await site.browser.newContext();
    await context.addInitScript(() => {
      window.intlCalls = [];
      const note = (what) => window.intlCalls.push(`${what}, form ${document.getElementById('workload') ? 'shown' : 'not shown'}`);
      const toLocale = Number.prototype.toLocaleString;
      Number.prototype.toLocaleString = function (...args) {
        note('Number.prototype.toLocaleString');
        return toLocale.apply(this, args);
      };
      for (const name of ['NumberFormat', 'DateTimeFormat', 'ListFormat', 'PluralRules', 'Collator']) {
        Intl[name] = new Proxy(Intl[name], {
          construct(target, args) {
            note(`Intl.${name}`);
            return new target(...args);
          },
        });
      }
    });
    const page = await context.newPage();
    await page.goto(site.url);
    await page.waitForSelector('#size-help');
    await page.evaluate(() => window.playground.ready);
    assert.deepEqual(await page.evaluate(() => window.intlCalls), []);
    const schema = await page.evaluate(() => window.playground.schema());
    const en = (x) => x.toLocaleString('en');
    // workers' help says this machine's cores instead.
    for (const f of schema.fields.filter((x) => x.kind !== 'choice' && x.min !== undefined && x.max !== undefined && x.name !== 'workers')) {
      assert.ok((await page.locator(`#${f.name}-help`).textContent()).endsWith(` ${en(f.min)} to ${en(f.max)}.`), f.name);
    }
    for (const w of schema.workloads) {
      await page.selectOption('#workload', w.name);
      assert.ok((await page.locator('#size-help').textContent()).endsWith(`, ${en(w.sizeMin)}–${en(w.sizeMax)}.`), w.name);
    }
    await context.close();
  });

  test('settings round-trip through the URL, and a link with autorun=1 reruns them', async () => {
    const first = await openPage(site.browser, site.url);
    const { page } = first;
    await page.selectOption('#workload', 'hash');
    await page.fill('#size', '700');
    await page.fill('#workers', '3');
    await page.fill('#tasks', '12');
    await page.click('summary');
    await page.fill('#seed', '42');
    await page.uncheck('input[name=lane][value=gil]');
    await page.uncheck('input[name=lane][value=async]');
    await page.click('#run');
    await waitDone(page);
    const before = await table(page);
    const query = new URL(page.url()).search;
    assert.match(query, /workload=hash/);
    await first.context.close();

    const second = await openPage(site.browser, `${site.url}${query}&autorun=1`);
    await waitDone(second.page);
    const values = await second.page.evaluate(() => ['workload', 'size', 'workers', 'tasks', 'seed'].map((id) => document.getElementById(id).value));
    assert.deepEqual(values, ['hash', '700', '3', '12', '42']);
    const after_ = await table(second.page);
    assert.deepEqual(after_.map((r) => [r.lane, r.checksum]), before.map((r) => [r.lane, r.checksum]));
    assert.deepEqual(after_.map((r) => r.lane), ['sequential', 'threads', 'processes']);
    assert.deepEqual(second.problems(), []);
    await second.context.close();
  });

  test('the keyboard alone can start a run, and focus is visible', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}?workload=primes&size=300000&lanes=sequential,threads`);
    let focused = '';
    for (let i = 0; i < 60 && focused !== 'run'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    assert.equal(focused, 'run', 'Tab reaches the Run button');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    await waitDone(page);
    assert.deepEqual((await table(page)).map((r) => r.checksum), ['25997', '25997']);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a run started with Enter in a field and stopped from the keyboard leaves the focus on Run, not the page', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}?workload=primes&size=20000000&lanes=sequential`);
    await page.focus('#size');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('#stop').disabled);
    await page.focus('#stop');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('#run').disabled, null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'run');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a phone-sized screen has no sideways scrolling', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}?preset=io-fast&autorun=1`, { viewport: { width: 390, height: 844 } });
    await waitDone(page);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
