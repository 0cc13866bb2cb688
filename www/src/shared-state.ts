// The shared counter's verdict: each model's benefit and limitation from the seed's table, with
// the counts each lane measured. The counts come from the lanes (crate/src/workloads/counter.rs);
// this only puts them in words.
import type { LaneResult, Phase, RunReport, Spec } from './types';
import { allOf, count, duration, grouped, processes, sumOf } from './words';

/**
 * "1,234 ms", "2.5 ms", "0.001 ms", "0 ms": as the verdict's `duration`, but a step of a microsecond
 * is not shown as 0.0, nor is no wait at all.
 */
const ms = (x: number) => {
  if (x === 0) return '0 ms';
  return x >= 0.1 ? duration(x) : `${Number(x.toPrecision(2))} ms`;
};
/**
 * The share of updates lost, in whole percent, but never "0 %" or "100 %" for a share that is
 * neither: 15 of 10,000 lost is "under 1 %".
 */
function lostShare(lost: number, expected: number): string {
  const pct = Math.round((100 * lost) / expected);
  if (pct === 0) return 'under 1 %';
  return pct === 100 && lost < expected ? 'over 99 %' : `${pct} %`;
}

const lostWords = (r: LaneResult) => {
  const c = r.counter!;
  return c.lostUpdates === 0
    ? `counted ${allOf(c.expected, 'update')}`
    : `lost ${grouped(c.lostUpdates)} of ${count(c.expected, 'update')} (${lostShare(c.lostUpdates, c.expected)})`;
};

/** Time a lane's workers, threads or tasks spent in one phase, all rows together. */
export function phaseMs(r: LaneResult, phase: Phase): number {
  return r.totals.filter((t) => t.phase === phase).reduce((a, t) => a + t.ms, 0);
}

/** Time a lane's threads or tasks spent waiting for the lock. */
const lockWaitMs = (r: LaneResult) => phaseMs(r, 'lock-wait');

/** Threads that had a task to run: with fewer tasks than workers, the rest stay idle. */
const threadsThatRan = (spec: Spec) => Math.min(spec.workers, spec.tasks);

/** Threads that took longer than one thread doing it all: what sharing one value costs. */
function slower(spec: Spec, r: LaneResult, seq: LaneResult | undefined): string {
  return seq && r.wallMs > seq.wallMs * 1.1 && threadsThatRan(spec) > 1
    ? ` And slower than sequential (${ms(seq.wallMs)}): threads writing one value pass its cache line from core to core.`
    : '';
}

function threadsWords(spec: Spec, r: LaneResult, seq?: LaneResult): string {
  const head = `threads ${lostWords(r)} in ${ms(r.wallMs)}`;
  return `${threadsHow(spec, r, head)}${slower(spec, r, seq)}`;
}

function threadsHow(spec: Spec, r: LaneResult, head: string): string {
  switch (spec.sync) {
    case 'none':
      if (r.counter!.lostUpdates > 0) return `${head}: ${threadsThatRan(spec)} threads on one memory read the same value and each wrote it back plus one, so one update overwrote another. Sharing is easy, and so is getting it wrong.`;
      // One thread, or one task: nothing ran beside it, so no run of this spec can lose one.
      if (threadsThatRan(spec) === 1) return `${head}: ${spec.tasks === 1 ? 'one task' : 'one thread'} updated the counter, so no two updates could overlap; give it more tasks and workers to see updates lost.`;
      return `${head}: this time no two updates overlapped; run it again, or with more updates, and they will.`;
    case 'lock':
      return `${head}: the lock let one thread update at a time, and they spent ${ms(lockWaitMs(r))} waiting for it (the lock-wait on the timeline).`;
    case 'atomic':
      return `${head}: one atomic add cannot be split, so no lock is needed.`;
    default:
      return `${head}: each task counted on its own and added its count once, so the threads never contended.`;
  }
}

