// The processes lane, run by its parent worker (workers/parent.worker.ts), or by the page where
// workers cannot start workers reliably (lanes/parent.ts says which): each process is a
// plain-build worker with its own wasm instance and its own memory. Nothing is shared: inputs and
// outputs cross by message (copied or transferred), starting a process is real work that is
// timed, and a crash kills one process, not the lane.
//
// Tasks go out in chunks, as Python's Pool.map sends them (`chunk`; automatic by default: 6 ms of
// work a message by the cost model, at most Pool.map's chunks): one message a chunk each way,
// several chunks in flight a process (the next already waits in its queue). Where the page is
// isolated the messages go through a pipe to each process, as Pool's do (lanes/pipe.ts: a record
// a chunk or an answer), else by postMessage; an image's answers, which carry pixels, always by
// postMessage (`transport`). A process records its
// own trace and sends it once, as soon as the queue has nothing more for it. What the messages
// really cost the lane is its `transfer`: each stretch a process sat without work because its
// next chunk was still on its way (from when the chunk was sent, or the process's previous chunk
// ended, until it began), and the last answer's way back. Answers that travel while the process
// already computes its next chunk cost it nothing, and are not counted.
import { nowMs } from '../clock';
import { kindOf } from '../errors';
import type { ChunkOutput, ProcessTrace } from '../protocol';
import type { ErrorKind, FaultMark, Spec, LaneRun } from '../types';
import { WorkerPanic, type ProcessHandle } from '../worker-client';
import { boundTrace, checksumOf, chunkSize, plainWarmed, warmupSpec, workloadInfo } from '../wasm';
import {
  Cancelled, checkCancelled, guarded, message, onCancel, toEvents, toTotals, warmUp, type LaneContext, type Setup,
} from './common';
import { ANSWER_WORDS, CHUNK_WORDS, newBell, pipesWork, REPORT_MS, ring, Ring, rungSince } from './pipe';
import { FlatTrace, ProcessPool, type Proc } from './pool';
import { count, grouped, processes } from '../words';

/**
 * Chunks sent to a process before it answers one: at least 2 (the next already waits in its
 * queue while one runs), and more when there are many small chunks, enough to cover a message's
 * round trip (Python's Pool puts every chunk in the queue at once). Each process still takes new
 * work only as it answers, so uneven chunks balance.
 */
const inFlight = (chunks: number, workers: number) => Math.min(32, Math.max(2, Math.floor(chunks / (4 * workers))));
/**
 * Answers a process holds and sends at once, when its chunks go by message, for `depth` chunks in
 * flight: half of them (none held below 3), so the parent is woken once for several answers and
 * refills them together, as a pipe's bell does (lanes/pipe.ts), while the chunks still queued to
 * the process keep it busy. Each answer woke the parent on the processes' cores: Mandelbrot 800
 * on 2 processes read 1.670 and 1.699x one answer a message against 1.753 and 1.791x two (20
 * alternated runs each, both orders). One at a time in a run with a fault: a crash would lose
 * the answers held.
 */
const batchOf = (spec: Spec, depth: number) => (spec.fault === 'none' ? Math.ceil(depth / 2) : 1);
/**
 * The longest the parent takes answers from its pipes without a turn of its event loop, when they
 * come faster than it takes them (trivial tasks): the page's Stop (and, where the page is the
 * parent, its frames) waits no longer.
 */
const LISTEN_MS = 8;

/** Tasks `from..to`. */
type Chunk = [from: number, to: number];

/** What one run of the lane gathers as its chunks come back. */
interface Tally {
  sums: bigint[];
  done: number;
  failedTasks: number[];
  crashes: string[];
  /** Where tasks failed, on the epoch clock until the result is built. */
  faults: FaultMark[];
  /** What the first failure was (a panic, out of memory, a process that would not load). */
  kind?: ErrorKind;
  transferMs: number;
  /** The finished tasks of processes that crashed (their flight logs), by row. */
  lost: { row: number; events: Float64Array }[];
  /** What each process counted where it counts (a counter run). */
  localCounts: number[];
}

/**
 * A counter run's shared segment, as multiprocessing.Value is one: only where the spec asks the
 * processes to share a lock or an atomic add (a SharedArrayBuffer, on an isolated page).
 */
function segmentFor(spec: Spec): SharedArrayBuffer | undefined {
  return workloadInfo(spec.workload).sharedState && spec.sync !== 'none' && spec.sync !== 'partial'
    ? new SharedArrayBuffer(16)
    : undefined;
}

