// The lab worker: hosts the threads build (pkg-threads/) and its rayon pool, so rayon's blocking
// joins and Atomics.wait never run on the page thread. wasm-bindgen-rayon can build its pool once
// per instance, so a new thread count means a new lab worker (the page does that).
import init, * as wasm from '@pkg-threads/concurrency_playground.js';
import type { LabApi, LabInfo, LaneOutput } from '../protocol';
import type { FullSpec } from '../types';
import { hostWorker, Loaded } from './host';

const loaded = new Loaded<typeof wasm>();

const api: LabApi = {
  async init(threads: number): Promise<LabInfo> {
    const { memory } = await init();
    await wasm.initThreadPool(threads);
    loaded.set(wasm);
    return { memory, cancelAddress: wasm.cancelFlagAddress() };
  },
  async runThreads(spec: FullSpec): Promise<LaneOutput> {
    return loaded.get().runThreads(spec);
  },
};

hostWorker(api);
