// Share and export: the link, the report as JSON and CSV, the trace for Perfetto, the timeline
// and chart as PNG.
import type { RunReport } from '../types';
import { outcomeText } from '../outcome';
import { chromeTrace } from '../trace-export';
import { speedup } from '../verdict';

export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function traceJson(report: RunReport): Blob {
  return new Blob([JSON.stringify(chromeTrace(report))], { type: 'application/json' });
}

export function reportJson(report: RunReport): Blob {
  return new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
}

const CSV_COLUMNS = ['side', 'lane', 'workers', 'ok', 'outcome', 'wallMs', 'speedup', 'setupMs', 'transferMs', 'loopLagMs', 'checksum', 'error'];

export function csvField(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportCsv(report: RunReport): Blob {
  const rows = report.results.map((r) => [
    'browser', r.lane, r.workers, r.ok, outcomeText(r), r.wallMs.toFixed(3), speedup(report.results, r)?.toFixed(3) ?? '',
    r.setupMs.toFixed(3), r.transferMs.toFixed(3), r.loopLagMs?.toFixed(3) ?? '', r.checksum, r.error ?? '',
  ].map(csvField).join(','));
  // Both sides when a CPython report was dropped for this spec.
  const py = report.cpython;
  const pySeq = py?.results.find((r) => r.lane === 'sequential' && r.ok);
  for (const r of py?.results ?? []) {
    rows.push([
      'cpython', r.lane, r.workers, r.ok, r.ok ? 'done' : 'failed', r.wallMs.toFixed(3), pySeq && r.ok ? (pySeq.wallMs / r.wallMs).toFixed(3) : '',
      r.setupMs.toFixed(3), r.transferMs.toFixed(3), '', r.checksum, r.error ?? '',
    ].map(csvField).join(','));
  }
  return new Blob([[CSV_COLUMNS.join(','), ...rows].join('\n') + '\n'], { type: 'text/csv' });
}

export function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('could not draw the PNG'))), 'image/png'));
}

export function stamp(report: RunReport): string {
  return `concurrency-playground-${report.spec.workload}-${report.spec.size}-${report.spec.workers}w`;
}