/**
 * A counter run's shared total: the segment's count where the processes shared one, the sum of
 * the counts they handed back (`partial`), or the page's own total, which no process can reach
 * (`none`: each counted in its own memory).
 */
function sharedTotal(spec: Spec, segment: SharedArrayBuffer | undefined, tally: Tally): number {
  if (segment) return Number(new BigUint64Array(segment, 0, 1)[0]);
  return spec.sync === 'partial' ? Number(tally.sums.reduce((a, b) => a + b, 0n)) : 0;
}

/** How a run's chunks and answers travel: by pipe where pipes work, but an image's answers carry its pixels, transferred by message. */
const transport = (spec: Spec): LaneRun['via'] => (pipesWork() && !workloadInfo(spec.workload).image ? 'pipe' : 'message');

/** Nothing to hold here: the page's side (lanes/parent.ts) holds the lane against its reaper. */
const heldByThePage = () => () => {};

export class ProcessesRunner {
  readonly lane = 'processes';
  /** Kept between runs only for `pool: 'warm'`, until the lane's reaper ends it. */
  private pool: ProcessPool | null = null;

  run(spec: Spec, ctx: LaneContext): Promise<LaneRun> {
    const { signal } = ctx;
    let pool: ProcessPool | null = null;
    return guarded(this.lane, spec.workers, ctx, heldByThePage, async (setup) => {
      try {
        const trace = new FlatTrace();
        pool = await this.poolFor(spec, signal, trace, setup);
        const running = pool;
        onCancel(signal, () => running.end());
        if (!plainWarmed.has(spec.workload)) {
          await warmUp(signal, () => warmRun(running.procs[0], warmupSpec(spec)));
          plainWarmed.add(spec.workload);
        }
        const t0 = nowMs();
        const tally: Tally = { sums: [], done: 0, failedTasks: [], crashes: [], faults: [], transferMs: 0, lost: [], localCounts: [] };
        const segment = segmentFor(spec);
        const ended = await dispatch(spec, running, ctx, trace, tally, segment);
        checkCancelled(signal);
        await gatherTraces(running, ended, trace, tally);
        checkCancelled(signal);
        const out = result(spec, running, trace, tally, t0, setup.ms);
        if (workloadInfo(spec.workload).sharedState) {
          out.counted = sharedTotal(spec, segment, tally);
          // Each process's own count means something only where it counted in its own memory.
          if (!segment) out.localCounts = tally.localCounts;
          out.checksum = String(out.counted);
        }
        return out;
      } finally {
        // A cold pool lives for one run; a warm one until the reaper ends it.
        if (spec.pool === 'cold' || signal.aborted || !pool?.alive) {
          pool?.end();
          if (this.pool === pool) this.pool = null;
        }
      }
    }, () => pool?.end());
  }

  /** The warm pool when the spec asks for it and it fits, else a new one (its start is set-up). */
  private async poolFor(spec: Spec, signal: AbortSignal, trace: FlatTrace, setup: Setup): Promise<ProcessPool> {
    const warm = this.pool;
    if (spec.pool === 'warm' && warm?.alive && warm.size === spec.workers) {
      warm.reset();
      return warm;
    }
    this.end();
    const t = nowMs();
    this.pool = await ProcessPool.start(spec.workers, signal, trace);
    setup.ms = nowMs() - t;
    return this.pool;
  }

  /** Ends the pool's processes (the lane sat idle, or its pool no longer fits). */
  end(): void {
    this.pool?.end();
    this.pool = null;
  }
}

/** One untimed run of `spec` on one process, in one chunk (its three messages sent at once). */
async function warmRun(proc: Proc, spec: Spec): Promise<void> {
  await Promise.all([
    proc.handle.request({ type: 'begin', spec, warmUp: true, batch: 1 }),
    proc.handle.request({ type: 'chunk', from: 0, to: spec.tasks }),
    proc.handle.request({ type: 'end' }),
  ]);
}

/**
 * Gives every process its copy of the share buffer and begins the run on it; then runs the
 * chunks (`Chunks`) and counts the last answers' way back as transfer.
 */
