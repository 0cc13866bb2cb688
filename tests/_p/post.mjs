import { launch, openPage, startServer } from '../harness.mjs';
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, server.url, { intercept: false });
await page.evaluate(() => window.playground.ready);
const out = await page.evaluate(async () => {
  const url = (code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const sink = url('let n = 0; onmessage = (e) => { if (++n % 4096 === 0) postMessage(n); };');
  const parent = url(`onmessage = async ({ data: { sink } }) => {
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const w = new Worker(sink, { type: 'module' });
    await new Promise((r) => setTimeout(r, 100));
    const shapes = {
      obj: (i) => ({ type: 'chunk', from: i, to: i + 1 }),
      objbig: (i) => ({ type: 'chunk-done', sum: 5n, start: i + 0.5, end: i + 1.5 }),
      num: (i) => i,
      arr: (i) => [i, i + 1],
      str: (i) => 'c' + i,
      f64: (i) => new Float64Array([i, i + 1]),
      arrbig: (i) => [5n, i + 0.5, i + 1.5],
      arr3: (i) => [5, i + 0.5, i + 1.5],
    };
    const res = {};
    for (let r = 0; r < 9; r++) for (const [k, make] of Object.entries(shapes)) {
      const got = new Promise((r) => { w.onmessage = r; });
      const t = performance.now();
      for (let i = 0; i < 4096; i++) w.postMessage(make(i));
      const dt = performance.now() - t;
      await got;
      const all = performance.now() - t;
      (res[k] ??= []).push([dt / 4096 * 1000, all / 4096 * 1000]);
    }
    const o = {};
    for (const [k, v] of Object.entries(res)) o[k] = 'post ' + median(v.map((x) => x[0])).toFixed(2) + ' drained ' + median(v.map((x) => x[1])).toFixed(2);
    postMessage(o);
  };`);
  const w = new Worker(parent, { type: 'module' });
  return new Promise((r) => { w.onmessage = (e) => r(e.data); w.postMessage({ sink }); });
});
console.log(out);
await browser.close(); process.exit(0);
