// Page side of every worker: spawn by kind, and make every call fail fast (never hang) when the
// worker dies, panics or is terminated. Two kinds of call: Comlink RPC (the sequential and async
// worker, the lab) and the processes' own message protocol (protocol.ts), whose replies come
// in the order of the requests.
import * as Comlink from 'comlink';
import { nowMs } from './clock';
import { keepErrorKinds, playgroundError, type PlaygroundError } from './errors';
import type { FromProcess, ProcessError, ToProcess } from './protocol';
import type { ErrorKind } from './types';

keepErrorKinds();

export type WorkerScript = 'lab.worker.js' | 'wasm.worker.js' | 'parent.worker.js' | 'process.worker.js';

/** How long a crashed worker's call waits for the panic message that explains the crash. */
const PANIC_GRACE_MS = 50;
/**
 * How long a worker whose wasm panicked is left running once the page has given it up: its
 * report comes from the panic hook, before the abort, so the worker is still to throw its trap and
 * catch it. Ended at the moment the report arrived, Firefox ESR 153 logged that trap, caught or
 * not, as an uncaught "RuntimeError: unreachable executed" on the page, and no listener in the
 * page or any worker saw an error event for it: 17 of 3,200 fault runs on the processes lane in
 * probes; none of 1,800 with the worker left 200 ms.
 */
const PANICKED_WORKER_MS = 200;

let channels = 0;

/** Where a worker kind's script is served: beside this bundle. */
const scriptUrl = (script: WorkerScript) => new URL(`./${script}`, import.meta.url);

/** What a worker's wasm posts on its channel (crate/js/channel.js). */
type WorkerReport =
  | { type: 'panic'; message: string; kind: ErrorKind; task: number; done: Float64Array; at: number }
  | { type: 'progress'; done: number };

/**
 * A panic in a worker's wasm: its message, the task that panicked (if the instance knew), when,
 * and the flight log of the tasks it had finished (crate/src/lanes/flight.rs), which the abort
 * would otherwise have lost.
 */
export class WorkerPanic extends Error {
  constructor(
    readonly panic: string,
    readonly kind: ErrorKind,
    readonly task: number | null,
    readonly at: number,
    readonly done: Float64Array,
  ) {
    super(`panicked: ${panic}`);
  }
}

/** A worker's life: started, told of its panics and progress, ended once. */
class WorkerLife {
  /** Where the worker's wasm reports panics and progress (crate/js/channel.js); pass it to `init`. */
  readonly channel: string;
  /** Called with the count of tasks done so far, a few times a second while a lane runs. */
  onProgress: ((done: number) => void) | null = null;
  protected readonly worker: Worker;
  /** Rejects when the worker dies: every call races it. */
  protected readonly died: Promise<never>;
  private readonly reports: BroadcastChannel;
  /** The worker's script, for its errors. */
  private readonly name: string;
  /** Workers that live and die with this one (`adopt`). */
  private readonly companions: Worker[] = [];
  private kill!: (reason: Error) => void;
  private alive = true;

  /** `url`: where to start the script from, if not its own file (see `processScript`). */
  constructor(script: WorkerScript, url?: string) {
    this.worker = new Worker(url ?? scriptUrl(script), { type: 'module', name: script });
    this.died = new Promise<never>((_, reject) => {
      this.kill = reject;
    });
    // Keep `died` from being reported as unhandled when nobody is calling.
    this.died.catch(() => {});
    this.channel = `concurrency-playground-${Date.now().toString(36)}-${++channels}-${Math.random().toString(36).slice(2)}`;
    this.reports = new BroadcastChannel(this.channel);
    this.reports.onmessage = (e: MessageEvent<WorkerReport>) => {
      const report = e.data;
      if (report?.type === 'panic') {
        const task = Number.isInteger(report.task) && report.task >= 0 ? report.task : null;
        const done = report.done instanceof Float64Array ? report.done : new Float64Array(0);
        const kind = report.kind === 'oom' ? 'oom' : 'panicked';
        this.terminate(new WorkerPanic(String(report.message), kind, task, Number(report.at) || nowMs(), done));
      } else if (report?.type === 'progress' && typeof report.done === 'number') this.onProgress?.(report.done);
    };
    this.worker.addEventListener('error', this.onCrash(script));
    this.name = script;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /**
   * Ties `worker` to this one: it ends when this one does, and its crash ends this one as a crash
   * of this one's own would. Returns `worker`.
   */
  adopt(worker: Worker): Worker {
    if (!this.alive) {
      worker.terminate();
      return worker;
    }
    this.companions.push(worker);
    worker.addEventListener('error', this.onCrash(`a thread of ${this.name}`));
    return worker;
  }

  terminate(reason = new Error('cancelled')): void {
    if (!this.alive) return;
    this.alive = false;
    // Given up at once all the same: calls reject and the lane goes on. A panicking rayon
    // thread's companions still run the pool's other tasks, and end now.
    if (reason instanceof WorkerPanic) setTimeout(() => this.worker.terminate(), PANICKED_WORKER_MS);
    else this.worker.terminate();
    for (const worker of this.companions.splice(0)) worker.terminate();
    this.reports.close();
    this.kill(reason);
  }

  /** A worker's error event: a crash, unless a panic's own report comes first. */
  private onCrash(what: string): (e: ErrorEvent) => void {
    return (e) => {
      e.preventDefault();
      this.afterGrace(playgroundError('load', `${what} crashed: ${e.message || 'it could not load or it trapped'}`));
    };
  }

  /** Ends the worker for `why`, unless a panic's own message (which travels apart) comes first. */
  protected afterGrace(why: Error): void {
    setTimeout(() => this.terminate(why), PANIC_GRACE_MS);
  }
}

/** A worker whose API is one object over Comlink. */
export class WorkerHandle<Api> extends WorkerLife {
  readonly api: Comlink.Remote<Api>;

