// A CPython serve report (python3 -m concurrency_bridge.serve, fed the page's Serve JSON) read
// back on the page: checked field by field (it comes from a file, so it is untrusted) and set
// beside the browser's lanes, with whether both served the same arrivals.
import { bad, checkSize, fileText, num } from '../cpython';
import type { ServeReport } from './types';

const MAX_BYTES = 8 << 20;
const LANES = ['sequential', 'threads', 'processes', 'async'] as const;
const FIGURES = ['offered', 'completed', 'queued', 'completedPerSec', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs', 'meanMs'] as const;

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
  checkSize(json.length, MAX_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw bad('json', 'is not JSON: open the file python3 -m concurrency_bridge.serve printed');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('json', 'must be an object: the JSON python3 -m concurrency_bridge.serve printed');
  const r = raw as Record<string, unknown>;
  // Each named apart: a report that lacks only its arrivals is told so, not that its lanes are missing.
  const notServe = 'must be a list: this is not a report of python3 -m concurrency_bridge.serve';
  if (!Array.isArray(r.lanes)) throw bad('lanes', notServe);
  if (!Array.isArray(r.arrivals)) throw bad('arrivals', notServe);
  const python = typeof r.python === 'string' && r.python.length <= 40 ? r.python : '';
  if (!python) throw bad('python', 'must be the Python version that served it');
  const arrivals = r.arrivals.map((a, i) => num(a, `arrivals[${i}]`));
  const lanes = r.lanes.map((l, i) => {
    const lane = (l as Record<string, unknown>)?.lane;
    if (!LANES.includes(lane as CpythonServeLane['lane'])) throw bad(`lanes[${i}].lane`, `must be one of ${LANES.join(', ')}`);
    const out = { lane } as CpythonServeLane;
    for (const key of FIGURES) out[key] = num((l as Record<string, unknown>)[key], `lanes[${i}].${key}`);
    return out;
  });
  return { python, arrivals, lanes };
}

/** Whether the two served the same requests at the same times (to the µs the JSON keeps). */
export function sameArrivals(browser: ServeReport, python: CpythonServe): boolean {
  return browser.arrivals.length === python.arrivals.length && browser.arrivals.every((a, i) => Math.abs(a - python.arrivals[i]) < 1e-6);
}
