// The race as a Gantt chart on one canvas: a band per lane, a row per worker, bars coloured by
// phase, on one shared time axis so lanes compare by eye. Canvas, so 10,000 tasks stay smooth.
import type { LaneResult, Phase, TraceEvent } from '../types';
import { schema } from '../wasm';
import { cssVar } from './dom';

const LABEL_W = 92;
const ROW_H = 12;
const ROW_GAP = 3;
const BAND_GAP = 14;
const AXIS_H = 26;
/** Async waits overlap on its one thread: they are spread over this many thin sub-rows. */
const WAIT_ROWS = 12;

export function phaseColor(phase: Phase): string {
  return cssVar(`--${phase}`);
}

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

/**
 * Bars batched for drawing: one path per colour and shade instead of a fill per event (20,000 of
 * them a lane), and a bar left out where earlier bars of its track already cover its pixels.
 * Tracks and colours are small numbers, not strings: this runs once per event on every redraw.
 */
class Bars {
  private readonly paths: (Path2D | undefined)[] = [];
  private readonly covered: number[] = [];

  constructor(private readonly colours: readonly string[]) {}

  add(colour: number, alpha: number, track: number, x0: number, x1: number, y: number, h: number): void {
    const right = x1 > x0 + 1 ? x1 : x0 + 1;
    if ((this.covered[track] ?? -Infinity) >= right) return;
    this.covered[track] = right;
    // Four shades are as many as the eye tells apart at this size.
    const key = colour * 4 + Math.max(0, Math.ceil(alpha * 4) - 1);
    const path = (this.paths[key] ??= new Path2D());
    path.rect(x0, y, right - x0, h);
  }

  paint(ctx: CanvasRenderingContext2D): void {
    this.paths.forEach((path, key) => {
      if (!path) return;
      ctx.globalAlpha = ((key % 4) + 1) / 4;
      ctx.fillStyle = this.colours[Math.floor(key / 4)];
      ctx.fill(path);
    });
    ctx.globalAlpha = 1;
  }
}

function busyShare(e: TraceEvent): number {
  const length = e.end - e.start;
  return length > 0 ? Math.min(1, Math.max(0.25, e.busy / length)) : 1;
}

export class Timeline {
  constructor(private readonly canvas: HTMLCanvasElement) {}

  /** Draws the race; each draw's time is a `timeline-draw` User Timing entry (the bench reads it). */
  draw(results: LaneResult[]): void {
    const started = performance.now();
    this.paint(results);
    performance.measure('timeline-draw', { start: started });
  }

  private paint(results: LaneResult[]): void {
    // Loops, not Math.max(...spread): a report holds up to 20,000 events a lane.
    let t0 = 0;
    let t1 = 1;
    const bands = results.map((r) => {
      let rows = 1;
      let waits = false;
      t1 = Math.max(t1, r.wallMs);
      for (const e of r.events) {
        rows = Math.max(rows, e.lane + 1);
        waits ||= r.lane === 'async' && e.phase === 'wait';
        t0 = Math.min(t0, e.start);
        t1 = Math.max(t1, e.end);
      }
      return { r, rows, waits, height: 18 + rows * (ROW_H + ROW_GAP) + (waits ? WAIT_ROWS * 3 + 6 : 0) };
    });
    const width = Math.max(280, this.canvas.clientWidth || this.canvas.parentElement?.clientWidth || 600);
    const height = bands.reduce((h, b) => h + b.height + BAND_GAP, 0) + AXIS_H;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    const fg = cssVar('--fg');
    const muted = cssVar('--muted');
    const line = cssVar('--line');
    ctx.fillStyle = cssVar('--card');
    ctx.fillRect(0, 0, width, height);
    const plotW = width - LABEL_W - 8;
    const x = (t: number) => LABEL_W + ((t - t0) / (t1 - t0)) * plotW;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';

    let y = 0;
    const phases = schema().phases;
    const palette = phases.map(phaseColor);
    const colors = Object.fromEntries(phases.map((p, i) => [p, palette[i]])) as Record<Phase, string>;
    const codes = Object.fromEntries(phases.map((p, i) => [p, i])) as Record<Phase, number>;
    for (const band of bands) {
      const { r } = band;
      ctx.fillStyle = fg;
      ctx.font = '600 12px system-ui, sans-serif';
      const label = r.ok ? `${r.lane}  ${r.wallMs.toFixed(0)} ms` : `${r.lane}  failed`;
      ctx.fillText(label, 4, y + 8);
      ctx.font = '11px system-ui, sans-serif';
      const top = y + 18;
      for (let row = 0; row < band.rows; row++) {
        ctx.fillStyle = muted;
        ctx.fillText(r.lane === 'processes' ? `process ${row}` : r.lane === 'async' ? 'event loop' : r.lane === 'sequential' ? 'worker' : `thread ${row}`, 10, top + row * (ROW_H + ROW_GAP) + ROW_H / 2);
      }
      const bars = new Bars(palette);
      for (const e of r.events) {
        if (band.waits && e.phase === 'wait') continue;
        const rowY = top + e.lane * (ROW_H + ROW_GAP);
        const thin = e.phase === 'wait' || e.phase === 'transfer';
        const code = codes[e.phase];
        // A merged event is drawn as busy as it was: paler where short spans lay far apart.
        bars.add(code, busyShare(e), e.lane * 8 + code, x(e.start), x(e.end), thin ? rowY + 3 : rowY, thin ? ROW_H - 6 : ROW_H);
      }
      bars.paint(ctx);
      // Where a task failed: a mark across its row, and the task named, so a crash's place and
      // the work done before it read together.
      for (const f of r.faults ?? []) {
        const fx = x(f.atMs);
        const rowY = top + Math.min(f.row, band.rows - 1) * (ROW_H + ROW_GAP);
        ctx.fillStyle = colors['gil-wait'];
        ctx.fillRect(fx - 1, rowY - 2, 2, ROW_H + 4);
        ctx.fillText(`✕ ${f.task === null ? 'crash' : `task ${f.task}`}`, Math.min(fx + 3, width - 64), rowY + ROW_H / 2);
      }
      if (band.waits) {
        const waitTop = top + band.rows * (ROW_H + ROW_GAP) + 4;
        ctx.fillStyle = muted;
        ctx.fillText('waiting', 10, waitTop + (WAIT_ROWS * 3) / 2);
        const waits = new Bars(palette);
        for (const e of r.events) {
          if (e.phase === 'wait') waits.add(codes.wait, 0.6, e.task % WAIT_ROWS, x(e.start), x(e.end), waitTop + (e.task % WAIT_ROWS) * 3, 2);
        }
        waits.paint(ctx);
      }
      y += band.height + BAND_GAP;
      ctx.fillStyle = line;
      ctx.fillRect(LABEL_W, y - BAND_GAP / 2, plotW, 1);
    }
    // The shared time axis.
    const step = niceStep(t1 - t0, Math.max(2, Math.floor(plotW / 90)));
    ctx.fillStyle = muted;
    ctx.textBaseline = 'top';
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const tx = x(t);
      ctx.fillRect(tx, 0, 1, y);
      ctx.fillText(t >= 10_000 ? `${(t / 1000).toFixed(0)} s` : `${+t.toFixed(3)} ms`, Math.min(tx + 2, width - 60), y + 4);
    }
    ctx.fillStyle = fg;
    ctx.fillRect(x(0), 0, 1.5, y);
  }
}
