// One process of the processes lane: a plain-build instance with its own memory, spoken to in
// its own small protocol (protocol.ts ToProcess/FromProcess), one request at a time and in
// order, as a process blocked in a socket read runs one call at a time. The page sends the next
// chunk before this one ends, so no round trip is wasted; it waits in `queue` meanwhile (a chunk
// that awaits a JS timer would otherwise let the next one start).
import init, * as wasm from '@pkg/concurrency_playground.js';
import type { FromProcess, ProcessError, ToProcess } from '../protocol';
import { exposeMemory, Loaded } from './host';

const loaded = new Loaded<typeof wasm>();
let queue: Promise<void> = Promise.resolve();

async function handle(message: ToProcess): Promise<[FromProcess, Transferable[]]> {
  switch (message.type) {
    case 'init': {
      const { memory } = await init({ module_or_path: message.module });
      exposeMemory(memory);
      wasm.initInstance(message.channel, false);
      loaded.set(wasm);
      return [{ type: 'ready' }, []];
    }
    case 'make-share': {
      const bytes = loaded.get().shareBuffer(message.mb, message.seed);
      return [{ type: 'share', bytes }, [bytes.buffer]];
    }
    case 'receive-share':
      loaded.get().receiveShare(message.mb, message.seed, message.bytes);
      return [{ type: 'received' }, []];
    case 'begin':
      loaded.get().beginRun(message.spec, message.warmUp, message.segment);
      return [{ type: 'begun' }, []];
    case 'chunk': {
      const out = await loaded.get().runChunk(message.from, message.to);
      return [{ type: 'chunk-done', ...out }, out.pixels ? [out.pixels.buffer] : []];
    }
    case 'end': {
      const trace = loaded.get().endRun();
      return [{ type: 'trace', ...trace }, [trace.events.buffer, trace.totals.buffer]];
    }
  }
}

/** A failure as the page reads it: the crate's error with its kind, field and task. */
function failure(e: unknown): ProcessError {
  const error = e instanceof Error ? e : new Error(String(e));
  const { kind, field, task } = error as Error & Partial<ProcessError>;
  return { message: error.message, kind: kind ?? 'invalid', ...(field === undefined ? {} : { field }), ...(task === undefined ? {} : { task }) };
}

self.onmessage = (e: MessageEvent<ToProcess>) => {
  const message = e.data;
  queue = queue.then(async () => {
    try {
      const [reply, transfer] = await handle(message);
      self.postMessage(reply, { transfer });
    } catch (error) {
      // A trap is a panic that aborted the instance: its report is on the panic channel already.
      if (error instanceof WebAssembly.RuntimeError) self.postMessage({ type: 'trapped', message: error.message } satisfies FromProcess);
      else self.postMessage({ type: 'failed', error: failure(error) } satisfies FromProcess);
    }
  });
};
