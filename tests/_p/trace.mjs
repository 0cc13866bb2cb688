import { readFileSync } from 'node:fs';
import { launch, openPage, runSpec, startServer } from '../harness.mjs';
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, server.url, { intercept: false });
await page.evaluate(() => window.playground.ready);
const spec = { workload: 'hash', size: 1, tasks: 4096, workers: 2, pool: 'warm', lanes: ['processes'], chunk: 1 };
await runSpec(page, spec);
await runSpec(page, spec);
await browser.startTracing(page, { path: '/tmp/tr.json', categories: ['toplevel', 'disabled-by-default-devtools.timeline', 'devtools.timeline', 'v8.execute', '__metadata'] });
const r = await runSpec(page, spec);
await browser.stopTracing();
console.log('wall', r.results[0].wallMs);
const ev = JSON.parse(readFileSync('/tmp/tr.json', 'utf8')).traceEvents ?? JSON.parse(readFileSync('/tmp/tr.json', 'utf8'));
const names = {};
for (const e of ev) if (e.ph === 'M' && e.name === 'thread_name') names[`${e.pid}:${e.tid}`] = e.args.name;
const busy = {}; const counts = {};
const byName = {};
for (const e of ev) {
  if (e.ph !== 'X' || !e.dur) continue;
  const k = `${e.pid}:${e.tid}`;
  if (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') { busy[k] = (busy[k] ?? 0) + e.dur; counts[k] = (counts[k] ?? 0) + 1; }
  const n = `${names[k]}|${e.name}`; byName[n] = (byName[n] ?? 0) + e.dur;
}
for (const k of Object.keys(busy)) console.log(names[k], k, (busy[k] / 1000).toFixed(1), 'ms', counts[k]);
const top = Object.entries(byName).filter(([n]) => /Worker/.test(n)).sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [n, d] of top) console.log((d / 1000).toFixed(1), n);
await browser.close(); process.exit(0);
