// A serve run: check the options (crate/src/serve, with the time budget), serve the same
// arrivals on each chosen lane one after another (never competing for cores), and read each
// lane's records into figures with the crate's arithmetic. A sweep repeats it at several
// offered loads and finds where each lane stops keeping up.
import { asError, kindOf, playgroundError } from '../errors';
import { Cancelled, laneWorkers } from '../lanes/common';
import type { LabHost } from '../lanes/threads';
import type { Calibration, Lane, ServeOptions } from '../types';
import { arrivals, checkServe, serveFigures, serveSpec } from '../wasm';
import { serveLane } from './lanes';
import type { ServeLaneResult, ServeObserver, ServeReport, ServeSweep, SweepPoint } from './types';
import { capacityPerSec, knee, serveVerdict, sweepVerdict } from './verdict';

/** "A server under load": slow I/O at ten times what a pool of two can serve. */
export const SERVE_PRESET = { ratePerSec: 200, durationMs: 2000, latencyMs: 100, cpuRounds: 200, workers: 2 } as const;

export interface ServeContext {
  lab: LabHost;
  cores: number;
  /** The lanes this browser can run. */
  lanes: Lane[];
  machine: Calibration;
  signal: AbortSignal;
  observer?: ServeObserver;
}

/** Checks serve options as `serve` would, without running them. */
export function checkServeOptions(raw: unknown, ctx: Pick<ServeContext, 'cores' | 'lanes' | 'machine'>) {
  return checkServe(raw ?? {}, ctx.cores, ctx.lanes, ctx.machine);
}

export async function serve(raw: unknown, ctx: ServeContext): Promise<ServeReport> {
  const checked = checkServeOptions(raw, ctx);
  ctx.observer?.runStarted?.(checked.options);
  let report: ServeReport;
  try {
    report = await serveLanes(checked, ctx);
  } catch (e) {
    ctx.observer?.runEnded?.(null);
    throw e;
  }
  ctx.observer?.runEnded?.(report);
  return report;
}

async function serveLanes({ options, estimate, cpuMsPerRequest }: ReturnType<typeof checkServeOptions>, ctx: ServeContext): Promise<ServeReport> {
  const spec = serveSpec(options);
  const arrived = arrivals(options);
  const lanes: ServeLaneResult[] = [];
  for (const [i, lane] of options.lanes.entries()) {
    const capacity = capacityPerSec(lane, options, cpuMsPerRequest);
    if (ctx.signal.aborted) {
      lanes.push({ lane, ok: false, error: 'cancelled', errorKind: 'cancelled', workers: options.workers, capacityPerSec: capacity });
      continue;
    }
    ctx.observer?.laneStarted?.(lane, i, options.lanes.length, estimate.lanes[i].ms);
    let result: ServeLaneResult;
    try {
      const served = await serveLane(lane, options, spec, arrived, ctx.lab, ctx.signal);
      if (ctx.signal.aborted) throw new Cancelled();
      const figures = serveFigures(options, served.records);
      // The lane's bound from its own measure of a request's CPU, not the model's.
      const cpuMs = figures.completed > 0 ? served.computeMs / figures.completed : cpuMsPerRequest;
      result = {
        lane, ok: true, workers: laneWorkers(lane, options.workers),
        capacityPerSec: capacityPerSec(lane, options, cpuMs), cpuMsPerRequest: cpuMs,
        ...figures, ...served.memory(figures), records: Array.from(served.records),
      };
    } catch (e) {
      const kind = ctx.signal.aborted ? 'cancelled' : kindOf(e) ?? 'invalid';
      result = { lane, ok: false, error: ctx.signal.aborted ? 'cancelled' : asError(e).message, errorKind: kind, workers: options.workers, capacityPerSec: capacity };
    }
    lanes.push(result);
    ctx.observer?.laneFinished?.(result);
  }
  const measured = lanes.flatMap((l) => (l.ok && (l.completed ?? 0) > 0 && l.cpuMsPerRequest !== undefined ? [l.cpuMsPerRequest] : [])).sort((a, b) => a - b);
  const cpuMs = measured.length ? measured[Math.floor(measured.length / 2)] : cpuMsPerRequest;
  return {
    options,
    estimate,
    arrivals: Array.from(arrived),
    lanes,
    curve: lanes.filter((l) => l.queue).map((l) => ({ lane: l.lane, points: l.queue! })),
    cpuMsPerRequest: cpuMs,
    verdict: serveVerdict(options, lanes, cpuMs, ctx.cores),
  };
}

