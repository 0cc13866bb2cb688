// The playground embedded in a blog of another origin that sends no special headers, as most
// blogs are: Document-Isolation-Policy isolates the embed's frame by itself in Chromium (every
// lane runs), a sandboxed frame says what its host blocked, the oEmbed documents, and the page's
// "Embed this" snippet pasted into a post. The site is built into a folder of its own with
// --site-url set to the server's address, as a deployment would be.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launch, openPage, serveBlog, startServer } from './harness.mjs';

const LANES = ['sequential', 'threads', 'gil', 'processes', 'async'];
const post = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">`
  + `<title>A blog post</title></head><body><article><h1>A post</h1>${body}</article></body></html>`;

let dir;
let site;
let browser;
const pages = {};
let blog;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cp-blog-'));
  // Served before it is built: serve-handler reads the folder at each request.
  site = await startServer({ dir });
  execFileSync('node', ['scripts/build.mjs', '--web', '--out', dir, '--site-url', site.url], { stdio: 'ignore' });
  blog = await serveBlog(pages);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await blog?.close();
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the blog page at `path` with `body`, and the frame of its first iframe once its playground is ready. */
async function openPost(path, body) {
  pages[path] = post(body);
  const opened = await openPage(browser, new URL(path, blog.url).href, { playground: false, origins: [new URL(site.url).origin] });
  const handle = await opened.page.locator('iframe').first().elementHandle();
  const frame = await handle.contentFrame();
  await frame.waitForFunction(() => window.playground !== undefined);
  await frame.evaluate(() => window.playground.ready);
  return { ...opened, frame };
}

