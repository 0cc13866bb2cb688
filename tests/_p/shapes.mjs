import { launch, openPage, runSpec, startServer } from '../harness.mjs';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, server.url, { intercept: false });
await page.evaluate(() => window.playground.ready);
async function echo(shape) {
  return page.evaluate(async (shape) => {
    const url = (code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const replies = {
      obj: "onmessage = (e) => postMessage({ type: 'chunk-done', sum: 0n, start: e.data.from, end: e.data.to });",
      objnum: "onmessage = (e) => postMessage({ type: 'chunk-done', sum: 0, start: e.data.from, end: e.data.to });",
      num: 'onmessage = (e) => postMessage(e.data);',
      arr: 'onmessage = (e) => postMessage([e.data[0], 0, 1.5, 2.5]);',
    };
    const sends = { obj: "(i) => ({ type: 'chunk', from: i, to: i + 1 })", objnum: "(i) => ({ type: 'chunk', from: i, to: i + 1 })", num: '(i) => i', arr: '(i) => [i, i + 1]' };
    const echoUrl = url(replies[shape]);
    const parent = url(`onmessage = async ({ data: { echo } }) => {
      const make = ${sends[shape]};
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const workers = [new Worker(echo, { type: 'module' }), new Worker(echo, { type: 'module' })];
      await new Promise((r) => setTimeout(r, 100));
      const N = 4096; const per = [];
      for (let round = 0; round < 5; round++) {
        const t = performance.now(); let sent = 0; let got = 0;
        await new Promise((done) => {
          const next = (w) => w.postMessage(make(sent++));
          for (const w of workers) w.onmessage = () => { if (++got === N) done(); else if (sent < N) next(w); };
          for (let k = 0; k < 32; k++) for (const w of workers) next(w);
        });
        per.push(((performance.now() - t) / N) * 1000);
      }
      for (const w of workers) w.terminate();
      postMessage(median(per));
    };`);
    const w = new Worker(parent, { type: 'module' });
    const out = await new Promise((r) => { w.onmessage = (e) => r(e.data); w.postMessage({ echo: echoUrl }); });
    w.terminate();
    return out;
  }, shape);
}
async function lane() {
  const spec = { workload: 'hash', size: 1, tasks: 4096, workers: 2, pool: 'warm', lanes: ['processes'], chunk: 1 };
  await runSpec(page, spec);
  const w = [];
  for (let i = 0; i < 5; i++) w.push((await runSpec(page, spec)).results[0].wallMs);
  return median(w) / 4096 * 1000;
}
const rows = {};
for (let r = 0; r < 3; r++) {
  for (const s of ['obj', 'objnum', 'num', 'arr']) (rows[s] ??= []).push(await echo(s));
  (rows.lane ??= []).push(await lane());
}
for (const [k, v] of Object.entries(rows)) console.log(k, v.map((x) => x.toFixed(1)).join(' '));
await browser.close(); await server.close?.();
process.exit(0);
