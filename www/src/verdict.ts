// Names the fastest lane and explains why, in the seed's terms, with the measured numbers.
import type { Spec, Lane, LaneResult, RunReport } from './types';
import { specWaits, workloadInfo } from './wasm';
import { phaseMs, sharedStateVerdict } from './shared-state';
import { allOf, andList, count, duration, grouped, processes } from './words';

export function speedup(results: LaneResult[], r: LaneResult): number | null {
  const base = results.find((x) => x.lane === 'sequential' && x.ok);
  return base && r.ok && r.wallMs > 0 ? base.wallMs / r.wallMs : null;
}

export function isCpuBound(spec: Spec): boolean {
  return workloadInfo(spec.workload).cpuBound;
}

/**
 * The most a lane can beat sequential by: the cores it computes on for work that never waits (one
 * under the GIL or on an event loop), the waits it overlaps where tasks wait (I/O, the counter's
 * steps). Requests of 0 ms wait for nothing, so they are bounded by the cores as CPU-bound work
 * is. A measured speedup past this (with 10 % for noise) is not parallelism, and is never shown
 * as if it were.
 */
export function speedupLimit(spec: Spec, lane: Lane, cores: number): number {
  const pool = Math.min(spec.workers, spec.tasks);
  if (lane === 'sequential') return 1;
  if (!specWaits(spec)) return lane === 'threads' || lane === 'processes' ? Math.min(pool, Math.max(1, cores)) : 1;
  return lane === 'async' ? spec.tasks : pool;
}

const overLimit = (spec: Spec, r: LaneResult, x: number, cores: number) => x > speedupLimit(spec, r.lane, cores) * 1.1;

/** "1.86× sequential", or the speedup with its limit when it goes past what the lane can give. */
export function speedupNote(spec: Spec, results: LaneResult[], r: LaneResult, cores: number): string {
  const x = speedup(results, r);
  if (x === null) return '';
  const limit = speedupLimit(spec, r.lane, cores);
  return overLimit(spec, r, x, cores) ? `${x.toFixed(2)}× sequential: over the ${limit}× limit, see the verdict` : `${x.toFixed(2)}× sequential`;
}

/** A lane's speedup over sequential, and the limit it went past. */
interface Over {
  lane: Lane;
  x: number;
  limit: number;
}

/** What a limit stands for: that many cores computing at once, or that many waits at once. */
function limitWords(spec: Spec, limit: number): string {
  if (specWaits(spec)) return `the ${grouped(limit)}× that ${limit === 1 ? 'one wait at a time' : `${grouped(limit)} waits at once`} can give`;
  return `the ${grouped(limit)}× that ${limit === 1 ? 'one thread' : `${grouped(limit)} cores`} can give by computing at once`;
}

/** "threads 2.6× and processes 2.4× are more than the 2× that 2 cores can give by computing at once". */
function overWords(spec: Spec, over: Over[]): string {
  const limits = new Set(over.map((o) => o.limit));
  const verb = over.length === 1 ? 'is' : 'are';
  if (limits.size === 1) return `${andList(over.map((o) => `${o.lane} ${times(o.x)}`))} ${verb} more than ${limitWords(spec, over[0].limit)}`;
  return `${andList(over.map((o) => `${o.lane} ${times(o.x)} (limit ${grouped(o.limit)}×)`))} are each more than its lane can give at once`;
}

/**
 * Why lanes beat sequential by more than their limit, said instead of calling it parallelism:
 * one sentence for the gains that cache explains, one for the rest.
 */
function beyondLimit(spec: Spec, results: LaneResult[], cores: number): string[] {
  const over = results.flatMap((r): Over[] => {
    const x = speedup(results, r);
    return x !== null && overLimit(spec, r, x, cores) ? [{ lane: r.lane, x, limit: speedupLimit(spec, r.lane, cores) }] : [];
  });
  // Cache explains a gain past the cores only where there are several cores, each with its cache.
  const cached = workloadInfo(spec.workload).memoryBound ? over.filter((o) => o.limit > 1) : [];
  const other = over.filter((o) => !cached.includes(o));
  const parts: string[] = [];
  if (cached.length > 0) {
    parts.push(`${overWords(spec, cached)}: this scan waits on memory, and each core brings its own cache, so more of the ${spec.size} MB buffer stays close to the cores than one core can keep (a native run shows it too). The rest of the gain is cache, not parallelism.`);
  }
  if (other.length > 0) {
    parts.push(`${overWords(spec, other)}: sequential was slowed by something the others were not (another program on the machine, a cold start). Run it again before reading anything into it.`);
  }
  return parts;
}

/**
 * "1.9×", "12×"; "0.97×" where one decimal would read 1.0 and hide which side of 1 it fell, and
 * "0.02×" where it would read 0.0.
 */
