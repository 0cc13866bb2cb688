// The verdict and the table of every figure, as text.
import type { LaneResult, RunReport } from '../types';
import { outcomeText } from '../outcome';
import { speedup } from '../verdict';
import { byId } from './dom';

function cell(row: HTMLTableRowElement, text: string, className = ''): void {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
}

const fixed = (x: number | undefined, digits = 1) => (x === undefined ? '—' : x.toFixed(digits));

export class ReportView {
  private readonly body = document.querySelector<HTMLTableSectionElement>('#results tbody')!;
  private readonly verdict = byId<HTMLParagraphElement>('verdict');
  private readonly answer = byId<HTMLParagraphElement>('answer');

  /** A new run: nothing of the last one's is left beside its cards, its verdict included. */
  clear(): void {
    this.body.replaceChildren();
    this.verdict.textContent = '';
    this.answer.textContent = '';
  }

  addLane(r: LaneResult, all: LaneResult[]): void {
    this.body.querySelector(`tr[data-lane="${r.lane}"]`)?.remove();
    const row = this.body.insertRow();
    row.dataset.lane = r.lane;
    const x = speedup(all, r);
    cell(row, r.lane, 'lane');
    cell(row, String(r.workers), 'num workers');
    cell(row, r.ok ? r.wallMs.toFixed(1) : '—', 'num wall');
    cell(row, x === null ? '—' : `${x.toFixed(2)}×`, 'num speedup');
    cell(row, fixed(r.setupMs), 'num setup');
    cell(row, fixed(r.transferMs), 'num transfer');
    cell(row, fixed(r.loopLagMs), 'num lag');
    cell(row, r.checksum || '—', 'checksum');
    cell(row, r.outcome === 'failed' ? `failed: ${r.error}` : outcomeText(r), 'ok');
  }

  show(report: RunReport): void {
    this.clear();
    for (const r of report.results) this.addLane(r, report.results);
    this.verdict.textContent = report.verdict.text;
    this.answer.textContent = report.answer;
  }

  say(text: string): void {
    this.verdict.textContent = text;
  }
}
