// Reading the timeline's bars: what a bar was (lane, row, task, phase, when), under the pointer
// or stepped through with the keyboard, said in a line under the canvas (a live region, text
// only) and marked on the canvas by an outline. The canvas is one picture of up to 20,000 events
// a lane, so its rows are indexed only once someone inspects it, not at every redraw.
import type { LaneResult, TraceEvent } from '../types';
import { millis } from '../words';
import { el } from './dom';

/** Where the last draw put a lane's rows (CSS pixels of the canvas). */
export interface DrawnBand {
  r: LaneResult;
  /** The first row's top. */
  top: number;
  rows: number;
  /** The async lane's waits: the top of their sub-rows, or null where its waits are not drawn apart. */
  waitTop: number | null;
}

/** One draw's geometry: the bands, and where time runs across the plot. */
export interface Drawn {
  bands: DrawnBand[];
  left: number;
  t0: number;
  perMs: number;
  rowHeight: number;
  rowStep: number;
  waitHeight: number;
  rowLabel: (lane: string, row: number) => string;
}

/** One row of bars to read: a worker's row, or the async lane's waits. */
interface Line {
  lane: string;
  label: string;
  y0: number;
  y1: number;
  /** By start time. */
  events: TraceEvent[];
  waits: boolean;
}

const HINT = 'Point at a bar, or focus the timeline and use the arrow keys, to read what it was.';
/** How near the pointer a bar must be, in pixels, to be the one read. */
const REACH = 3;

const at = (t: number) => (t < 0 ? `−${millis(-t)}` : millis(t));

/** The waits in flight at `t`. */
const waitingAt = (waits: TraceEvent[], t: number) => waits.filter((e) => e.start <= t && t < e.end).length;

/** "processes, process 1: task 37, compute from 120 ms to 122 ms (1.6 ms)". */
function eventWords(line: { lane: string; label: string }, e: TraceEvent): string {
  const length = e.end - e.start;
  const span = `from ${at(e.start)} to ${at(e.end)}`;
  const who = `${line.lane}, ${line.label}: `;
  if (e.phase === 'spawn') return `${who}starting (spawn) ${span} (${millis(length)}), before the lane's time`;
  // The trace merges spans too short to see: such a bar is only partly busy (crate/src/trace.rs).
  if (length > 0 && e.busy < 0.99 * length) {
    return `${who}short spans merged, from task ${e.task} on: ${e.phase} ${millis(e.busy)} of the ${millis(length)} ${span}`;
  }
  return `${who}task ${e.task}, ${e.phase} ${span} (${millis(length)})`;
}

