import { launch, openPage, runSpec, startServer } from '../harness.mjs';
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, server.url, { intercept: false });
await page.evaluate(() => window.playground.ready);
for (const [size, tasks] of [[1000000, 4], [4000000, 1], [100000, 40]]) for (const lanes of [['sequential'], ['async'], ['sequential'], ['async']]) {
  const w = [];
  for (let i = 0; i < 3; i++) { const r = await runSpec(page, { workload: 'counter', size, tasks, workers: 2, lanes }); w.push(r.results[0].wallMs.toFixed(0) + '/' + r.results[0].events.filter((e) => e.phase === 'compute').reduce((a, e) => a + e.endMs - e.startMs, 0).toFixed(0)); }
  console.log(size, tasks, lanes[0], w.join(' '));
}
const r = await runSpec(page, { workload: 'counter', size: 1000000, tasks: 4, workers: 2, lanes: ['sequential', 'async'] });
console.log(JSON.stringify(r.results.map((x) => ({ lane: x.lane, wall: x.wallMs, ev: x.events.slice(0, 6).map((e) => [e.phase, e.task, e.startMs.toFixed(1), e.endMs.toFixed(1)]) }))));
await browser.close(); process.exit(0);
