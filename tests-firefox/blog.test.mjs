// The embed in a blog of another origin that sends no special headers, in Firefox ESR, which does
// not implement Document-Isolation-Policy: the frame is not isolated, threads and gil are not
// offered and the embed says why (the map too, whose sentence speaks only of rules whose lanes
// raced), the other lanes run right, and the console stays clean.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchFirefox, serveBlog, startServer } from '../tests/harness.mjs';

let site;
let blog;
let browser;
const seen = [];
/** A blog post whose one iframe is the embed at `query`. */
const post = (query) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A post</title></head>`
  + `<body><iframe src="${site.url}embed.html?${query}" title="playground" style="width:100%;height:600px"></iframe></body></html>`;
before(async () => {
  site = await startServer();
  blog = await serveBlog({
    '/': post('preset=cpu&size=500000'),
    '/map': post('preset=map&mapWorkers=2'),
    '/threads': post('preset=cpu&lanes=threads'),
    '/twice': post('preset=cpu&lanes=sequential,gil,gil'),
  });
  browser = await launchFirefox();
});

/** Opens the blog page at `path`, recording problems in `seen`, and the frame once its playground is ready. */
async function openPost(path) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (['error', 'warn', 'warning'].includes(m.type())) seen.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(new URL(path, blog.url).href);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.playground !== undefined, { timeout: 30_000 });
  await frame.evaluate(async () => { await window.playground.ready; });
  return { page, frame };
}
after(async () => {
  await browser?.close();
  await blog?.close();
  await site?.close();
});

test('Firefox: the embed in a plain blog runs sequential, processes and async, and says why not threads', async () => {
  const { page, frame } = await openPost('/');
  assert.equal(await frame.evaluate(() => window.crossOriginIsolated), false);
  const caps = await frame.evaluate(() => window.playground.capabilities());
  assert.deepEqual([caps.lanes, caps.isolation], [['sequential', 'processes', 'async'], 'no-dip-support']);
  const note = await frame.$eval('#isolation-note', (e) => (e.hidden ? '' : e.textContent));
  assert.match(note, /^Racing here: sequential, processes, and async\. Not here: threads and gil\. .*Document-Isolation-Policy, which this browser does not implement.*Cross-Origin-Embedder-Policy: require-corp/);
  const report = await frame.evaluate(() => window.playground.run({ workload: 'primes', size: 1_000_000, workers: 2 }));
  assert.deepEqual(report.results.map((r) => [r.lane, r.ok, r.checksum]), [['sequential', true, '78498'], ['processes', true, '78498'], ['async', true, '78498']]);
  // The Run button races what the note says, and asking for threads is refused with the reason.
  await frame.click('#run');
  await frame.waitForFunction(() => document.getElementById('status')?.textContent === 'Done.', { timeout: 60_000 });
  assert.deepEqual(await frame.$$eval('.lane-card', (els) => els.map((e) => e.dataset.lane)), ['sequential', 'processes', 'async']);
  const refused = await frame.evaluate(() => window.playground.run({ workload: 'primes', size: 1000, lanes: ['threads'] }).then(() => null, (e) => ({ kind: e.kind, message: e.message })));
  assert.equal(refused.kind, 'invalid');
  assert.match(refused.message, /^lanes: threads is off here: .*Document-Isolation-Policy/);
  await page.close();
  assert.deepEqual(seen, []);
});

test('Firefox: the map embed in a plain blog says gil cannot race, and its sentence leaves out the rule whose lanes could not race', async () => {
  const { page, frame } = await openPost('/map');
  const shown = await frame.evaluate(() => ({
    blurb: document.getElementById('embed-blurb').textContent,
    note: document.getElementById('isolation-note').hidden ? null : document.getElementById('isolation-note').textContent,
  }));
  assert.equal(shown.blurb, 'Each cell races processes and async on requests that wait part of their time and compute the rest.');
  assert.match(shown.note, /^Racing here: processes and async\. Not here: gil\. .*Document-Isolation-Policy, which this browser does not implement/);
  // At 0 % CPU, 1 or 2 requests of 10 ms are the cells of "I/O-bound, fast, few connections → threads".
  const map = await frame.evaluate(() => window.playground.map({ xValues: [1, 2], yValues: [0, 1], requestMs: 10, workers: 2 }));
  assert.deepEqual([...new Set(map.cells.flatMap((c) => c.results.map((r) => r.lane)))], ['processes', 'async']);
  assert.match(map.sentence, /^CPU-bound → processes \(or threads without a GIL\): held in \d of 2 cells.*\. Where no rule could be checked here \(2 cells\), the winners were: /);
  assert.doesNotMatch(map.sentence, /→ threads:/);
  await page.close();
  assert.deepEqual(seen, []);
});

test('Firefox: an embed that asks only for threads says why it cannot race them, and offers no Run', async () => {
  const { page, frame } = await openPost('/threads');
  await frame.waitForSelector('#error:not([hidden])');
  const shown = await frame.evaluate(() => ({
    note: document.getElementById('isolation-note').hidden ? null : document.getElementById('isolation-note').textContent,
    error: document.getElementById('error').textContent,
    run: !document.getElementById('run').disabled,
  }));
  assert.match(shown.error, /^The embed's settings are not valid: lanes: threads is off here: .*Document-Isolation-Policy, which this browser does not implement/);
  assert.deepEqual([shown.note, shown.run], [null, false]);
  await page.close();
  assert.deepEqual(seen, []);
});

test('Firefox: a lane named twice is refused by name, as where it can race, though it cannot race here', async () => {
  const { page, frame } = await openPost('/twice');
  await frame.waitForSelector('#error:not([hidden])');
  const shown = await frame.evaluate(() => ({ error: document.getElementById('error').textContent, run: !document.getElementById('run').disabled }));
  assert.match(shown.error, /^The embed's settings are not valid: lanes: lists gil twice/);
  assert.equal(shown.run, false);
  await page.close();
  assert.deepEqual(seen, []);
});
