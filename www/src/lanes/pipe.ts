// A pipe between the processes lane's parent and one process, as multiprocessing's Pool keeps one
// to each worker (an OS pipe is a kernel buffer both ends copy through): fixed-size records copied
// into a ring in a SharedArrayBuffer by one end and copied out by the other. Neither end's memory
// is in it, only the numbers of a chunk (its tasks) or of an answer (its sum and times), so the
// processes share nothing they compute with. A message costs the browser a task on the receiver's
// event loop and a structured clone each way (24-40 µs a task, one a message, on 2 cores); a
// record costs a few stores, and a reader that finds several records waiting takes them all on
// one wake-up, as a pipe's reader does. It needs a SharedArrayBuffer (an isolated page) and
// Atomics.waitAsync, so that neither end blocks its event loop while it waits; where either is
// missing, chunks and answers go by message.

/** Records a ring holds: more than a process ever has in flight (`inFlight`, at most 32) and its close. */
const CAPACITY = 64;
/**
 * The longest a reader waits before it looks again, rung or not. A notify is never missed by our
 * own protocol (a reader waits only while the count it read still stands), but an engine's may
 * be: a wake-up lost there would hang the run; this bounds it to a look a tenth of a second later.
 * JavaScriptCore had such a race (https://bugs.webkit.org/show_bug.cgi?id=248631), and a clean
 * clone's WebKit smoke once hung here with processes "running" for two minutes.
 */
const LOOK_AGAIN_MS = 100;

/**
 * Resolves `LOOK_AGAIN_MS` after `wait` began, or when `wait` does. The wait's own timeout is not
 * enough: in WebKitGTK 2.50's workers a `waitAsync` with a timeout never times out (a 100 ms wait
 * on a buffer no one notifies was still pending after 3 s, in a classic and a module worker; on
 * the page it timed out at 101 ms), so there a lost wake-up would still hang the run.
 */
function bounded(wait: Promise<unknown>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, LOOK_AGAIN_MS);
  });
  return Promise.race([wait, late]).finally(() => clearTimeout(timer));
}

/**
 * How old the parent's view of a run may grow: it reports progress to the page at most this
 * often, and a process that does not need it yet rings for its answers at least this often.
 */
export const REPORT_MS = 50;

/** Whether pipes work here: shared memory, and a wait that does not block the event loop. */
export const pipesWork = (): boolean => globalThis.crossOriginIsolated === true && typeof Atomics.waitAsync === 'function';

/** One end's view of a ring of `width` 8-byte words a record, one writer and one reader. */
export class Ring {
  /** Records written and records read, each only ever raised, by its own end. */
  private readonly counts: Int32Array;
  readonly words: Float64Array;
  /** The same words, for a u64 (an answer's wrapping sum). */
  readonly wide: BigUint64Array;

  /**
   * `bell`: rung on records sent, where the reader waits on several rings at once (the parent,
   * for its processes' answers); without one the reader waits on this ring alone.
   */
  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly width: number,
    private readonly bell?: Int32Array,
  ) {
    this.counts = new Int32Array(buffer, 0, 2);
    this.words = new Float64Array(buffer, 8);
    this.wide = new BigUint64Array(buffer, 8);
  }

  static create(width: number, bell?: Int32Array): Ring {
    return new Ring(new SharedArrayBuffer(8 + CAPACITY * width * 8), width, bell);
  }

  /** Where the next record to read starts in `words`, or -1 when none is waiting. */
  next(): number {
    const read = this.counts[1];
    return read === Atomics.load(this.counts, 0) ? -1 : (read % CAPACITY) * this.width;
  }

  /** The record at `next()` is read: its place may be written again. */
  done(): void {
    Atomics.store(this.counts, 1, this.counts[1] + 1);
  }

  /** Where the next record to write starts in `words`; fill it, then `send`. */
  free(): number {
    const written = this.counts[0];
    // The lane never has more in flight than a ring holds: reaching this is a bug, not a load.
    if (written - Atomics.load(this.counts, 1) >= CAPACITY) throw new Error('a pipe is full: more records in flight than it holds');
    return (written % CAPACITY) * this.width;
  }

  /** Records written and not read yet. */
  waiting(): number {
    return Atomics.load(this.counts, 0) - Atomics.load(this.counts, 1);
  }

  /**
   * The record filled at `free()` is there for the reader, which is woken if it waits; with
   * `wake` false it is left for the reader's next look (a ring with a bell only: the bell's other
   * rings, or the writer's next, bring the reader back).
   */
  send(wake = true): void {
    Atomics.store(this.counts, 0, this.counts[0] + 1);
    if (this.bell) {
      if (wake) ring(this.bell);
    } else Atomics.notify(this.counts, 0);
  }

  /** Resolves when a record may have arrived, or at once if one has since `next()` found none. */
  arrival(): Promise<unknown> | undefined {
    // The count written is this ring's own bell: waiting for it to pass the count read.
    return rungSince(this.counts, this.counts[1]);
  }
}

/** A bell for a reader of several rings: `ring` it after sending, `rung` before looking. */
export const newBell = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));

export function ring(bell: Int32Array): void {
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

/**
 * Resolves when `bell` has been rung since it read `since` (or after `LOOK_AGAIN_MS`: the caller
 * looks again either way), or undefined if it has already.
 */
export function rungSince(bell: Int32Array, since: number): Promise<unknown> | undefined {
  const wait = Atomics.waitAsync(bell, 0, since, LOOK_AGAIN_MS);
  return wait.async ? bounded(wait.value) : undefined;
}

/** A chunk record: tasks `from..to`; `from` < 0 closes the pipe. */
export const CHUNK_WORDS = 2;
/** An answer record: `from`, `to`, `start`, `end`, then the chunk's wrapping sum as a u64. */
export const ANSWER_WORDS = 5;
