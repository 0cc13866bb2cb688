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
    const colors = Object.fromEntries(schema().phases.map((p) => [p, phaseColor(p)])) as Record<Phase, string>;
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
      for (const e of r.events) {
        if (band.waits && e.phase === 'wait') continue;
        const x0 = x(e.start);
        const w = Math.max(1, x(e.end) - x0);
        const rowY = top + e.lane * (ROW_H + ROW_GAP);
        const thin = e.phase === 'wait' || e.phase === 'transfer';
        ctx.fillStyle = colors[e.phase];
        // A merged event is drawn as busy as it was: paler where short spans lay far apart.
        ctx.globalAlpha = busyShare(e);
        ctx.fillRect(x0, thin ? rowY + 3 : rowY, w, thin ? ROW_H - 6 : ROW_H);
      }
      ctx.globalAlpha = 1;
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
        ctx.globalAlpha = 0.6;
        ctx.fillStyle = colors.wait;
        for (const e of r.events) {
          if (e.phase !== 'wait') continue;
          ctx.fillRect(x(e.start), waitTop + (e.task % WAIT_ROWS) * 3, Math.max(1, x(e.end) - x(e.start)), 2);
        }
        ctx.globalAlpha = 1;
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
