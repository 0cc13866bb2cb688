// The race as a Gantt chart on one canvas: a band per lane, a row per worker, coloured by phase,
// on one shared time axis so lanes compare by eye. Canvas, so 10,000 tasks stay smooth.
//
// Colours follow the time: each pixel of a row adds up how long each phase filled it and shows
// the phase that filled most of it, as pale as the pixel was empty. A span far narrower than a
// pixel therefore no longer paints a whole pixel over what surrounds it (20,000 microsecond
// compute slivers among 25 ms waits used to paint a GIL row red); a phase that fills a pixel
// without winning it is marked by a tick under the row, so it stays findable.
import { outcomeText } from '../outcome';
import type { LaneResult, Phase, TraceEvent } from '../types';
import { schema } from '../wasm';
import { millis } from '../words';
import { cssVar, grouped } from './dom';
import { TimelineInspector, type DrawnBand } from './timeline-inspect';

const LABEL_W = 92;
const ROW_H = 12;
const ROW_GAP = 3;
const BAND_GAP = 14;
const AXIS_H = 26;
/** Async waits overlap on its one thread: they are spread over this many thin sub-rows. */
const WAIT_ROWS = 12;
/** A pixel filled less than this is left blank; above it, its shade says how full it was. */
const MIN_FILL = 1 / 8;
/** Shades of one colour: as many as the eye tells apart at this size. */
const SHADES = 4;

export function phaseColor(phase: Phase): string {
  return cssVar(`--${phase}`);
}

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

/** Rectangles batched for drawing: one path per colour and shade, not a fill per pixel run. */
class Bars {
  private readonly paths: (Path2D | undefined)[] = [];

  add(colour: number, shade: number, x: number, y: number, w: number, h: number): void {
    (this.paths[colour * SHADES + shade] ??= new Path2D()).rect(x, y, w, h);
  }

  paint(ctx: CanvasRenderingContext2D, palette: readonly string[]): void {
    this.paths.forEach((path, key) => {
      if (!path) return;
      ctx.globalAlpha = ((key % SHADES) + 1) / SHADES;
      ctx.fillStyle = palette[Math.floor(key / SHADES)];
      ctx.fill(path);
    });
    ctx.globalAlpha = 1;
  }
}

/**
 * How much of each pixel of one row each phase fills (0–1 a phase), summed from its events in
 * O(1) an event: partial pixels at both ends, a difference array for the whole ones between.
 */
export class PixelFill {
  readonly fill: Float64Array;
  private readonly slope: Float64Array;

  constructor(readonly width: number, readonly phases: number) {
    this.fill = new Float64Array(width * phases);
    this.slope = new Float64Array((width + 1) * phases);
  }

  /** Adds a span from pixel `x0` to `x1` (fractional) that was busy `density` (0–1) of its length. */
  add(phase: number, x0: number, x1: number, density: number): void {
    const w = this.width;
    const a = Math.max(0, Math.min(w, x0));
    const b = Math.max(a, Math.min(w, x1));
    const k0 = Math.min(w - 1, Math.floor(a));
    const k1 = Math.min(w - 1, Math.floor(b));
    const at = phase * w;
    if (k0 === k1) {
      this.fill[at + k0] += density * (b - a);
      return;
    }
    this.fill[at + k0] += density * (k0 + 1 - a);
    this.fill[at + k1] += density * (b - k1);
    if (k1 > k0 + 1) {
      this.slope[phase * (w + 1) + k0 + 1] += density;
      this.slope[phase * (w + 1) + k1] -= density;
    }
  }

  /** Folds the whole pixels in; call once, after the last `add`. */
  finish(): void {
    const w = this.width;
    for (let p = 0; p < this.phases; p++) {
      let run = 0;
      for (let k = 0; k < w; k++) {
        run += this.slope[p * (w + 1) + k];
        this.fill[p * w + k] += run;
      }
    }
  }

  /**
   * Pixel runs of one phase and shade, each the phase that fills most of its pixels; and the
   * pixels where another phase was present without winning (its ticks).
   */
  runs(each: (phase: number, shade: number, k0: number, k1: number) => void, tick: (phase: number, k: number) => void): void {
    const w = this.width;
    let open = -1;
    let openPhase = -1;
    let openShade = -1;
    for (let k = 0; k <= w; k++) {
      let best = -1;
      let shade = -1;
      if (k < w) {
        let most = 0;
        let total = 0;
        for (let p = 0; p < this.phases; p++) {
          const f = this.fill[p * w + k];
          total += f;
          if (f > most) {
            most = f;
            best = p;
          }
        }
        if (total >= MIN_FILL) shade = Math.min(SHADES, Math.ceil(Math.min(1, total) * SHADES)) - 1;
        else best = -1;
        for (let p = 0; p < this.phases; p++) if (p !== best && this.fill[p * w + k] > 0) tick(p, k);
      }
      if (best !== openPhase || shade !== openShade) {
        if (openPhase >= 0) each(openPhase, openShade, open, k);
        open = k;
        openPhase = best;
        openShade = shade;
      }
    }
  }
}

