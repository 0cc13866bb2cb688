// What this browser and this page can run, detected directly (never from the user agent), and
// why lanes are off, as a kind (`Capabilities.isolation`) with its words.
import { threads as wasmThreads } from 'wasm-feature-detect';
import { pipesWork } from './lanes/pipe';
import type { Capabilities, IsolationGap, Lane } from './types';

/** The header that isolates the embed inside a page that is not isolated (scripts/headers.mjs). */
const DIP = 'Document-Isolation-Policy';

const NO_SHARING = 'workers cannot share WebAssembly memory';

/** Why lanes are off, for each kind: what is missing and who can fix it. */
export const GAP_WORDS: Record<IsolationGap, string> = {
  'no-wasm-threads': 'This browser cannot share WebAssembly memory between workers (no wasm threads support).',
  'not-isolated': `This page is not cross-origin isolated, so ${NO_SHARING}. `
    + 'Serve it with the headers Cross-Origin-Opener-Policy: same-origin and '
    + 'Cross-Origin-Embedder-Policy: require-corp (npm start does).',
  'no-dip-support': `This frame is not cross-origin isolated, so ${NO_SHARING}. The playground's host asks `
    + `for isolation with ${DIP}, which this browser does not implement (Chromium does). Here the page `
    + 'embedding this one must itself be cross-origin isolated (Cross-Origin-Opener-Policy: same-origin, '
    + 'Cross-Origin-Embedder-Policy: require-corp) and allow it (allow="cross-origin-isolated" on the iframe).',
  'host-sends-no-dip': `This frame is not cross-origin isolated, so ${NO_SHARING}. The playground's host does `
    + `not send ${DIP}: isolate-and-require-corp, which isolates the frame by itself in Chromium, and the `
    + 'page embedding this one is not cross-origin isolated.',
  sandboxed: 'The page embedding this one sandboxes its frame without allow-same-origin, so the frame has '
    + 'no origin of its own and may not start workers, which every lane runs in (not even from a blob, in '
    + 'Chromium). sandbox="allow-scripts allow-same-origin" on the iframe lets them start.',
};

/** A frame sandboxed without allow-same-origin has an opaque origin, serialised as "null". */
const sandboxed = (): boolean => self.origin === 'null';

/**
 * Whether the playground's host sent Document-Isolation-Policy with this document: a frame that
 * is not isolated though it did runs in a browser that does not implement the header. Asked of
 * the server (a HEAD request for this page), since a page cannot read its own headers.
 */
async function hostAsksIsolation(): Promise<boolean> {
  try {
    const response = await fetch(location.href, { method: 'HEAD', cache: 'no-store' });
    return response.headers.has(DIP);
  } catch {
    return false;
  }
}

/** Why shared memory is missing here, or null when it is not. */
async function isolationGap(isolated: boolean, sharedMemory: boolean): Promise<IsolationGap | null> {
  // First: in an opaque origin no worker can start, isolated or not.
  if (sandboxed()) return 'sandboxed';
  if (sharedMemory) return null;
  if (isolated) return 'no-wasm-threads';
  if (window.parent === window) return 'not-isolated';
  return (await hostAsksIsolation()) ? 'no-dip-support' : 'host-sends-no-dip';
}

/** What can run here, of `all` the lanes the crate defines. */
export async function detect(all: Lane[]): Promise<Capabilities> {
  const isolated = self.crossOriginIsolated === true;
  // wasm-feature-detect's check posts a SharedArrayBuffer and validates an atomics module:
  // "shared memory you can post", which is what the rayon pool needs.
  const sharedMemory = isolated && (await wasmThreads());
  const isolation = await isolationGap(isolated, sharedMemory);
  // Shared memory is the threads' and the GIL's; a sandbox stops every lane's workers.
  const reasons: Record<string, string> = {};
  if (isolation) for (const l of isolation === 'sandboxed' ? all : ['threads', 'gil']) reasons[l] = GAP_WORDS[isolation];
  const lanes = all.filter((l) => !(l in reasons));
  return {
    crossOriginIsolated: isolated,
    sharedMemory,
    threads: lanes.includes('threads'),
    pipes: pipesWork(),
    isolation,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
    lanes,
    reasons,
  };
}
