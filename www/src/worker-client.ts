// Page side of every worker: spawn by kind, wrap with Comlink, and make every call fail fast
// (never hang) when the worker dies or is terminated.
import * as Comlink from 'comlink';

export type WorkerScript = 'lab.worker.js' | 'wasm.worker.js';

let live = 0;
/** Workers this page has started and not yet terminated (tests count them). */
export function liveWorkers(): number {
  return live;
}

export class WorkerHandle<Api> {
  readonly api: Comlink.Remote<Api>;
  private readonly worker: Worker;
  private readonly died: Promise<never>;
  private kill!: (reason: Error) => void;
  private alive = true;

  constructor(script: WorkerScript) {
    this.worker = new Worker(new URL(`./${script}`, import.meta.url), { type: 'module', name: script });
    live++;
    this.api = Comlink.wrap<Api>(this.worker);
    this.died = new Promise<never>((_, reject) => {
      this.kill = reject;
    });
    // Keep `died` from being reported as unhandled when nobody is calling.
    this.died.catch(() => {});
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.terminate(new Error(`${script} failed: ${e.message || 'it could not load or crashed'}`));
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
    live--;
    this.kill(reason);
  }
}
