// The Python bridge on the page: the script run by Debian's python3, its report pasted back and
// shown beside the browser's; bad or foreign JSON refused; nothing shown as HTML; exports with both.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openPage, useSite } from './harness.mjs';

const site = useSite();

describe('CPython beside the browser', () => {
  test('a report from the script shows both sides, and the exports carry both', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const spec = { workload: 'primes', size: 300_000, tasks: 8, workers: 2 };
    await page.selectOption('#workload', 'primes');
    await page.fill('#size', String(spec.size));
    await page.fill('#tasks', String(spec.tasks));
    await page.fill('#workers', String(spec.workers));
    // Step 1: the script for the form's spec, as the Download button gives it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#python-download')]);
    const script = readFileSync(await download.path(), 'utf8');
    assert.equal(download.suggestedFilename(), 'playground.py');
    // Step 2: run it here, with Debian's python3.
    const dir = mkdtempSync(join(tmpdir(), 'cp-py-'));
    writeFileSync(join(dir, 'playground.py'), script);
    const report = execFileSync('python3', [join(dir, 'playground.py')], { encoding: 'utf8', timeout: 120_000 });
    // Step 3: paste it back.
    await page.fill('#python-paste', report);
    await page.click('#python-compare');
    await page.waitForFunction(() => !document.querySelector('#python-table').hidden, null, { timeout: 60_000 });
    const verdict = await page.locator('#python-verdict').textContent();
    assert.match(verdict, /CPython threads [\d.]+× — here the gil lane [\d.]+×/, verdict);
    assert.match(verdict, /multiprocessing [\d.]+× — here the processes lane/, verdict);
    assert.match(verdict, /Checksums equal in \d+ of \d+ lanes \(25997\)/, verdict);
    const rows = await page.locator('#python-table tbody tr').allTextContents();
    assert.ok(rows.length >= 4, rows.join('\n'));
    assert.ok(rows.every((r) => r.includes('equal (25997)')), rows.join('\n'));
    await page.locator('#python').screenshot({ path: 'target/python-compare.png' });
    // Exports include both sides.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
    assert.ok(lines.some((l) => l.startsWith('cpython,gil,') || l.startsWith('cpython,threads,')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('browser,')), lines.join('\n'));
    console.log(`CPython beside the browser: ${verdict}`);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a shared counter: exact totals equal, lost updates side by side and never compared', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    await page.selectOption('#workload', 'counter');
    await page.fill('#size', '20');
    await page.fill('#tasks', '4');
    await page.fill('#workers', '2');
    await page.evaluate(() => { document.getElementById('more').open = true; });
    await page.selectOption('#sync', 'none');
    await page.fill('#stepMs', '1');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#python-download')]);
    const dir = mkdtempSync(join(tmpdir(), 'cp-py-'));
    writeFileSync(join(dir, 'counter.py'), readFileSync(await download.path(), 'utf8'));
    const report = execFileSync('python3', [join(dir, 'counter.py')], { encoding: 'utf8', timeout: 120_000 });
    const py = JSON.parse(report);
    const threads = py.results.find((r) => r.lane === 'gil' || r.lane === 'threads');
    assert.ok(threads.counter.lostUpdates > 0, JSON.stringify(threads.counter));
    assert.equal(threads.checksum, '', 'a count timing can change has no checksum');
    await page.fill('#python-paste', report);
    await page.click('#python-compare');
    await page.waitForFunction(() => !document.querySelector('#python-table').hidden, null, { timeout: 60_000 });
    const verdict = await page.locator('#python-verdict').textContent();
    assert.match(verdict, /Lost updates side by side: .*CPython threads lost [\d,]+ of 80, here the gil lane [\d,]+ of 80/, verdict);
    assert.match(verdict, /asyncio lost [\d,]+ of 80, here the async lane/, verdict);
    assert.doesNotMatch(verdict, /Checksums differ/, verdict);
    const rows = await page.locator('#python-table tbody tr').allTextContents();
    assert.ok(rows.some((r) => /lost [\d,]+ of 80 \/ [\d,]+ of 80/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => r.includes('equal (80)')), `sequential's exact total equals: ${rows.join('\n')}`);
    console.log(`A shared counter in CPython beside the browser: ${verdict}`);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('bad, foreign or hostile JSON is refused with the field named, and never shown as HTML', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const counted = (counter) => JSON.stringify({
      source: 'cpython',
      spec: { workload: 'counter', size: 1000, tasks: 4 },
      env: { python: '3.11' },
      results: [{ lane: 'threads', workers: 2, ok: true, wallMs: 1, checksum: '', counter }],
    });
    const hostile = JSON.stringify({
      source: 'cpython',
      spec: { workload: 'primes', size: 1000 },
      env: { python: '<img src=x onerror="window.__owned=1">' },
      results: [{ lane: '<b>x</b>', workers: 1, ok: true, wallMs: 1, checksum: '168' }],
    });
    const cases = [
      ['{nope', /^report\.json: is not JSON/],
      ['[1, 2]', /^report\.json: must be an object/],
      ['{"a": 1}', /^report\.source: must be 'cpython'/],
      [JSON.stringify({ source: 'cpython', spec: { workload: 'primes', size: -1 }, results: [] }), /^report\.spec: size: /],
      [hostile, /^report\.results\[0\]\.lane: must be one of/],
      // Figures no counter can give: more than was made, or lost updates that do not add up.
      [counted({ expected: 4000, counted: 9000, lostUpdates: 0 }), /^report\.results\[0\]\.counter\.counted: must be at most expected \(4,000\), got 9,000$/],
      [counted({ expected: 4000, counted: 3000, lostUpdates: 99999 }), /^report\.results\[0\]\.counter\.lostUpdates: must be expected − counted \(1,000\), got 99,999$/],
    ];
    for (const [text, expected] of cases) {
      await page.fill('#python-paste', text);
      await page.click('#python-compare');
      await page.waitForFunction(() => !document.querySelector('#python-error').hidden);
      assert.match(await page.locator('#python-error').textContent(), expected);
    }
    assert.equal(await page.evaluate(() => window.__owned), undefined);
    assert.equal(await page.locator('#python img, #python b').count(), 0);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a report opened, dropped or pasted while a run goes is refused, and the run goes on and stays stoppable', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const path = join(mkdtempSync(join(tmpdir(), 'cp-py-')), 'report.json');
    writeFileSync(path, smallReport());
    await page.fill('#size', '20000000');
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#run').disabled);
    const search = await page.evaluate(() => location.search);
    const refused = async () => {
      await page.waitForFunction(() => !document.querySelector('#python-error').hidden);
      assert.match(await page.locator('#python-error').textContent(), /^report: a run is in flight: stop it or let it finish/);
      await page.evaluate(() => { document.querySelector('#python-error').hidden = true; });
    };
    await page.setInputFiles('#python-file', path);
    await refused();
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      document.querySelector('#python-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, smallReport());
    await refused();
    // The run is the one the visitor started, and Stop still stops it.
    assert.equal(await page.evaluate(() => location.search), search);
    assert.equal(await page.inputValue('#size'), '20000000');
    assert.equal(await page.locator('#run').isDisabled(), true);
    assert.equal(await page.locator('#stop').isDisabled(), false);
    assert.equal(await page.locator('#python-compare').isDisabled(), true, 'a paste waits too');
    assert.equal(await page.locator('#python-table').isHidden(), true);
    await page.click('#stop');
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    assert.equal(await page.locator('#status').textContent(), 'Stopped.');
    // Once it is over, the same file picked again is read and compared with its own spec's run.
    await page.setInputFiles('#python-file', path);
    await page.waitForFunction(() => !document.querySelector('#python-table').hidden, null, { timeout: 60_000 });
    assert.match(await page.locator('#python-verdict').textContent(), /Checksums equal in 2 of 2 lanes \(168\)/);
    assert.equal(await page.evaluate(() => window.playground.lastReport.spec.size), 1000);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the same report file picked twice is read twice', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const dir = mkdtempSync(join(tmpdir(), 'cp-py-'));
    const good = join(dir, 'report.json');
    writeFileSync(good, smallReport());
    await page.setInputFiles('#python-file', good);
    await page.waitForFunction(() => !document.querySelector('#python-table').hidden, null, { timeout: 60_000 });
    await page.fill('#python-paste', '{nope');
    await page.click('#python-compare');
    await page.waitForFunction(() => document.querySelector('#python-table').hidden);
    await page.setInputFiles('#python-file', good);
    await page.waitForFunction(() => !document.querySelector('#python-table').hidden, null, { timeout: 10_000 });
    assert.equal(await page.locator('#python-error').isHidden(), true);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a report file over the limit is refused by its size before it is read, in the Python panel and in serve\'s import', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const dir = mkdtempSync(join(tmpdir(), 'cp-py-'));
    // 600 MB (sparse): past V8's longest string, so a file read whole before its size was checked
    // was called "not JSON"; the serve panel's CPython import checks its size first too.
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 600 << 20);
    try {
      await page.setInputFiles('#python-file', huge);
      await page.waitForFunction(() => !document.querySelector('#python-error').hidden, null, { timeout: 10_000 });
      assert.equal(await page.locator('#python-error').textContent(), `report.size: must be at most ${1 << 20} bytes, got ${600 << 20}`);
      await page.setInputFiles('#serve-python-file', huge);
      await page.waitForFunction(() => !document.querySelector('#serve-error').hidden, null, { timeout: 10_000 });
      assert.equal(await page.locator('#serve-error').textContent(), `report.size: must be at most ${8 << 20} bytes, got ${600 << 20}`);
    } finally {
      rmSync(huge);
    }
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a CPython serve report without its arrivals is told so by name', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const path = join(mkdtempSync(join(tmpdir(), 'cp-py-')), 'serve.json');
    writeFileSync(path, JSON.stringify({ python: '3.11.2', lanes: [] }));
    await page.setInputFiles('#serve-python-file', path);
    await page.waitForFunction(() => !document.querySelector('#serve-error').hidden);
    assert.match(await page.locator('#serve-error').textContent(), /^report\.arrivals: must be a list/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a checksum in upper case is refused, named as the script prints it: lower case', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    await page.fill('#python-paste', smallReport({ checksum: 'ABCDEF' }));
    await page.click('#python-compare');
    await page.waitForFunction(() => !document.querySelector('#python-error').hidden);
    assert.equal(await page.locator('#python-error').textContent(),
      'report.results[0].checksum: must be decimal digits, or hexadecimal ones in lower case as the script prints them, got "ABCDEF"');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a CPU count Python could not tell (os.cpu_count() is None) reads as unknown, not 0 CPUs', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    await page.fill('#python-paste', smallReport({ cpuCount: null }));
    await page.click('#python-compare');
    await page.waitForFunction(() => !document.querySelector('#python-table').hidden, null, { timeout: 60_000 });
    const verdict = await page.locator('#python-verdict').textContent();
    assert.match(verdict, /^Python 3\.11\.2 \(CPython, with the GIL, CPUs unknown\) beside this browser/, verdict);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

/** A small report as the script prints it (primes below 1000: 168), with a field changed. */
function smallReport({ checksum = '168', cpuCount = 2 } = {}) {
  return JSON.stringify({
    source: 'cpython',
    spec: { workload: 'primes', size: 1000, tasks: 4, workers: 2 },
    env: { python: '3.11.2', implementation: 'CPython', gilEnabled: true, cpuCount, startMethod: 'fork', platform: 'Linux' },
    results: [
      { lane: 'sequential', workers: 2, ok: true, wallMs: 10, checksum },
      { lane: 'gil', workers: 2, ok: true, wallMs: 11, checksum: '168' },
    ],
  });
}