/** Where each lane's band goes and how tall it is. */
interface Band {
  r: LaneResult;
  rows: number;
  /** async: its waits overlap, and are drawn on thin sub-rows of their own. */
  waits: boolean;
  height: number;
}

const LABEL = 'Timeline of every lane: one row per worker, coloured by phase.';

/**
 * "processes 170 ms: compute 300 ms, transfer 12 ms over its rows; set-up 25 ms before it." Each
 * phase summed over the lane's rows; starting processes is set-up, outside the lane's time.
 */
function laneSummary(r: LaneResult): string {
  const byPhase = new Map<string, number>();
  for (const t of r.totals) if (t.phase !== 'spawn') byPhase.set(t.phase, (byPhase.get(t.phase) ?? 0) + t.ms);
  const phases = schema().phases.filter((p) => (byPhase.get(p) ?? 0) > 0).map((p) => `${p} ${millis(byPhase.get(p)!)}`);
  const head = r.ok ? `${r.lane} ${millis(r.wallMs)}` : `${r.lane} (${r.outcome})`;
  const body = phases.length ? `: ${phases.join(', ')}${r.workers > 1 ? ' over its rows' : ''}` : '';
  return `${head}${body}${r.setupMs > 0 ? `; set-up ${millis(r.setupMs)} before it` : ''}.`;
}

export class Timeline {
  private readonly inspector: TimelineInspector;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.inspector = new TimelineInspector(canvas);
  }

  /** Draws the race; each draw's time is a `timeline-draw` User Timing entry (the bench reads it). */
  draw(results: LaneResult[]): void {
    const started = performance.now();
    this.paint(results);
    // A picture is no figure for a screen reader: its label says each lane's time by phase.
    this.canvas.setAttribute('aria-label', [LABEL, ...results.map(laneSummary)].join(' '));
    performance.measure('timeline-draw', { start: started });
  }

  private paint(results: LaneResult[]): void {
    const { bands, t0, t1 } = layout(results);
    const width = Math.max(280, this.canvas.clientWidth || this.canvas.parentElement?.clientWidth || 600);
    const height = bands.reduce((h, b) => h + b.height + BAND_GAP, 0) + AXIS_H;
    const ctx = this.resize(width, height, cssVar('--card'));
    if (!ctx) return;
    const plotW = Math.max(1, Math.floor(width - LABEL_W - 8));
    const scale = { t0, perMs: plotW / (t1 - t0) };
    const theme: Theme = { fg: cssVar('--fg'), muted: cssVar('--muted'), line: cssVar('--line'), card: cssVar('--card'), palette: schema().phases.map(phaseColor) };
    let y = 0;
    const drawn: DrawnBand[] = [];
    for (const band of bands) {
      drawn.push(drawBand(ctx, band, y, plotW, scale, theme));
      y += band.height + BAND_GAP;
      ctx.fillStyle = theme.line;
      ctx.fillRect(LABEL_W, y - BAND_GAP / 2, plotW, 1);
    }
    drawAxis(ctx, y, width, plotW, t0, t1, theme);
    this.inspector.update({
      bands: drawn, left: LABEL_W, t0, perMs: scale.perMs, rowHeight: ROW_H, rowStep: ROW_H + ROW_GAP, waitHeight: WAIT_ROWS * 3, rowLabel,
    });
  }

  private resize(width: number, height: number, background: string): CanvasRenderingContext2D | null {
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return null;
    ctx.scale(dpr, dpr);
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, width, height);
    ctx.textBaseline = 'middle';
    return ctx;
  }
}

/** The bands and the shared time span (loops, not Math.max(...spread): 20,000 events a lane). */
function layout(results: LaneResult[]): { bands: Band[]; t0: number; t1: number } {
  let t0 = 0;
  let t1 = 1;
  const bands = results.map((r) => {
    let rows = 1;
    let waits = false;
    t1 = Math.max(t1, r.wallMs);
    for (const e of r.events) {
      rows = Math.max(rows, e.row + 1);
      waits ||= r.lane === 'async' && e.phase === 'wait';
      t0 = Math.min(t0, e.start);
      t1 = Math.max(t1, e.end);
    }
    return { r, rows, waits, height: 18 + rows * (ROW_H + ROW_GAP) + (waits ? WAIT_ROWS * 3 + 6 : 0) };
  });
  return { bands, t0, t1 };
}

const rowLabel = (lane: string, row: number) => (lane === 'processes' ? `process ${row}` : lane === 'async' ? 'event loop' : lane === 'sequential' ? 'worker' : `thread ${row}`);
const isThin = (phase: Phase) => phase === 'wait' || phase === 'transfer';

interface Scale {
  t0: number;
  perMs: number;
}

/** The theme's colours, read from CSS once a draw (so the canvas follows light and dark). */
interface Theme {
  fg: string;
  muted: string;
  line: string;
  card: string;
  palette: string[];
}