const times = (x: number) => `${x.toFixed(x >= 10 ? 0 : x < 0.1 || x.toFixed(1) === '1.0' ? 2 : 1)}×`;

/**
 * A run with an injected fault: no race, but what each lane kept and lost, in the seed's terms
 * (a process dies alone; threads share one memory and one fate).
 */
function faultVerdict(spec: Spec, results: LaneResult[]): RunReport['verdict'] {
  const what = spec.fault === 'oom-one-task' ? 'ran out of memory' : 'panicked';
  const all = `${allOf(spec.tasks, 'task')} done`;
  const parts: string[] = [];
  for (const r of results) {
    if (r.errorKind === 'cancelled') continue;
    const fault = r.faults?.[0];
    const at = fault ? ` at ${duration(fault.atMs)}` : '';
    const done = r.tasksDone ?? (r.ok ? spec.tasks : 0);
    if (r.lane === 'processes') {
      const replaced = r.replacedProcesses ?? 0;
      const rest = done === 0 ? 'but no other task was left to run' : `and went on, and the checksum covers exactly ${done === 1 ? 'that task' : `those ${count(done, 'task')}`}`;
      parts.push(r.ok
        ? `processes: ${all}.`
        : `processes: ${grouped(done)} of ${count(spec.tasks, 'task')} done. The task that ${what} killed only its own process; the pool replaced `
          + `${replaced === 1 ? 'it' : processes(replaced)} in ${duration(r.replaceMs ?? 0)} ${rest}.`);
    } else if (r.lane === 'threads' || r.lane === 'gil') {
      parts.push(r.ok
        ? `${r.lane}: ${all}.`
        : `${r.lane}: a task ${what}${at} and took down the one memory every thread shares: the whole lane was lost${done === 0 ? ', before any task had finished' : `, with the ${count(done, 'task')} it had finished`}.`);
    } else if (r.lane === 'sequential') {
      const lost = done === 0 ? 'before any task had finished' : `and the ${count(done, 'task')} done before it ${done === 1 ? 'was' : 'were'} lost with it`;
      parts.push(r.ok ? `sequential: ${all}.` : `sequential: one worker, so the fault${at} ended the run, ${lost}.`);
    } else {
      parts.push(r.ok ? `async: ${all}.` : `async: one thread, one memory: the fault${at} took the event loop down with every task in flight (${grouped(done)} had finished).`);
    }
  }
  parts.push('Rule: a crash stays in its process; threads and async tasks share one fate. Isolation is another reason for processes.');
  return { fastest: null, text: [`One task ${what} on purpose.`, ...parts].join(' ') };
}

/**
 * What the processes paid that threads did not: their start (a cold pool) and their messages, and
 * how many tasks went in a message (the spec's `chunk`, or batched as Python's Pool.map batches)
 * and how messages travelled.
 */
function processCosts(spec: Spec, pro: LaneResult): string {
  const chunk = pro.chunk ?? 1;
  const batched = `${count(chunk, 'task')} a message, ${spec.chunk === 0 ? 'batched as Pool.map batches them' : 'as the spec asked'}, ${pro.via === 'pipe' ? 'through pipes' : 'by postMessage'}`;
  // transferMs adds up every process's waits, so it is said to be a sum: it may exceed the run.
  const messages = `messages kept them waiting ${duration(pro.transferMs)} in all (summed over ${processes(pro.workers)}; ${batched})`;
  return pro.setupMs > 0 ? `Starting the processes took another ${duration(pro.setupMs)}, and ${messages}.` : `Their ${messages}.`;
}

/**
 * What the share buffer cost the processes: a copy for each process that lacked it (a transfer of
 * no task on its row, lanes/processes.ts), none where a warm pool's processes kept theirs.
 */
function shareCopies(spec: Spec, pro: LaneResult): string {
  const copied = new Set(pro.events.filter((e) => e.phase === 'transfer' && e.task === -1).map((e) => e.row)).size;
  const buffer = `the ${spec.size} MB buffer`;
  if (copied === 0) return `The warm pool's processes still held their copies of ${buffer} from an earlier run, so none was sent this time; threads read the one shared copy.`;
  if (copied >= pro.workers) return `Each process first had to receive its own copy of ${buffer}; threads read the one shared copy.`;
  return `${copied} of the ${processes(pro.workers)} first had to receive their own copy of ${buffer} (the others still held theirs from an earlier run); threads read the one shared copy.`;
}

/** The lanes that finished, each with its speedup over sequential where there is one. */
class Measured {
  constructor(
    readonly spec: Spec,
    readonly results: LaneResult[],
    readonly cores: number,
  ) {}

  get(lane: Lane): LaneResult | undefined {
    return this.results.find((r) => r.lane === lane && r.ok);
  }

