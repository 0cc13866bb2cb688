// Hosting anywhere and embedding: without COOP/COEP, with them, through the COI service worker,
// and inside a blog page that is not isolated.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launch, openPage, runSpec, startServer } from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe('served without COOP/COEP', () => {
  let server;
  before(async () => {
    server = await startServer({ isolation: false });
  });
  after(() => server.close());

  test('index: loads clean, threads off with a reason, the other lanes right', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    const caps = await page.evaluate(() => window.playground.capabilities());
    assert.equal(caps.threads, false);
    assert.match(caps.reasons.threads, /not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin/);
    const report = await runSpec(page, { workload: 'mandelbrot', size: 200, workers: 2 });
    assert.deepEqual(report.results.map((r) => r.lane), ['sequential', 'processes', 'async']);
    assert.equal(new Set(report.results.map((r) => r.checksum)).size, 1);
    assert.match(await page.locator('#env').textContent(), /threads is off/);
    assert.match(await page.locator('#coi-note').textContent(), /^threads and gil are off in this browser: This page is not cross-origin isolated/);
    assert.equal(await page.locator('#coi-note').isVisible(), true);
    assert.equal(await page.locator('input[name=lane][value=threads]').isDisabled(), true);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a serve link or a counter embed asking for what cannot run here is told why, by name', async () => {
    const { page, problems, context } = await openPage(browser, `${server.url}?view=serve&lanes=sequential,threads`);
    await page.waitForSelector('#serve-error:not([hidden])');
    assert.match(await page.textContent('#serve-error'), /lanes: threads is off here: /);
    // A lock the processes cannot share leaves them out of the story, with the reason, as threads are.
    await page.goto(`${server.url}embed.html?preset=counter&size=20&sync=lock`);
    await page.waitForFunction(() => !document.getElementById('isolation-note').hidden);
    assert.match(await page.textContent('#isolation-note'), /^Racing here: sequential and async\. Not here: threads, gil, and processes\. .*The processes cannot share its counter: lock across processes needs a memory segment they share/);
    assert.equal(await page.locator('#run').isDisabled(), false);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('embed: loads clean, says why threads need isolation, runs the other lanes', async () => {
    const { page, problems, context } = await openPage(browser, `${server.url}embed.html?preset=cpu&size=1000000&autorun=1`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Done.', null, { timeout: 60_000 });
    assert.match(await page.locator('#isolation-note').textContent(), /^Racing here: sequential, processes, and async\. Not here: threads and gil\. This page is not cross-origin isolated/);
    const cards = await page.$$eval('.lane-card', (els) => els.map((e) => e.dataset.lane));
    assert.deepEqual(cards, ['sequential', 'processes', 'async']);
    const href = await page.locator('#full').getAttribute('href');
    assert.match(href, /^index\.html\?.*workload=primes.*size=1000000.*autorun=1/);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the example blog embeds the playground: it runs to a right answer and grows to fit', async () => {
    const { page, problems, context } = await openPage(browser, `${server.url}examples/blog.html`, { playground: false });
    const frameEl = page.locator('concurrency-playground#cpu-demo iframe');
    await frameEl.waitFor();
    const frame = await (await frameEl.elementHandle()).contentFrame();
    await frame.waitForFunction(() => window.playground !== undefined);
    await frame.evaluate(() => window.playground.ready);
    const report = await frame.evaluate(() => window.playground.run({ workload: 'primes', size: 1_000_000, workers: 2 }));
    assert.ok(report.results.every((r) => r.checksum === '78498'), JSON.stringify(report.results.map((r) => [r.lane, r.checksum])));
    await frame.click('#run');
    await frame.waitForFunction(() => document.getElementById('status')?.textContent === 'Done.', null, { timeout: 60_000 });
    // The iframe now fits its content: no inner scrolling.
    await page.waitForFunction(() => {
      const iframe = document.querySelector('concurrency-playground#cpu-demo').shadowRoot.querySelector('iframe');
      const doc = iframe.contentDocument.documentElement;
      return Math.abs(iframe.getBoundingClientRect().height - doc.scrollHeight) <= 2;
    }, null, { timeout: 5000 });
    const heights = await page.evaluate(() => {
      const iframe = document.querySelector('concurrency-playground#cpu-demo').shadowRoot.querySelector('iframe');
      return { frame: iframe.getBoundingClientRect().height, content: iframe.contentDocument.documentElement.scrollHeight };
    });
    assert.ok(heights.frame > 460, `grew from its initial 460 px to ${heights.frame}`);
    // The plain iframe snippet resizes too.
    await page.waitForFunction(() => {
      const f = document.getElementById('io-demo');
      return Math.abs(f.getBoundingClientRect().height - f.contentDocument.documentElement.scrollHeight) <= 2;
    }, null, { timeout: 10_000 });
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('the embed ignores resize messages from anyone else', async () => {
    const { page, context } = await openPage(browser, `${server.url}examples/blog.html`, { playground: false });
    await page.locator('concurrency-playground#cpu-demo iframe').waitFor();
    const before_ = await page.evaluate(() => document.querySelector('#cpu-demo').shadowRoot.querySelector('iframe').style.height);
    await page.evaluate(() => window.postMessage({ type: 'concurrency-playground:resize', height: 3333 }, '*'));
    await page.waitForTimeout(200);
    const after_ = await page.evaluate(() => document.querySelector('#cpu-demo').shadowRoot.querySelector('iframe').style.height);
    assert.notEqual(after_, '3333px');
    assert.ok(before_ !== undefined);
    await context.close();
  });
});

describe('served with the COI service worker and no headers', () => {
  let dir;
  let server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cp-coi-'));
    execFileSync('node', ['scripts/build.mjs', '--web', '--coi-serviceworker', '--out', dir], { stdio: 'ignore' });
    server = await startServer({ isolation: false, dir });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('one reload later the page is isolated, says so, and threads run', async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.waitForFunction(() => window.crossOriginIsolated === true, null, { timeout: 20_000 });
    await page.waitForFunction(() => window.playground !== undefined);
    await page.evaluate(() => window.playground.ready);
    const caps = await page.evaluate(() => window.playground.capabilities());
    assert.equal(caps.threads, true);
    const report = await runSpec(page, { workload: 'primes', size: 1_000_000, lanes: ['threads'], workers: 2 });
    assert.equal(report.results[0].checksum, '78498');
    await page.locator('#coi-note').waitFor({ state: 'visible' });
    assert.match(await page.locator('#coi-note').textContent(), /reloaded once/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('coi-reloaded')), '1');
    assert.deepEqual(problems(), []);
    await context.close();
  });
});
