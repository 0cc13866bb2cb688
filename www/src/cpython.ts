// A report printed by the playground's Python script (python.ts), read back on the page: checked
// field by field (it comes from a file or a paste, so it is untrusted), and compared with the
// browser's run of the same spec.
import { playgroundError } from './errors';
import type { CounterFigures, CpythonLane, CpythonReport, Lane, LaneResult, RunReport, Spec } from './types';

export type { CpythonLane, CpythonReport };
import { speedup } from './verdict';
import { schema } from './wasm';

const MAX_BYTES = 1 << 20;

/** What a Python lane is called in the verdict. */
const PYTHON_NAME: Record<Lane, string> = {
  sequential: 'sequential',
  gil: 'CPython threads',
  threads: 'free-threaded CPython threads',
  processes: 'multiprocessing',
  async: 'asyncio',
};

function text(v: unknown, field: string, max = 200): string {
  if (typeof v !== 'string' || v.length > max) throw bad(field, `must be a string of at most ${max} characters`);
  return v;
}

/** A number of a report, ≥ 0 (serve reports are read with it too: serve/cpython.ts). */
export function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(field, 'must be a number ≥ 0');
  return v;
}

/** What is wrong with a report, naming its field (`report.results[0].wallMs`). */
/** Two checked specs ask for the same run (checking writes every field, in one order). */
export const sameSpec = (a: Spec, b: Spec) => JSON.stringify(a) === JSON.stringify(b);

export const bad = (field: string, message: string) => playgroundError('invalid', `report.${field}: ${message}`, { field: `report.${field}` });

/** Refuses a report of more than `maxBytes`. */
export function checkSize(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) throw bad('size', `must be at most ${maxBytes} bytes, got ${bytes}`);
}

/**
 * The text of a report file a visitor opened or dropped, refused by its size before a byte of it
 * is read: reading 300 MB took 1.3 s only to be refused, and a file past V8's longest string
 * (about 512 MB) read as nothing, so it was called "not JSON" instead of too large.
 */
export async function fileText(file: Blob, maxBytes = MAX_BYTES): Promise<string> {
  checkSize(file.size, maxBytes);
  return file.text();
}

/**
 * Reads the JSON a generated script printed. Anything else (not JSON, another tool's JSON, a
 * report with a bad field) is refused with the field named; nothing of it is ever shown as HTML.
 */