async function dispatch(spec: Spec, pool: ProcessPool, ctx: LaneContext, trace: FlatTrace, tally: Tally, segment?: SharedArrayBuffer): Promise<Map<ProcessHandle, Promise<ProcessTrace>>> {
  const size = chunkSize(spec);
  const depth = inFlight(Math.ceil(spec.tasks / size), pool.size);
  const prepare = preparer(spec, pool, ctx.signal, trace, tally, batchOf(spec, depth), segment);
  await Promise.all(pool.procs.map((_, row) => prepare.begin(row)));
  checkCancelled(ctx.signal);
  const chunks = new Chunks(spec, pool, ctx, trace, tally, prepare, size, depth);
  await chunks.done;
  chunks.rows.forEach((r, row) => {
    if (!r.last) return;
    const { task, end, got } = r.last;
    trace.push(row, task, 'transfer', end, got);
    tally.transferMs += got - end;
  });
  return chunks.ended;
}

/**
 * A run's chunks, sent as a pool's work queue: each process takes the next chunk when it answers
 * one, so uneven chunks (Mandelbrot rows, primes ranges) still balance. Each process has a few
 * slots in flight (`inFlight`); a slot sends its next chunk from the answer's message event
 * (`ProcessHandle.send`), or as the parent takes its answer from the pipe (`listen`), with no
 * await between. A process answers in order, so nothing waits
 * for a reply it does not need: the run's begin went out before the first chunks, and a
 * process's end (its trace) goes as soon as the queue has nothing more for it.
 */
class Chunks {
  /** Settles when every slot has ended, or at the first failure the run cannot go on from. */
  readonly done: Promise<void>;
  /** Each process's end, asked for when the queue ran dry. */
  readonly ended = new Map<ProcessHandle, Promise<ProcessTrace>>();
  readonly rows: RowMessages[];
  private readonly queue: Chunk[] = [];
  private readonly attempts = new Map<number, number>();
  private slots: number;
  /** Rung by every process's pipe when chunks go by pipe (lanes/pipe.ts), else null: by message. */
  private readonly bell: Int32Array | null;
  private readonly pipes = new Map<ProcessHandle, PipeEnd>();
  private stopped = false;
  private told = 0;
  private finish!: () => void;
  private fail!: (e: unknown) => void;

  constructor(
    private readonly spec: Spec,
    private readonly pool: ProcessPool,
    private readonly ctx: LaneContext,
    private readonly trace: FlatTrace,
    private readonly tally: Tally,
    private readonly prepare: ReturnType<typeof preparer>,
    /** Tasks a chunk. */
    size: number,
    /** Chunks each process has in flight (`inFlight`). */
    private readonly depth: number,
  ) {
    for (let from = 0; from < spec.tasks; from += size) this.queue.push([from, Math.min(spec.tasks, from + size)]);
    this.queue.reverse();
    this.rows = pool.procs.map(() => ({ prevEnd: 0, last: null }));
    this.slots = pool.size * this.depth;
    this.done = new Promise<void>((finish, fail) => {
      this.finish = finish;
      this.fail = fail;
    });
    this.bell = transport(spec) === 'pipe' ? newBell() : null;
    for (let row = 0; row < pool.size; row++) for (let k = 0; k < this.depth; k++) this.next(row);
    if (this.bell) this.listen(this.bell);
  }

  /** One slot of `row`: sends it the next chunk, or its end when there is none. */
  private next(row: number): void {
    if (this.stopped) return;
    if (this.ctx.signal.aborted) return this.stop(new Cancelled());
    const replacing = this.pool.replacing(row);
    if (replacing) {
      replacing.then(() => this.next(row), (e: unknown) => this.stop(e));
      return;
    }
    const proc = this.pool.procs[row];
    // A process that was sent its end takes no more chunks (those a crash put back are run by
    // the process that replaced the crashed one). Nothing awaits between taking a chunk and
    // sending it, so an end never overtakes a chunk that was taken for the same process.
    if (this.ended.has(proc.handle)) return this.slotEnded();
    const chunk = this.queue.pop();
    if (!chunk) {
      this.pipes.get(proc.handle)?.close();
      const last = proc.handle.request({ type: 'end' });
      // A process that dies after this is replaced and ended again; this promise is then unused.
      last.catch(() => {});
      this.ended.set(proc.handle, last);
      return this.slotEnded();
    }
    if (this.bell) return this.pipeOf(row, proc, this.bell).put(chunk);
    const sent = nowMs();
    proc.handle.send({ type: 'chunk', from: chunk[0], to: chunk[1] }, (out) => {
      if (this.stopped) return;
      if (this.ctx.signal.aborted) return this.stop(new Cancelled());
      try {
        this.answered(row, chunk, out, sent);
      } catch (e) {
        return this.stop(e);
      }
      this.next(row);
    }, (e) => {
      if (!this.stopped) this.failed(row, proc, chunk, e).then(() => this.next(row), (why: unknown) => this.stop(why));
    });
  }

