// Serve mode's section of the page: its form (built from the crate's serve options), Serve,
// a sweep of offered load, Stop, the lanes' table, the queue and sweep charts, the verdict, how
// memory was measured, and exports.
import { asError } from '../errors';
import type { PlaygroundImpl } from '../playground';
import { readCpythonServe, sameArrivals, type CpythonServe } from '../serve/cpython';
import type { ServeLaneResult, ServeReport, ServeSweep } from '../serve/types';
import { serveFields } from '../wasm';
import { SweepChart } from './charts';
import { byId, el } from './dom';
import { canvasPng, csvField, download } from './export';
import { writeServeUrl } from '../url';

/** "A server under load": slow I/O at ten times what a pool of two can serve. */
export const SERVE_PRESET = { ratePerSec: 200, durationMs: 2000, latencyMs: 100, cpuRounds: 200, workers: 2 } as const;

const fmt = (n: number | undefined | null, digits = 0) => (n === undefined || n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits }));
const bytes = (n: number | undefined) => (n === undefined ? '—' : n >= 1e6 ? `${fmt(n / 1e6, 1)} MB` : `${fmt(n / 1e3, 1)} kB`);

const CSV_COLUMNS = ['lane', 'ok', 'offered', 'completed', 'queued', 'offeredPerSec', 'completedPerSec', 'capacityPerSec', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs', 'meanMs', 'meanInSystem', 'memoryBytes', 'memoryPerRequestBytes', 'memorySource', 'error'] as const;

export class ServePanel {
  private readonly inputs = new Map<string, HTMLInputElement>();
  private readonly status = byId('serve-status');
  private readonly error = byId('serve-error');
  private readonly stop = byId<HTMLButtonElement>('serve-stop');
  private readonly starters = [byId<HTMLButtonElement>('serve-run'), byId<HTMLButtonElement>('serve-sweep'), byId<HTMLButtonElement>('serve-preset')];
  private readonly queueChart = new SweepChart(byId('chart-serve-queue'));
  private readonly sweepChart = new SweepChart(byId('chart-serve-sweep'));
  private last: ServeReport | null = null;
  /** Tells the page a serve run is in flight (its own Run buttons wait). */
  onBusy: ((busy: boolean) => void) | null = null;

  constructor(private readonly pg: PlaygroundImpl) {
    this.buildFields();
    byId('serve-controls').addEventListener('input', () => this.showError(null));
    byId('serve-controls').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.serve();
    });
    byId('serve-sweep').addEventListener('click', () => void this.sweep());
    byId('serve-preset').addEventListener('click', () => {
      this.write(SERVE_PRESET);
      void this.serve();
    });
    this.stop.addEventListener('click', () => this.pg.cancel());
    byId('serve-json').addEventListener('click', () => this.last && download('concurrency-playground-serve.json', new Blob([JSON.stringify(this.last, null, 2)], { type: 'application/json' })));
    byId('serve-csv').addEventListener('click', () => this.last && download('concurrency-playground-serve.csv', serveCsv(this.last)));
    byId('serve-link').addEventListener('click', async () => {
      const link = `${location.origin}${location.pathname}${writeServeUrl(this.read(), true)}`;
      const status = byId('serve-share-status');
      try {
        await navigator.clipboard.writeText(link);
        status.textContent = 'Link copied: it serves these options again.';
      } catch {
        status.textContent = `Copy this link: ${link}`;
      }
    });
    byId<HTMLInputElement>('serve-python-file').addEventListener('change', (e) => void this.openPython(e.target as HTMLInputElement));
    byId('serve-png').addEventListener('click', async () => {
      const canvas = byId('chart-serve-queue').querySelector('canvas');
      if (canvas) download('concurrency-playground-serve-queue.png', await canvasPng(canvas));
    });
  }

  private buildFields(): void {
    const box = byId('serve-fields');
    for (const f of serveFields()) {
      const id = `serve-${f.name}`;
      const input = el('input');
      Object.assign(input, { id, type: 'number', min: String(f.min), max: String(f.max), step: 'any', inputMode: 'decimal' });
      input.placeholder = f.default === undefined || f.default === null ? 'auto' : String(f.default);
      if (f.default !== undefined && f.default !== null && f.name !== 'seed') input.value = String(f.default);
      input.setAttribute('aria-describedby', `${id}-help`);
      const label = el('label', { text: f.name });
      label.htmlFor = id;
      const help = el('small', { class: 'help', text: f.help });
      help.id = `${id}-help`;
      box.append(el('div', { class: 'field' }, label, input, help));
      this.inputs.set(f.name, input);
    }
  }

  /** The form as typed: an empty field is left out (its default), one the browser cannot read is NaN. */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, input] of this.inputs) {
      if (input.validity.badInput) out[name] = Number.NaN;
      else if (input.value.trim() !== '') out[name] = Number(input.value);
    }
    return out;
  }

  write(options: Record<string, number | string>): void {
    for (const [name, value] of Object.entries(options)) {
      const input = this.inputs.get(name);
      if (input) input.value = String(value);
    }
  }

  /** Serves the form's options, or `given` (a link's, as typed: a bad one is refused by name). */
  async serve(given?: Record<string, number | string>): Promise<void> {
    await this.busy(async () => {
      const options = { ...this.read(), ...given };
      this.pg.serveObserver = {
        laneStarted: (lane, i, total, ms) => {
          this.status.textContent = `Serving on ${lane} (${i + 1} of ${total}, about ${fmt(ms / 1000, 1)} s)…`;
        },
      };
      const report = await this.pg.serve(options);
      this.show(report);
      const cancelled = report.lanes.some((l) => l.errorKind === 'cancelled');
      this.status.textContent = cancelled ? 'Stopped.' : 'Done.';
    });
  }

  async sweep(): Promise<void> {
    await this.busy(async () => {
      this.pg.serveObserver = {};
      const result = await this.pg.serveSweep(this.read(), undefined, (report, done, total) => {
        this.show(report);
        this.status.textContent = `Sweep: ${done} of ${total} offered loads served…`;
      });
      this.drawSweep(result);
      this.status.textContent = result.cancelled ? 'Sweep stopped.' : 'Sweep done.';
    });
  }

  private async busy(body: () => Promise<void>): Promise<void> {
    this.showError(null);
    for (const b of this.starters) b.disabled = true;
    this.stop.disabled = false;
    this.onBusy?.(true);
    try {
      await body();
    } catch (e) {
      this.status.textContent = '';
      this.showError(asError(e));
    } finally {
      for (const b of this.starters) b.disabled = false;
      this.stop.disabled = true;
      this.onBusy?.(false);
    }
  }

  private showError(e: Error | null): void {
    this.error.hidden = e === null;
    this.error.textContent = e?.message ?? '';
  }

  private show(report: ServeReport): void {
    this.last = report;
    const table = byId<HTMLTableElement>('serve-table');
    table.hidden = false;
    table.tBodies[0].replaceChildren(...report.lanes.map(row));
    byId('serve-verdict').textContent = report.verdict;
    const memory = byId('serve-memory');
    memory.hidden = false;
    byId('serve-memory-list').replaceChildren(...report.lanes.filter((l) => l.ok).map((l) => el('li', { text: `${l.lane}: ${l.memorySource}` })));
    for (const id of ['serve-json', 'serve-csv', 'serve-png']) byId<HTMLButtonElement>(id).disabled = false;
    this.drawQueue(report);
  }

  /** Sets a CPython serve report's lanes under the browser's, saying whether the arrivals match. */
  private async openPython(input: HTMLInputElement): Promise<void> {
    const status = byId('serve-share-status');
    const file = input.files?.[0];
    if (!file) return;
    try {
      const python = readCpythonServe(await file.text());
      const tbody = byId<HTMLTableElement>('serve-table').tBodies[0];
      tbody.querySelectorAll('tr.cpython').forEach((r) => r.remove());
      tbody.append(...python.lanes.map((l) => cpythonRow(python, l)));
      byId('serve-table').hidden = false;
      const same = this.last && sameArrivals(this.last, python);
      status.textContent = `CPython ${python.python}: ${python.lanes.length} lanes, ${same ? 'the same arrivals as this browser\'s run' : 'other arrivals than this browser\'s last run (serve the same options, or open the report of this run)'}.`;
    } catch (e) {
      status.textContent = asError(e).message;
    } finally {
      input.value = '';
    }
  }

  private drawQueue(report: ServeReport): void {
    const figure = byId('serve-queue-figure');
    const longest = report.curve.reduce((a, c) => (c.points.length > a.length ? c.points : a), report.curve[0]?.points ?? []);
    figure.hidden = longest.length === 0;
    if (figure.hidden) return;
    // Each lane's points are at its own times: read them on the longest run's grid.
    const xs = longest.map((p) => p.tMs);
    const series = report.curve.map((c) => ({
      label: c.lane,
      values: xs.map((t) => {
        // A lane's points are evenly spaced over its own run: the one at or before t.
        const end = c.points[c.points.length - 1].tMs;
        if (t > end) return null;
        return c.points[Math.floor((t / Math.max(end, 1e-9)) * (c.points.length - 1))].inSystem;
      }),
    }));
    this.queueChart.draw(xs, series, 'ms', 'requests in the system');
  }

  private drawSweep(result: ServeSweep): void {
    const figure = byId('serve-sweep-figure');
    figure.hidden = false;
    const xs = result.rates.filter((rate) => result.lanes.some((l) => l.points.some((p) => p.ratePerSec === rate)));
    const at = (points: ServeSweep['lanes'][number]['points'], rate: number, key: 'p50Ms' | 'p99Ms') => points.find((p) => p.ratePerSec === rate)?.[key] ?? null;
    const series = result.lanes.flatMap((l) => [
      { label: `${l.lane} p99`, lane: l.lane, values: xs.map((x) => at(l.points, x, 'p99Ms')) },
      { label: `${l.lane} p50`, lane: l.lane, dash: true, values: xs.map((x) => at(l.points, x, 'p50Ms')) },
    ]);
    this.sweepChart.draw(xs, series, 'offered requests / s', 'latency ms', true);
    const verdict = byId('serve-sweep-verdict');
    verdict.hidden = false;
    verdict.textContent = result.verdict;
  }
}

function row(r: ServeLaneResult): HTMLTableRowElement {
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

function serveCsv(report: ServeReport): Blob {
  const rows = report.lanes.map((l) => CSV_COLUMNS.map((c) => csvField(String((l as unknown as Record<string, unknown>)[c] ?? ''))).join(','));
  return new Blob([[CSV_COLUMNS.join(','), ...rows].join('\n') + '\n'], { type: 'text/csv' });
}
