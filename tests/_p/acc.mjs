import { launch, openPage, runSpec, startServer } from '../harness.mjs';
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, server.url, { intercept: false });
page.on('console', (m) => { if (m.text().match(/^P?ACC/)) console.log(m.text()); });
await page.evaluate(() => window.playground.ready);
const spec = { workload: 'hash', size: 1, tasks: 4096, workers: 2, pool: 'warm', lanes: ['processes'], chunk: 1 };
for (let i = 0; i < 6; i++) console.log('wall/task', ((await runSpec(page, spec)).results[0].wallMs / 4.096).toFixed(1));
await browser.close(); process.exit(0);
