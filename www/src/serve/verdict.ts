// Serve mode in the seed's words: which lanes kept up with the load, which queued, and the rule
// that explains it (slow I/O, many connections → async; fast I/O, few → threads are enough; CPU
// per request → processes, or threads without a GIL).
import type { Lane, ServeOptions } from '../types';
import { count } from '../words';
import type { ServeLaneResult, SweepPoint } from './types';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/**
 * How many requests of a lane compute at once: one under the GIL or on one thread; each of a
 * pool's threads or processes otherwise (on fewer cores they take turns, and each one's measured
 * CPU time grows with the turns it waits, so the bound stays true).
 */
function computing(lane: Lane, workers: number): number {
  return lane === 'sequential' || lane === 'async' || lane === 'gil' ? 1 : workers;
}

/**
 * The most requests a second a lane can complete, from a request's CPU time as the lane measured
 * it: each server is busy a request's wait and its CPU part, and a lane computes no more at once
 * than it has threads computing. Nothing measured may exceed it (up to the jitter of the waits).
 */
export function capacityPerSec(lane: Lane, options: ServeOptions, cpuMs: number): number | null {
  const bound = unbounded(lane, options, cpuMs);
  return Number.isFinite(bound) ? bound : null;
}

function unbounded(lane: Lane, options: ServeOptions, cpuMs: number): number {
  const requestMs = options.latencyMs + cpuMs;
  const cpuBound = cpuMs > 0 ? (1000 * computing(lane, options.workers)) / cpuMs : Infinity;
  if (lane === 'async') return cpuBound;
  const servers = lane === 'sequential' ? 1 : options.workers;
  return Math.min(requestMs > 0 ? (1000 * servers) / requestMs : Infinity, cpuBound);
}

/** A lane kept up: it served what was offered, and its slowest requests waited little beyond their own time. */
export function keptUp(r: Pick<ServeLaneResult, 'completed' | 'offered' | 'p99Ms'>, options: ServeOptions, cpuMs: number): boolean {
  const own = options.latencyMs + options.jitterMs + cpuMs;
  return (r.completed ?? 0) >= 0.97 * (r.offered ?? 0) && (r.p99Ms ?? Infinity) <= 2 * own + 50;
}

/** The point of a sweep where a lane stopped keeping up: its knee. */
export function knee(points: SweepPoint[], options: ServeOptions, cpuMs: number): number | null {
  return points.find((p) => !keptUp(p, options, cpuMs))?.ratePerSec ?? null;
}

function rule(options: ServeOptions, cpuMs: number, kept: Lane[], behind: Lane[], cores: number): string {
  const cpuShare = (options.ratePerSec * cpuMs) / 1000;
  if (cpuShare > 0.8 && (kept.includes('processes') || kept.includes('threads')) && (behind.includes('async') || behind.includes('gil'))) {
    return `Each request computes ${fmt(cpuMs, 2)} ms: ${fmt(cpuShare, 1)} cores' worth a second, more than one core gives. That is CPU-bound work: processes (or threads without a GIL) spread it over ${cores} cores; one event loop and GIL threads compute on one.`;
  }
  if (kept.includes('async') && behind.some((l) => l === 'threads' || l === 'gil' || l === 'processes')) {
    return `Slow I/O, many connections: ${count(options.ratePerSec, 'request', 1)} a second that each wait ${fmt(options.latencyMs)} ms keep about ${fmt((options.ratePerSec * options.latencyMs) / 1000, 1)} open at once. A pool of ${count(options.workers, 'blocking worker')} serves at most ${fmt((1000 * options.workers) / Math.max(options.latencyMs + cpuMs, 0.001))} a second and the rest queue; the event loop holds every wait at once → async.`;
  }
  if (behind.length === 0) {
    return `Every lane kept up: ${count(options.ratePerSec, 'request', 1)} a second of ${fmt(options.latencyMs)} ms I/O need only about ${count(Math.max(1, (options.ratePerSec * (options.latencyMs + cpuMs)) / 1000), 'worker', 1)} busy. Fast I/O, few connections → threads are enough; the differences here are memory, not speed.`;
  }
  return `The lanes that fell behind ran out of workers or of CPU: raise workers, or lower ratePerSec, to see where each one's knee is.`;
}

export function serveVerdict(options: ServeOptions, lanes: ServeLaneResult[], cpuMs: number, cores: number): string {
  const ok = lanes.filter((r) => r.ok);
  if (ok.length === 0) return 'No lane finished, so there is nothing to compare.';
  const kept = ok.filter((r) => keptUp(r, options, cpuMs)).map((r) => r.lane);
  const behind = ok.filter((r) => !keptUp(r, options, cpuMs));
  const stopped = lanes.filter((r) => r.errorKind === 'cancelled').map((r) => r.lane);
  const keptWords = kept.length ? `${kept.join(', ')} kept up` : ok.length === 1 ? `${ok[0].lane} did not keep up` : 'no lane kept up';
  const behindWords = behind.map((r) => `${r.lane} served ${fmt(r.completedPerSec ?? 0, 1)}/s with p99 ${fmt(r.p99Ms ?? 0)} ms and ${fmt(r.queued ?? 0)} left queued`);
  const head = `At ${count(options.ratePerSec, 'request', 1)}/s: ${keptWords}${behindWords.length ? `; ${behindWords.join('; ')}` : ''}.`;
  // A rule drawn from some lanes would judge the ones Stop kept from serving.
  if (stopped.length > 0) return `${head} Stopped before ${stopped.join(', ')} had served, so no rule is drawn.`;
  return `${head} ${rule(options, cpuMs, kept, behind.map((r) => r.lane), cores)}`;
}

/** The sweep in one sentence: each lane's knee. */
export function sweepVerdict(lanes: { lane: Lane; kneePerSec: number | null }[], rates: number[]): string {
  if (rates.length === 0) return 'The sweep stopped before its first offered load was served: nothing to compare.';
  const top = rates[rates.length - 1];
  const parts = lanes.map((l) => (l.kneePerSec === null ? `${l.lane} kept up to ${fmt(top, 1)}/s` : `${l.lane} fell behind at ${fmt(l.kneePerSec, 1)}/s`));
  return `${parts.join('; ')}.`;
}