/** The most offered loads one sweep may try. */
const MAX_SWEEP_RATES = 16;

/**
 * The offered loads a sweep tries when none are given: doubling from a 32nd of the options' rate
 * to twice it, so a pool's knee far below the rate (2 workers of 100 ms: 20 a second) is inside;
 * those that bring no request in `durationMs` left out.
 */
export function sweepRates(options: ServeOptions): number[] {
  const rates = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2].map((f) => Math.max(1, Math.round(options.ratePerSec * f)));
  return [...new Set(rates)].filter((ratePerSec) => {
    // The checker refuses a rate that brings no request (or too many) for these options: such a
    // default rate is left out, not the sweep.
    try {
      return arrivals({ ...options, ratePerSec }).length > 0;
    } catch (e) {
      if (kindOf(e) === 'invalid') return false;
      throw e;
    }
  });
}

/** A sweep's `rates`: a list of offered loads, each checked as `ratePerSec` is, errors naming `rates`. */
function checkRates(rates: unknown, raw: Record<string, unknown>, ctx: ServeContext): { rate: number; ms: number }[] {
  const list: unknown[] | null = Array.isArray(rates) ? rates : null;
  if (!list || list.length === 0 || list.length > MAX_SWEEP_RATES) {
    const got = list ? `${list.length} of them` : JSON.stringify(rates) ?? String(rates);
    throw playgroundError('invalid', `rates: must be a list of 1 to ${MAX_SWEEP_RATES} offered loads (requests a second), got ${got}`, { field: 'rates' });
  }
  return list.map((rate) => {
    try {
      return { rate: rate as number, ms: checkServeOptions({ ...raw, ratePerSec: rate }, ctx).estimate.totalMs };
    } catch (e) {
      if (kindOf(e) !== 'invalid') throw e;
      throw playgroundError('invalid', `rates: ${JSON.stringify(rate) ?? String(rate)} is refused: ${asError(e).message}`, { field: 'rates' });
    }
  });
}

/**
 * Serves the options at each offered load in `rates` (the whole sweep checked against the time
 * budget first); `onPoint` sees each run. A cancel ends it with the points measured so far.
 */
export async function sweep(raw: Record<string, unknown>, rates: unknown, ctx: ServeContext, onPoint?: (report: ServeReport, done: number, total: number) => void): Promise<ServeSweep> {
  const { options, estimate, cpuMsPerRequest } = checkServeOptions(raw, ctx);
  const checked = checkRates(rates, raw, ctx);
  const total = checked.reduce((sum, { ms }) => sum + ms, 0);
  const budget = estimate.budgetMs;
  if (total > budget) {
    throw playgroundError('budget', `rates: the sweep would take about ${Math.round(total / 1000)} s, over the budget of ${budget / 1000} s: use fewer rates, a shorter durationMs or fewer lanes`, { field: 'rates' });
  }
  const points = new Map<Lane, SweepPoint[]>(options.lanes.map((l) => [l, []]));
  let done = 0;
  for (const { rate } of checked) {
    if (ctx.signal.aborted) break;
    // A sweep's points are its own: whoever shows it sees them through `onPoint`, not as runs.
    const report = await serve({ ...raw, ratePerSec: rate }, { ...ctx, observer: undefined });
    if (ctx.signal.aborted) break;
    for (const r of report.lanes) {
      if (r.ok) points.get(r.lane)!.push({ ratePerSec: rate, offered: r.offered!, completed: r.completed!, completedPerSec: r.completedPerSec!, p50Ms: r.p50Ms!, p99Ms: r.p99Ms!, queued: r.queued! });
    }
    done++;
    onPoint?.(report, done, checked.length);
  }
  const lanes = options.lanes.map((lane) => ({ lane, points: points.get(lane)!, kneePerSec: knee(points.get(lane)!, options, cpuMsPerRequest) }));
  const served = checked.slice(0, done).map(({ rate }) => rate);
  return { options, rates: checked.map(({ rate }) => rate), lanes, cancelled: done < checked.length, verdict: sweepVerdict(lanes, served) };
}
