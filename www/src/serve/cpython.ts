// A CPython serve report (python3 -m concurrency_bridge.serve, fed the page's Serve JSON) read
// back on the page: checked field by field (it comes from a file, so it is untrusted) and set
// beside the browser's lanes, with whether both served the same arrivals. The checks are what the
// bridge's arithmetic (serve.py's `figures`, the crate's stats.rs) makes true of any report it
// writes, so a report that breaks one was edited or made by something else, and is refused by
// the field that breaks it rather than shown as figures nobody measured.
import { bad, checkSize, fileText, num } from '../cpython';
import type { ServeReport } from './types';

const MAX_BYTES = 8 << 20;
const LANES = ['sequential', 'threads', 'processes', 'async'] as const;
const FIGURES = ['offered', 'completed', 'queued', 'completedPerSec', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs', 'meanMs'] as const;
/** Counted in requests, so whole. */
const COUNTS = ['offered', 'completed', 'queued'] as const;
/** Latencies picked from one sorted list (nearest rank), so in this order exactly. */
const RANKED = ['p50Ms', 'p95Ms', 'p99Ms', 'maxMs'] as const;
/** Room for a figure computed in another order than the one it is checked by (a mean, a rate). */
const ROUNDING = 1e-9;

export interface CpythonServeLane {
  lane: (typeof LANES)[number];
  offered: number;
  completed: number;
  queued: number;
  completedPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface CpythonServe {
  python: string;
  arrivals: number[];
  lanes: CpythonServeLane[];
}

/** A serve report file's text, refused by its size before it is read (as a run's report is). */
export const serveFileText = (file: Blob) => fileText(file, MAX_BYTES);

export function readCpythonServe(json: string): CpythonServe {
  const r = parseObject(json);
  // Each named apart: a report that lacks only its arrivals is told so, not that its lanes are missing.
  const notServe = 'must be a list: this is not a report of python3 -m concurrency_bridge.serve';
  if (!Array.isArray(r.lanes)) throw bad('lanes', notServe);
  if (!Array.isArray(r.arrivals)) throw bad('arrivals', notServe);
  const python = typeof r.python === 'string' && r.python.length <= 40 ? r.python : '';
  if (!python) throw bad('python', 'must be the Python version that served it');
  // An empty list would be shown as "0 lanes" served on nothing: the bridge never writes one.
  if (r.lanes.length === 0) throw bad('lanes', 'must list the lanes CPython served: this report has none');
  if (r.arrivals.length === 0) throw bad('arrivals', 'must list the requests CPython served: this report has none');
  const durationMs = readDuration(r.options);
  const arrivals = r.arrivals.map((a, i) => readArrival(a, i, durationMs));
  const lanes = r.lanes.map((l, i) => readLane(l, i, arrivals.length, durationMs));
  refuseRepeats(lanes);
  return { python, arrivals, lanes };
}

function parseObject(json: string): Record<string, unknown> {
  checkSize(json.length, MAX_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw bad('json', 'is not JSON: open the file python3 -m concurrency_bridge.serve printed');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('json', 'must be an object: the JSON python3 -m concurrency_bridge.serve printed');
  return raw as Record<string, unknown>;
}

/** The run's duration: what the arrivals fall within and a lane's throughput is bounded by. */
function readDuration(options: unknown): number {
  const durationMs = (options as Record<string, unknown> | null | undefined)?.durationMs;
  const ms = num(durationMs, 'options.durationMs');
  if (ms === 0) throw bad('options.durationMs', 'must be more than 0: the duration the requests arrived over');
  return ms;
}

/** An arrival: ms from the run's start, within its duration (the bridge serves no other). */
function readArrival(a: unknown, i: number, durationMs: number): number {
  const at = num(a, `arrivals[${i}]`);
  if (at >= durationMs) throw bad(`arrivals[${i}]`, `must be before options.durationMs (${durationMs} ms), got ${at}`);
  return at;
}

function readLane(l: unknown, i: number, arrivals: number, durationMs: number): CpythonServeLane {
  const raw = (l ?? {}) as Record<string, unknown>;
  if (!LANES.includes(raw.lane as CpythonServeLane['lane'])) throw bad(`lanes[${i}].lane`, `must be one of ${LANES.join(', ')}`);
  const out = { lane: raw.lane } as CpythonServeLane;
  for (const key of FIGURES) out[key] = num(raw[key], `lanes[${i}].${key}`);
  checkCounts(out, i, arrivals);
  checkLatencies(out, i);
  checkRate(out, i, durationMs);
  return out;
}

/** Every lane is offered every arrival, and each is either completed or still queued at the end. */
function checkCounts(l: CpythonServeLane, i: number, arrivals: number): void {
  for (const key of COUNTS) {
    if (!Number.isInteger(l[key])) throw bad(`lanes[${i}].${key}`, `must be a whole number of requests, got ${l[key]}`);
  }
  if (l.offered !== arrivals) throw bad(`lanes[${i}].offered`, `must be the number of the report's arrivals (${arrivals}): every lane is offered each of them, got ${l.offered}`);
  if (l.completed > l.offered) throw bad(`lanes[${i}].completed`, `must be at most offered (${l.offered}), got ${l.completed}`);
  if (l.completed + l.queued !== l.offered) throw bad(`lanes[${i}].queued`, `must be offered − completed (${l.offered} − ${l.completed} = ${l.offered - l.completed}), got ${l.queued}`);
}

/** p50 ≤ p95 ≤ p99 ≤ max, the mean no more than the max, and nothing measured when nothing completed. */
function checkLatencies(l: CpythonServeLane, i: number): void {
  for (let k = 1; k < RANKED.length; k++) {
    const [below, key] = [RANKED[k - 1], RANKED[k]];
    if (l[key] < l[below]) throw bad(`lanes[${i}].${key}`, `must be at least ${below} (${l[below]}), got ${l[key]}`);
  }
  if (l.meanMs > l.maxMs * (1 + ROUNDING)) throw bad(`lanes[${i}].meanMs`, `must be at most maxMs (${l.maxMs}), got ${l.meanMs}`);
  if (l.completed === 0 && l.maxMs !== 0) throw bad(`lanes[${i}].maxMs`, `must be 0 when no request completed, got ${l.maxMs}`);
}

/** Completed over the lane's time, which is the duration or longer (it ends with its last request). */
function checkRate(l: CpythonServeLane, i: number, durationMs: number): void {
  const most = (l.completed * 1000) / durationMs;
  if (l.completedPerSec > most * (1 + ROUNDING)) {
    throw bad(`lanes[${i}].completedPerSec`, `must be at most completed over options.durationMs (${l.completed} in ${durationMs} ms = ${most}/s), got ${l.completedPerSec}`);
  }
}

/** One row per lane: a lane twice would be shown as two rows of one lane. */
function refuseRepeats(lanes: CpythonServeLane[]): void {
  const first = new Map<string, number>();
  lanes.forEach((l, i) => {
    const before = first.get(l.lane);
    if (before !== undefined) throw bad(`lanes[${i}].lane`, `lists ${l.lane} twice (lanes[${before}] is ${l.lane} too)`);
    first.set(l.lane, i);
  });
}

/** Whether the two served the same requests at the same times (to the µs the JSON keeps). */
export function sameArrivals(browser: ServeReport, python: CpythonServe): boolean {
  return browser.arrivals.length === python.arrivals.length && browser.arrivals.every((a, i) => Math.abs(a - python.arrivals[i]) < 1e-6);
}
