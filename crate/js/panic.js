// Carries a Rust panic's message to the page. A panic aborts the instance right after the hook
// runs, and in the threads build it happens on a rayon worker whose parent (the lab) is blocked,
// so a message to the parent would never be read: a BroadcastChannel reaches the page directly.
export function reportPanic(channel, message) {
  let sent = false;
  try {
    const c = new BroadcastChannel(channel);
    c.postMessage({ type: 'panic', message });
    c.close();
    sent = true;
  } catch {
    // No BroadcastChannel: the page still sees the worker die, without the message.
  }
  if (sent && typeof WorkerGlobalScope !== 'undefined') {
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
}
