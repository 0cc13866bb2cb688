// The page's channel for one worker: panics and progress. A panic aborts the instance right after
// the hook runs, and in the threads build it happens on a rayon worker whose parent (the lab) is
// blocked, so a message to the parent would never be read: a BroadcastChannel reaches the page
// directly, from any thread. Each thread has its own copy of this module.
import { nowMs } from './clock.js';

let channel = null;
/** Whether this thread quiets its traps: from its first panic on, its instance is dead. */
let quieting = false;

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
  if (told && !quieting && typeof WorkerGlobalScope !== 'undefined') {
    // The abort that follows surfaces as an uncaught "unreachable" RuntimeError (an error event, or
    // an unhandled rejection where the wasm was called from a promise), and so does every later
    // call into the aborted instance (a timer's or a future's callback) until the page has ended
    // this worker. The page has the panic already, with its real message: keep those traps from
    // being reported again. Firefox logs an unhandled rejection even when it is prevented
    // (https://bugzilla.mozilla.org/show_bug.cgi?id=1642147), so the workers' own entry points
    // keep traps out of promises (scripts/build.mjs RAYON_PATCHES for rayon's threads).
    quieting = true;
    const quiet = (e) => {
      if ((e.error ?? e.reason) instanceof WebAssembly.RuntimeError) e.preventDefault();
    };
    self.addEventListener('error', quiet);
    self.addEventListener('unhandledrejection', quiet);
  }
  return told;
}

// Tasks done so far; the wasm calls it at most once per thread every 50 ms
// (crate/src/lanes/mod.rs), so thousands of tiny tasks do not flood the page.
export function reportProgress(name, done) {
  post(name, { type: 'progress', done });
}
