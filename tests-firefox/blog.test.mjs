// The embed in a blog of another origin that sends no special headers, in Firefox ESR, which does
// not implement Document-Isolation-Policy: the frame is not isolated, threads and gil are not
// offered and the embed says why, the other lanes run right, and the console stays clean.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchFirefox, serveBlog, startServer } from '../tests/harness.mjs';

let site;
let blog;
let browser;
const seen = [];
before(async () => {
  site = await startServer();
  blog = await serveBlog({
    '/': `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A post</title></head>`
      + `<body><iframe src="${site.url}embed.html?preset=cpu&size=500000" title="playground" style="width:100%;height:600px"></iframe></body></html>`,
  });
  browser = await launchFirefox();
});
after(async () => {
  await browser?.close();
  await blog?.close();
  await site?.close();
});

test('Firefox: the embed in a plain blog runs sequential, processes and async, and says why not threads', async () => {
  const page = await browser.newPage();
  page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (['error', 'warn', 'warning'].includes(m.type())) seen.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(blog.url);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.playground !== undefined, { timeout: 30_000 });
  await frame.evaluate(async () => { await window.playground.ready; });
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
