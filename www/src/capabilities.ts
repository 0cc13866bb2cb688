// What this browser and this page can run, detected directly (never from the user agent).
import { threads as wasmThreads } from 'wasm-feature-detect';
import type { Capabilities, Lane } from './types';


/** What can run here, of `all` the lanes the crate defines. */
export async function detect(all: Lane[]): Promise<Capabilities> {
  const isolated = self.crossOriginIsolated === true;
  // wasm-feature-detect's check posts a SharedArrayBuffer and validates an atomics module:
  // "shared memory you can post", which is what the rayon pool needs.
  const sharedMemory = isolated && (await wasmThreads());
  const reasons: Record<string, string> = {};
  if (!sharedMemory) {
    const why = isolated
      ? 'This browser cannot share WebAssembly memory between workers (no wasm threads support).'
      : 'This page is not cross-origin isolated, so workers cannot share WebAssembly memory. '
        + 'Serve it with the headers Cross-Origin-Opener-Policy: same-origin and '
        + 'Cross-Origin-Embedder-Policy: require-corp (npm start does).';
    reasons.threads = why;
    reasons.gil = why;
  }
  const lanes = all.filter((l) => !(l in reasons));
  return {
    crossOriginIsolated: isolated,
    sharedMemory,
    threads: lanes.includes('threads'),
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
    lanes,
    reasons,
  };
}
