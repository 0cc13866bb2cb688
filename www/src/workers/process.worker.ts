// One process of the processes lane: a plain-build instance with its own memory, spoken to in
// its own small protocol (protocol.ts ToProcess/FromProcess), one request at a time and in
// order, as a process blocked in a socket read runs one call at a time. The page sends the next
// chunk before this one ends, so no round trip is wasted. A request the crate answers at once
// (a chunk of CPU work) is answered within its message event; one that awaits (the start-up, a
// chunk of `io` that waits on timers) holds the requests behind it in `behind` until it answers,
// or the next chunk would start inside its wait. Where the page is isolated, the run's chunks
// come through a pipe instead (`pipe`): one request that reads chunks until the pipe closes.
import init, * as wasm from '@pkg/concurrency_playground.js';
import type { ChunkOutput, FromProcess, ProcessError, ToProcess } from '../protocol';
import { ANSWER_WORDS, CHUNK_WORDS, REPORT_MS, Ring } from '../lanes/pipe';
import { exposeMemory, Loaded } from './host';

type Answer = [FromProcess, Transferable[]];

const loaded = new Loaded<typeof wasm>();
/** The answer still awaited, if any: requests that arrive meanwhile wait for it. */
let behind: Promise<void> | null = null;
/**
 * Answers of chunks computed and not sent yet, at most the run's `batch` less one: sent together
 * (one wake-up of the parent), before any other reply, or after `REPORT_MS` if nothing else comes.
 */
let held: Answer[] = [];
let batch = 1;
let flushLater = 0;
/**
 * The instance trapped: it answers nothing more, as a dead process would not, until the page
 * ends it (on the panic's report, or after a grace). Run on, the chunks already sent would fail
 * as "a chunk is still running" and be mistaken for the failure.
 */
let trapped = false;

function chunkDone(out: ChunkOutput): Answer {
  return [{ type: 'chunk-done', ...out }, out.pixels ? [out.pixels.buffer] : []];
}

/** Sends the answers held, in the order they were computed. */
function flush(): void {
  clearTimeout(flushLater);
  flushLater = 0;
  const answers = held;
  held = [];
  for (const [reply, transfer] of answers) self.postMessage(reply, { transfer });
}

/** A chunk's answer: held until `batch` are, or sent at once; nothing to send now (null) when held. */
function hold(answer: Answer): null {
  held.push(answer);
  if (held.length >= batch) flush();
  else flushLater ||= setTimeout(flush, REPORT_MS);
  return null;
}

function handle(message: ToProcess): Answer | Promise<Answer> | null {
  switch (message.type) {
    case 'init':
      return init({ module_or_path: message.module }).then(({ memory }): Answer => {
        exposeMemory(memory);
        wasm.initInstance(message.channel, false);
        loaded.set(wasm);
        return [{ type: 'ready' }, []];
      });
    case 'make-share': {
      const bytes = loaded.get().shareBuffer(message.mb, message.seed);
      return [{ type: 'share', bytes }, [bytes.buffer]];
    }
    case 'receive-share':
      loaded.get().receiveShare(message.mb, message.seed, message.bytes);
      return [{ type: 'received' }, []];
    case 'begin':
      loaded.get().beginRun(message.spec, message.warmUp, message.segment);
      batch = message.batch;
      return [{ type: 'begun' }, []];
    case 'chunk': {
      const out = loaded.get().runChunk(message.from, message.to);
      return out instanceof Promise ? out.then(chunkDone) : hold(chunkDone(out));
    }
    case 'pipe':
      return pipe(message);
    case 'end': {
      const trace = loaded.get().endRun();
      return [{ type: 'trace', ...trace }, [trace.events.buffer, trace.totals.buffer]];
    }
  }
}

/**
 * Runs the chunks that come through the pipe, in order, each answer put in the pipe back as soon
 * as it is computed, until a record closes it. Waiting for the next chunk yields to the event
 * loop, so the requests sent meanwhile (the run's end) wait their turn in `behind`. A chunk that
 * fails ends the pipe with its failure; the chunks behind it were never begun.
 */
async function pipe(message: Extract<ToProcess, { type: 'pipe' }>): Promise<Answer> {
  const chunks = new Ring(message.chunks, CHUNK_WORDS);
  const answers = new Ring(message.answers, ANSWER_WORDS, new Int32Array(message.bell));
  const run = loaded.get();
  let rungAt = performance.now();
  for (;;) {
    const at = chunks.next();
    if (at < 0) {
      await chunks.arrival();
      continue;
    }
    const from = chunks.words[at];
    const to = chunks.words[at + 1];
    chunks.done();
    if (from < 0) return [{ type: 'piped' }, []];
    const ran = run.runChunk(from, to);
    const out = ran instanceof Promise ? await ran : ran;
    const slot = answers.free();
    const { words } = answers;
    words[slot] = from;
    words[slot + 1] = to;
    words[slot + 2] = out.start;
    words[slot + 3] = out.end;
    answers.wide[slot + 4] = out.sum;
    // The parent is woken when this process has half its chunks or fewer left to run, or its
    // last ring is a progress report old; it then takes every answer waiting, from every pipe,
    // and refills them at once. Woken for every answer, it took its third thread's share of two
    // busy cores each time: in probes of 10-12 runs alternating two builds, primes 5M on 2
    // processes took 309 against 313 ms in 64 tasks and 313 against 322 in 1024, and 4096
    // trivial tasks one a message 7.4 against 8.5 µs each (the parent's own CPU time in a trace
    // of primes in 64 tasks: 20 against 30 ms a run).
    const now = performance.now();
    const wake = chunks.waiting() <= message.depth / 2 || now - rungAt >= REPORT_MS;
    if (wake) rungAt = now;
    answers.send(wake);
  }
}

/** A failure as the page reads it: the crate's error with its kind, field and task. */
function failure(e: unknown): ProcessError {
  const error = e instanceof Error ? e : new Error(String(e));
  const { kind, field, task } = error as Error & Partial<ProcessError>;
  return { message: error.message, kind: kind ?? 'invalid', ...(field === undefined ? {} : { field }), ...(task === undefined ? {} : { task }) };
}

function send([reply, transfer]: Answer): void {
  flush();
  self.postMessage(reply, { transfer });
}

function fail(error: unknown): void {
  flush();
  // A trap is a panic that aborted the instance: its report is on the panic channel already.
  if (error instanceof WebAssembly.RuntimeError) {
    trapped = true;
    self.postMessage({ type: 'trapped', message: error.message } satisfies FromProcess);
  } else self.postMessage({ type: 'failed', error: failure(error) } satisfies FromProcess);
}

/** Answers `message`: at once, or by the promise returned. */
function answer(message: ToProcess): Promise<void> | undefined {
  if (trapped) return undefined;
  try {
    const out = handle(message);
    if (out instanceof Promise) return out.then(send).catch(fail);
    if (out) send(out);
  } catch (error) {
    fail(error);
  }
  return undefined;
}

self.onmessage = (e: MessageEvent<ToProcess>) => {
  const run = () => answer(e.data);
  const pending = behind ? behind.then(run) : run();
  if (!pending) return;
  const mine: Promise<void> = pending.then(() => {
    if (behind === mine) behind = null;
  });
  behind = mine;
};
