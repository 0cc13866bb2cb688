// Timer futures for the plain build, which has no blocking wait.
//
// A lane's next wait is set from the end of the previous one, so plain `setTimeout` chains nest,
// and HTML clamps a timeout nested more than 5 deep to at least 4 ms
// (https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timer-initialisation-steps):
// a 1 ms request then held its lane for 4. A timeout set from a message event is not nested, so
// every timeout here is set from a MessageChannel message. Timers also fire up to a millisecond
// late; the last stretch before a deadline is waited with message hops instead, which land within
// microseconds. One queue serves every wait in the worker, so thousands of async requests cost one
// timer, not thousands.

/** Closer than this to the earliest deadline, hop by message rather than set a timer. */
const HOP_WITHIN_MS = 1.5;

/** Waits by deadline: a binary min-heap of [at, resolve]. */
const heap = [];
const hops = new MessageChannel();
let hopPending = false;
let timer = null;
let timerAt = Infinity;

function push(entry) {
  heap.push(entry);
  for (let i = heap.length - 1; i > 0; ) {
    const parent = (i - 1) >> 1;
    if (heap[parent][0] <= heap[i][0]) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function pop() {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0) {
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
      if (r < heap.length && heap[r][0] < heap[m][0]) m = r;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  }
  return top;
}

function hop() {
  if (hopPending) return;
  hopPending = true;
  hops.port2.postMessage(null);
}

// Runs in a message event: resolves what is due, then waits for the next deadline.
hops.port1.onmessage = () => {
  hopPending = false;
  const now = performance.now();
  while (heap.length > 0 && heap[0][0] <= now) pop()[1]();
  if (heap.length === 0) return;
  const next = heap[0][0];
  if (next - now <= HOP_WITHIN_MS) return hop();
  const at = next - HOP_WITHIN_MS;
  if (timer !== null && timerAt <= at) return;
  if (timer !== null) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(() => {
    timer = null;
    timerAt = Infinity;
    hop();
  }, at - now);
};

export function sleep(ms) {
  return new Promise((resolve) => {
    push([performance.now() + Math.max(0, ms), resolve]);
    hop();
  });
}

// A macrotask without setTimeout's 4 ms clamp for nested timers: a message to ourselves lets
// every timer and message that is due run first, which is what "yield to the event loop" means.
const yields = new MessageChannel();
const waiting = [];
yields.port1.onmessage = () => waiting.shift()?.();
export function yieldNow() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    yields.port2.postMessage(null);
  });
}
