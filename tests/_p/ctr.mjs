import { launch, openPage, runSpec, startServer } from '../harness.mjs';
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, server.url, { intercept: false });
await page.evaluate(() => window.playground.ready);
for (const spec of [
  { workload: 'counter', size: 1000000, tasks: 4, workers: 2, lanes: ['sequential', 'gil', 'async', 'threads'] },
  { workload: 'counter', size: 1000000, tasks: 4, workers: 2, lanes: ['async', 'gil', 'sequential', 'threads'] },
  { workload: 'counter', size: 1000000, tasks: 4, workers: 2, sync: 'lock', lanes: ['sequential', 'gil', 'async', 'threads'] },
]) for (let i = 0; i < 3; i++) {
  const r = await runSpec(page, spec);
  console.log(spec.sync ?? 'none', r.results.map((x) => `${x.lane} ${x.wallMs.toFixed(0)}`).join('  '));
}
await browser.close(); process.exit(0);
