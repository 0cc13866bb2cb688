// The Python bridge on the page: the script run by Debian's python3, its report pasted back and
// shown beside the browser's; bad or foreign JSON refused; nothing shown as HTML; exports with both.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
});