  /** `proc`'s pipe, opened on its first chunk: the process reads it until the pipe closes. */
  private pipeOf(row: number, proc: Proc, bell: Int32Array): PipeEnd {
    let pipe = this.pipes.get(proc.handle);
    if (pipe) return pipe;
    const opened = new PipeEnd(bell);
    this.pipes.set(proc.handle, opened);
    proc.handle.request({ type: 'pipe', chunks: opened.chunks.buffer, answers: opened.answers.buffer, bell: bell.buffer as SharedArrayBuffer, depth: this.depth })
      .catch((e: unknown) => this.broke(row, proc, opened, e));
    return opened;
  }

  /**
   * Takes the answers waiting in the pipes, each time the bell rings, and gives each slot it frees
   * its next chunk: one wake-up for however many answers came meanwhile.
   */
  private listen(bell: Int32Array): void {
    const until = nowMs() + LISTEN_MS;
    while (!this.stopped && this.slots > 0) {
      const rung = Atomics.load(bell, 0);
      this.pool.procs.forEach((proc, row) => {
        const pipe = this.pipes.get(proc.handle);
        if (!pipe || pipe.broken) return;
        for (let freed = this.drain(row, pipe); freed > 0; freed--) this.next(row);
      });
      const later = rungSince(bell, rung);
      if (later) {
        later.then(() => this.listen(bell));
        return;
      }
      if (nowMs() > until) {
        setTimeout(() => this.listen(bell));
        return;
      }
    }
  }

  /** Tallies the answers waiting in `pipe`; returns how many slots they freed. */
  private drain(row: number, pipe: PipeEnd): number {
    let freed = 0;
    for (let got = pipe.take(); got; got = pipe.take()) {
      try {
        this.answered(row, got.chunk, got.out, got.sent);
      } catch (e) {
        this.stop(e);
        return 0;
      }
      freed++;
    }
    return freed;
  }

  /**
   * The process at the pipe's end failed or died: the answers it sent before count; the chunk it
   * was running fails as a message's would (`failed`), the ones behind it, never begun, go back in
   * the queue; then every slot of the row goes on with the process that replaces it.
   */
  private broke(row: number, proc: Proc, pipe: PipeEnd, e: unknown): void {
    if (this.stopped) return;
    pipe.broken = true;
    let slots = this.drain(row, pipe);
    const [first, ...rest] = pipe.unanswered.splice(0);
    for (const { chunk } of rest) this.queue.push(chunk);
    slots += rest.length + (first ? 1 : 0);
    const replaced = first
      ? this.failed(row, proc, first.chunk, e)
      : this.pool.replace(row, proc.handle, this.ctx.signal, this.trace, this.prepare.begin);
    replaced.then(() => {
      for (let i = 0; i < slots; i++) this.next(row);
    }, (why: unknown) => this.stop(why));
  }

  /** A chunk the process answered: its numbers tallied, its pixels painted. */
  private answered(row: number, chunk: Chunk, out: ChunkOutput, sent: number): void {
    const { tally } = this;
    waitedFor(this.trace, tally, row, this.rows[row], chunk[0], out, sent);
    tally.sums.push(out.sum);
    tally.done += chunk[1] - chunk[0];
    if (out.pixels && out.firstRow !== undefined) this.ctx.pixels?.(out.firstRow, out.pixels);
    if (nowMs() - this.told >= REPORT_MS || tally.done === this.spec.tasks) {
      this.told = nowMs();
      this.ctx.progress?.(tally.done);
    }
  }

  /** A chunk that failed: what is left of it goes back in the queue, and a dead process is replaced. */
  private async failed(row: number, proc: Proc, chunk: Chunk, e: unknown): Promise<void> {
    const { signal } = this.ctx;
    checkCancelled(signal);
    // A process alive that refused the run (its begin failed) fails the lane with its reason.
    if (proc.handle.isAlive) await this.prepare.begun(proc.handle);
    const tries = (this.attempts.get(chunk[0]) ?? 0) + 1;
    this.attempts.set(chunk[0], tries);
    for (const again of afterCrash(chunk, e, row, tries, proc.handle.isAlive, this.tally)) this.queue.push(again);
    // The process is gone (or poisoned by a trap): the pool starts a new one in its place.
    await this.pool.replace(row, proc.handle, signal, this.trace, this.prepare.begin);
  }

