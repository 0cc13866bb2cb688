// The page's channel for one worker: panics and progress. A panic aborts the instance right after
// the hook runs, and in the threads build it happens on a rayon worker whose parent (the lab) is
// blocked, so a message to the parent would never be read: a BroadcastChannel reaches the page
// directly, from any thread. Each thread has its own copy of this module.
import { nowMs } from './clock.js';

let channel = null;

function post(name, message) {
  try {
    channel ??= new BroadcastChannel(name);
    channel.postMessage(message);
    return true;
  } catch {
    // No BroadcastChannel: the page still sees the worker die or finish, without the detail.
    return false;
  }
}

// `kind`: the error's kind ('panicked', 'oom'); `task`: the task the panicking thread ran (-1:
// none); `done`: the flight log of finished tasks (crate/src/lanes/flight.rs), a view of wasm
// memory, copied out before the abort. Never throws: an exception here would unwind the wasm
// instead of letting it abort, and a rayon pool would wait forever for the thread. Returns whether
// the page was told.
export function reportPanic(name, message, kind, task, done) {
  let report;
  try {
    report = { type: 'panic', message, kind, task, done: Float64Array.from(done), at: nowMs() };
  } catch {
    report = { type: 'panic', message: String(message), kind: 'panicked', task: -1, done: new Float64Array(0), at: nowMs() };
  }
  const told = post(name, report);
  if (told && typeof WorkerGlobalScope !== 'undefined') {
    // The abort that follows surfaces as an uncaught "unreachable" RuntimeError (an error event, or
    // an unhandled rejection where the wasm was called from a promise, as rayon's workers are).
    // The page has the panic already, with its real message: keep the trap from being reported a
    // second time.
    const quiet = (e) => {
      if ((e.error ?? e.reason) instanceof WebAssembly.RuntimeError) e.preventDefault();
    };
    self.addEventListener('error', quiet, { once: true });
    self.addEventListener('unhandledrejection', quiet, { once: true });
  }
  return told;
}

// Tasks done so far; the wasm calls it at most once per thread every 50 ms
// (crate/src/lanes/mod.rs), so thousands of tiny tasks do not flood the page.
export function reportProgress(name, done) {
  post(name, { type: 'progress', done });
}
