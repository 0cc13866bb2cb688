// The decision map: the seed's three rules over a grid of two of their variables (how much of a
// request is CPU, how many requests run at once, how long one takes, how many workers), each
// cell raced live, and the rules drawn over the measured winners.
import { playgroundError } from './errors';
import type { Spec, Lane, LaneResult, RunSpec } from './types';
import { schema } from './wasm';
import { andList } from './words';

export type MapAxis = 'requests' | 'cpu' | 'requestMs' | 'workers';
export const MAP_AXES: readonly MapAxis[] = ['requests', 'cpu', 'requestMs', 'workers'];

/** The axis pairs the map offers: x, then y. */
export const MAP_PAIRS: readonly [MapAxis, MapAxis][] = [['requests', 'cpu'], ['requests', 'requestMs'], ['workers', 'cpu']];

export interface MapOptions {
  x?: MapAxis;
  y?: MapAxis;
  xValues?: number[];
  yValues?: number[];
  /** A request's whole time in ms: waiting plus CPU (the default 10). */
  requestMs?: number;
  /** Requests at once, where it is not an axis. */
  requests?: number;
  /** The share of a request that is CPU work, 0 to 1, where it is not an axis. */
  cpu?: number;
  /** Threads or processes in a pool (default 8: a ThreadPoolExecutor's on a small machine). */
  workers?: number;
  /** Race threads without a GIL too (Rust, Go, free-threaded Python 3.13t+). */
  threads?: boolean;
  /** Lanes within this share of the best are shared winners (default 0.1). */
  margin?: number;
}

export type FullMapOptions = Required<MapOptions>;

export interface MapCell {
  x: number;
  y: number;
  spec: Spec;
  results: LaneResult[];
  /** The lane that won, or the lanes within the margin of the best. */
  winner: Lane[];
}

export interface Rule {
  id: 'cpu' | 'fast' | 'slow';
  text: string;
  /** The lanes the rule says should win its cells. */
  lanes: Lane[];
  /** Whether a cell's parameters put it in the rule's region. */
  covers: (p: CellParams) => boolean;
}

export interface CellParams {
  requests: number;
  cpu: number;
  requestMs: number;
  workers: number;
}

export interface DecisionMap {
  axes: { x: { name: MapAxis; values: number[] }; y: { name: MapAxis; values: number[] } };
  options: FullMapOptions;
  /** The lanes each cell raced (those of `mapLanes` this browser runs). */
  lanes: Lane[];
  cells: MapCell[];
  /** True when a cancel stopped the map before its last cell. */
  cancelled: boolean;
  /** Where this machine agrees with the seed's rules, and where it does not. */
  sentence: string;
}

const DEFAULT_VALUES: Record<MapAxis, number[]> = {
  requests: [1, 4, 16, 64, 256],
  cpu: [0, 0.25, 0.5, 0.75, 1],
  requestMs: [1, 4, 16, 64],
  workers: [1, 2, 4, 8, 16],
};

const LIMITS: Record<MapAxis, [number, number]> = { requests: [1, 2000], cpu: [0, 1], requestMs: [0.5, 200], workers: [1, 64] };
const MAX_CELLS = 64;

/** The seed's three rules, as regions of the map's variables. */
export const RULES: readonly Rule[] = [
  { id: 'cpu', text: 'CPU-bound → processes (or threads without a GIL)', lanes: ['processes', 'threads'], covers: (p) => p.cpu >= 0.75 },
  { id: 'fast', text: 'I/O-bound, fast, few connections → threads', lanes: ['gil', 'threads'], covers: (p) => p.cpu <= 0.25 && p.requests <= 4 && p.requestMs <= 16 },
  { id: 'slow', text: 'I/O-bound, slow, many connections → async', lanes: ['async'], covers: (p) => p.cpu <= 0.25 && p.requests >= 64 },
];

