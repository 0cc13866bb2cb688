// The lab worker: hosts the threads build (pkg-threads/) and its rayon pool, so rayon's blocking
// joins and Atomics.wait never run on the page thread. wasm-bindgen-rayon can build its pool once
// per instance, so a new thread count means a new lab worker (the page does that).
import init, * as wasm from '@pkg-threads/concurrency_playground.js';
import type { LabApi } from '../protocol';
import { exposeMemory, hostWorker, Loaded } from './host';

const loaded = new Loaded<typeof wasm>();

const api: LabApi = {
  async init(channel) {
    const { memory } = await init();
    exposeMemory(memory);
    wasm.initInstance(channel, true);
    return { memory, cancelAddress: wasm.cancelFlagAddress(), panicAddress: wasm.panicFlagAddress() };
  },
  async startPool(threads, startThreads) {
    // wasm-bindgen-rayon's worker helper calls this rather than starting nested workers itself
    // (patched by scripts/build.mjs: RAYON_PATCHES says why).
    Object.assign(self, { startPoolWorkers: startThreads });
    await wasm.initThreadPool(threads);
    loaded.set(wasm);
  },
  async prepare(spec) {
    loaded.get().prepare(spec);
  },
  runThreads: async (spec) => loaded.get().runThreads(spec),
  runGil: async (spec) => loaded.get().runGil(spec),
  serveThreads: async (options, gil) => loaded.get().serveThreads(options, gil),
};

hostWorker(api);
