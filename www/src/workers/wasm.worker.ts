// The plain-build worker (pkg/): one wasm instance with its own memory.
import init, * as wasm from '@pkg/concurrency_playground.js';
import type { LaneOutput, WasmWorkerApi } from '../protocol';
import type { FullSpec } from '../types';
import { hostWorker, Loaded } from './host';

const loaded = new Loaded<typeof wasm>();

const api: WasmWorkerApi = {
  async init(module: WebAssembly.Module) {
    await init({ module_or_path: module });
    loaded.set(wasm);
  },
  runSequential(spec: FullSpec): Promise<LaneOutput> {
    return loaded.get().runSequential(spec);
  },
};

hostWorker(api);
