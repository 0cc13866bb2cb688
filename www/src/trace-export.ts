// The last run in the Chrome Trace Event format (JSON Object Format), so it opens where people
// already read traces: Perfetto (ui.perfetto.dev) and chrome://tracing. One process per lane,
// one thread per worker, a complete ("X") event per span, an instant ("i") per fault, and the
// spec and environment as metadata.
// Format: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
import type { RunReport } from './types';

export interface TraceEventFormat {
  traceEvents: TraceFormatEvent[];
  displayTimeUnit: 'ms';
  metadata: { spec: RunReport['spec']; env: RunReport['env']; verdict: string; answer: string };
}

export type TraceFormatEvent =
  | { ph: 'M'; name: 'process_name' | 'thread_name' | 'process_sort_index'; pid: number; tid: number; args: { name?: string; sort_index?: number } }
  | { ph: 'X'; name: string; cat: string; pid: number; tid: number; ts: number; dur: number; args: { task: number; busyMs: number } }
  | { ph: 'i'; s: 't'; name: string; cat: 'fault'; pid: number; tid: number; ts: number; args: { task: number | null } };

const rowName = (lane: string, row: number) => (lane === 'processes' ? `process ${row}` : lane === 'async' ? 'event loop' : lane === 'sequential' ? 'worker' : `thread ${row}`);

export function chromeTrace(report: RunReport): TraceEventFormat {
  // Times in µs from the earliest event (spawns come before a lane's 0), so none is negative.
  let origin = 0;
  for (const r of report.results) for (const e of r.events) origin = Math.min(origin, e.start);
  const us = (ms: number) => Math.round((ms - origin) * 1000 * 1000) / 1000;
  const events: TraceFormatEvent[] = [];
  report.results.forEach((r, i) => {
    const pid = i + 1;
    events.push({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: `${r.lane}${r.ok ? '' : ' (failed)'}` } });
    events.push({ ph: 'M', name: 'process_sort_index', pid, tid: 0, args: { sort_index: pid } });
    const rows = new Set<number>();
    for (const e of r.events) {
      rows.add(e.lane);
      events.push({ ph: 'X', name: e.phase, cat: e.phase, pid, tid: e.lane, ts: us(e.start), dur: us(e.end) - us(e.start), args: { task: e.task, busyMs: e.busy } });
    }
    for (const row of rows) events.push({ ph: 'M', name: 'thread_name', pid, tid: row, args: { name: rowName(r.lane, row) } });
    for (const f of r.faults ?? []) events.push({ ph: 'i', s: 't', name: 'fault', cat: 'fault', pid, tid: f.row, ts: us(f.atMs), args: { task: f.task } });
  });
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    metadata: { spec: report.spec, env: report.env, verdict: report.verdict.text, answer: report.answer },
  };
}