/** A value as the caller wrote it, briefly (NaN and Infinity as such, long text cut). */
function shown(v: unknown): string {
  // A form's number field the browser cannot read (`1e`, `1e400`) arrives as NaN, as in the crate.
  if (Number.isNaN(v)) return 'NaN (not a number)';
  if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) < 1e15 ? String(v) : Number.isFinite(v) ? v.toExponential(3) : String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Fills in and checks map options; errors name the option (`map.x`, `map.xValues`, …). */
export function mapOptions(raw: MapOptions = {}): FullMapOptions {
  const bad = (field: string, message: string) => playgroundError('invalid', `map.${field}: ${message}`, { field: `map.${field}` });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('options', 'must be an object such as { x: "requests", y: "cpu" }');
  const known = ['x', 'y', 'xValues', 'yValues', 'requestMs', 'requests', 'cpu', 'workers', 'threads', 'margin'];
  const unknown = Object.keys(raw).find((k) => !known.includes(k));
  if (unknown) throw bad(unknown.slice(0, 40), `is not a map option (known: ${known.join(', ')})`);
  const x = raw.x ?? 'requests';
  const y = raw.y ?? 'cpu';
  for (const [name, axis] of [['x', x], ['y', y]] as const) {
    if (!MAP_AXES.includes(axis)) throw bad(name, `must be one of ${MAP_AXES.join(', ')}, got ${shown(axis)}`);
  }
  if (x === y) throw bad('y', `must differ from x (${x})`);
  const values = (name: 'xValues' | 'yValues', axis: MapAxis) => {
    const v = raw[name] ?? DEFAULT_VALUES[axis];
    const [lo, hi] = LIMITS[axis];
    if (!Array.isArray(v) || v.length < 1 || v.length > 8) throw bad(name, 'must be a list of 1 to 8 numbers');
    for (const n of v) {
      if (typeof n !== 'number' || !Number.isFinite(n) || n < lo || n > hi) throw bad(name, `must hold numbers from ${lo} to ${hi} for ${axis}, got ${shown(n)}`);
      if ((axis === 'requests' || axis === 'workers') && !Number.isInteger(n)) throw bad(name, `must hold whole numbers for ${axis}, got ${n}`);
    }
    return [...v].sort((a, b) => a - b);
  };
  const number = (name: 'requestMs' | 'requests' | 'cpu' | 'workers' | 'margin', axis: MapAxis | null, fallback: number) => {
    const v = raw[name] ?? fallback;
    const [lo, hi] = axis ? LIMITS[axis] : [0, 1];
    const whole = name === 'requests' || name === 'workers';
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (whole && !Number.isInteger(v))) {
      throw bad(name, `must be a ${whole ? 'whole ' : ''}number from ${lo} to ${hi}, got ${shown(v)}`);
    }
    return v;
  };
  const options: FullMapOptions = {
    x, y,
    xValues: values('xValues', x),
    yValues: values('yValues', y),
    requestMs: number('requestMs', 'requestMs', 10),
    requests: number('requests', 'requests', 64),
    cpu: number('cpu', 'cpu', 0),
    workers: number('workers', 'workers', 8),
    threads: raw.threads === undefined ? false : raw.threads === true,
    margin: number('margin', null, 0.1),
  };
  if (raw.threads !== undefined && typeof raw.threads !== 'boolean') throw bad('threads', 'must be true or false');
  if (options.xValues.length * options.yValues.length > MAX_CELLS) throw bad('yValues', `the map may have at most ${MAX_CELLS} cells`);
  return options;
}

/**
 * The lanes a map races, wherever they can run: CPython-like threads (`gil`), processes and
 * async, and threads without a GIL where the options ask for them.
 */
export function mapLanes(o: FullMapOptions): Lane[] {
  return ['gil', 'processes', 'async', ...(o.threads ? ['threads' as const] : [])];
}

/** The lanes a map races in a browser that runs `here`. */
export function mapLanesHere(o: FullMapOptions, here: readonly Lane[]): Lane[] {
  return mapLanes(o).filter((l) => here.includes(l));
}

