// The result table and messages. Every figure goes into the DOM as text (never as HTML), so
// screen readers and tests read what the page shows.
import type { LaneResult, RunReport } from '../types';
import { speedup } from '../verdict';

function cell(row: HTMLTableRowElement, text: string, className = ''): void {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
}

export class Results {
  private readonly body = document.querySelector<HTMLTableSectionElement>('#results tbody')!;
  private readonly status = document.getElementById('status')!;
  private readonly error = document.getElementById('error')!;
  private readonly verdict = document.getElementById('verdict')!;

  clear(): void {
    this.body.replaceChildren();
    this.verdict.textContent = '';
    this.showError('');
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  showError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = text === '';
  }

  addLane(r: LaneResult, all: LaneResult[]): void {
    const row = this.body.insertRow();
    row.dataset.lane = r.lane;
    const x = speedup(all, r);
    cell(row, r.lane, 'lane');
    cell(row, String(r.workers), 'workers');
    cell(row, r.ok ? r.wallMs.toFixed(1) : '—', 'wall');
    cell(row, x === null ? '—' : `${x.toFixed(2)}×`, 'speedup');
    cell(row, r.setupMs > 0 ? r.setupMs.toFixed(1) : '0', 'setup');
    cell(row, r.checksum, 'checksum');
    cell(row, r.ok ? 'ok' : `failed: ${r.error}`, 'ok');
  }

  showReport(report: RunReport): void {
    this.body.replaceChildren();
    for (const r of report.results) this.addLane(r, report.results);
    this.verdict.textContent = report.verdict.text;
  }
}
