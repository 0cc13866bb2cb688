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
/** Every story the embed shows (embed-snippet.ts STORIES): the presets, the map and serve. */
const STORIES = ['cpu', 'io-fast', 'io-slow', 'share', 'crash', 'counter', 'map', 'serve'];
const post = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">`
  + `<title>A blog post</title></head><body><article><h1>A post</h1>${body}</article></body></html>`;

let dir;
let site;
/** The same build from a host that sends no isolation headers (no COOP/COEP, no DIP): threads and gil are off. */
let plain;
let browser;
const pages = {};
let blog;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cp-blog-'));
  // Served before it is built: serve-handler reads the folder at each request.
  site = await startServer({ dir });
  plain = await startServer({ dir, isolation: false });
  execFileSync('node', ['scripts/build.mjs', '--web', '--out', dir, '--site-url', site.url], { stdio: 'ignore' });
  blog = await serveBlog(pages);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await blog?.close();
  await site?.close();
  await plain?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the blog page at `path` with `body`, and the frame of its first iframe once its playground is ready. */
async function openPost(path, body) {
  pages[path] = post(body);
  const opened = await openPage(browser, new URL(path, blog.url).href, { playground: false, origins: [site, plain].map((s) => new URL(s.url).origin) });
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
    for (const story of STORIES) {
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
    const [iframe, resizer, ...more] = snippet.split('\n');
    assert.equal(iframe, `<iframe src="${site.url}embed.html?preset=io-fast" title="concurrency-playground: I/O: fast, few connections" width="760" height="460" `
      + 'style="width:100%;max-width:760px;height:460px;border:0" allow="cross-origin-isolated" loading="lazy"></iframe>');
    assert.match(resizer, /^<script>.*concurrency-playground:resize.*<\/script>$/);
    assert.deepEqual(more, []);
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

    // A story run with changes (as its link leaves the address): the story and what changed, the rest
    // left for the embed to size for its visitor's machine.
    const srcOf = async () => new URL((await page.locator('#embed-code').inputValue()).match(/src="([^"]+)"/)[1].replace(/&amp;/g, '&'));
    await page.goto(`${site.url}?preset=counter&size=20&sync=lock&stepMs=1&autorun=1`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Done.', null, { timeout: 60_000 });
    await page.locator('#embed-this').click();
    const changed = Object.fromEntries((await srcOf()).searchParams);
    assert.deepEqual(changed, { preset: 'counter', size: '20', sync: 'lock', stepMs: '1' });
    // Settings the page refused make no snippet: a field, or a story that is none.
    await page.goto(`${site.url}?preset=nope`);
    await page.waitForFunction(() => window.playground !== undefined);
    await page.evaluate(() => window.playground.ready);
    await page.locator('#embed-this').click();
    assert.match(await page.locator('#embed-status').textContent(), /^No snippet for settings the page refuses: preset: "nope" is no story/);
    await page.goto(`${site.url}?workload=counter&size=20&bogus=1`);
    await page.waitForFunction(() => window.playground !== undefined);
    await page.evaluate(() => window.playground.ready);
    await page.locator('#embed-this').click();
    assert.equal(await page.locator('#embed-code').inputValue(), '');
    assert.match(await page.locator('#embed-status').textContent(), /^No snippet for settings the page refuses: bogus: /);
    assert.deepEqual(problems(), []);
    await context.close();

    const inPost = await openPost('/snippet', snippet);
    await inPost.frame.click('#run');
    await inPost.frame.waitForFunction(() => document.getElementById('status')?.textContent === 'Done.', null, { timeout: 60_000 });
    const cards = await inPost.frame.$$eval('.lane-card', (els) => els.map((e) => e.dataset.lane));
    assert.deepEqual(cards, LANES);
    assert.equal(await inPost.frame.locator('#embed-title').textContent(), 'I/O: fast, few connections');
    // The snippet's own lines let the frame grow to what it shows after the race.
    await inPost.page.waitForFunction(() => document.querySelector('iframe').getBoundingClientRect().height > 460, null, { timeout: 10_000 });
    assert.deepEqual(inPost.problems(), []);
    await inPost.context.close();

    const customPost = await openPost('/custom', custom);
    const blurb = await customPost.frame.locator('#embed-blurb').textContent();
    assert.match(blurb, /300,000|300000/, blurb);
    // Settings of one's own are no story: the embed keeps its own title, not the CPU-bound story's.
    assert.equal(await customPost.frame.locator('#embed-title').textContent(), 'Processes vs threads vs async');
    assert.match(await customPost.frame.locator('#isolation-note').textContent(), /^Racing here: sequential and threads/);
    assert.deepEqual(customPost.problems(), []);
    await customPost.context.close();
  });
});

/** What an embed shows: its title, blurb, lanes note and error (null when hidden), and whether Run is enabled. */
const shown = (frame) => frame.evaluate(() => {
  const text = (id) => (document.getElementById(id).hidden ? null : document.getElementById(id).textContent);
  return { title: text('embed-title'), blurb: text('embed-blurb'), note: text('isolation-note'), error: text('error'), run: !document.getElementById('run').disabled, verdict: text('verdict') };
});

