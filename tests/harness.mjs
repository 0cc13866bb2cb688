// Shared by the end-to-end tests and the bench: Debian's Chromium through playwright-core, the
// built site on a local server, and a page that records every error it sees.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep headless Chromium quiet on a machine with no internet (see DESIGN.md §3). */
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  if (!existsSync(EXECUTABLE)) {
    throw new Error(`Chromium not found at ${EXECUTABLE}: run \`npm run setup -- --browser\` or set CHROMIUM_PATH`);
  }
  // playwright-core makes a fresh, empty profile for every launch.
  return chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true });
}

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (playwright-core drives only its own
 * patched Firefox, a download). Imported here, not above, so the Chromium tests never load puppeteer.
 * Puppeteer's `waitForFunction` does not await a returned Promise: await it inside `page.evaluate`.
 */
export async function launchFirefox() {
  if (!existsSync(FIREFOX)) {
    throw new Error(`Firefox not found at ${FIREFOX}: run \`npm run setup -- --browser\` or set FIREFOX_PATH`);
  }
  const { default: puppeteer } = await import('puppeteer-core');
  // puppeteer-core makes a fresh, empty profile for every launch. Firefox starts in 3-5 s here,
  // but once in a clean-clone CI run it printed no WebDriver BiDi endpoint in 30 s (the first of
  // the Firefox files, after the Chromium suite); a second launch, on a fresh profile, is tried
  // before the file fails on it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
    } catch (e) {
      if (attempt === 2 || e?.name !== 'TimeoutError') throw e;
      console.error(`Firefox did not start (${e.message}); launching it again`);
    }
  }
}

/** Serves the built site: www/dist, or SITE_DIR (a build made with `--out`, so several can coexist). */
export function startServer(opts = {}) {
  return serve({ port: 0, ...(process.env.SITE_DIR ? { dir: process.env.SITE_DIR } : {}), ...opts });
}

/**
 * A blog of another origin than the playground's (127.0.0.1, where the playground is served on
 * localhost) that sends no special headers: `pages[path]` is each page's HTML, read at each
 * request (add pages while it runs). Resolves to { url, close }.
 */
export function serveBlog(pages) {
  const server = http.createServer((req, res) => {
    const html = pages[new URL(req.url, 'http://blog').pathname];
    res.writeHead(html === undefined ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}/`,
      close: () => new Promise((r) => server.close(r)),
    }));
  });
}

/**
 * Opens `url` in a new page that records page errors, console errors and warnings, and any request to another
 * origin than the page's and `origins` (which it also blocks): `problems()` lists them, and tests assert it is empty.
 * `intercept: false` (the bench) only records such requests: a route sends every request of the page and its
 * workers through this process, which cost a fresh page 57 ms of its start-up here (medians of 10), a cost no
 * visitor pays.
 */
export async function openPage(browser, url, { viewport = { width: 1280, height: 900 }, playground = true, origins = [], intercept = true, ...options } = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const seen = [];
  const allowed = [new URL(url).origin, ...origins];
  page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
  // A clean console: warnings count as problems too.
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.push(`console ${m.type()}: ${m.text()}`);
  });
  const foreign = (target) => !target.startsWith('blob:') && !target.startsWith('data:') && !allowed.includes(new URL(target).origin);
  if (intercept) {
    await context.route('**/*', (route) => {
      const target = route.request().url();
      if (!foreign(target)) return route.continue();
      seen.push(`request to another origin: ${target}`);
      return route.abort();
    });
  } else {
    context.on('request', (request) => {
      if (foreign(request.url())) seen.push(`request to another origin: ${request.url()}`);
    });
  }
  await page.goto(url);
  if (playground) {
    await page.waitForFunction(() => window.playground !== undefined);
    await page.evaluate(() => window.playground.ready);
  }
  return { page, context, problems: () => [...seen] };
}

/** Runs a spec through window.playground and returns the report. */
export function runSpec(page, spec) {
  return page.evaluate((s) => window.playground.run(s), spec);
}

/**
 * One server and one browser for a test file: `site.url`, `site.browser`, ready in any `before`
 * registered after this call, closed after the file.
 */
export function useSite(opts = {}) {
  const site = { server: null, browser: null, get url() { return site.server.url; } };
  before(async () => {
    site.server = await startServer(opts);
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}

/**
 * The page's JS heap after a full GC, in bytes, ArrayBuffers included (a share buffer the page
 * held lives outside the JS heap proper); and our own workers (not rayon's: they wait inside wasm
 * and never run a script to answer).
 */
export async function memoryProbe(page, context) {
  const cdp = await context.newCDPSession(page);
  return {
    heap: async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const usage = await cdp.send('Runtime.getHeapUsage');
      return usage.usedSize + (usage.backingStorageSize ?? 0);
    },
    workers: () => page.workers().filter((w) => /\/(wasm|lab|parent|process)\.worker\.js$/.test(w.url())),
  };
}

/**
 * Runs axe-core (WCAG 2.1 A and AA, and best practices) in the page and returns its violations as
 * "rule: targets" lines. The page's CSP blocks injected scripts, as it should: open the page with
 * `bypassCSP: true` to audit it.
 */
export async function axeViolations(page) {
  await page.addScriptTag({ path: fileURLToPath(import.meta.resolve('axe-core/axe.min.js')) });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}
