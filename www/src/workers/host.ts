// The one bootstrap every worker kind uses: expose the API over Comlink at once, so calls that
// arrive before the wasm is loaded wait in Comlink's queue rather than being lost, and turn wasm
// errors (JsError, traps) into plain Errors whose message survives postMessage.
import * as Comlink from 'comlink';
import { keepErrorKinds } from '../errors';

export function hostWorker<Api extends object>(api: Api): void {
  keepErrorKinds();
  Comlink.expose(api);
}

/** Holds a worker's loaded module; `get` explains a call made before the handshake. */
export class Loaded<T> {
  private value: T | null = null;

  set(value: T): void {
    this.value = value;
  }

  get(): T {
    if (this.value === null) throw new Error('worker used before init() completed');
    return this.value;
  }
}

/**
 * Lets a test read this worker's wasm memory size from the worker's global scope (the soak test
 * asserts that it stays bounded). Reading a size is all it offers.
 */
export function exposeMemory(memory: WebAssembly.Memory): void {
  Object.assign(self, { wasmMemoryBytes: () => memory.buffer.byteLength });
}
