// Names the fastest lane and explains why, in the seed's terms, with the measured numbers.
import type { Spec, Lane, LaneResult, RunReport } from './types';
import { specWaits, workloadInfo } from './wasm';
import { sharedStateVerdict } from './shared-state';
import { processes } from './words';

export function speedup(results: LaneResult[], r: LaneResult): number | null {
  const base = results.find((x) => x.lane === 'sequential' && x.ok);
  return base && r.ok && r.wallMs > 0 ? base.wallMs / r.wallMs : null;
}

export function isCpuBound(spec: Spec): boolean {
  return workloadInfo(spec.workload).cpuBound;
}

/**
 * The most a lane can beat sequential by: the cores it computes on for CPU-bound work that never
 * waits (one under the GIL or on an event loop), the waits it overlaps where tasks wait (I/O, the
 * counter's steps). A measured speedup past this (with 10 % for noise) is not parallelism, and is
 * never shown as if it were.
 */
export function speedupLimit(spec: Spec, lane: Lane, cores: number): number {
  const pool = Math.min(spec.workers, spec.tasks);
  if (lane === 'sequential') return 1;
  if (isCpuBound(spec) && !specWaits(spec)) return lane === 'threads' || lane === 'processes' ? Math.min(pool, Math.max(1, cores)) : 1;
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

/** Why a lane beat sequential by more than its limit, said instead of calling it parallelism. */
function beyondLimit(spec: Spec, results: LaneResult[], cores: number): string[] {
  return results.flatMap((r) => {
    const x = speedup(results, r);
    if (x === null || !overLimit(spec, r, x, cores)) return [];
    const limit = speedupLimit(spec, r.lane, cores);
    const head = `${r.lane} ${times(x)} is more than the ${limit}× that ${limit === 1 ? 'one thread' : `${limit} cores`} can give by computing at once`;
    return [workloadInfo(spec.workload).memoryBound
      ? `${head}: this scan waits on memory, and ${limit} cores bring ${limit} caches, so more of the ${spec.size} MB buffer stays close to the cores than one core can keep (a native run shows it too). The rest of the gain is cache, not parallelism.`
      : `${head}: sequential was slowed by something the others were not (another program on the machine, a cold start). Run it again before reading anything into it.`];
  });
}

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
const times = (x: number | null) => (x === null ? '' : `${x.toFixed(x >= 10 ? 0 : 1)}×`);

/**
 * A run with an injected fault: no race, but what each lane kept and lost, in the seed's terms
 * (a process dies alone; threads share one memory and one fate).
 */
function faultVerdict(spec: Spec, results: LaneResult[]): RunReport['verdict'] {
  const what = spec.fault === 'oom-one-task' ? 'ran out of memory' : 'panicked';
  const parts: string[] = [];
  for (const r of results) {
    if (r.errorKind === 'cancelled') continue;
    const fault = r.faults?.[0];
    const at = fault ? ` at ${ms(fault.atMs)}` : '';
    const done = r.tasksDone ?? (r.ok ? spec.tasks : 0);
    const kept = `${done} of ${spec.tasks} tasks`;
    if (r.lane === 'processes') {
      const replaced = r.replacedProcesses ?? 0;
      parts.push(r.ok
        ? `processes: all ${spec.tasks} tasks done.`
        : `processes: ${kept} done. The task that ${what} killed only its own process; the pool replaced `
          + `${replaced === 1 ? 'it' : `${replaced} processes`} in ${ms(r.replaceMs ?? 0)} and went on, and the checksum covers exactly those ${done} tasks.`);
    } else if (r.lane === 'threads' || r.lane === 'gil') {
      parts.push(r.ok
        ? `${r.lane}: all ${spec.tasks} tasks done.`
        : `${r.lane}: a task ${what}${at} and took down the one memory every thread shares: the whole lane was lost, with the ${done} tasks it had finished.`);
    } else if (r.lane === 'sequential') {
      parts.push(r.ok ? 'sequential: all tasks done.' : `sequential: one worker, so the fault${at} ended the run, and the ${done} tasks done before it were lost with it.`);
    } else {
      parts.push(r.ok ? 'async: all tasks done.' : `async: one thread, one memory: the fault${at} took the event loop down with every task in flight (${done} had finished).`);
    }
  }
  parts.push('Rule: a crash stays in its process; threads and async tasks share one fate. Isolation is another reason for processes.');
  return { fastest: null, text: [`One task ${what} on purpose.`, ...parts].join(' ') };
}

/**
 * What the processes paid that threads did not: their start (a cold pool) and their messages, and
 * how many tasks went in a message (the spec's `chunk`, or batched as Python's Pool.map batches).
 */
function processCosts(spec: Spec, pro: LaneResult): string {
  const chunk = pro.chunk ?? 1;
  const batched = `${chunk.toLocaleString('en-US')} ${chunk === 1 ? 'task' : 'tasks'} a message, ${spec.chunk === 0 ? 'batched as Pool.map batches them' : 'as the spec asked'}`;
  // transferMs adds up every process's waits, so it is said to be a sum: it may exceed the run.
  const messages = `messages kept them waiting ${ms(pro.transferMs)} in all (summed over ${processes(pro.workers)}; ${batched})`;
  return pro.setupMs > 0 ? `Starting the processes took another ${ms(pro.setupMs)}, and ${messages}.` : `Their ${messages}.`;
}

export function verdict(spec: Spec, results: LaneResult[], cores: number): RunReport['verdict'] {
  const stopped = results.filter((r) => r.errorKind === 'cancelled');
  if (stopped.length > 0) {
    const done = results.filter((r) => r.ok).map((r) => `${r.lane} ${ms(r.wallMs)}`);
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
  const get = (lane: Lane) => ok.find((r) => r.lane === lane);
  const vsSeq = (lane: Lane) => {
    const r = get(lane);
    return r ? speedup(results, r) : null;
  };
  const parts: string[] = [];
  const head = `${fastest.lane} was fastest (${ms(fastest.wallMs)}).`;

  if (isCpuBound(spec)) {
    const th = vsSeq('threads');
    const pr = vsSeq('processes');
    const gil = vsSeq('gil');
    const as = vsSeq('async');
    const within = (lane: Lane, x: number | null) => x !== null && !overLimit(spec, get(lane)!, x, cores);
    const par = [within('processes', pr) ? `processes ${times(pr)}` : '', within('threads', th) ? `threads ${times(th)}` : '']
      .filter(Boolean).join(' and ');
    if (par) parts.push(`CPU-bound: ${par} faster than sequential on ${spec.workers} workers.`);
    parts.push(...beyondLimit(spec, ok, cores));
    if (gil !== null) parts.push(`GIL threads ${times(gil)}: under one lock only one thread computes, so in CPython threads would not help.`);
    if (as !== null) parts.push(`async ${times(as)}: one thread, so no parallelism.`);
    const pro = get('processes');
    if (pro) parts.push(processCosts(spec, pro));
    if (workloadInfo(spec.workload).readsBuffer && pro) parts.push(`Each process first had to receive its own copy of the ${spec.size} MB buffer; threads read the one shared copy.`);
    parts.push('Rule: CPU-bound → processes (or threads without a GIL).');
  } else {
    const as = get('async');
    const th = get('threads');
    const capped = th && spec.size > spec.workers;
    parts.push(`I/O-bound: ${spec.size} requests × ${spec.latencyMs} ms${spec.jitterMs ? ` ± ${spec.jitterMs}` : ''}.`);
    if (as) parts.push(`async ${ms(as.wallMs)}: every request waited at once on one thread.`);
    if (th) {
      parts.push(capped
        ? `threads ${ms(th.wallMs)}: a waiting request holds its thread, so only ${spec.workers} waited at a time.`
        : `threads ${ms(th.wallMs)}: with a thread per connection every request waited at once too.`);
    }
    const gil = get('gil');
    if (gil && th) parts.push(`GIL threads ${ms(gil.wallMs)}: the lock is released while waiting, so I/O-bound threads work in CPython too.`);
    if (as && as.loopLagMs !== undefined && as.loopLagMs > 50) parts.push(`But the event loop lagged ${ms(as.loopLagMs)}: CPU work that never yields blocks it.`);
    parts.push(...beyondLimit(spec, ok, cores));
    parts.push(capped
      ? 'Rule: slow I/O, many connections → async.'
      : 'Rule: fast I/O, few connections → threads are enough (async is as fast).');
  }
  return { fastest: fastest.lane, text: [head, ...parts].join(' ') };
}
