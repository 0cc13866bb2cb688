import { launch, openPage, startServer } from '../harness.mjs';
const server = await startServer();
const browser = await launch();
const { page } = await openPage(browser, server.url, { intercept: false });
await page.evaluate(() => window.playground.ready);
async function echo(burst) {
  return page.evaluate(async (burst) => {
    const url = (code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const echoUrl = url("onmessage = (e) => postMessage({ type: 'chunk-done', sum: 0n, start: e.data.from, end: e.data.to });");
    const parent = url(`onmessage = async ({ data: { echo, burst } }) => {
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const workers = [new Worker(echo, { type: 'module' }), new Worker(echo, { type: 'module' })];
      await new Promise((r) => setTimeout(r, 100));
      const N = 4096; const per = []; let P = 0; const posts = [];
      for (let round = 0; round < 7; round++) {
        const t = performance.now(); let sent = 0; let got = 0;
        await new Promise((done) => {
          const owed = [0, 0];
          const next = (w) => { const t0 = performance.now(); w.postMessage({ type: 'chunk', from: sent, to: ++sent }); P += performance.now() - t0; };
          workers.forEach((w, i) => w.onmessage = () => {
            if (++got === N) return done();
            if (++owed[i] >= burst) { for (; owed[i] > 0 && sent < N; owed[i]--) next(w); owed[i] = 0; }
          });
          for (let k = 0; k < 32; k++) for (const w of workers) next(w);
        });
        per.push(((performance.now() - t) / N) * 1000); posts.push(P / N * 1000); P = 0;
      }
      for (const w of workers) w.terminate();
      postMessage(median(per).toFixed(1) + '/' + median(posts).toFixed(1));
    };`);
    const w = new Worker(parent, { type: 'module' });
    const out = await new Promise((r) => { w.onmessage = (e) => r(e.data); w.postMessage({ echo: echoUrl, burst }); });
    w.terminate();
    return out;
  }, burst);
}
const rows = {};
for (let r = 0; r < 4; r++) for (const b of [1, 4, 8, 16]) (rows[b] ??= []).push(await echo(b));
for (const [k, v] of Object.entries(rows)) console.log('burst', k, v.join(' '));
await browser.close(); process.exit(0);
