// The timeline reads its bars: the keyboard steps through a row's events and across rows, the
// pointer reads the bar under it, and what is said is the report's own event (its task, phase and
// times), in a line under the canvas.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openPage, useSite } from './harness.mjs';

const site = useSite();
/** A time as the page writes it (www/src/words.ts `millis`), signed for set-up before 0. */
const millis = (x) => (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x).toLocaleString('en-US')} ms`);
const at = (t) => (t < 0 ? `−${millis(-t)}` : millis(t));
const readout = (page) => page.locator('.timeline-readout').textContent();
const HINT = 'Point at a bar, or focus the timeline and use the arrow keys, to read what it was.';

/** A row's events as the report has them, by start. */
const rowEvents = (result, row) => result.events.filter((e) => e.row === row).sort((a, b) => a.start - b.start);

describe('the timeline reads its bars', () => {
  test('the arrow keys step through a row and across rows; the pointer reads the bar under it', async () => {
    const { page, problems, context } = await openPage(site.browser, site.url);
    const report = await page.evaluate(() => window.playground.run({ workload: 'primes', size: 300_000, tasks: 6, workers: 2, lanes: ['sequential', 'processes'] }));
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    assert.equal(await readout(page), HINT);
    const [sequential, processes] = report.results;

    await page.focus('#timeline');
    await page.keyboard.press('ArrowRight');
    const first = rowEvents(sequential, 0)[0];
    const firstWords = `sequential, worker: task ${first.task}, ${first.phase} from ${at(first.start)} to ${at(first.end)} (${millis(first.end - first.start)})`;
    assert.equal(await readout(page), firstWords);
    const box = await page.locator('.timeline-marker').boundingBox();
    assert.ok(box && box.width >= 5, 'the bar read is outlined');

    await page.keyboard.press('ArrowRight');
    const second = rowEvents(sequential, 0)[1];
    assert.match(await readout(page), new RegExp(`^sequential, worker: task ${second.task}, ${second.phase} from `));

    await page.keyboard.press('ArrowDown');
    assert.match(await readout(page), /^processes, process 0: /);
    await page.keyboard.press('End');
    const last = rowEvents(processes, 0).at(-1);
    assert.match(await readout(page), new RegExp(`^processes, process 0: task ${last.task}, ${last.phase} from ${at(last.start)} to ${at(last.end)}`));
    await page.keyboard.press('Home');
    const spawn = rowEvents(processes, 0)[0];
    assert.equal(spawn.phase, 'spawn', 'a cold process starts with its spawn');
    assert.equal(await readout(page), `processes, process 0: starting (spawn) from ${at(spawn.start)} to ${at(spawn.end)} (${millis(spawn.end - spawn.start)}), before the lane's time`);

    await page.keyboard.press('Escape');
    assert.equal(await readout(page), HINT);
    assert.equal(await page.locator('.timeline-marker').isHidden(), true);

    // The pointer on the bar the keyboard outlined reads the same event.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    assert.equal(await readout(page), firstWords);
    // Off every bar (the labels' column): the hint again.
    const canvas = await page.locator('#timeline').boundingBox();
    await page.mouse.move(canvas.x + 20, canvas.y + canvas.height - 5);
    assert.equal(await readout(page), HINT);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test("async's waits read as requests in flight; on a phone the line wraps", async () => {
    const { page, problems, context } = await openPage(site.browser, site.url, { viewport: { width: 390, height: 844 } });
    const requests = 300;
    await page.evaluate((tasks) => window.playground.run({ workload: 'io', size: tasks, tasks, latencyMs: 50, lanes: ['async'] }), requests);
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    await page.focus('#timeline');
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('ArrowDown');
      if ((await readout(page)).startsWith('async, waiting:')) break;
    }
    const text = await readout(page);
    const m = text.match(/^async, waiting: task \d+, wait from .+ ms \(.+ ms\); (\d+) waiting at its start$/);
    assert.ok(m, text);
    assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= requests, text);
    const marker = await page.locator('.timeline-marker').boundingBox();
    await page.keyboard.press('Escape');
    await page.mouse.move(marker.x + 3, marker.y + marker.height / 2);
    assert.match(await readout(page), new RegExp(`^async: \\d+ requests? waiting at .+ ms, of ${requests} waits$`));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scroll');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
