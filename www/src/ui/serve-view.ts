// A serve run's results, drawn into a container: the lanes' table, the verdict, the queue over
// time, and how memory was measured. The page's section and the embed both show one.
import type { CpythonServe } from '../serve/cpython';
import type { ServeLaneResult, ServeReport } from '../serve/types';
import { SweepChart } from './charts';
import { el } from './dom';

const fmt = (n: number | undefined | null, digits = 0) => (n === undefined || n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits }));
const bytes = (n: number | null | undefined) => (n === undefined || n === null ? '—' : n >= 1e6 ? `${fmt(n / 1e6, 1)} MB` : `${fmt(n / 1e3, 1)} kB`);

const HEADINGS = ['Lane', 'Completed / s', 'Bound / s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'Queued', 'Memory', 'Per open request'];

export class ServeView {
  readonly table = el('table', { class: 'serve-table' });
  private readonly body = el('tbody');
  readonly verdict = el('p', { class: 'verdict-text' });
  private readonly figure = el('figure');
  private readonly chartBox = el('div');
  private readonly chart = new SweepChart(this.chartBox);
  private readonly memory = el('details');
  private readonly memoryList = el('ul');

  /** `prefix` names its parts for links and tests: `<prefix>-table`, `<prefix>-verdict`. */
  constructor(container: HTMLElement, prefix: string) {
    this.table.id = `${prefix}-table`;
    this.verdict.id = `${prefix}-verdict`;
    const head = el('tr', {}, ...HEADINGS.map((text) => {
      const th = el('th', { text });
      th.scope = 'col';
      return th;
    }));
    this.table.append(el('caption', { text: 'Each lane under the same load' }), el('thead', {}, head), this.body);
    this.figure.append(this.chartBox, el('figcaption', { text: 'Requests in the system (waiting or being served) over the run' }));
    this.memory.append(el('summary', { text: 'How memory was measured' }), this.memoryList);
    for (const part of [this.table, this.verdict, this.figure, this.memory]) part.hidden = true;
    container.append(el('div', { class: 'table-scroll' }, this.table), this.verdict, this.figure, this.memory);
  }

  show(report: ServeReport): void {
    this.table.hidden = false;
    this.body.replaceChildren(...report.lanes.map(laneRow));
    this.verdict.hidden = false;
    this.verdict.textContent = report.verdict;
    this.memory.hidden = false;
    this.memoryList.replaceChildren(...report.lanes.filter((l) => l.ok).map((l) => el('li', { text: `${l.lane}: ${l.memorySource}` })));
    this.drawQueue(report);
  }

  /** CPython's lanes under the browser's (a report of python3 -m concurrency_bridge.serve). */
  showCpython(python: CpythonServe): void {
    this.clearCpython();
    this.body.append(...python.lanes.map((l) => cpythonRow(python, l)));
    this.table.hidden = false;
  }

  /**
   * Takes CPython's rows away (a report that failed to open must not leave the last one's rows
   * beside its error); the table stays only if the browser's own rows are left in it.
   */
  clearCpython(): void {
    this.body.querySelectorAll('tr.cpython').forEach((r) => r.remove());
    this.table.hidden = this.body.rows.length === 0;
  }

  canvas(): HTMLCanvasElement | null {
    return this.chart.canvas();
  }

  private drawQueue(report: ServeReport): void {
    const longest = report.curve.reduce((a, c) => (c.points.length > a.length ? c.points : a), report.curve[0]?.points ?? []);
    this.figure.hidden = longest.length === 0;
    if (this.figure.hidden) return;
    // Each lane's points are evenly spaced over its own run: read them on the longest run's grid.
    const xs = longest.map((p) => p.tMs);
    const series = report.curve.map((c) => ({
      label: c.lane,
      values: xs.map((t) => {
        const end = c.points[c.points.length - 1].tMs;
        if (t > end) return null;
        return c.points[Math.floor((t / Math.max(end, 1e-9)) * (c.points.length - 1))].inSystem;
      }),
    }));
    this.chart.draw(xs, series, 'ms', 'requests in the system');
  }
}

function laneRow(r: ServeLaneResult): HTMLTableRowElement {
  const lane = el('th', { text: r.lane });
  lane.scope = 'row';
  if (!r.ok) return el('tr', {}, lane, el('td', { text: r.error ?? 'failed' }));
  const cells = [
    fmt(r.completedPerSec, 1), fmt(r.capacityPerSec), fmt(r.p50Ms, 1), fmt(r.p95Ms, 1), fmt(r.p99Ms, 1), fmt(r.maxMs, 1),
    fmt(r.queued), bytes(r.memoryBytes), bytes(r.memoryPerRequestBytes),
  ];
  return el('tr', {}, lane, ...cells.map((text) => el('td', { text })));
}

function cpythonRow(python: CpythonServe, r: CpythonServe['lanes'][number]): HTMLTableRowElement {
  const lane = el('th', { text: `CPython ${r.lane}` });
  lane.scope = 'row';
  const cells = [fmt(r.completedPerSec, 1), '—', fmt(r.p50Ms, 1), fmt(r.p95Ms, 1), fmt(r.p99Ms, 1), fmt(r.maxMs, 1), fmt(r.queued), '—', '—'];
  const row = el('tr', { class: 'cpython' }, lane, ...cells.map((text) => el('td', { text })));
  row.title = `Python ${python.python}`;
  return row;
}