  /** The lane's speedup, or null where there is none or it is past the lane's limit (beyondLimit says why). */
  within(lane: Lane): number | null {
    const r = this.get(lane);
    const x = r ? speedup(this.results, r) : null;
    return r && x !== null && !overLimit(this.spec, r, x, this.cores) ? x : null;
  }
}

/**
 * The parallel lanes against sequential: faster only past 1×; slower ones said to be slower, and
 * why (too little work to pay for the lane's own costs, or nothing that could run at once).
 */
function parallelWords(m: Measured): string[] {
  const { spec } = m;
  const rows = (['processes', 'threads'] as const).flatMap((lane) => {
    const x = m.within(lane);
    return x === null ? [] : [{ lane, x }];
  });
  // Faster only where it shows as more than 1.00×: "1.00× faster" said nothing.
  const faster = rows.filter((r) => r.x >= 1.005);
  const slower = rows.filter((r) => r.x < 1.005);
  const on = `on ${count(spec.workers, 'worker')}`;
  const parts: string[] = [];
  if (faster.length > 0) parts.push(`CPU-bound: ${andList(faster.map((r) => `${r.lane} ${times(r.x)}`))} faster than sequential ${on}.`);
  if (slower.length > 0) {
    const one = slower.length === 1;
    const copied = workloadInfo(spec.workload).readsBuffer && slower.some((r) => r.lane === 'processes');
    let why = Math.min(spec.workers, spec.tasks) > 1
      ? `the work was too small to pay for ${one ? "the lane's" : "the lanes'"} own costs`
      : `with ${spec.tasks === 1 ? 'one task' : 'one worker'} nothing ran at once, and ${one ? 'the lane' : 'each lane'} still paid its own costs`;
    // A big buffer is no small work: what the processes paid was its copies.
    if (copied && Math.min(spec.workers, spec.tasks) > 1) why = `the processes' copies of the ${spec.size} MB buffer cost more than computing at once saved`;
    // A lane shown as 1.00× is not slower: "no faster than" then holds for every lane listed.
    const even = slower.some((r) => r.x >= 0.995);
    parts.push(`${faster.length > 0 ? '' : 'CPU-bound: '}${andList(slower.map((r) => r.lane))} ${one ? 'was' : 'were'} ${even ? 'no faster than' : 'slower than'} sequential `
      + `(${andList(slower.map((r) => times(r.x)))} its speed)${faster.length > 0 ? '' : ` ${on}`}: ${why}.`);
  }
  return parts;
}

/** Work that only computes: the parallel lanes, the GIL and the event loop, the processes' costs. */
function cpuWords(m: Measured): string[] {
  const { spec, results, cores } = m;
  const parts = [...parallelWords(m), ...beyondLimit(spec, results.filter((r) => r.ok), cores)];
  const gil = m.within('gil');
  const as = m.within('async');
  if (gil !== null) parts.push(`GIL threads ${times(gil)}: under one lock only one thread computes, so in CPython threads would not help.`);
  if (as !== null) parts.push(`async ${times(as)}: one thread, so no parallelism.`);
  const pro = m.get('processes');
  if (pro) parts.push(processCosts(spec, pro));
  if (workloadInfo(spec.workload).readsBuffer && pro) parts.push(shareCopies(spec, pro));
  return parts;
}

/** The event loop's worst lag, where it is long enough to say: what held the loop. */
function loopLag(spec: Spec, as: LaneResult | undefined): string[] {
  const lag = as?.loopLagMs;
  if (lag === undefined || lag <= 50) return [];
  if (specWaits(spec)) return [`But the event loop lagged ${duration(lag)}: CPU work that never yields blocks it.`];
  const futures = spec.size === 1 ? 'its one future had nothing to wait for, so it ran' : `its ${count(spec.size, 'future')} had nothing to wait for, so they ran one after another`;
  return [`But the event loop lagged ${duration(lag)}: ${futures} without giving the loop a turn.`];
}

/** Requests that wait for nothing (0 ms): no I/O to overlap, only the work on the answers. */
function noWaitWords(m: Measured): string[] {
  const { spec } = m;
  return [
    `No request waited (latency 0 ms), so there was no I/O to overlap: the lanes only ran the work on ${count(spec.size, 'answer')}, as they run CPU-bound work.`,
    ...cpuWords(m),
    ...loopLag(spec, m.get('async')),
    'Rule: with no waits there is nothing for async or threads to overlap; work like this is CPU-bound → processes (or threads without a GIL).',
  ];
}

/** "async 40 ms: no faster than sequential (0.9×)": a lane that overlapped waits and still did not win. */
const noFaster = (label: string, r: LaneResult, x: number) => `${label} ${duration(r.wallMs)}, no faster than sequential (${times(x)})`;

