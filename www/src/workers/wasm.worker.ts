// The plain-build worker (pkg/): one wasm instance with its own memory.
import * as Comlink from 'comlink';
import init, * as wasm from '@pkg/concurrency_playground.js';
import type { TaskOutput, WasmWorkerApi } from '../protocol';
import { exposeMemory, hostWorker, Loaded } from './host';
import { monitorLag } from './lag';

const loaded = new Loaded<typeof wasm>();

/**
 * A process runs one task at a time, as a process blocked in a socket read does. The page sends
 * the next task before this one ends (so no round trip is wasted); it waits here, because a task
 * that awaits a JS timer would otherwise let the next one start.
 */
let running: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const result = running.then(work);
  running = result.catch(() => undefined);
  return result;
}

const api: WasmWorkerApi = {
  async init(module, channel) {
    const { memory } = await init({ module_or_path: module });
    exposeMemory(memory);
    wasm.initInstance(channel);
    loaded.set(wasm);
  },
  async calibrate() {
    // Its loop is one wasm call, so V8's optimised code (compiled in the background meanwhile)
    // only runs from the next call on: the first call times the baseline code, up to 1.5×
    // slower. The best of the two calls after it is the machine's speed.
    const wasmApi = loaded.get();
    wasmApi.calibrate();
    return Math.min(wasmApi.calibrate(), wasmApi.calibrate());
  },
  async prepare(spec) {
    loaded.get().prepare(spec);
  },
  runSequential: (spec) => loaded.get().runSequential(spec),
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
  runTask: (spec, index) => oneAtATime(async () => {
    const out: TaskOutput = await loaded.get().runTask(spec, index);
    return out.pixels ? Comlink.transfer(out, [out.pixels.buffer]) : out;
  }),
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
