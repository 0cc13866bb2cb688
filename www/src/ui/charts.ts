// Charts with uPlot (small and fast): wall time per lane, and the sweeps' curves.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LaneResult } from '../types';
import { cssVar } from './dom';

function size(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(260, el.clientWidth || 480), height: 240 };
}

const LANE_COLOURS: Record<string, string> = {
  sequential: '#7a7f8c', threads: '#2f6fde', gil: '#d6453d', processes: '#8e44ad', async: '#179c6a', ideal: '#999999',
};

export class WallChart {
  private plot: uPlot | null = null;

  constructor(private readonly el: HTMLElement) {}

  draw(results: LaneResult[]): void {
    const ok = results.filter((r) => r.ok);
    this.plot?.destroy();
    if (ok.length === 0) return;
    const names = ok.map((r) => r.lane);
    const fg = cssVar('--fg');
    const grid = cssVar('--line');
    this.plot = new uPlot({
      ...size(this.el),
      legend: { show: false },
      scales: { x: { time: false, range: [-0.6, ok.length - 0.4] }, y: { range: (_u, _min, max) => [0, max * 1.1] } },
      axes: [
        { stroke: fg, grid: { show: false }, values: (_u, splits) => splits.map((s) => names[s] ?? ''), splits: () => names.map((_, i) => i) },
        { stroke: fg, grid: { stroke: grid }, label: 'ms' },
      ],
      series: [
        {},
        {
          label: 'wall ms',
          fill: '#2f6fdecc',
          stroke: '#2f6fde',
          paths: uPlot.paths.bars!({ size: [0.6, 80] }),
          points: { show: false },
        },
      ],
    }, [names.map((_, i) => i), ok.map((r) => r.wallMs)], this.el);
  }

  canvas(): HTMLCanvasElement | null {
    return this.plot?.ctx.canvas ?? null;
  }
}

/** Two sides' speedups per lane, as bars side by side (CPython beside this browser). */
export class PairChart {
  private plot: uPlot | null = null;

  constructor(private readonly el: HTMLElement) {}

  draw(names: string[], sides: { label: string; values: (number | null)[]; colour: string }[]): void {
    this.plot?.destroy();
    const fg = cssVar('--fg');
    this.plot = new uPlot({
      ...size(this.el),
      legend: { show: true, live: false },
      scales: { x: { time: false, range: [-0.6, names.length - 0.4] }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.15] } },
      axes: [
        { stroke: fg, grid: { show: false }, values: (_u, splits) => splits.map((s) => names[s] ?? ''), splits: () => names.map((_, i) => i) },
        { stroke: fg, grid: { stroke: cssVar('--line') }, label: '× sequential' },
      ],
      series: [
        {},
        ...sides.map((side, i) => ({
          label: side.label,
          fill: `${side.colour}cc`,
          stroke: side.colour,
          paths: uPlot.paths.bars!({ size: [0.35, 60], align: i === 0 ? -1 : 1 }),
          points: { show: false },
        })),
      ],
    }, [names.map((_, i) => i), ...sides.map((s) => s.values)], this.el);
  }
}

export interface SweepSeries {
  label: string;
  values: (number | null)[];
  /** The lane whose colour it takes (default: the label's), dashed when `dash`. */
  lane?: string;
  dash?: boolean;
}

export class SweepChart {
  private plot: uPlot | null = null;

  constructor(private readonly el: HTMLElement) {}

  draw(xs: number[], series: SweepSeries[], xLabel: string, yLabel: string, logX = false): void {
    this.plot?.destroy();
    const fg = cssVar('--fg');
    const grid = cssVar('--line');
    this.plot = new uPlot({
      ...size(this.el),
      // The legend's live values follow the pointer: with no hover (a phone) they stay "--".
      legend: { live: matchMedia('(hover: hover)').matches },
      scales: { x: { time: false, distr: logX ? 3 : 1 }, y: { range: (_u, _min, max) => [0, max * 1.1] } },
      axes: [
        { stroke: fg, grid: { stroke: grid }, label: xLabel },
        { stroke: fg, grid: { stroke: grid }, label: yLabel },
      ],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: LANE_COLOURS[s.lane ?? s.label] ?? fg,
          width: 2,
          dash: s.label === 'ideal' || s.dash ? [6, 4] : undefined,
          spanGaps: true,
        })),
      ],
    }, [xs, ...series.map((s) => s.values)], this.el);
  }

  canvas(): HTMLCanvasElement | null {
    return this.plot?.ctx.canvas ?? null;
  }
}