function gilWords(spec: Spec, r: LaneResult): string {
  const head = `GIL threads ${lostWords(r)}`;
  if (spec.sync !== 'none') return `${head}.`;
  return spec.stepMs > 0
    ? `${head}: each update waited ${ms(spec.stepMs)} between its read and its write, the GIL was let go meanwhile, and another thread wrote in between. A lock fixes it.`
    : `${head}: the GIL changes hands only between updates here, as CPython 3.10+ never switches threads inside \`counter += 1\` in a bare loop; a call between the read and the write (or CPython before 3.10) lets it switch there, and free-threaded 3.13t loses updates as threads do.`;
}

function processesWords(spec: Spec, r: LaneResult): string {
  const c = r.counter!;
  if (spec.sync === 'none') {
    const own = c.localCounts?.length ? ` (${sumOf(c.localCounts)})` : '';
    return `processes: each counted in its own memory${own}, and the page's counter stayed at ${grouped(c.counted)}: their own memory space is the limitation, sharing data takes work.`;
  }
  if (spec.sync === 'partial') {
    return `processes ${lostWords(r)}: each handed back its count and the page summed them (the fix that shares nothing); messages kept them waiting ${ms(r.transferMs)} in all, summed over ${processes(r.workers)}.`;
  }
  return `processes ${lostWords(r)} through one segment of shared memory with ${spec.sync === 'lock' ? 'a lock' : 'an atomic add'} (as multiprocessing.Value; the page must be cross-origin isolated to share one), ${ms(lockWaitMs(r))} waiting for it.`;
}

function asyncWords(spec: Spec, r: LaneResult): string {
  const head = `async ${lostWords(r)}`;
  const order = r.turns ?? [];
  const taken = order.length > 1 ? ` Its tasks took the loop in the order ${order.join(', ')}${order.length >= 24 ? '…' : ''}: at each await the loop runs whichever task is ready next, in no order the code states.` : '';
  if (spec.sync === 'lock') return `${head}: asyncio.Lock made each task wait its turn across the await.${taken}`;
  if (spec.sync !== 'none') return `${head}.${taken}`;
  return spec.stepMs > 0
    ? `${head}: every update awaited between its read and its write, so other tasks ran there and wrote first.${taken}`
    : `${head}: one thread, and no await between a read and its write, so no other task could run in between (give the updates a step between read and write to see that change).`;
}

const words: Record<string, (spec: Spec, r: LaneResult, seq?: LaneResult) => string> = {
  sequential: (_spec, r) => `sequential ${lostWords(r)} in ${ms(r.wallMs)}, one task at a time.`,
  threads: threadsWords,
  gil: gilWords,
  processes: processesWords,
  async: asyncWords,
};

/**
 * A shared counter's verdict: who lost updates, who waited, and the fix each model has. The
 * fastest lane is the fastest that counted every update: a wrong total is never a win.
 */
export function sharedStateVerdict(spec: Spec, results: LaneResult[]): RunReport['verdict'] {
  const ran = results.filter((r) => r.ok && r.counter);
  const right = ran.filter((r) => r.counter!.lostUpdates === 0);
  const fastest = right.length ? right.reduce((a, b) => (b.wallMs < a.wallMs ? b : a)) : null;
  const seq = ran.find((r) => r.lane === 'sequential');
  const parts = ran.map((r) => words[r.lane](spec, r, seq));
  if (fastest) parts.unshift(`${fastest.lane} was the fastest to count every update (${ms(fastest.wallMs)}).`);
  parts.push('Rule: shared state needs a lock, an atomic, or no sharing at all (counts kept apart and summed once). Threads share by default and race; processes share nothing unless asked; async races only across an await.');
  return { fastest: fastest?.lane ?? null, text: [`One counter, ${count(spec.tasks, 'task')} × ${count(spec.size, 'update')}, sync ${spec.sync}.`, ...parts].join(' ') };
}