describe('Chromium: the embed in a blog of another origin', () => {
  test('the frame is cross-origin isolated by Document-Isolation-Policy and every lane counts 78,498 primes', async () => {
    const { frame, page, problems, context } = await openPost('/dip', `<iframe src="${site.url}embed.html?preset=cpu" title="playground"></iframe>`);
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), false, 'the blog itself is not isolated');
    assert.equal(await frame.evaluate(() => window.crossOriginIsolated), true);
    const caps = await frame.evaluate(() => window.playground.capabilities());
    assert.deepEqual([caps.lanes, caps.isolation], [LANES, null]);
    assert.match(await frame.locator('#isolation-note').textContent(), /^Racing here: sequential, threads, gil, processes, and async \(this frame is cross-origin isolated\)\.$/);
    const report = await frame.evaluate(() => window.playground.run({ workload: 'primes', size: 1_000_000, workers: 2 }));
    assert.deepEqual(report.results.map((r) => [r.lane, r.ok, r.checksum]), LANES.map((l) => [l, true, '78498']));
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('a frame sandboxed without allow-same-origin says its host blocks every lane, and offers no Run', async () => {
    const { frame, problems, context } = await openPost('/sandbox', `<iframe src="${site.url}embed.html?preset=cpu" sandbox="allow-scripts" title="playground"></iframe>`);
    assert.equal(await frame.evaluate(() => self.origin), 'null');
    const caps = await frame.evaluate(() => window.playground.capabilities());
    assert.deepEqual([caps.lanes, caps.isolation], [[], 'sandboxed']);
    await frame.locator('#isolation-note').waitFor({ state: 'visible' });
    assert.match(await frame.locator('#isolation-note').textContent(), /^Nothing can race here\. The page embedding this one sandboxes its frame without allow-same-origin.*allow-scripts allow-same-origin/);
    assert.equal(await frame.locator('#run').isDisabled(), true);
    assert.deepEqual(problems(), []);
    await context.close();
  });

  test('sandboxed with allow-same-origin, the frame keeps its origin and every lane', async () => {
    const { frame, problems, context } = await openPost('/sandbox-same', `<iframe src="${site.url}embed.html?preset=cpu" sandbox="allow-scripts allow-same-origin" title="playground"></iframe>`);
    const report = await frame.evaluate(() => window.playground.run({ workload: 'primes', size: 200_000, workers: 2 }));
    assert.deepEqual(report.results.map((r) => [r.lane, r.checksum]), LANES.map((l) => [l, '17984']));
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('oEmbed', () => {
  test('every story has a rich oEmbed document whose iframe is the story on this site', async () => {
    for (const story of ['cpu', 'io-fast', 'io-slow', 'share', 'crash', 'counter', 'map', 'serve']) {
      const response = await fetch(`${site.url}oembed/${story}.json`);
      assert.equal(response.status, 200, story);
      assert.match(response.headers.get('content-type'), /^application\/json/);
      const doc = await response.json();
      assert.deepEqual({ type: doc.type, version: doc.version, provider_name: doc.provider_name, provider_url: doc.provider_url, width: doc.width, height: doc.height },
        { type: 'rich', version: '1.0', provider_name: 'concurrency-playground', provider_url: site.url, width: 760, height: 460 }, story);
      assert.match(doc.title, /^concurrency-playground: ./);
      assert.equal(doc.html, `<iframe src="${site.url}embed.html?preset=${story}" title="${doc.title.replace(/&/g, '&amp;')}" width="760" height="460" `
        + 'style="width:100%;max-width:760px;height:460px;border:0" allow="cross-origin-isolated" loading="lazy"></iframe>', story);
    }
  });

  test('the page and the embed name it in their static HTML; the embed points it at its story', async () => {
    for (const page of ['index.html', 'embed.html?preset=io-slow']) {
      const html = await (await fetch(`${site.url}${page}`)).text();
      assert.match(html, new RegExp(`<link rel="alternate" type="application/json\\+oembed" href="${site.url}oembed/cpu\\.json"`), page);
    }
    const { page, problems, context } = await openPage(browser, `${site.url}embed.html?preset=io-slow&size=50`);
    assert.equal(await page.locator('link[type="application/json+oembed"]').getAttribute('href'), `${site.url}oembed/io-slow.json`);
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('Embed this', () => {
  test('the snippet for a story, pasted into a post, races that story; for settings, carries them', async () => {
    const { page, problems, context } = await openPage(browser, `${site.url}?preset=io-fast`, { viewport: { width: 390, height: 844 } });
    const toggle = page.locator('#embed-this');
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const code = page.locator('#embed-code');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'embed-code');
    const snippet = await code.inputValue();
    assert.equal(snippet, `<iframe src="${site.url}embed.html?preset=io-fast" title="concurrency-playground: I/O: fast, few connections" width="760" height="460" `
      + 'style="width:100%;max-width:760px;height:460px;border:0" allow="cross-origin-isolated" loading="lazy"></iframe>');
    // At 390 px the panel fits the screen: no sideways scrolling.
    const box = await code.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.locator('#embed-copy').click();
    await page.locator('#embed-status').filter({ hasText: 'Snippet copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);

    // The page's own settings (a spec in the URL, as a run or a shared link leaves it) go into the snippet as they are.
    await page.goto(`${site.url}?workload=primes&size=300000&workers=2&lanes=sequential,threads`);
    await page.waitForFunction(() => window.playground !== undefined);
    await page.evaluate(() => window.playground.ready);
    await page.locator('#embed-this').click();
    const custom = await page.locator('#embed-code').inputValue();
    assert.match(custom, new RegExp(`^<iframe src="${site.url}embed\\.html\\?workload=primes&amp;size=300000&amp;workers=2&amp;lanes=sequential%2Cthreads" `));
    assert.deepEqual(problems(), []);
    await context.close();

    const inPost = await openPost('/snippet', snippet);
    await inPost.frame.click('#run');
    await inPost.frame.waitForFunction(() => document.getElementById('status')?.textContent === 'Done.', null, { timeout: 60_000 });
    const cards = await inPost.frame.$$eval('.lane-card', (els) => els.map((e) => e.dataset.lane));
    assert.deepEqual(cards, LANES);
    assert.equal(await inPost.frame.locator('#embed-title').textContent(), 'I/O: fast, few connections');
    assert.deepEqual(inPost.problems(), []);
    await inPost.context.close();

    const customPost = await openPost('/custom', custom);
    const blurb = await customPost.frame.locator('#embed-blurb').textContent();
    assert.match(blurb, /300,000|300000/, blurb);
    assert.match(await customPost.frame.locator('#isolation-note').textContent(), /^Racing here: sequential and threads/);
    assert.deepEqual(customPost.problems(), []);
    await customPost.context.close();
  });
});
