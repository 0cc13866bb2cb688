// The plain build on the page thread (and in the processes lane's parent worker): only light work
// (checking specs, folding checksums, bounding traces) and compiling the module once for every
// worker that instantiates it. The schema and the serve options are the crate's too, generated at
// build time (scripts/page-data.mjs): the page reads them before the wasm is compiled.
import init, {
  boundTrace as bound, chunkSize as chunk, describeSpec as describeIt, estimateSpec as estimate, checksumOf as checksum, normalizeSpec,
  exactOn as exact, resultWords as words, specWaits as waits, warmupSpec as warmup,
  checkServe as checkServeOptions, serveArrivals, serveFigures as figures, serveSpec as spec,
} from '@pkg/concurrency_playground.js';
import { PAGE_DATA } from './generated/page-data';
import type {
  Calibration, Estimate, FlatTrace, Lane, Phase, Schema, ServeField, ServeFigures, ServeOptions, Spec, Workload, WorkloadInfo,
} from './types';

let compiled: Promise<WebAssembly.Module> | null = null;

/** The plain build, compiled once (off the page thread) and posted to each worker. */
export function plainModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const url = new URL('./pkg/concurrency_playground_bg.wasm', import.meta.url);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load ${url.pathname}: HTTP ${response.status}`);
    // compileStreaming needs the application/wasm type; some static hosts send another.
    return response.headers.get('Content-Type')?.startsWith('application/wasm')
      ? WebAssembly.compileStreaming(response)
      : WebAssembly.compile(await response.arrayBuffer());
  })();
  return compiled;
}

/**
 * Workloads whose kernels the plain module has already run untimed. Every worker instantiates
 * the one compiled module, and V8 tiers up that module's code for all of its instances, so one
 * warm-up serves the sequential, processes and async lanes alike.
 */
export const plainWarmed = new Set<string>();

/** Instantiates the plain build here for light work; resolves to its memory. */
export async function loadPlain(): Promise<WebAssembly.Memory> {
  return (await init({ module_or_path: await plainModule() })).memory;
}

/** In a worker: the page's compiled module, for this worker's light work and every worker it starts. */
export function adoptPlain(module: WebAssembly.Module): Promise<WebAssembly.Memory> {
  compiled = Promise.resolve(module);
  return loadPlain();
}

/**
 * Checks a spec and fills its defaults, and checks it against the time budget on a machine of
 * `cores` cores as calibrated (crate/src/budget.rs); throws an Error whose `kind` and `field` say
 * what is wrong.
 */
export function normalize(raw: unknown, cores: number, lanes: Lane[], machine: Calibration, pipes: boolean): Spec {
  return normalizeSpec(raw, cores, lanes, machine.speed, machine.memory, pipes);
}

/** The checksum of partials gathered on the page (the processes lane's chunks), as the crate folds and shows it. */
export function checksumOf(workload: Workload, partials: bigint[]): string {
  return checksum(workload, BigUint64Array.from(partials));
}

/** The spec's schema from the crate (fields, ranges, defaults, help, workloads, phases). */
export function schema(): Schema {
  return PAGE_DATA.schema;
}

/** What the schema says of a workload (crate/src/workloads: its `Kernel`). */
export function workloadInfo(workload: Workload): WorkloadInfo {
  const info = schema().workloads.find((w) => w.name === workload);
  if (!info) throw new Error(`workload ${workload} is not in the schema`);
  return info;
}

/** Numbers per event in the wasm's flat traces: row, task, phase, start, end, busy. */
export const traceStride = (): number => schema().traceStride;

/** A phase's code in the wasm's flat trace, and back. */
export const phaseAt = (code: number): Phase => schema().phases[code];
export const phaseCode = (phase: Phase): number => schema().phases.indexOf(phase);

/** The small untimed run a lane makes before a workload's first timed run (crate: `Spec::warmup`). */
export function warmupSpec(spec: Spec): Spec {
  return warmup(spec);
}

/** Tasks a process gets in one message: the spec's `chunk`, or Python's Pool.map rule (crate: `budget::chunk_size`). */
export function chunkSize(spec: Spec): number {
  return chunk(spec);
}

/**
 * Bounds a trace the page gathered (the processes lane's tasks and messages) by the crate's rule
 * (crate/src/trace.rs): flat events of 6 numbers in, at most 20,000 out, with exact totals.
 */
export function boundTrace(events: Float64Array): FlatTrace {
  return bound(events);
}

/** What a spec runs, in one sentence (crate: `Spec::describe`). */
export function describeSpec(spec: Spec): string {
  return describeIt(spec);
}

/** What a lane's checksum over `done` tasks says, in the workload's words (crate: `Kernel::result`). */
export function resultWords(spec: Spec, checksum: string, done: number): string {
  return words(spec, checksum, done);
}

/** Whether a run of `spec` on `lane` gives one answer however its tasks interleave (crate: `Kernel::exact`). */
export function exactOn(spec: Spec, lane: Lane): boolean {
  return exact(spec, lane);
}

/** Whether the tasks of `spec` wait on simulated responses (crate: the cost model's waits). */
export function specWaits(spec: Spec): boolean {
  return waits(spec);
}

/** The time budget's estimate of a spec on a machine of `cores` cores as calibrated (crate/src/budget.rs). */
export function estimateSpec(raw: unknown, cores: number, machine: Calibration, pipes: boolean): Estimate {
  return estimate(raw, cores, machine.speed, machine.memory, pipes);
}

/**
 * Checks serve options (crate/src/serve) and fills their defaults, refusing a run past the time
 * budget; throws an Error whose `kind` and `field` say what is wrong.
 */
export function checkServe(raw: unknown, cores: number, lanes: Lane[], machine: Calibration): { options: ServeOptions; estimate: Estimate; cpuMsPerRequest: number } {
  return checkServeOptions(raw, cores, lanes, machine.speed, machine.memory);
}

/** The serve options the form shows, with the checker's ranges and defaults. */
export function serveFields(): ServeField[] {
  return PAGE_DATA.serveFields;
}

/** A serve run's requests as a spec of the mixed workload, one task a request (the processes begin it). */
export function serveSpec(options: ServeOptions): Spec {
  return spec(options);
}

/** When each request arrives, ms from the run's start: the same seeded arrivals on every lane. */
export function arrivals(options: ServeOptions): Float64Array {
  return serveArrivals(options);
}

/** A lane's serve figures from its `[index, start, end]` records (crate/src/serve/stats.rs). */
export function serveFigures(options: ServeOptions, records: Float64Array): ServeFigures {
  return figures(options, records);
}
