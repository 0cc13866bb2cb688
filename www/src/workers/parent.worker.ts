// The processes lane's parent: the worker that runs the lane (lanes/processes.ts), as Python's
// parent process runs its Pool. It starts the processes (workers of this worker), sends them their
// chunks and gathers their answers; the page gets the result, the progress and Mandelbrot's bands.
// On the page thread, every frame the page drew held up the processes' next chunks (5-9 ms with
// both processes idle, in a Chromium trace of Mandelbrot 800 on 2 processes): a cost the threads
// lane, whose pool is driven from a worker, never paid.
import * as Comlink from 'comlink';
import type { ParentApi } from '../protocol';
import { paintsLive } from '../lanes/common';
import { ProcessesRunner } from '../lanes/processes';
import { adoptPlain } from '../wasm';
import { exposeMemory, hostWorker } from './host';

const runner = new ProcessesRunner();
/** The runs going on (a cancelled one may still be ending as the next begins), by id. */
const runs = new Map<number, AbortController>();

/** Ends a callback the page proxied for one run (Comlink keeps a port open for each). */
const release = (callback: unknown) => (callback as Comlink.Remote<() => void>)[Comlink.releaseProxy]();

const api: ParentApi = {
  async init(module) {
    exposeMemory(await adoptPlain(module));
  },
  async run(id, spec, progress, pixels) {
    const controller = new AbortController();
    runs.set(id, controller);
    const send = (firstRow: number, band: Uint8Array) => pixels(firstRow, Comlink.transfer(band, [band.buffer]));
    // Where the page would not paint them live, the bands wait here until the run is timed: each
    // one handed over woke the page and this worker on the processes' cores (`paintsLive`).
    const held: [number, Uint8Array][] = [];
    const live = paintsLive(spec.workers);
    try {
      const out = await runner.run(spec, {
        signal: controller.signal,
        progress,
        pixels: live ? send : (firstRow, band) => {
          held.push([firstRow, band]);
        },
      });
      // Delivered before the result, which travels apart: the page paints the image as the lane ends.
      if (!controller.signal.aborted) await Promise.all(held.map(([firstRow, band]) => send(firstRow, band)));
      return out;
    } finally {
      runs.delete(id);
      release(progress);
      release(pixels);
    }
  },
  cancel(id) {
    runs.get(id)?.abort();
  },
};

hostWorker(api);