/** The rules a map that races `lanes` can check: those naming one of them (outlined, in the legend). */
export function rulesFor(lanes: readonly Lane[]): Rule[] {
  return RULES.filter((r) => r.lanes.some((l) => lanes.includes(l)));
}

const LANE_WORDS: Partial<Record<Lane, string>> = { gil: 'CPython-like threads (gil)', threads: 'threads without a GIL' };

/** A map's lanes in its sentences' words. */
export function mapLaneWords(lanes: readonly Lane[]): string {
  return andList(lanes.map((l) => LANE_WORDS[l] ?? l));
}

/** A cell's variables: the axes' values over the options' fixed ones. */
export function cellParams(o: FullMapOptions, x: number, y: number): CellParams {
  const p: CellParams = { requests: o.requests, cpu: o.cpu, requestMs: o.requestMs, workers: o.workers };
  p[o.x] = x;
  p[o.y] = y;
  return p;
}

/** A cell as a spec: `mixed` requests that wait (1 − cpu) of their time and compute the rest. */
export function cellSpec(p: CellParams, lanes: Lane[]): RunSpec {
  const cpuMs = p.cpu * p.requestMs;
  return {
    workload: 'mixed',
    size: p.requests,
    latencyMs: Math.round((p.requestMs - cpuMs) * 1000) / 1000,
    jitterMs: 0,
    cpuRounds: Math.round(cpuMs * schema().cpuRoundsPerMs),
    workers: p.workers,
    pool: 'warm',
    lanes,
  };
}

/** The lanes within `margin` of the fastest finished lane. */
export function winners(results: LaneResult[], margin: number): Lane[] {
  const ok = results.filter((r) => r.ok);
  if (ok.length === 0) return [];
  const best = Math.min(...ok.map((r) => r.wallMs));
  return ok.filter((r) => r.wallMs <= best * (1 + margin)).sort((a, b) => a.wallMs - b.wallMs).map((r) => r.lane);
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Says, rule by rule, in how many of its cells this machine agreed, and names a cell where it did
 * not, then which lanes won the cells no rule was checked in. A rule is checked only in cells
 * where one of its lanes raced: where none could (threads and gil in a browser that cannot share
 * memory), the cell could not agree with it, and the rule is left out.
 */
export function describeMap(o: FullMapOptions, cells: MapCell[]): string {
  const checks = (rule: Rule, c: MapCell) => rule.covers(cellParams(o, c.x, c.y)) && c.spec.lanes.some((l) => rule.lanes.includes(l));
  const parts: string[] = [];
  for (const rule of RULES) {
    const mine = cells.filter((c) => checks(rule, c));
    if (mine.length === 0) continue;
    const held = mine.filter((c) => c.winner.some((l) => rule.lanes.includes(l)));
    let text = `${rule.text}: held in ${held.length} of ${mine.length} cells`;
    const miss = mine.find((c) => !held.includes(c));
    if (miss) {
      const p = cellParams(o, miss.x, miss.y);
      text += ` (not at ${p.requests} request${p.requests === 1 ? '' : 's'} of ${p.requestMs} ms with ${pct(p.cpu)} CPU: ${miss.winner.join(' and ') || 'no lane'} won)`;
    }
    parts.push(`${text}.`);
  }
  const unchecked = cells.filter((c) => !RULES.some((r) => checks(r, c)));
  if (unchecked.length > 0) {
    const counts = new Map<string, number>();
    for (const c of unchecked) for (const l of c.winner) counts.set(l, (counts.get(l) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ');
    const between = unchecked.every((c) => !RULES.some((r) => r.covers(cellParams(o, c.x, c.y))));
    parts.push(`${between ? 'Between the rules' : 'Where no rule could be checked here'} (${unchecked.length} cells), the winners were: ${top}.`);
  }
  return parts.length ? parts.join(' ') : 'No cell has been measured yet.';
}
