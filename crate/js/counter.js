// The counter processes share when a run asks for a lock or an atomic add across processes: a
// SharedArrayBuffer segment, as multiprocessing.Value is a segment of shared memory with a lock.
// Posting a SharedArrayBuffer needs a cross-origin isolated page. Layout: the count as an
// unsigned 64-bit integer at byte 0, the lock as a 32-bit word at byte 8.
let count = null;
let lock = null;

export function setSegment(buffer) {
  count = buffer ? new BigUint64Array(buffer, 0, 1) : null;
  lock = buffer ? new Int32Array(buffer, 8, 1) : null;
}

export function segmentLoad() {
  return Atomics.load(count, 0);
}

export function segmentStore(value) {
  Atomics.store(count, 0, value);
}

export function segmentAdd(value) {
  Atomics.add(count, 0, value);
}

export function segmentTryLock() {
  return Atomics.compareExchange(lock, 0, 0, 1) === 0;
}

export function segmentUnlock() {
  Atomics.store(lock, 0, 0);
}
