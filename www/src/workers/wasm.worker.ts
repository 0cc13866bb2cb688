// The plain-build worker (pkg/): one wasm instance with its own memory, for the sequential lane,
// the async lane's event loop, and the machine's calibration.
import init, * as wasm from '@pkg/concurrency_playground.js';
import type { WasmWorkerApi } from '../protocol';
import { exposeMemory, hostWorker, Loaded } from './host';
import { monitorLag } from './lag';

const loaded = new Loaded<typeof wasm>();

const api: WasmWorkerApi = {
  async init(module, channel) {
    const { memory } = await init({ module_or_path: module });
    exposeMemory(memory);
    wasm.initInstance(channel, true);
    loaded.set(wasm);
  },
  async calibrate() {
    // Its loop is one wasm call, so V8's optimised code (compiled in the background meanwhile)
    // only runs from the next call on: the first call times the baseline code, up to 1.5×
    // slower. The best of the two calls after it is the machine's speed.
    const wasmApi = loaded.get();
    wasmApi.calibrate();
    const speed = Math.min(wasmApi.calibrate(), wasmApi.calibrate());
    return { speed, memory: wasmApi.calibrateMemory(speed) };
  },
  async prepare(spec) {
    loaded.get().prepare(spec);
  },
  runSequential: (spec) => loaded.get().runSequential(spec),
  serveSequential: (options) => loaded.get().serveSequential(options),
  serveAsync: (options) => loaded.get().serveAsync(options),
  async runAsync(spec) {
    const wasmApi = loaded.get();
    const stop = monitorLag();
    try {
      const out = await wasmApi.runAsync(spec);
      return { ...out, loopLagMs: stop() };
    } finally {
      stop();
    }
  },
};

hostWorker(api);
