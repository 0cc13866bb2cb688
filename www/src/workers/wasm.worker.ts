// The plain-build worker (pkg/): one wasm instance with its own memory.
import * as Comlink from 'comlink';
import init, * as wasm from '@pkg/concurrency_playground.js';
import type { WasmWorkerApi } from '../protocol';
import { hostWorker, Loaded } from './host';

const loaded = new Loaded<typeof wasm>();

const api: WasmWorkerApi = {
  async init(module, panicChannel) {
    await init({ module_or_path: module });
    wasm.initInstance(panicChannel);
    loaded.set(wasm);
  },
  async prepare(spec) {
    loaded.get().prepare(spec);
  },
  runSequential: (spec) => loaded.get().runSequential(spec),
  runTask: (spec, index) => loaded.get().runTask(spec, index),
  async shareBuffer(mb, seed) {
    const bytes = loaded.get().shareBuffer(mb, seed);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  async receiveShare(mb, seed, data) {
    loaded.get().receiveShare(mb, seed, data);
  },
  async hasShare(mb, seed) {
    return loaded.get().hasShare(mb, seed);
  },
};

hostWorker(api);