  private slotEnded(): void {
    if (--this.slots > 0) return;
    this.finish();
    if (this.bell) ring(this.bell);
  }

  private stop(e: unknown): void {
    this.stopped = true;
    this.fail(e);
    if (!this.bell) return;
    ring(this.bell);
    // A warm pool's processes outlive the run: each leaves its pipe, or its next request waits forever.
    for (const pipe of this.pipes.values()) pipe.close();
  }
}

/** The parent's end of a process's pipe: the chunks sent on it and not answered yet, in order. */
class PipeEnd {
  readonly chunks = Ring.create(CHUNK_WORDS);
  readonly answers: Ring;
  readonly unanswered: { chunk: Chunk; sent: number }[] = [];
  /** The process failed or died: nothing more is read from this pipe. */
  broken = false;
  private closed = false;

  constructor(bell: Int32Array) {
    this.answers = Ring.create(ANSWER_WORDS, bell);
  }

  put(chunk: Chunk): void {
    const at = this.chunks.free();
    this.chunks.words[at] = chunk[0];
    this.chunks.words[at + 1] = chunk[1];
    this.unanswered.push({ chunk, sent: nowMs() });
    this.chunks.send();
  }

  /** The next answer waiting, with the chunk it answers and when that was sent. */
  take(): { chunk: Chunk; sent: number; out: ChunkOutput } | null {
    const at = this.answers.next();
    if (at < 0) return null;
    const { words, wide } = this.answers;
    const out: ChunkOutput = { start: words[at + 2], end: words[at + 3], sum: wide[at + 4] };
    this.answers.done();
    const { chunk, sent } = this.unanswered.shift()!;
    return { chunk, sent, out };
  }

