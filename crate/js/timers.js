// Timer futures for the plain build, which has no blocking wait.
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A macrotask without setTimeout's 4 ms clamp for nested timers: a message to ourselves lets
// every timer and message that is due run first, which is what "yield to the event loop" means.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
export function yieldNow() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
