// The decision map: corners with the right winners, cancel, bad options, the URL, the embed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openPage, useSite } from './harness.mjs';

const site = useSite();

describe('the decision map', () => {
  test('a small map: CPU-heavy cells go to threads or processes, many slow requests to async', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const map = await page.evaluate(() => window.playground.map({ xValues: [1, 128], yValues: [0, 1], workers: 4, threads: true }));
    assert.equal(map.cells.length, 4);
    assert.equal(map.cancelled, false);
    const at = (x, y) => map.cells.find((c) => c.x === x && c.y === y);
    for (const c of map.cells) {
      assert.ok(c.results.every((r) => r.ok), JSON.stringify(c.results.map((r) => r.error)));
      assert.equal(new Set(c.results.map((r) => r.checksum)).size, 1, 'every lane of a cell agrees');
      assert.equal(c.spec.workload, 'mixed');
    }
    const heavy = at(128, 1);
    assert.ok(heavy.winner.some((l) => l === 'threads' || l === 'processes'), `CPU-heavy: ${heavy.winner}`);
    assert.ok(!heavy.winner.includes('gil') && !heavy.winner.includes('async'), `CPU-heavy: ${heavy.winner}`);
    const slow = at(128, 0);
    assert.deepEqual(slow.winner, ['async'], 'many slow requests, no CPU');
    assert.match(map.sentence, /slow, many connections → async: held in 1 of 1 cells/);
    console.log(`map corners: ${map.cells.map((c) => `(${c.x} req, ${c.y * 100} % CPU) → ${c.winner.join('≈')}`).join('; ')}\n  ${map.sentence}`);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('cancel stops a map within 200 ms and keeps the cells measured', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const out = await page.evaluate(async () => {
      let cancelledAt = 0;
      const map = await window.playground.map({ xValues: [1, 2, 4, 64], yValues: [0, 0.5] }, (_cell, done) => {
        if (done === 1) {
          cancelledAt = performance.now();
          window.playground.cancel();
        }
      });
      return { ms: performance.now() - cancelledAt, cells: map.cells.length, cancelled: map.cancelled };
    });
    assert.equal(out.cancelled, true);
    assert.equal(out.cells, 1);
    assert.ok(out.ms < 200, `${out.ms} ms`);
    // And mid-cell, from the page's Stop button.
    await page.click('#map-run');
    await page.waitForFunction(() => /cells; about/.test(document.querySelector('#map-status').textContent), null, { timeout: 30_000 });
    const t = Date.now();
    await page.click('#map-stop');
    await page.waitForFunction(() => /^Stopped after/.test(document.querySelector('#map-status').textContent), null, { timeout: 2000 });
    assert.ok(Date.now() - t < 1000, `${Date.now() - t} ms to stop (driver round trips included)`);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('bad options are refused with the option named; an oversized map by the budget', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const errors = await page.evaluate(async () => {
      const attempt = (o) => window.playground.map(o).then(() => null, (e) => ({ message: e.message, field: e.field, kind: e.kind }));
      return [
        await attempt({ x: 'nope' }),
        await attempt({ xValues: [0] }),
        await attempt({ x: 'cpu', y: 'cpu' }),
        await attempt({ colour: 'red' }),
        await attempt({ xValues: [2000], yValues: [1], requestMs: 200 }),
        await attempt({ xValues: [1800, 1900, 2000], yValues: [0], requestMs: 140 }),
      ];
    });
    assert.deepEqual(errors.map((e) => e?.field), ['map.x', 'map.xValues', 'map.y', 'map.colour', 'map.cells', 'map.xValues']);
    assert.deepEqual(errors.map((e) => e?.kind), ['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'budget']);
    assert.match(errors[4].message, /cpuRounds/);
    for (const e of errors) assert.match(e.message, /^map\.\w+: /);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the map settings round-trip through the URL', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}?view=map&mapAxes=requests,requestMs&mapRequestMs=5&mapWorkers=4&mapThreads=0`);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.waitForFunction(() => document.querySelector('#map-axes').value === 'requests,requestMs');
    assert.equal(await page.inputValue('#map-requestMs'), '5');
    assert.equal(await page.inputValue('#map-workers'), '4');
    await page.click('#map-link');
    const status = await page.locator('#map-share-status').textContent();
    const link = status.match(/https?:\/\/\S+/)?.[0] ?? (await page.evaluate(() => navigator.clipboard.readText().catch(() => '')));
    const params = new URL(link || `${site.url}?`).searchParams;
    assert.equal(params.get('view'), 'map');
    assert.equal(params.get('mapAxes'), 'requests,requestMs');
    assert.equal(params.get('mapRequestMs'), '5');
    assert.equal(params.get('mapWorkers'), '4');
    assert.equal(params.get('autorun'), '1');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the embed preset map draws a small map from its link', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}embed.html?preset=map&mapAxes=requests,cpu&mapWorkers=4&autorun=1`);
    await page.waitForFunction(() => document.querySelector('#status').textContent === 'Done.', null, { timeout: 120_000 });
    const cells = await page.locator('.map-cell[data-winner]').count();
    assert.equal(cells, 25);
    assert.match(await page.locator('#map-sentence').textContent(), /held in \d+ of \d+ cells/);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
