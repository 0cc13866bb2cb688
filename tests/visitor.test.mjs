// What a visitor's poking found, kept as tests: one run at a time from every section, a stopped
// run's verdict, unreadable numbers, long numbers on a phone, the map's form and links, the
// keyboard in the map, and a new run right after cancel().
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { openPage, useSite } from './harness.mjs';

const site = useSite();
/** A time as the page writes it: a tenth under 10 ms, grouped thousands above (www/src/words.ts). */
const millis = (x) => (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x).toLocaleString('en-US')} ms`);
const idle = (page) => page.waitForFunction(() => !document.querySelector('#run').disabled, null, { timeout: 120_000 });

describe('a visitor pokes the page', () => {
  test('while a run goes, the map and the Python comparison cannot start another; Stop keeps the focus', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    await page.fill('#size', '20000000');
    await page.focus('#run');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#run').disabled);
    assert.equal(await page.locator('#map-run').isDisabled(), true);
    assert.equal(await page.locator('#python-compare').isDisabled(), true);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'stop', 'the keyboard focus moved to Stop');
    await page.keyboard.press('Enter');
    await idle(page);
    assert.equal(await page.locator('#status').textContent(), 'Stopped.');
    assert.match(await page.locator('#verdict').textContent(), /^Stopped before every lane had run, so there is no verdict/);
    assert.equal(await page.locator('.lane-card.winner').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'run', 'and back to Run');
    assert.equal(await page.locator('#map-run').isDisabled(), false);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a number the browser cannot read is refused beside its field; a huge one does not widen a phone', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url, { viewport: { width: 390, height: 844 } });
    await page.fill('#size', '');
    await page.focus('#size');
    await page.keyboard.type('1e');
    await page.click('#run');
    assert.match(await page.locator('#size-help').textContent(), /^size: must be a whole number from \d+ to [\d,]+ for primes, got NaN \(not a number\)$/);
    assert.equal(await page.locator('#size').getAttribute('aria-invalid'), 'true');
    await page.fill('#size', '1e308');
    await page.click('#run');
    assert.match(await page.locator('#size-help').textContent(), /got 1e308/);
    // The map's and the server's forms read their fields alike.
    for (const [field, run, error, name] of [['#map-workers', '#map-run', '#map-error', 'map.workers'], ['#serve-ratePerSec', '#serve-run', '#serve-error', 'ratePerSec']]) {
      await page.fill(field, '');
      await page.focus(field);
      await page.keyboard.type('1e');
      await page.click(run);
      await page.waitForFunction((sel) => !document.querySelector(sel).hidden, error);
      assert.match(await page.locator(error).textContent(), new RegExp(`^${name.replace('.', '\\.')}: must be .*, got NaN \\(not a number\\)$`));
      assert.equal(await page.locator(field).getAttribute('aria-invalid'), 'true', field);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scroll');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a map leaves the race panel alone; bad map settings in a link are refused by name', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const before = await page.locator('#status').textContent();
    await page.evaluate(() => window.playground.map({ xValues: [1, 16], yValues: [0] }));
    assert.equal(await page.locator('#status').textContent(), before);
    assert.equal(await page.locator('.lane-card').count(), 0);
    await page.goto(`${site.url}?view=map&mapWorkers=abc&autorun=1`);
    await page.waitForFunction(() => !document.querySelector('#map-error').hidden);
    assert.match(await page.locator('#map-error').textContent(), /^map\.workers: .*got "abc"/);
    assert.equal(await page.locator('#map-workers').getAttribute('aria-invalid'), 'true');
    await page.goto(`${site.url}?view=map&mapAxes=a,b&autorun=1`);
    await page.waitForFunction(() => !document.querySelector('#map-error').hidden);
    assert.match(await page.locator('#map-error').textContent(), /^map\.x: must be one of/);
    await page.goto(`${site.url}embed.html?preset=map&mapWorkers=-3&autorun=1`);
    await page.waitForFunction(() => !document.querySelector('#error').hidden);
    assert.match(await page.locator('#error').textContent(), /map\.workers: must be a whole number from 1 to 64, got -3/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('map and serve links name a bad value without autorun too, and an unknown map or serve option is refused by name', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const shows = async (query, error, control, expected) => {
      await page.goto(`${site.url}${query}`);
      await page.waitForFunction((id) => !document.getElementById(id).hidden, error);
      assert.match(await page.locator(`#${error}`).textContent(), expected, query);
      if (control) assert.equal(await page.locator(`#${control}`).getAttribute('aria-invalid'), 'true', query);
    };
    await shows('?view=map&mapAxes=foo,bar', 'map-error', 'map-axes', /^The link's settings are not valid: map\.x: must be one of requests, cpu, requestMs, workers, got "foo"$/);
    await shows('?view=map&mapWorkers=abc', 'map-error', 'map-workers', /^The link's settings are not valid: map\.workers: .*got "abc"$/);
    await shows('?view=map&mapWorker=4', 'map-error', null, /^The link's settings are not valid: map\.mapWorker: is not a map option/);
    await shows('?view=map&mapWorker=4&autorun=1', 'map-error', null, /^map\.mapWorker: is not a map option/);
    await shows('?view=serve&ratePerSec=x', 'serve-error', 'serve-ratePerSec', /^The link's settings are not valid: ratePerSec: must be a number from 1 to 20000, got "x"$/);
    await shows('?view=serve&bogus=1', 'serve-error', null, /^The link's settings are not valid: bogus: is not a serve option/);
    await shows('?view=serve&bogus=1&autorun=1', 'serve-error', null, /^bogus: is not a serve option/);
    assert.equal(await page.locator('#serve-status').textContent(), '', 'nothing was served');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a link is read as written: hex, a field twice, __proto__, an unknown view or an empty preset are refused by name; an empty size is refused, not defaulted', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const refused = async (query, expected) => {
      await page.goto(`${site.url}${query}`);
      await page.waitForFunction(() => !document.getElementById('error').hidden);
      assert.match(await page.locator('#error').textContent(), expected, query);
    };
    await refused('?size=0x10&autorun=1', /size: .*got "0x10"$/);
    await refused('?size=100000&size=200000&autorun=1', /size: .*got a list$/);
    await refused('?__proto__=1&autorun=1', /__proto__: /);
    await refused('?view=mapp', /view: must be map or serve, got "mapp"$/);
    await refused('?preset=', /preset: must be one of .*got ""$/);
    // A bad size in a link empties the box: Run is then refused, not run on the old value.
    await refused('?size=abc', /size: .*got "abc"/);
    assert.equal(await page.inputValue('#size'), '');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('size').getAttribute('aria-invalid') === 'true');
    assert.match(await page.locator('#error').textContent(), /^size: .*got ""$/);
    assert.equal(await page.locator('#status').textContent(), '', 'nothing ran');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a map link with a pair of axes the list does not offer: the form shows the pair drawn, and its link draws it again', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url, { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(`${site.url}?view=map&mapAxes=cpu,requests&autorun=1`);
    await page.waitForFunction(() => /cells/.test(document.querySelector('#map-status').textContent), null, { timeout: 60_000 });
    assert.equal(await page.inputValue('#map-axes'), 'cpu,requests');
    assert.equal(await page.locator('#map-axes option:checked').textContent(), 'CPU per request × requests');
    assert.match(await page.locator('.map-axis').textContent(), /requests at once ↑ · CPU share of a request →/);
    await page.click('#map-stop');
    await page.waitForFunction(() => !document.querySelector('#map-run').disabled, null, { timeout: 60_000 });
    await page.click('#map-link');
    await page.waitForFunction(() => document.querySelector('#map-share-status').textContent !== '');
    assert.equal(new URL(await page.evaluate(() => navigator.clipboard.readText())).searchParams.get('mapAxes'), 'cpu,requests');
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the map grid is one Tab stop, the arrow keys move between cells, and the map exports', async () => {
    const { page, problems, context } = await openPage(site.browser, `${site.url}?view=map`);
    await page.evaluate(() => document.querySelector('#map-controls').dispatchEvent(new Event('submit', { cancelable: true })));
    await page.waitForFunction(() => /^Done/.test(document.querySelector('#map-status').textContent), null, { timeout: 120_000 });
    assert.equal(await page.locator('.map-cell[tabindex="0"]').count(), 1);
    await page.locator('.map-cell[tabindex="0"]').focus();
    const label = () => page.evaluate(() => document.activeElement.getAttribute('aria-label'));
    const first = await label();
    await page.keyboard.press('ArrowRight');
    const right = await label();
    await page.keyboard.press('ArrowDown');
    const down = await label();
    assert.notEqual(first, right);
    assert.notEqual(right, down);
    assert.match(down, /requests of .* ms .* CPU/);
    assert.match(await page.locator('.map-details').textContent(), /requests of/);
    // And the map exports: a PNG, and the JSON with every cell.
    const grab = async (id) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#${id}`)]);
      return readFile(await download.path());
    };
    assert.deepEqual([...(await grab('map-png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const map = JSON.parse((await grab('map-json')).toString('utf8'));
    assert.equal(map.cells.length, 25);
    assert.ok(map.cells.every((c) => Array.isArray(c.winner) && c.results.length >= 3));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a run a script starts through the API ends on its own report: status, verdict, answer and table', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const spec = { workload: 'counter', size: 2000, tasks: 4, workers: 2, sync: 'lock' };
    const [report, refused, during] = await page.evaluate(async (s) => {
      const buttons = () => ({ run: document.getElementById('run').disabled, stop: document.getElementById('stop').disabled });
      const first = window.playground.run(s);
      const second = await window.playground.run(s).then(() => null, (e) => e.message);
      // Once the run has begun (its lanes drawn), the form is busy as for a run of its own.
      await new Promise((r) => { const wait = () => (document.getElementById('status').textContent.startsWith('Running') ? r() : requestAnimationFrame(wait)); wait(); });
      const seen = buttons();
      return [await first, second, seen];
    }, spec);
    assert.match(refused, /a run is already in flight/);
    assert.deepEqual(during, { run: true, stop: false }, 'Run off and Stop on while the script\'s run goes');
    assert.deepEqual(await page.evaluate(() => [document.getElementById('run').disabled, document.getElementById('stop').disabled]), [false, true]);
    assert.equal(await page.locator('#status').textContent(), 'Done.');
    assert.equal(await page.locator('#verdict').textContent(), report.verdict.text);
    assert.equal(await page.locator('#answer').textContent(), report.answer);
    assert.equal(await page.locator('#results tbody tr').count(), report.results.length);
    // The form and the address show the run shown, as after a run of the page's own.
    assert.equal(await page.inputValue('#workload'), 'counter');
    assert.equal(await page.inputValue('#size'), '2000');
    assert.equal(await page.inputValue('#sync'), 'lock');
    const address = new URL(page.url()).searchParams;
    assert.deepEqual([address.get('workload'), address.get('size'), address.get('tasks'), address.get('sync')], ['counter', '2000', '4', 'lock']);
    // The timeline's label reads each lane's time by phase, from the report's own totals.
    const label = await page.getAttribute('#timeline', 'aria-label');
    for (const r of report.results) {
      const compute = r.totals.filter((t) => t.phase === 'compute').reduce((a, t) => a + t.ms, 0);
      assert.ok(label.includes(`${r.lane} ${millis(r.wallMs)}: compute ${millis(compute)}`), `${r.lane} in: ${label}`);
    }
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('run() right after cancel() starts the new run, and it is right', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const out = await page.evaluate(async () => {
      const pg = window.playground;
      const first = pg.run({ workload: 'primes', size: 20_000_000, lanes: ['sequential'] });
      pg.cancel();
      const second = pg.run({ workload: 'primes', size: 1_000_000, lanes: ['sequential', 'async'] });
      const [a, b] = await Promise.all([first, second]);
      return { first: a.results[0].errorKind, second: b.results.map((r) => r.checksum) };
    });
    assert.deepEqual(out, { first: 'cancelled', second: ['78498', '78498'] });
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