export class TimelineInspector {
  private drawn: Drawn | null = null;
  private lines: Line[] | null = null;
  /** The keyboard's place: a line and an event of it. */
  private cursor: { line: number; event: number } | null = null;
  private readonly readout: HTMLElement;
  private readonly marker: HTMLElement;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.readout = el('p', { class: 'timeline-readout' });
    this.readout.setAttribute('aria-live', 'polite');
    this.marker = el('div', { class: 'timeline-marker' });
    this.marker.hidden = true;
    canvas.after(this.marker, this.readout);
    canvas.tabIndex = 0;
    canvas.addEventListener('pointermove', (e) => this.point(e.offsetX, e.offsetY));
    canvas.addEventListener('pointerdown', (e) => this.point(e.offsetX, e.offsetY));
    canvas.addEventListener('pointerleave', () => this.show());
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('blur', () => this.show());
  }

  /** A new draw: what was read is gone with the old picture. */
  update(drawn: Drawn): void {
    this.drawn = drawn;
    this.lines = null;
    this.cursor = null;
    this.show();
  }

  /** The lines that have bars, indexed on first use after a draw. */
  private index(): Line[] {
    const d = this.drawn;
    this.lines ??= d ? d.bands.flatMap((band) => bandLines(band, d)).filter((l) => l.events.length > 0) : [];
    return this.lines;
  }

  /** The bar at (x, y) of the canvas, read. */
  private point(x: number, y: number): void {
    const d = this.drawn;
    if (!d) return;
    const line = this.index().find((l) => y >= l.y0 - 2 && y <= l.y1 + 2);
    if (!line || x < d.left) return this.show();
    const t = d.t0 + (x - d.left) / d.perMs;
    if (line.waits) {
      const waiting = waitingAt(line.events, t);
      return this.say(`${line.lane}: ${waiting} ${waiting === 1 ? 'request' : 'requests'} waiting at ${at(t)}, of ${line.events.length} waits`, null);
    }
    const reach = REACH / d.perMs;
    let best: TraceEvent | null = null;
    let bestGap = Infinity;
    for (const e of line.events) {
      const gap = t < e.start ? e.start - t : t > e.end ? t - e.end : 0;
      if (gap < bestGap) {
        best = e;
        bestGap = gap;
      }
    }
    if (!best || bestGap > reach) return this.show();
    this.say(eventWords(line, best), { line, event: best });
  }

  private key(e: KeyboardEvent): void {
    const lines = this.index();
    if (lines.length === 0) return;
    const c = this.cursor;
    const line = c?.line ?? 0;
    const event = c?.event ?? -1;
    const near = (to: number): number => {
      // Across lines, keep to the same moment: the event of the new line nearest it.
      if (!c) return 0;
      const t = lines[line].events[event].start;
      const evs = lines[to].events;
      let best = 0;
      evs.forEach((x, i) => {
        if (Math.abs(x.start - t) < Math.abs(evs[best].start - t)) best = i;
      });
      return best;
    };
    const toLine = (step: number) => {
      const to = Math.min(Math.max(line + step, 0), lines.length - 1);
      return c ? { line: to, event: near(to) } : { line: 0, event: 0 };
    };
    const moves: Record<string, () => { line: number; event: number }> = {
      ArrowRight: () => ({ line, event: Math.min(event + 1, lines[line].events.length - 1) }),
      ArrowLeft: () => ({ line, event: Math.max(event - 1, 0) }),
      ArrowDown: () => toLine(1),
      ArrowUp: () => toLine(-1),
      Home: () => ({ line, event: 0 }),
      End: () => ({ line, event: lines[line].events.length - 1 }),
    };
    if (e.key === 'Escape') {
      this.cursor = null;
      this.show();
      return;
    }
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    this.cursor = move();
    this.show();
  }

  /** The keyboard's place, if it has one; else the hint. */
  private show(): void {
    const c = this.cursor;
    if (c && document.activeElement === this.canvas) {
      const line = this.index()[c.line];
      const event = line.events[c.event];
      const waiting = line.waits ? `; ${waitingAt(line.events, event.start)} waiting at its start` : '';
      this.say(eventWords(line, event) + waiting, { line, event });
      return;
    }
    this.say(this.drawn?.bands.some((b) => b.r.events.length > 0) ? HINT : '', null);
  }

  private say(text: string, mark: { line: Line; event: TraceEvent } | null): void {
    if (this.readout.textContent !== text) this.readout.textContent = text;
    const d = this.drawn;
    this.marker.hidden = !mark || !d;
    if (!mark || !d) return;
    const x0 = d.left + (mark.event.start - d.t0) * d.perMs;
    const x1 = d.left + (mark.event.end - d.t0) * d.perMs;
    const s = this.marker.style;
    s.left = `${this.canvas.offsetLeft + x0 - 2}px`;
    s.top = `${this.canvas.offsetTop + mark.line.y0 - 2}px`;
    s.width = `${Math.max(1, x1 - x0) + 4}px`;
    s.height = `${mark.line.y1 - mark.line.y0 + 4}px`;
  }
}

/** A band's lines: one a row, and the async lane's waits as one more. */
function bandLines(band: DrawnBand, d: Drawn): Line[] {
  const { r } = band;
  const rows: TraceEvent[][] = Array.from({ length: band.rows }, () => []);
  const waits: TraceEvent[] = [];
  for (const e of r.events) {
    if (band.waitTop !== null && e.phase === 'wait') waits.push(e);
    else rows[e.row]?.push(e);
  }
  const byStart = (a: TraceEvent, b: TraceEvent) => a.start - b.start;
  const lines: Line[] = rows.map((events, row) => {
    const y0 = band.top + row * d.rowStep;
    return { lane: r.lane, label: d.rowLabel(r.lane, row), y0, y1: y0 + d.rowHeight, events: events.sort(byStart), waits: false };
  });
  if (band.waitTop !== null) {
    lines.push({ lane: r.lane, label: 'waiting', y0: band.waitTop, y1: band.waitTop + d.waitHeight, events: waits.sort(byStart), waits: true });
  }
  return lines;
}