describe('the embed with bad settings', () => {
  test('a bad preset, spec field, map or serve option is named in the error, Run stays disabled, and the title says what was asked for', async () => {
    // No Run, and no "Press Run to race" either.
    const story = { title: 'Processes vs threads vs async', blurb: '', note: null, run: false, verdict: null };
    const cases = [
      ['preset=bogus', { ...story, error: `preset: must be one of ${STORIES.join(', ')}, got "bogus"` }],
      ['preset=cpu&size=-1', { ...story, title: 'CPU-bound', error: "The embed's settings are not valid: size: must be a whole number from 2 to 20000000 for primes, got -1" }],
      ['preset=io-fast&workers=0', { ...story, title: 'I/O: fast, few connections', error: "The embed's settings are not valid: workers: must be a whole number from 1 to 64, got 0" }],
      ['preset=map&mapWorkers=abc', { ...story, title: 'Where each rule holds', error: `The embed's settings are not valid: map.workers: must be a whole number from 1 to 64, got "abc"` }],
      ['preset=serve&ratePerSec=-5', { ...story, title: 'A server under load', error: "The embed's settings are not valid: ratePerSec: must be a number from 1 to 20000, got -5" }],
      // A name that is no lane is the checker's to refuse, with the lanes it knows; so is no lane at all.
      ['preset=cpu&lanes=sequential,bogus', { ...story, title: 'CPU-bound', error: `The embed's settings are not valid: lanes: must be one of ${LANES.join(', ')}, got "bogus"` }],
      ['preset=cpu&lanes=bogus', { ...story, title: 'CPU-bound', error: `The embed's settings are not valid: lanes: must be one of ${LANES.join(', ')}, got "bogus"` }],
      // A lane named twice, whether it races here or not (tests-firefox/blog.test.mjs: where gil cannot).
      ['preset=cpu&lanes=sequential,gil,gil', { ...story, title: 'CPU-bound', error: "The embed's settings are not valid: lanes: lists gil twice" }],
      ['preset=cpu&lanes=', { ...story, title: 'CPU-bound', error: "The embed's settings are not valid: lanes: must name at least one lane" }],
    ];
    for (const [query, expected] of cases) {
      const { frame, problems, context } = await openPost('/bad', `<iframe src="${site.url}embed.html?${query}" title="playground"></iframe>`);
      await frame.locator('#error').waitFor({ state: 'visible' });
      assert.deepEqual(await shown(frame), expected, query);
      assert.deepEqual(problems(), [], query);
      await context.close();
    }
    // The element's preset goes the same way: a wrong one lists every story, serve included.
    const { frame, problems, context } = await openPost('/bad-element', `<concurrency-playground preset="CPU"></concurrency-playground><script src="${site.url}embed.js" defer></script>`);
    await frame.locator('#error').waitFor({ state: 'visible' });
    assert.deepEqual(await shown(frame), { ...story, error: `preset: must be one of ${STORIES.join(', ')}, got "CPU"` });
    assert.deepEqual(problems(), []);
    await context.close();
  });
});