/** The async lane on requests that wait: all at once on one thread, and whether that paid. */
function asyncIo(m: Measured, as: LaneResult): string {
  const { spec } = m;
  const x = speedup(m.results, as);
  if (x === null || x > 1) return `async ${duration(as.wallMs)}: every request waited at once on one thread.`;
  const costs = spec.yieldEvery > 0 ? ` (yielding to the loop every ${count(spec.yieldEvery, 'unit')})` : '';
  return `${noFaster('async', as, x)}: its requests waited at once on one thread, but the waits it overlapped saved less than its own costs${costs}.`;
}

/** The GIL lane on requests that wait: the lock is let go while waiting, and whether that paid. */
function gilIo(m: Measured, gil: LaneResult): string {
  const x = speedup(m.results, gil);
  if (x === null || x > 1) return `GIL threads ${duration(gil.wallMs)}: the lock is released while waiting, so I/O-bound threads work in CPython too.`;
  return `${noFaster('GIL threads', gil, x)}: the lock is released while waiting, but the waits overlapped saved less than passing the lock cost.`;
}

/**
 * Requests that wait: how many each lane waited for at once, and the seed's rule for the
 * connections there were, where the numbers bear it out.
 */
function ioWords(m: Measured): string[] {
  const { spec, results, cores } = m;
  const as = m.get('async');
  const th = m.get('threads');
  const gil = m.get('gil');
  const capped = spec.size > spec.workers;
  const parts = [`I/O-bound: ${count(spec.size, 'request')} × ${spec.latencyMs} ms${spec.jitterMs ? ` ± ${spec.jitterMs}` : ''}.`];
  if (spec.size === 1) {
    parts.push('With one request there was nothing to wait for at once: every lane waited for it once, and the rest is each lane\'s own cost.');
  } else {
    if (as) parts.push(asyncIo(m, as));
    if (th) {
      parts.push(capped
        ? `threads ${duration(th.wallMs)}: a waiting request holds its thread, so only ${grouped(spec.workers)} waited at a time.`
        : `threads ${duration(th.wallMs)}: with a thread per connection every request waited at once too.`);
    }
    if (gil && th) parts.push(gilIo(m, gil));
  }
  parts.push(...loopLag(spec, as), ...beyondLimit(spec, results.filter((r) => r.ok), cores));
  parts.push(ioRule(m, capped));
  return parts;
}

/**
 * The seed's rule for the connections there were, and where the run went against it, why: the
 * work on the answers against the waits, as sequential (which overlaps nothing) measured them.
 */
function ioRule(m: Measured, capped: boolean): string {
  const as = m.get('async');
  const th = m.get('threads');
  if (!capped) {
    const asFast = !as || !th || as.wallMs <= th.wallMs * 1.1;
    return `Rule: fast I/O, few connections → threads are enough${asFast ? ' (async is as fast)' : ''}.`;
  }
  if (!as || !th || as.wallMs <= th.wallMs) return 'Rule: slow I/O, many connections → async.';
  const seq = m.get('sequential');
  const work = seq ? phaseMs(seq, 'compute') : 0;
  const waits = seq ? phaseMs(seq, 'wait') : 0;
  return seq && work >= waits
    ? `Rule: slow I/O, many connections → async, unless the work on each answer outweighs the waits, as here (sequential computed ${duration(work)} and waited ${duration(waits)}): threads split that work over their cores and won.`
    : 'Rule: slow I/O, many connections → async; yet threads won here, so async\'s own costs outweighed the waits it overlapped.';
}

export function verdict(spec: Spec, results: LaneResult[], cores: number): RunReport['verdict'] {
  const stopped = results.filter((r) => r.errorKind === 'cancelled');
  if (stopped.length > 0) {
    const done = results.filter((r) => r.ok).map((r) => `${r.lane} ${duration(r.wallMs)}`);
    return { fastest: null, text: `Stopped before every lane had run, so there is no verdict.${done.length ? ` Finished: ${done.join(', ')}.` : ''}` };
  }
  if (spec.fault !== 'none') return faultVerdict(spec, results);
  if (workloadInfo(spec.workload).sharedState) {
    const shared = sharedStateVerdict(spec, results);
    const beyond = beyondLimit(spec, results.filter((r) => r.ok), cores);
    return { ...shared, text: [shared.text, ...beyond].join(' ') };
  }
  const ok = results.filter((r) => r.ok);
  if (ok.length === 0) {
    return { fastest: null, text: 'No lane finished, so there is no verdict.' };
  }
  const fastest = ok.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const m = new Measured(spec, results, cores);
  let parts: string[];
  if (isCpuBound(spec)) parts = [...cpuWords(m), 'Rule: CPU-bound → processes (or threads without a GIL).'];
  else if (!specWaits(spec)) parts = noWaitWords(m);
  else parts = ioWords(m);
  return { fastest: fastest.lane, text: [`${fastest.lane} was fastest (${duration(fastest.wallMs)}).`, ...parts].join(' ') };
}
