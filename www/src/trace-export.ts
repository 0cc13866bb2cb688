// The last run in the Chrome Trace Event format (JSON Object Format), so it opens where people
// already read traces: Perfetto (ui.perfetto.dev) and chrome://tracing. One process per lane,
// a thread per worker, a complete ("X") event per span, an instant ("i") per fault, and the
// spec and environment as metadata.
//
// Perfetto's JSON importer drops or misdraws X events that partly overlap on one thread
// (google/perfetto#4280): on every (pid, tid), spans must nest or be disjoint. Work that really
// overlaps gets a track of its own: a process's messages (a result coming back while the next
// task computes) go on a second thread beside it, anything else that would partly overlap on a
// further one, and the async lane's waits, thousands in flight at once, are async slices, which
// Perfetto lays out itself.
// Format: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
import { outcomeText } from './outcome';
import type { LaneResult, RunReport, TraceEvent } from './types';

export interface TraceEventFormat {
  traceEvents: TraceFormatEvent[];
  displayTimeUnit: 'ms';
  metadata: { spec: RunReport['spec']; env: RunReport['env']; verdict: string; answer: string };
}

type SpanArgs = { task: number; busyMs: number };

export type TraceFormatEvent =
  | { ph: 'M'; name: 'process_name' | 'thread_name' | 'process_sort_index' | 'thread_sort_index'; pid: number; tid: number; args: { name?: string; sort_index?: number } }
  | { ph: 'X'; name: string; cat: string; pid: number; tid: number; ts: number; dur: number; args: SpanArgs }
  | { ph: 'b' | 'e'; name: string; cat: string; id: number; pid: number; tid: number; ts: number; args: SpanArgs | Record<string, never> }
  | { ph: 'i'; s: 't'; name: string; cat: 'fault'; pid: number; tid: number; ts: number; args: { task: number | null } };

const rowName = (lane: string, row: number) => (lane === 'processes' ? `process ${row}` : lane === 'async' ? 'event loop' : lane === 'sequential' ? 'worker' : `thread ${row}`);

/** Threads a row may spill onto before the next row's: more than any real run needs. */
const TRACKS_PER_ROW = 100;

/**
 * Tracks where spans nest or are disjoint: each span goes on the first track whose open spans
 * it fits inside (or after), in start order, longest first at a tie.
 */
class NestedTracks {
  private readonly open: number[][] = [];

  place(start: number, end: number): number {
    for (let t = 0; ; t++) {
      const stack = (this.open[t] ??= []);
      while (stack.length > 0 && stack[stack.length - 1] <= start) stack.pop();
      if (stack.length === 0 || end <= stack[stack.length - 1]) {
        stack.push(end);
        return t;
      }
    }
  }
}

export function chromeTrace(report: RunReport): TraceEventFormat {
  // Times in µs from the earliest event (spawns come before a lane's 0), so none is negative.
  let origin = 0;
  for (const r of report.results) for (const e of r.events) origin = Math.min(origin, e.start);
  const us = (ms: number) => Math.round((ms - origin) * 1000 * 1000) / 1000;
  const events: TraceFormatEvent[] = [];
  let asyncId = 0;
  report.results.forEach((r, i) => {
    const pid = i + 1;
    events.push({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: r.ok ? r.lane : `${r.lane} (${outcomeText(r)})` } });
    events.push({ ph: 'M', name: 'process_sort_index', pid, tid: 0, args: { sort_index: pid } });
    const named = new Map<number, string>();
    for (const { e, tid } of tracked(r)) {
      const args = { task: e.task, busyMs: e.busy };
      if (tid === null) {
        // An async slice: begin and end, paired by id.
        const id = ++asyncId;
        events.push({ ph: 'b', name: e.phase, cat: e.phase, id, pid, tid: e.row * TRACKS_PER_ROW, ts: us(e.start), args });
        events.push({ ph: 'e', name: e.phase, cat: e.phase, id, pid, tid: e.row * TRACKS_PER_ROW, ts: us(e.end), args: {} });
        continue;
      }
      const extra = tid % TRACKS_PER_ROW;
      named.set(tid, extra === 0 ? rowName(r.lane, e.row) : `${rowName(r.lane, e.row)} · ${e.phase === 'transfer' ? 'messages' : 'overlap'}${extra > 1 ? ` ${extra}` : ''}`);
      events.push({ ph: 'X', name: e.phase, cat: e.phase, pid, tid, ts: us(e.start), dur: us(e.end) - us(e.start), args });
    }
    for (const [tid, name] of named) {
      events.push({ ph: 'M', name: 'thread_name', pid, tid, args: { name } });
      events.push({ ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: tid } });
    }
    for (const f of r.faults ?? []) events.push({ ph: 'i', s: 't', name: 'fault', cat: 'fault', pid, tid: f.row * TRACKS_PER_ROW, ts: us(f.atMs), args: { task: f.task } });
  });
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    metadata: { spec: report.spec, env: report.env, verdict: report.verdict.text, answer: report.answer },
  };
}

/**
 * Each span with its thread: the row's own, or a further one of the row's where it would partly
 * overlap what is there (`null`: an async slice, for the async lane's waits).
 */
function tracked(r: LaneResult): { e: TraceEvent; tid: number | null }[] {
  const sorted = [...r.events].sort((a, b) => a.start - b.start || b.end - a.end);
  const tracks = new Map<string, NestedTracks>();
  return sorted.map((e) => {
    if (r.lane === 'async' && e.phase === 'wait') return { e, tid: null };
    // A process's messages start on their own track; everything else on the row's.
    const group = r.lane === 'processes' && e.phase === 'transfer' ? 1 : 0;
    const key = `${e.row}/${group}`;
    let nested = tracks.get(key);
    if (!nested) tracks.set(key, (nested = new NestedTracks()));
    const t = nested.place(e.start, e.end);
    // Group 0 spills onto 2, 3, …; group 1 (messages) onto 1, then past the others.
    const extra = group === 0 ? (t === 0 ? 0 : t + 1) : t === 0 ? 1 : TRACKS_PER_ROW / 2 + t;
    return { e, tid: e.row * TRACKS_PER_ROW + Math.min(extra, TRACKS_PER_ROW - 1) };
  });
}