  /** No more chunks: the process answers its pipe request and takes its next message. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const at = this.chunks.free();
    this.chunks.words[at] = -1;
    this.chunks.send();
  }
}

/** A row's messages so far: when its process ended its last chunk, and that chunk's answer. */
interface RowMessages {
  prevEnd: number;
  last: { task: number; end: number; got: number } | null;
}

/**
 * What a failed chunk leaves to do. A crash fails every chunk in flight on its process, but only
 * the task that crashed it is at fault: it is failed, and the chunk's other tasks go back in the
 * queue (once). A chunk that fails again, or on a process still alive, fails whole.
 */
function afterCrash(chunk: Chunk, e: unknown, row: number, tries: number, alive: boolean, tally: Tally): Chunk[] {
  const [from, to] = chunk;
  const culprit = e instanceof WorkerPanic && e.task !== null && e.task >= from && e.task < to ? e.task : null;
  if (e instanceof WorkerPanic && e.done.length > 0) tally.lost.push({ row, events: e.done });
  const fail = (task: number | null, tasks: number[]) => {
    tally.failedTasks.push(...tasks);
    tally.crashes.push(`task ${task ?? `${from}–${to - 1}`} on process ${row}: ${message(e)}`);
    tally.faults.push({ atMs: e instanceof WorkerPanic ? e.at : nowMs(), task, row });
    tally.kind ??= kindOf(e);
  };
  if (culprit !== null) {
    fail(culprit, [culprit]);
    return ([[from, culprit], [culprit + 1, to]] as Chunk[]).filter(([a, b]) => a < b);
  }
  if (tries > 1 || alive) {
    fail(null, Array.from({ length: to - from }, (_, i) => from + i));
    return [];
  }
  return [chunk];
}

/**
 * For every process: its own copy of the share buffer (if it lacks it), timed as a transfer, as
 * a parent's data is pickled to each child; then the run begun on it. The buffer is made once for
 * the page by the first process that needs it (in JS memory, transferred, not copied) and dropped
 * when the run ends, so no copy stays behind on the page. `begin` resolves once the run's begin is
 * sent (its chunks queue behind it in the process); `begun` to its reply.
 */
function preparer(spec: Spec, pool: ProcessPool, signal: AbortSignal, trace: FlatTrace, tally: Tally, batch: number, segment?: SharedArrayBuffer) {
  let bytes: Promise<Uint8Array> | null = null;
  const replies = new Map<ProcessHandle, Promise<unknown>>();
  return {
    async begin(row: number): Promise<void> {
      const proc = pool.procs[row];
      const held = proc.share;
      if (workloadInfo(spec.workload).readsBuffer && !(held?.mb === spec.size && held.seed === spec.seed)) {
        bytes ??= proc.handle.request({ type: 'make-share', mb: spec.size, seed: spec.seed }).then((r) => r.bytes);
        const data = await bytes;
        checkCancelled(signal);
        const start = nowMs();
        // The process's own copy, made here and handed over whole, and copied again into its wasm
        // memory: the price of having no shared memory. Cloned instead, the buffer was copied
        // twice more on the way (serialised, then read back), into memory touched for the first
        // time: 256 MB to two workers took 1.1-1.5 s that way and 0.6-0.7 s this way.
        const copy = data.slice();
        await proc.handle.request({ type: 'receive-share', mb: spec.size, seed: spec.seed, bytes: copy }, [copy.buffer]);
        const end = nowMs();
        proc.share = { mb: spec.size, seed: spec.seed };
        tally.transferMs += end - start;
        trace.push(row, -1, 'transfer', start, end);
      }
      const reply = proc.handle.request({ type: 'begin', spec, warmUp: false, segment, batch });
      // Read only when a chunk fails: a process that died is the chunk's failure, not this one.
      reply.catch(() => {});
      replies.set(proc.handle, reply);
    },
    begun: (handle: ProcessHandle) => replies.get(handle),
  };
}

/**
 * Where a process waited for a chunk's message: from when it was sent (or the process's previous
 * chunk ended, if later) until the process began it. Its answer's way back is kept as the row's
 * last: only the last one is not overlapped by the process's next chunk.
 */
function waitedFor(trace: FlatTrace, tally: Tally, row: number, r: RowMessages, task: number, out: ChunkOutput, sent: number): void {
  const there = Math.max(sent, r.prevEnd);
  if (out.start > there) {
    trace.push(row, task, 'transfer', there, out.start);
    tally.transferMs += out.start - there;
  }
  r.prevEnd = out.end;
  r.last = { task, end: out.end, got: nowMs() };
}

/** Each living process's trace, recorded there and sent once; and the crashed ones' flight logs. */
async function gatherTraces(pool: ProcessPool, ended: Map<ProcessHandle, Promise<ProcessTrace>>, trace: FlatTrace, tally: Tally): Promise<void> {
  const traces = await Promise.all(pool.procs.map((p) => ended.get(p.handle) ?? p.handle.request({ type: 'end' })));
  traces.forEach((t, row) => {
    trace.pushRow(row, t.events);
    if (t.counted !== undefined) tally.localCounts[row] = Number(t.counted);
  });
  for (const { row, events } of tally.lost) trace.pushRow(row, events);
}

function result(spec: Spec, pool: ProcessPool, trace: FlatTrace, tally: Tally, t0: number, setupMs: number): LaneRun {
  const wallMs = nowMs() - t0;
  const bounded = boundTrace(Float64Array.from(trace.numbers));
  const { failedTasks, crashes } = tally;
  const out: LaneRun = {
    lane: 'processes',
    workers: spec.workers,
    ok: failedTasks.length === 0,
    wallMs,
    setupMs,
    transferMs: tally.transferMs,
    checksum: checksumOf(spec.workload, tally.sums),
    events: toEvents(bounded.events, t0),
    totals: toTotals(bounded.totals),
    chunk: chunkSize(spec),
    via: transport(spec),
    failedTasks: failedTasks.sort((a, b) => a - b),
    replacedProcesses: pool.replaced,
    replaceMs: pool.replaceMs,
  };
  if (failedTasks.length > 0) {
    const done = spec.tasks - failedTasks.length;
    out.tasksDone = done;
    if (tally.kind) out.errorKind = tally.kind;
    out.faults = tally.faults.map((f) => ({ ...f, atMs: f.atMs - t0 }));
    const n = pool.replaced;
    const rest = done === 0 ? 'no other task was left to complete'
      : `the other ${done === 1 ? 'task' : count(done, 'task')} completed and the checksum covers exactly ${done === 1 ? 'it' : 'them'}`;
    out.error = `${grouped(failedTasks.length)} of ${count(spec.tasks, 'task')} failed (${crashes.join('; ')}). `
      + `The pool replaced ${n === 1 ? 'that process' : `those ${processes(n)}`}; ${rest}.`;
  }
  return out;
}