/** Draws one lane's band at `y`; returns where its rows went. */
function drawBand(ctx: CanvasRenderingContext2D, band: Band, y: number, plotW: number, scale: Scale, theme: Theme): DrawnBand {
  const { r } = band;
  ctx.fillStyle = theme.fg;
  ctx.font = '600 12px system-ui, sans-serif';
  ctx.fillText(`${r.lane}  ${r.ok ? `${r.wallMs.toFixed(0)} ms` : outcomeText(r)}`, 4, y + 8);
  ctx.font = '11px system-ui, sans-serif';
  const top = y + 18;
  const phases = schema().phases;
  const px = (t: number) => (t - scale.t0) * scale.perMs;
  const fills = Array.from({ length: band.rows }, () => new PixelFill(plotW, phases.length));
  const waitFills = band.waits ? Array.from({ length: WAIT_ROWS }, () => new PixelFill(plotW, 1)) : [];
  for (const e of r.events) {
    if (band.waits && e.phase === 'wait') waitFills[e.task % WAIT_ROWS].add(0, px(e.start), px(e.end), density(e));
    else fills[e.row].add(phases.indexOf(e.phase), px(e.start), px(e.end), density(e));
  }
  const bars = new Bars();
  const ticks = new Bars();
  fills.forEach((fill, row) => {
    const rowY = top + row * (ROW_H + ROW_GAP);
    ctx.fillStyle = theme.muted;
    ctx.fillText(rowLabel(r.lane, row), 10, rowY + ROW_H / 2);
    fill.finish();
    fill.runs(
      (p, shade, k0, k1) => {
        const thin = isThin(phases[p]);
        bars.add(p, shade, LABEL_W + k0, thin ? rowY + 3 : rowY, k1 - k0, thin ? ROW_H - 6 : ROW_H);
      },
      (p, k) => ticks.add(p, SHADES - 1, LABEL_W + k, rowY + ROW_H + 1, 1, 1),
    );
  });
  const waitTop = band.waits ? top + band.rows * (ROW_H + ROW_GAP) + 4 : null;
  if (waitTop !== null) {
    ctx.fillStyle = theme.muted;
    ctx.fillText('waiting', 10, waitTop + (WAIT_ROWS * 3) / 2);
    const wait = phases.indexOf('wait');
    waitFills.forEach((fill, sub) => {
      fill.finish();
      fill.runs((_p, shade, k0, k1) => bars.add(wait, shade, LABEL_W + k0, waitTop + sub * 3, k1 - k0, 2), () => {});
    });
  }
  bars.paint(ctx, theme.palette);
  ticks.paint(ctx, theme.palette);
  drawFaults(ctx, band, top, (t) => LABEL_W + px(t), theme);
  return { r, top, rows: band.rows, waitTop };
}

/** A merged event spreads the time it was really busy over its length. */
function density(e: TraceEvent): number {
  const length = e.end - e.start;
  return length > 0 ? Math.min(1, e.busy / length) : 0;
}

/**
 * Where a task failed: a mark across its row and the task named on a card-coloured label,
 * drawn over every bar so a crash's place reads even over a replacement's spawn.
 */
function drawFaults(ctx: CanvasRenderingContext2D, band: Band, top: number, x: (t: number) => number, theme: Theme): void {
  const right = ctx.canvas.width / (window.devicePixelRatio || 1);
  for (const f of band.r.faults ?? []) {
    const fx = x(f.atMs);
    const rowY = top + Math.min(f.row, band.rows - 1) * (ROW_H + ROW_GAP);
    ctx.fillStyle = theme.palette[schema().phases.indexOf('gil-wait')];
    ctx.fillRect(fx - 1, rowY - 2, 2, ROW_H + 4);
    const text = `✕ ${f.task === null ? 'crash' : `task ${f.task}`}`;
    const w = ctx.measureText(text).width + 6;
    const lx = Math.min(fx + 3, right - w - 2);
    ctx.fillStyle = theme.card;
    ctx.fillRect(lx, rowY - 1, w, ROW_H + 2);
    ctx.fillStyle = theme.fg;
    ctx.fillText(text, lx + 3, rowY + ROW_H / 2);
  }
}

function drawAxis(ctx: CanvasRenderingContext2D, y: number, width: number, plotW: number, t0: number, t1: number, theme: Theme): void {
  const x = (t: number) => LABEL_W + ((t - t0) / (t1 - t0)) * plotW;
  const step = niceStep(t1 - t0, Math.max(2, Math.floor(plotW / 90)));
  ctx.fillStyle = theme.muted;
  ctx.textBaseline = 'top';
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const tx = x(t);
    ctx.fillRect(tx, 0, 1, y);
    ctx.fillText(t >= 10_000 ? `${(t / 1000).toFixed(0)} s` : `${grouped(+t.toFixed(3))} ms`, Math.min(tx + 2, width - 60), y + 4);
  }
  ctx.fillStyle = theme.fg;
  ctx.fillRect(x(0), 0, 1.5, y);
}
