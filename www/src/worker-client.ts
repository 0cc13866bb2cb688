// Page side of every worker: spawn by kind, wrap with Comlink, and make every call fail fast
// (never hang) when the worker dies, panics or is terminated.
import * as Comlink from 'comlink';
import { nowMs } from './clock';
import { keepErrorKinds, playgroundError } from './errors';
import type { ErrorKind } from './types';

keepErrorKinds();

export type WorkerScript = 'lab.worker.js' | 'wasm.worker.js';

/** How long a crashed worker's call waits for the panic message that explains the crash. */
const PANIC_GRACE_MS = 50;

let channels = 0;

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

export class WorkerHandle<Api> {
  readonly api: Comlink.Remote<Api>;
  /** Where the worker's wasm reports panics and progress (crate/js/channel.js); pass it to `init`. */
  readonly channel: string;
  /** Called with the count of tasks done so far, a few times a second while a lane runs. */
  onProgress: ((done: number) => void) | null = null;
  private readonly worker: Worker;
  private readonly reports: BroadcastChannel;
  private readonly died: Promise<never>;
  private kill!: (reason: Error) => void;
  private alive = true;

  constructor(script: WorkerScript) {
    this.worker = new Worker(new URL(`./${script}`, import.meta.url), { type: 'module', name: script });
    this.api = Comlink.wrap<Api>(this.worker);
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
      }
      else if (report?.type === 'progress' && typeof report.done === 'number') this.onProgress?.(report.done);
    };
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = playgroundError('load', `${script} crashed: ${e.message || 'it could not load or it trapped'}`);
      // A panic's own message travels separately (BroadcastChannel); let it arrive first.
      setTimeout(() => this.terminate(why), PANIC_GRACE_MS);
    });
  }

  /** Calls the worker; rejects as soon as the worker dies, rather than waiting forever. */
  call<T>(fn: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    if (!this.alive) return Promise.reject(new Error('worker already terminated'));
    return Promise.race([fn(this.api), this.died]);
  }

  get isAlive(): boolean {
    return this.alive;
  }

  terminate(reason = new Error('cancelled')): void {
    if (!this.alive) return;
    this.alive = false;
    this.worker.terminate();
    this.reports.close();
    this.kill(reason);
  }
}
