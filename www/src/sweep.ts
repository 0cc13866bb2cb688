// Sweeps: run a lane set again and again and draw how it scales.
//  - workers 1..N on the current workload: speedup over sequential, with the ideal line;
//  - connections (io): wall time as the number of simultaneous requests grows, which shows where
//    async overtakes threads (once there are more connections than threads).
import { playgroundError } from './errors';
import type { PlaygroundImpl } from './playground';
import type { Lane, RunSpec } from './types';
import type { SweepSeries } from './ui/charts';

export interface SweepPlot {
  xs: number[];
  series: SweepSeries[];
  xLabel: string;
  yLabel: string;
  caption: string;
  logX: boolean;
}

/** A connections sweep stops growing once threads would take longer than this per point. */
const POINT_BUDGET_MS = 3000;

export async function sweepWorkers(
  pg: PlaygroundImpl,
  base: RunSpec,
  maxWorkers: number,
  draw: (p: SweepPlot) => void,
  stopped: () => boolean,
): Promise<void> {
  const lanes = (base.lanes ?? pg.capabilities().lanes).filter((l) => l === 'threads' || l === 'gil' || l === 'processes');
  if (lanes.length === 0) throw playgroundError('invalid', 'lanes: a workers sweep needs threads, gil or processes', { field: 'lanes' });
  const [seq] = (await pg.run({ ...base, lanes: ['sequential'], workers: 1 })).results;
  // Stopped while sequential ran: a stopped sweep, not a failed one.
  if (stopped() || seq.errorKind === 'cancelled') return;
  if (!seq.ok) throw playgroundError(seq.errorKind ?? 'panicked', `the sweep's sequential run failed: ${seq.error}`);
  const seqMs = seq.wallMs;
  const xs: number[] = [];
  const series: SweepSeries[] = [{ label: 'ideal', values: [] }, ...lanes.map((l) => ({ label: l, values: [] as (number | null)[] }))];
  for (let w = 1; w <= maxWorkers && !stopped(); w++) {
    const report = await pg.run({ ...base, lanes, workers: w, pool: 'warm' });
    // A point Stop cut short is no point.
    if (stopped()) break;
    xs.push(w);
    series[0].values.push(w);
    for (const [i, lane] of lanes.entries()) {
      const r = report.results.find((x) => x.lane === lane);
      series[i + 1].values.push(r?.ok ? seqMs / r.wallMs : null);
    }
    draw({ xs: [...xs], series, xLabel: 'workers', yLabel: 'speedup × sequential', caption: `Speedup over sequential (${seqMs.toFixed(0)} ms) as workers grow; dashed: ideal.`, logX: false });
  }
}

export async function sweepConnections(
  pg: PlaygroundImpl,
  base: RunSpec,
  draw: (p: SweepPlot) => void,
  stopped: () => boolean,
): Promise<void> {
  const spec = pg.check({ ...base, workload: 'io', size: 1, tasks: undefined });
  const lanes = spec.lanes.filter((l): l is Lane => l !== 'sequential');
  if (lanes.length === 0) throw playgroundError('invalid', 'lanes: a connections sweep needs at least one lane besides sequential', { field: 'lanes' });
  const xs: number[] = [];
  const series: SweepSeries[] = lanes.map((l) => ({ label: l, values: [] }));
  for (let n = 1; n <= 20_000 && !stopped(); n *= 2) {
    if (Math.ceil(n / spec.workers) * spec.latencyMs > POINT_BUDGET_MS && xs.length >= 3) break;
    const report = await pg.run({ ...spec, size: n, tasks: n, lanes });
    if (stopped()) break;
    xs.push(n);
    for (const [i, lane] of lanes.entries()) {
      const r = report.results.find((x) => x.lane === lane);
      series[i].values.push(r?.ok ? r.wallMs : null);
    }
    draw({
      xs: [...xs], series, xLabel: 'connections', yLabel: 'wall ms', logX: true,
      caption: `Wall time as simultaneous requests (${spec.latencyMs} ms each) grow, ${spec.workers} workers: threads climb once connections outnumber them; async stays flat.`,
    });
  }
}