describe('the embed from a host that sends no isolation headers (threads and gil off)', () => {
  const OFF = /This frame is not cross-origin isolated, so workers cannot share WebAssembly memory\. The playground's host does not send Document-Isolation-Policy/;

  test('lanes asked for that are off here are named once in the note and the others race; asking for only those is refused with the reason', async () => {
    const { frame, problems, context } = await openPost('/plain-lanes', `<iframe src="${plain.url}embed.html?preset=cpu&size=200000&lanes=sequential,gil,async" title="playground"></iframe>`);
    assert.equal(await frame.evaluate(() => window.playground.capabilities().isolation), 'host-sends-no-dip');
    const lanes = await shown(frame);
    assert.match(lanes.note, /^Racing here: sequential and async\. Not here: gil\. This frame is not cross-origin isolated.* The full playground races them where it is isolated\.$/);
    assert.equal(lanes.note.split('This frame is not').length, 2, 'the reason is given once');
    assert.deepEqual([lanes.error, lanes.run], [null, true]);
    await frame.click('#run');
    await frame.waitForFunction(() => document.getElementById('status')?.textContent === 'Done.', null, { timeout: 60_000 });
    assert.deepEqual(await frame.$$eval('.lane-card', (els) => els.map((e) => e.dataset.lane)), ['sequential', 'async']);
    assert.deepEqual(problems(), []);
    await context.close();

    const none = await openPost('/plain-none', `<iframe src="${plain.url}embed.html?preset=cpu&lanes=threads,gil" title="playground"></iframe>`);
    await none.frame.locator('#error').waitFor({ state: 'visible' });
    const refused = await shown(none.frame);
    assert.match(refused.error, /^The embed's settings are not valid: lanes: threads is off here: /);
    assert.match(refused.error, OFF);
    assert.deepEqual([refused.note, refused.run], [null, false]);
    assert.deepEqual(none.problems(), []);
    await none.context.close();
  });

  test('the map says which lanes race, and its sentence leaves out the rule whose lanes could not race, in the embed and on the full page', async () => {
    const { frame, problems, context } = await openPost('/plain-map', `<iframe src="${plain.url}embed.html?preset=map&mapWorkers=2" title="playground"></iframe>`);
    const map = await shown(frame);
    assert.equal(map.blurb, 'Each cell races processes and async on requests that wait part of their time and compute the rest.');
    assert.match(map.note, /^Racing here: processes and async\. Not here: gil\. /);
    assert.match(map.note, OFF);
    assert.deepEqual([map.error, map.run], [null, true]);
    assert.deepEqual(problems(), []);
    await context.close();

    // The full page's map, top-level on that host: the same sentence. At 0 % CPU, 1 or 2 requests
    // of 10 ms are the "fast, few connections → threads" rule's cells, which no threads lane raced.
    const full = await openPage(browser, `${plain.url}?view=map`);
    assert.equal(await full.page.evaluate(() => window.playground.capabilities().isolation), 'not-isolated');
    const drawn = await full.page.evaluate(() => window.playground.map({ xValues: [1, 2], yValues: [0, 1], requestMs: 10, workers: 2 }));
    assert.deepEqual([...new Set(drawn.cells.flatMap((c) => c.results.map((r) => r.lane)))], ['processes', 'async']);
    assert.match(drawn.sentence, /^CPU-bound → processes \(or threads without a GIL\): held in \d of 2 cells.*\. Where no rule could be checked here \(2 cells\), the winners were: /);
    assert.doesNotMatch(drawn.sentence, /→ threads:/);
    assert.deepEqual(drawn.lanes, ['processes', 'async']);
    // The page says the same: its note, its legend (no gil, no threads rule), no threads rule's outline.
    await full.page.click('#map-run');
    await full.page.waitForFunction(() => !document.querySelector('#map-run').disabled && document.querySelector('#map-sentence').textContent !== '', null, { timeout: 120_000 });
    assert.equal(await full.page.textContent('#map-lanes'), 'processes and async');
    const legend = await full.page.$$eval('#map-legend li', (els) => els.map((e) => e.textContent));
    assert.ok(!legend.some((t) => /gil|→ threads/.test(t)), legend.join(' | '));
    assert.ok(legend.some((t) => /→ processes/.test(t)) && legend.some((t) => /→ async/.test(t)), legend.join(' | '));
    assert.equal(await full.page.locator('.map-cell.rule-fast').count(), 0);
    assert.deepEqual(full.problems(), []);
    await full.context.close();
  });
});

test('<concurrency-playground> moved to another parent still grows its iframe to fit', async () => {
  const { page, problems, context } = await openPost('/moved', `<div id="a"><concurrency-playground preset="crash"></concurrency-playground></div><div id="b"></div>`
    + `<script src="${site.url}embed.js" defer></script>`);
  await page.evaluate(() => document.getElementById('b').append(document.querySelector('concurrency-playground')));
  // Moved, the iframe loads again.
  const iframe = page.locator('concurrency-playground iframe');
  let frame = null;
  for (let i = 0; i < 100 && !frame; i++) {
    const f = await (await iframe.elementHandle()).contentFrame();
    if (f && await f.evaluate(() => window.playground !== undefined && document.readyState === 'complete').catch(() => false)) frame = f;
    else await page.waitForTimeout(100);
  }
  assert.ok(frame, 'the moved element\'s frame loads again');
  await frame.evaluate(() => window.playground.ready);
  const before = await iframe.evaluate((e) => e.getBoundingClientRect().height);
  await frame.click('#run');
  await frame.waitForFunction(() => !document.getElementById('run').disabled && document.getElementById('status').textContent !== '', null, { timeout: 60_000 });
  const content = await frame.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(content > before + 100, `the run's cards and timeline make the content taller: ${before} → ${content}`);
  await page.waitForFunction((h) => document.querySelector('concurrency-playground').shadowRoot.querySelector('iframe').style.height === `${h}px`, content, { timeout: 5000 })
    .catch(() => undefined);
  assert.equal(await iframe.evaluate((e) => e.style.height), `${content}px`);
  assert.deepEqual(problems(), []);
  await context.close();
});

test('keyboard: Enter or Space on Run moves the focus to Stop for the run, and back to Run after it', async () => {
  const { page, frame, problems, context } = await openPost('/keys', `<iframe src="${site.url}embed.html?preset=io-fast" title="playground" style="width:100%;height:900px"></iframe>`);
  const active = () => frame.evaluate(() => document.activeElement?.id ?? null);
  for (const key of ['Enter', 'Space']) {
    await frame.focus('#run');
    await page.keyboard.press(key);
    assert.equal(await active(), 'stop', key);
    await frame.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: 60_000 });
    assert.equal(await active(), 'run', key);
    assert.equal(await frame.locator('#status').textContent(), 'Done.');
  }
  assert.deepEqual(problems(), []);
  await context.close();
});