  constructor(script: 'lab.worker.js' | 'wasm.worker.js' | 'parent.worker.js') {
    super(script);
    this.api = Comlink.wrap<Api>(this.worker);
  }

  /** Calls the worker; rejects as soon as the worker dies, rather than waiting forever. */
  call<T>(fn: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    if (!this.isAlive) return Promise.reject(new Error('worker already terminated'));
    return Promise.race([fn(this.api), this.died]);
  }
}

/** The reply a request of each type gets. */
type Reply<T extends ToProcess['type']> = Extract<FromProcess, { type: {
  init: 'ready'; 'make-share': 'share'; 'receive-share': 'received'; begin: 'begun'; chunk: 'chunk-done'; pipe: 'piped'; end: 'trace';
}[T] }>;

let processBlob: Promise<string> | null = null;

/**
 * The process script, fetched once and started from memory (a blob: URL, which the CSP's
 * worker-src allows), as the compiled module is shared: each process still starts its own worker
 * and instance, but does not fetch its script again. The fetch is revalidated with the host each
 * time (`Cache-Control: no-cache`): two processes starting at once took 43 ms each from the file,
 * 28 ms from memory (medians of 12 on 2 cores), and a remote host would add a round trip.
 */
export function processScript(): Promise<string> {
  processBlob ??= (async () => {
    const response = await fetch(scriptUrl('process.worker.js'));
    if (!response.ok) throw playgroundError('load', `process.worker.js could not load: HTTP ${response.status}`);
    return URL.createObjectURL(await response.blob());
  })().catch((e: unknown) => {
    // A failed fetch is tried again by the next spawn.
    processBlob = null;
    throw e;
  });
  return processBlob;
}

/** One process of the processes lane, spoken to in its own protocol (protocol.ts). */
export class ProcessHandle extends WorkerLife {
  /** The requests sent and not answered yet, in order: the process answers them in order. */
  private readonly pending: { resolve: (reply: FromProcess) => void; reject: (e: Error) => void }[] = [];

  /** `url`: the process script's blob: URL (`processScript`). */
  constructor(url: string) {
    super('process.worker.js', url);
    this.worker.onmessage = (e: MessageEvent<FromProcess>) => this.answer(e.data);
    this.died.catch((e: Error) => {
      for (const p of this.pending.splice(0)) p.reject(e);
    });
  }

  /** Sends a request; resolves with its reply, rejects with its failure or the process's death. */
  request<T extends ToProcess['type']>(message: Extract<ToProcess, { type: T }>, transfer: Transferable[] = []): Promise<Reply<T>> {
    return new Promise<Reply<T>>((resolve, reject) => this.send(message, resolve, reject, transfer));
  }

  /**
   * `request` with callbacks, called within the reply's message event: the lane's chunks go
   * this way, since a promise and an await for each one cost the page 3-4 µs a message, a fifth
   * of the message itself (2 cores, 4,096 one-task chunks).
   */
  send<T extends ToProcess['type']>(message: Extract<ToProcess, { type: T }>, resolve: (reply: Reply<T>) => void, reject: (e: Error) => void, transfer: Transferable[] = []): void {
    if (!this.isAlive) {
      reject(new Error('worker already terminated'));
      return;
    }
    this.pending.push({ resolve: resolve as (reply: FromProcess) => void, reject });
    this.worker.postMessage(message, transfer);
  }

  private answer(reply: FromProcess): void {
    if (reply.type === 'trapped') {
      // The instance aborted: its panic's report (kind, task, finished tasks) is on its way.
      this.afterGrace(new WorkerPanic(reply.message, 'panicked', null, nowMs(), new Float64Array(0)));
      return;
    }
    const next = this.pending.shift();
    if (!next) return;
    if (reply.type === 'failed') next.reject(processError(reply.error));
    else next.resolve(reply);
  }
}

function processError(e: ProcessError): PlaygroundError {
  const where: { field?: string; task?: number } = {};
  if (e.field !== undefined) where.field = e.field;
  if (e.task !== undefined) where.task = e.task;
  return playgroundError(e.kind, e.message, where);
}