export function readCpythonReport(json: string, checkSpec: (raw: unknown) => Spec): CpythonReport {
  checkSize(json.length, MAX_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw bad('json', `is not JSON (${e instanceof Error ? e.message.slice(0, 80) : 'unreadable'})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('json', 'must be an object: the JSON the Python script printed');
  const r = raw as Record<string, unknown>;
  if (r.source !== 'cpython') throw bad('source', "must be 'cpython': this is not a report from the playground's Python script");
  let spec: Spec;
  try {
    spec = checkSpec(r.spec);
  } catch (e) {
    throw bad('spec', e instanceof Error ? e.message : 'is not a valid spec');
  }
  const env = (r.env ?? {}) as Record<string, unknown>;
  if (typeof env !== 'object') throw bad('env', 'must be an object');
  const LANES = schema().lanes;
  if (!Array.isArray(r.results) || r.results.length === 0 || r.results.length > LANES.length) throw bad('results', `must be a list of 1 to ${LANES.length} lanes`);
  const seen = new Set<unknown>();
  const results = r.results.map((x, i): CpythonLane => {
    if (x === null || typeof x !== 'object') throw bad(`results[${i}]`, 'must be an object');
    const o = x as Record<string, unknown>;
    if (!LANES.includes(o.lane as Lane)) throw bad(`results[${i}].lane`, `must be one of ${LANES.join(', ')}`);
    if (seen.has(o.lane)) throw bad(`results[${i}].lane`, `lists ${String(o.lane)} twice`);
    seen.add(o.lane);
    const checksum = text(o.checksum ?? '', `results[${i}].checksum`, 64);
    // As the script prints it (report.format_checksum) and the browser compares it: a digest in
    // lower-case hex, so an upper-case one would only ever "differ".
    if (checksum && !/^[0-9a-f]+$/.test(checksum)) throw bad(`results[${i}].checksum`, `must be decimal digits, or hexadecimal ones in lower case as the script prints them, got ${JSON.stringify(checksum)}`);
    const lane: CpythonLane = {
      lane: o.lane as Lane,
      workers: num(o.workers, `results[${i}].workers`),
      ok: o.ok === true,
      wallMs: num(o.wallMs, `results[${i}].wallMs`),
      setupMs: num(o.setupMs ?? 0, `results[${i}].setupMs`),
      transferMs: num(o.transferMs ?? 0, `results[${i}].transferMs`),
      checksum,
    };
    if (o.error !== undefined) lane.error = text(o.error, `results[${i}].error`, 500);
    if (Array.isArray(o.failedTasks)) lane.failedTasks = o.failedTasks.filter((t): t is number => Number.isInteger(t)).slice(0, 10_000);
    if (o.counter !== undefined) lane.counter = counterFigures(o.counter, `results[${i}].counter`);
    return lane;
  });
  return {
    source: 'cpython',
    spec,
    env: {
      python: text(env.python ?? '', 'env.python', 100),
      implementation: text(env.implementation ?? '', 'env.implementation', 40),
      gilEnabled: env.gilEnabled !== false,
      // os.cpu_count() is None where Python cannot tell: unknown, not 0.
      cpuCount: env.cpuCount === null || env.cpuCount === undefined ? null : num(env.cpuCount, 'env.cpuCount'),
      startMethod: text(env.startMethod ?? '', 'env.startMethod', 40),
      platform: text(env.platform ?? '', 'env.platform', 200),
    },
    results,
  };
}

function counterFigures(v: unknown, field: string): CounterFigures {
  if (v === null || typeof v !== 'object') throw bad(field, 'must be an object');
  const c = v as Record<string, unknown>;
  const out: CounterFigures = {
    expected: num(c.expected, `${field}.expected`),
    counted: num(c.counted, `${field}.counted`),
    lostUpdates: num(c.lostUpdates, `${field}.lostUpdates`),
  };
  // Each update adds one, so a counter never passes what was made, and what it lost is the rest
  // (as the bridge computes it: python/concurrency_bridge/workloads/__init__.py).
  if (out.counted > out.expected) throw bad(`${field}.counted`, `must be at most expected (${n(out.expected)}), got ${n(out.counted)}`);
  if (out.lostUpdates !== out.expected - out.counted) throw bad(`${field}.lostUpdates`, `must be expected − counted (${n(out.expected - out.counted)}), got ${n(out.lostUpdates)}`);
  if (c.localCounts !== undefined) {
    if (!Array.isArray(c.localCounts) || c.localCounts.length > 4096) throw bad(`${field}.localCounts`, 'must be a list of at most 4096 counts');
    out.localCounts = c.localCounts.map((x, j) => num(x, `${field}.localCounts[${j}]`));
  }
  return out;
}

const times = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}×`);

/** The browser lane that stands for a Python one: CPython's threads are the gil lane here. */
export function browserTwin(lane: Lane, report: CpythonReport): Lane {
  return lane === 'gil' || (lane === 'threads' && report.env.gilEnabled) ? 'gil' : lane;
}

const n = (x: number) => x.toLocaleString('en-US');

/** "1,234 of 80,000" */
export const lostOf = (c: CounterFigures) => `${n(c.lostUpdates)} of ${n(c.expected)}`;

export interface ComparisonRow {
  lane: Lane;
  pythonName: string;
  python: CpythonLane;
  browser: LaneResult | undefined;
  pythonSpeedup: number | null;
  browserSpeedup: number | null;
  sameChecksum: boolean | null;
}

/** A side's speedup, or why there is none. */
const speedWords = (ok: boolean, x: number | null) => (!ok ? 'did not finish' : x === null ? 'no speedup (no sequential run to compare)' : times(x));

/** Both sides finished a lane that counts: only then are their lost updates compared. */
export const bothCounted = (r: ComparisonRow) => r.python.ok && r.python.counter !== undefined && r.browser?.ok === true && r.browser.counter !== undefined;

export function compare(py: CpythonReport, browser: RunReport): { rows: ComparisonRow[]; text: string } {
  const pySeq = py.results.find((r) => r.lane === 'sequential' && r.ok && r.wallMs > 0);
  const rows = py.results.map((p): ComparisonRow => {
    const b = browser.results.find((r) => r.lane === browserTwin(p.lane, py));
    return {
      lane: p.lane,
      pythonName: PYTHON_NAME[p.lane],
      python: p,
      browser: b,
      pythonSpeedup: pySeq && p.ok && p.wallMs > 0 ? pySeq.wallMs / p.wallMs : null,
      browserSpeedup: b ? speedup(browser.results, b) : null,
      // A count that timing can change has no checksum on either side: never compared.
      sameChecksum: b && b.ok && p.ok && b.checksum && p.checksum ? b.checksum === p.checksum : null,
    };
  });
  const parts = rows.filter((r) => r.lane !== 'sequential').map((r) =>
    `${r.pythonName} ${speedWords(r.python.ok, r.pythonSpeedup)} — here the ${r.browser?.lane ?? browserTwin(r.lane, py)} lane ${speedWords(r.browser?.ok ?? false, r.browserSpeedup)}`);
  const differ = rows.filter((r) => r.sameChecksum === false);
  const same = rows.filter((r) => r.sameChecksum === true);
  const sums = differ.length > 0
    ? `Checksums differ: ${differ.map((r) => `${r.pythonName} ${r.python.checksum}, here ${r.browser?.checksum}`).join('; ')}.`
    : same.length > 0 ? `Checksums equal in ${same.length} of ${rows.length} lanes (${same[0].python.checksum}): the same work, done by two implementations.` : 'No lane finished on both sides, so no checksum to compare.';
  const lost = rows.filter(bothCounted).map((r) =>
    `${r.pythonName} lost ${lostOf(r.python.counter!)}, here the ${r.browser!.lane} lane ${lostOf(r.browser!.counter!)}`);
  const lostText = lost.length ? ` Lost updates side by side: ${lost.join('; ')}.` : '';
  const { cpuCount } = py.env;
  const cpus = cpuCount === null ? 'CPUs unknown' : `${cpuCount} CPU${cpuCount === 1 ? '' : 's'}`;
  const head = `Python ${py.env.python} (${py.env.implementation}${py.env.gilEnabled ? ', with the GIL' : ', free-threaded'}, ${cpus}) beside this browser, speedups over each side's sequential:`;
  return { rows, text: `${head} ${parts.join('; ')}. ${sums}${lostText}` };
}
