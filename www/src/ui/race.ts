// The lane cards: one per lane of the run, with live progress while it runs and its figures
// (as text) when it is done.
import { laneWorkers } from '../lanes/common';
import type { RunObserver } from '../playground';
import type { CounterFigures, Spec, Lane, LaneResult, RunReport } from '../types';
import { schema } from '../wasm';
import { outcomeText, statusLine } from '../outcome';
import { speedupNote } from '../verdict';
import { byId, el } from './dom';
import { count, millis, sumOf } from '../words';
import { phaseColor, type Timeline } from './timeline';

interface Card {
  li: HTMLLIElement;
  figure: HTMLElement;
  sub: HTMLElement;
  bar: HTMLProgressElement;
  /** When the bar was last moved (performance.now()). */
  moved: number;
}

/**
 * A bar moves at most this often. Each move costs the page a frame (style, paint, composite), and
 * where the lanes use every core those frames are taken from them and not from sequential, which
 * leaves a core free: with a move every 50 ms (as often as workers report), primes 5M on 2 cores
 * showed threads 1.78-1.83x and processes 1.77-1.81x, with none 1.93x and 1.89-1.91x, with one every
 * 250 ms 1.91-1.92x and 1.85-1.89x.
 */
const MOVE_MS = 250;

export class Race {
  private readonly list = byId<HTMLOListElement>('lane-cards');
  private readonly status = byId<HTMLParagraphElement>('status');
  private cards = new Map<Lane, Card>();

  /** `cores`: this machine's, the limit a CPU-bound speedup is checked against. */
  constructor(private readonly cores: number) {}

  start(spec: Spec): void {
    this.list.replaceChildren();
    this.cards.clear();
    for (const lane of spec.lanes) {
      const figure = el('p', { class: 'figure', text: 'waiting' });
      const sub = el('p', { class: 'sub', text: count(laneWorkers(lane, spec.workers), 'worker') });
      const bar = el('progress');
      bar.max = spec.tasks;
      bar.value = 0;
      bar.setAttribute('aria-label', `${lane} progress`);
      const li = el('li', { class: 'lane-card' }, el('h3', { text: lane }), figure, bar, sub);
      li.dataset.lane = lane;
      this.list.append(li);
      this.cards.set(lane, { li, figure, sub, bar, moved: Number.NEGATIVE_INFINITY });
    }
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  running(lane: Lane): void {
    const c = this.cards.get(lane);
    if (c) c.figure.textContent = 'running…';
  }

  progress(lane: Lane, done: number): void {
    const c = this.cards.get(lane);
    const now = performance.now();
    if (!c || now - c.moved < MOVE_MS) return;
    c.moved = now;
    c.bar.value = done;
  }

  finished(spec: Spec, r: LaneResult, all: LaneResult[]): void {
    const c = this.cards.get(r.lane);
    if (!c) return;
    c.bar.value = r.ok ? c.bar.max : c.bar.value;
    c.li.classList.toggle('failed', r.outcome === 'failed');
    c.li.classList.toggle('survived', r.outcome === 'survived');
    if (r.ok) {
      c.figure.textContent = millis(r.wallMs);
      const parts = [r.lane === 'sequential' ? '' : speedupNote(spec, all, r, this.cores)];
      if (r.setupMs > 0) parts.push(`+${millis(r.setupMs)} set-up`);
      if (r.loopLagMs !== undefined) parts.push(`loop lag ${millis(r.loopLagMs)}`);
      if (r.counter) parts.push(counterNote(r.counter, spec.sync));
      c.sub.textContent = parts.filter(Boolean).join(' · ') || c.sub.textContent;
    } else {
      // A lane that kept part of its work (processes after a crash) says how much.
      c.figure.textContent = outcomeText(r);
      c.sub.textContent = r.outcome === 'not-run' ? 'cancelled before it started' : r.outcome === 'cancelled' ? 'stopped while it ran' : r.error ?? '';
    }
  }

  /** Outlines the fastest lane; a run with no winner (none finished, or a fault) outlines none. */
  winner(lane: Lane | null): void {
    if (lane) this.cards.get(lane)?.li.classList.add('winner');
  }
}

/** "counted 131,072 of 200,000 (68,928 lost)": a shared counter's figures on its card. */
function counterNote(c: CounterFigures, sync: Spec['sync']): string {
  const n = (x: number) => x.toLocaleString('en-US');
  // Processes that counted in their own memory lost nothing: the page just never saw it.
  if (c.localCounts && sync === 'none') return `page's counter ${n(c.counted)} · each its own: ${sumOf(c.localCounts)}`;
  return `counted ${n(c.counted)} of ${n(c.expected)}${c.lostUpdates ? ` (${n(c.lostUpdates)} lost)` : ''}`;
}

/** What else a view does as a run goes; `finished` sees every lane result so far. */
export interface RaceHooks {
  started?(spec: Spec): void;
  finished?(r: LaneResult, seen: LaneResult[]): void;
  pixels?(firstRow: number, pixels: Uint8Array): void;
  /** The run's report: the view's verdict and table (the winner and the status line are done). */
  reported?(report: RunReport): void;
}

/**
 * What the page and the embed both do as a run goes: cards, progress, the timeline redrawn as
 * each lane finishes.
 */
export function raceObserver(race: Race, timeline: Timeline, hooks: RaceHooks = {}): RunObserver {
  let seen: LaneResult[] = [];
  let running: Spec | null = null;
  return {
    runStarted: (spec) => {
      seen = [];
      running = spec;
      race.start(spec);
      timeline.draw([]);
      hooks.started?.(spec);
    },
    laneStarted: (lane, i, total) => {
      race.setStatus(`Running ${lane} (${i + 1} of ${total})…`);
      race.running(lane);
    },
    laneProgress: (lane, done) => race.progress(lane, done),
    lanePixels: (_lane, row, pixels) => hooks.pixels?.(row, pixels),
    laneFinished: (r) => {
      seen.push(r);
      if (running) race.finished(running, r, seen);
      hooks.finished?.(r, seen);
      timeline.draw(seen);
    },
    // However the run started (a script's run() too), the page ends on its report, not on
    // "Running async (5 of 5)…" beside the last run's verdict.
    runFinished: (report) => {
      running = null;
      race.winner(report.verdict.fastest);
      race.setStatus(statusLine(report));
      hooks.reported?.(report);
    },
  };
}

/** The phase colours' legend under the timeline. */
export function fillLegend(list: HTMLElement): void {
  list.replaceChildren(...schema().phases.map((p) => {
    const swatch = el('i');
    swatch.style.background = phaseColor(p);
    return el('li', {}, swatch, p);
  }));
}
