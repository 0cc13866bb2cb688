// "Check it in your own Python": the spec as a Python script (copy, download), and a report the
// script printed (dropped, opened or pasted) shown beside the browser's run of the same spec.
import { bothCounted, compare, fileText, lostOf, readCpythonReport, sameSpec, type ComparisonRow, type CpythonReport } from '../cpython';
import { asError, playgroundError } from '../errors';
import type { PlaygroundImpl } from '../playground';
import type { RunReport, RunSpec } from '../types';
import { PairChart } from './charts';
import { byId } from './dom';
import { download } from './export';

/** The checksum column: equal or not; for a count timing can change, the updates each side lost. */
function sumCell(r: ComparisonRow): string {
  if (r.sameChecksum !== null) return r.sameChecksum ? `equal (${r.python.checksum})` : `differ (${r.python.checksum} / ${r.browser?.checksum})`;
  if (bothCounted(r)) return `lost ${lostOf(r.python.counter!)} / ${lostOf(r.browser!.counter!)}`;
  return '—';
}

export class PythonPanel {
  private readonly status = byId('python-status');
  private readonly error = byId('python-error');
  private readonly table = byId<HTMLTableElement>('python-table');
  private readonly chart = new PairChart(byId('chart-python'));
  /** The last report dropped, for the page's exports. */
  cpython: CpythonReport | null = null;

  constructor(
    private readonly pg: PlaygroundImpl,
    /** The form's current spec. */
    private readonly spec: () => RunSpec,
    /**
     * The browser's last report, to compare with, or, when there is none that fits, the report of
     * the spec's run (the last report, of another spec, if that run did not finish).
     */
    private readonly browserRun: (spec: RunSpec) => Promise<RunReport | null>,
  ) {
    byId('python-copy').addEventListener('click', () => void this.copy());
    byId('python-download').addEventListener('click', () => this.withScript((text) => download('playground.py', new Blob([text], { type: 'text/x-python' }))));
    const input = byId<HTMLInputElement>('python-file');
    input.addEventListener('change', async () => {
      const file = input.files?.[0];
      // Emptied at once, so that the same file picked again is read again.
      input.value = '';
      if (file) await this.load(() => fileText(file));
    });
    byId('python-compare').addEventListener('click', () => void this.load(async () => byId<HTMLTextAreaElement>('python-paste').value));
    const drop = byId('python-drop');
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', async (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const file = e.dataTransfer?.files[0];
      const text = e.dataTransfer?.getData('text/plain') ?? '';
      await this.load(async () => (file ? fileText(file) : text));
    });
  }

  private withScript(use: (text: string) => void): void {
    this.error.hidden = true;
    try {
      const text = this.pg.pythonScript(this.spec());
      byId('python-script').textContent = text;
      use(text);
    } catch (e) {
      this.fail(e);
    }
  }

  private async copy(): Promise<void> {
    this.withScript((text) => {
      navigator.clipboard.writeText(text).then(
        () => {
          this.status.textContent = 'Copied: paste it into playground.py and run python3 playground.py > report.json.';
        },
        () => {
          this.status.textContent = 'Copying is not allowed here: the script is under "The script" below.';
        },
      );
    });
  }

  /** Reads a report opened, dropped or pasted, runs the browser side if needed, and shows both. */
  async load(read: () => Promise<string>): Promise<void> {
    this.error.hidden = true;
    try {
      const json = await read();
      // Checked once the text is in, with nothing to await before the report's own run starts:
      // the run in flight would be the one compared with it (another spec's, or this one's
      // unfinished), and the report's run, started beside it, would be refused while taking the
      // form and the Run and Stop buttons from the run going on.
      if (this.pg.running) throw playgroundError('invalid', 'report: a run is in flight: stop it or let it finish, then open the report again', { field: 'report' });
      const py = readCpythonReport(json, (raw) => this.pg.check(raw));
      this.status.textContent = 'Running the same spec in this browser…';
      const browser = await this.browserRun(py.spec);
      // Never set beside a run of another spec: its checksums would "differ" for nothing.
      if (!browser || !sameSpec(browser.spec, py.spec)) {
        throw playgroundError('cancelled', "report: this browser's run of the report's spec did not finish (the form says why), so there is nothing to compare it with", { field: 'report' });
      }
      this.cpython = py;
      browser.cpython = py;
      this.show(py, browser);
      this.status.textContent = '';
    } catch (e) {
      this.fail(e);
      this.status.textContent = '';
    }
  }

  private show(py: CpythonReport, browser: RunReport): void {
    const { rows, text } = compare(py, browser);
    byId('python-verdict').textContent = text;
    const body = this.table.tBodies[0];
    body.replaceChildren();
    const fixed = (x: number | null | undefined, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));
    for (const r of rows) {
      const tr = body.insertRow();
      for (const cell of [
        r.pythonName,
        r.python.ok ? fixed(r.python.wallMs) : `failed: ${r.python.error ?? ''}`,
        r.pythonSpeedup === null ? '—' : `${fixed(r.pythonSpeedup, 2)}×`,
        r.browser?.lane ?? '—',
        r.browser?.ok ? fixed(r.browser.wallMs) : r.browser ? 'failed' : '—',
        r.browserSpeedup === null ? '—' : `${fixed(r.browserSpeedup, 2)}×`,
        sumCell(r),
      ]) tr.insertCell().textContent = cell;
    }
    this.table.hidden = false;
    byId('python-figure').hidden = false;
    this.chart.draw(rows.map((r) => r.pythonName), [
      { label: `CPython ${py.env.python}`, values: rows.map((r) => r.pythonSpeedup), colour: '#d6453d' },
      { label: 'this browser', values: rows.map((r) => r.browserSpeedup), colour: '#2f6fde' },
    ]);
  }

  /** Shows what went wrong, and nothing that no longer goes with it (an old comparison, a "Copied"). */
  private fail(e: unknown): void {
    this.error.textContent = asError(e).message;
    this.error.hidden = false;
    this.status.textContent = '';
    byId('python-verdict').textContent = '';
    this.table.hidden = true;
    byId('python-figure').hidden = true;
  }
}
