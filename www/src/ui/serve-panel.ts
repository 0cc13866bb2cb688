// Serve mode's section of the page: its form (built from the crate's serve options), Serve, a
// sweep of offered load, Stop, a run's results (serve-view.ts), the sweep's chart and verdict,
// CPython's report beside the browser's, exports and links.
import { asError, type PlaygroundError } from '../errors';
import type { PlaygroundImpl } from '../playground';
import { readCpythonServe, sameArrivals, serveFileText, type CpythonServe } from '../serve/cpython';
import { SERVE_PRESET } from '../serve/run';
import type { ServeReport, ServeSweep } from '../serve/types';
import type { Lane, ServeOptions } from '../types';
import { writeServeUrl } from '../url';
import { count } from '../words';
import { serveFields } from '../wasm';
import { SweepChart } from './charts';
import { byId, copyLink, el, RunButtons, typedNumber } from './dom';
import { LanePicker } from './lane-picker';
import { canvasPng, csvField, download } from './export';
import { ServeView } from './serve-view';

/** Serve options as the form has them (`lanes` only when some are left out). */
type ServeForm = Record<string, number | Lane[]>;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

const CSV_COLUMNS = ['lane', 'ok', 'offered', 'completed', 'queued', 'offeredPerSec', 'completedPerSec', 'capacityPerSec', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs', 'meanMs', 'meanInSystem', 'memoryBytes', 'memoryPerRequestBytes', 'memorySource', 'error'] as const;

export class ServePanel {
  private readonly inputs = new Map<string, HTMLInputElement>();
  private readonly lanesBox = byId<HTMLFieldSetElement>('serve-lanes');
  private readonly lanes: LanePicker;
  private readonly status = byId('serve-status');
  private readonly error = byId('serve-error');
  private readonly stop = byId<HTMLButtonElement>('serve-stop');
  private readonly starters = [byId<HTMLButtonElement>('serve-run'), byId<HTMLButtonElement>('serve-sweep'), byId<HTMLButtonElement>('serve-preset')];
  private readonly buttons = new RunButtons(this.stop);
  private readonly view = new ServeView(byId('serve-view'), 'serve');
  private readonly sweepChart = new SweepChart(byId('chart-serve-sweep'));
  private last: ServeReport | null = null;
  /** A run of this section's own is under way; a run besides it is a script's (`playground.serve`). */
  private driving = false;
  private scripted = false;
  /** Tells the page a serve run is in flight (its own Run buttons wait). */
  onBusy: ((busy: boolean) => void) | null = null;

  constructor(private readonly pg: PlaygroundImpl) {
    this.buildFields();
    // Every serve run is shown here, one a script started too: its options in the form, the
    // section busy while it goes, and its report, status and address when it ends.
    pg.serveObserver = {
      runStarted: (options) => {
        if (!this.driving) this.scriptStarted(options);
      },
      laneStarted: (lane, i, total, ms) => {
        this.status.textContent = `Serving on ${lane} (${i + 1} of ${total}, about ${fmt(ms / 1000, 1)} s)…`;
      },
      runEnded: (report) => this.ended(report),
    };
    this.lanes = new LanePicker(this.lanesBox, pg.capabilities(), 'serve-lane');
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
    byId('serve-link').addEventListener('click', () => void copyLink(writeServeUrl(this.read(), true), byId('serve-share-status'), 'Link copied: it serves these options again.'));
    byId<HTMLInputElement>('serve-python-file').addEventListener('change', (e) => void this.openPython(e.target as HTMLInputElement));
    byId('serve-png').addEventListener('click', async () => {
      const canvas = this.view.canvas();
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

  /**
   * The form as typed: an empty field is left out (its default), one the browser cannot read is
   * NaN; the lanes only when some are left out (every lane that runs here is the default).
   */
  read(): ServeForm {
    const out: ServeForm = {};
    for (const [name, input] of this.inputs) {
      const value = typedNumber(input);
      if (value !== undefined) out[name] = value;
    }
    if (!this.lanes.all) out.lanes = this.lanes.read();
    return out;
  }

  write(options: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(options)) {
      const input = this.inputs.get(name);
      // Only numbers go into number inputs (anything else is emptied, or makes the browser warn);
      // a link's bad value is named by `follow` instead.
      if (input && typeof value === 'number' && Number.isFinite(value)) input.value = String(value);
    }
    this.lanes.write(Array.isArray(options.lanes) ? options.lanes : undefined);
  }

  /**
   * A link's options: into the form, then served (`autorun`) or checked, so that a bad value or
   * an unknown option is named either way, as a spec link's is.
   */
  async follow(options: Record<string, unknown>, autorun: boolean): Promise<void> {
    this.write(options);
    if (autorun) return this.serve(options);
    try {
      this.pg.checkServe({ ...this.read(), ...options });
    } catch (e) {
      this.showError(asError(e), "The link's settings are not valid: ");
    }
  }

  /** Serves the form's options, or `given` (a link's, as typed: a bad one is refused by name). */
  async serve(given?: Record<string, unknown>): Promise<void> {
    await this.busy(async () => {
      this.driving = true;
      try {
        await this.pg.serve({ ...this.read(), ...given });
      } finally {
        this.driving = false;
      }
    });
  }

  /** A script's run: the section shows its options and is busy, as for a run of its own. */
  private scriptStarted(options: ServeOptions): void {
    this.scripted = true;
    this.showError(null);
    this.write(options as unknown as Record<string, unknown>);
    this.buttons.start(this.starters);
    this.onBusy?.(true);
    this.status.textContent = 'Serving…';
  }

  /** A run's end, the section's or a script's: its report, its status and the address. */
  private ended(report: ServeReport | null): void {
    if (report) {
      // The address says what was served: a reload, a shared link or "Embed this" carries it.
      history.replaceState(null, '', writeServeUrl(this.read(), false));
      this.show(report);
      this.status.textContent = report.lanes.some((l) => l.errorKind === 'cancelled') ? 'Stopped.' : 'Done.';
    } else {
      this.status.textContent = '';
    }
    if (!this.scripted) return;
    this.scripted = false;
    this.onBusy?.(false);
    this.buttons.end();
  }

  async sweep(): Promise<void> {
    await this.busy(async () => {
      const result = await this.pg.serveSweep(this.read(), undefined, (report, done, total) => {
        this.show(report);
        this.status.textContent = `Sweep: ${done} of ${total} offered loads served…`;
      });
      this.drawSweep(result);
      history.replaceState(null, '', writeServeUrl(this.read(), false));
      this.status.textContent = result.cancelled ? 'Sweep stopped.' : 'Sweep done.';
    });
  }

  private async busy(body: () => Promise<void>): Promise<void> {
    this.showError(null);
    this.buttons.start(this.starters);
    this.onBusy?.(true);
    try {
      await body();
    } catch (e) {
      this.status.textContent = '';
      this.showError(asError(e));
    } finally {
      this.onBusy?.(false);
      this.buttons.end();
    }
  }

  /** Shows an error (none: clears it), and marks the control of the option it names. */
  private showError(e: Error | null, prefix = ''): void {
    this.error.hidden = e === null;
    this.error.textContent = e ? `${prefix}${e.message}` : '';
    for (const control of [...this.inputs.values(), this.lanesBox]) control.removeAttribute('aria-invalid');
    const field = (e as Partial<PlaygroundError> | null)?.field;
    if (field) (field === 'lanes' ? this.lanesBox : this.inputs.get(field))?.setAttribute('aria-invalid', 'true');
  }

  private show(report: ServeReport): void {
    this.last = report;
    this.view.show(report);
    for (const id of ['serve-json', 'serve-csv', 'serve-png']) byId<HTMLButtonElement>(id).disabled = false;
  }

  /**
   * Sets a CPython serve report's lanes under the browser's, saying whether the arrivals match.
   * A report refused is said in the section's alert, as its other errors are, and takes the last
   * report's rows and sentence with it: left there, they read as the figures of the file refused.
   */
  private async openPython(input: HTMLInputElement): Promise<void> {
    const status = byId('serve-share-status');
    const file = input.files?.[0];
    if (!file) return;
    try {
      const python = readCpythonServe(await serveFileText(file));
      this.view.showCpython(python);
      this.showError(null);
      status.textContent = cpythonSentence(python, this.last);
    } catch (e) {
      this.view.clearCpython();
      status.textContent = '';
      this.showError(asError(e));
    } finally {
      input.value = '';
    }
  }

  private drawSweep(result: ServeSweep): void {
    const xs = result.rates.filter((rate) => result.lanes.some((l) => l.points.some((p) => p.ratePerSec === rate)));
    // Stopped before its first offered load was served: the verdict says so, with no empty chart.
    byId('serve-sweep-figure').hidden = xs.length === 0;
    const at = (points: ServeSweep['lanes'][number]['points'], rate: number, key: 'p50Ms' | 'p99Ms') => points.find((p) => p.ratePerSec === rate)?.[key] ?? null;
    const series = result.lanes.flatMap((l) => [
      { label: `${l.lane} p99`, lane: l.lane, values: xs.map((x) => at(l.points, x, 'p99Ms')) },
      { label: `${l.lane} p50`, lane: l.lane, dash: true, values: xs.map((x) => at(l.points, x, 'p50Ms')) },
    ]);
    if (xs.length > 0) this.sweepChart.draw(xs, series, 'offered requests / s', 'latency ms', true);
    const verdict = byId('serve-sweep-verdict');
    verdict.hidden = false;
    verdict.textContent = result.verdict;
  }
}

/** What a CPython serve report opened holds, and whether it served this browser's arrivals. */
function cpythonSentence(python: CpythonServe, last: ServeReport | null): string {
  const same = last !== null && sameArrivals(last, python);
  const arrivals = same ? 'the same arrivals as this browser\'s run' : 'other arrivals than this browser\'s last run (serve the same options, or open the report of this run)';
  return `CPython ${python.python}: ${count(python.lanes.length, 'lane')}, ${arrivals}.`;
}

function serveCsv(report: ServeReport): Blob {
  const rows = report.lanes.map((l) => CSV_COLUMNS.map((c) => csvField(String((l as unknown as Record<string, unknown>)[c] ?? ''))).join(','));
  return new Blob([[CSV_COLUMNS.join(','), ...rows].join('\n') + '\n'], { type: 'text/csv' });
}
