// The full page: the form, the race, the report and its exports, the sweeps, the Python bridge's
// section and the decision map, wired to window.playground (boot.ts).
import { boot } from './boot';
import { sameSpec } from './cpython';
import { asError, playgroundError } from './errors';
import { paintsLive } from './lanes/common';
import type { PlaygroundImpl } from './playground';
import { sweepConnections, sweepWorkers, type SweepPlot } from './sweep';
import type { Capabilities, LaneResult, RunReport, RunSpec } from './types';
import { SweepChart, WallChart } from './ui/charts';
import { Controls } from './ui/controls';
import { byId, copyLink } from './ui/dom';
import { showEnvironment } from './ui/env';
import { canvasPng, download, reportCsv, reportJson, stamp, traceJson } from './ui/export';
import { FrameMeter } from './ui/frame-meter';
import { MandelbrotView } from './ui/mandelbrot';
import { MapPanel } from './ui/map-panel';
import { ServePanel } from './ui/serve-panel';
import { PythonPanel } from './ui/python-panel';
import { presetById, PRESETS } from './ui/presets';
import { fillLegend, Race, raceObserver } from './ui/race';
import { ReportView } from './ui/report-view';
import { mountEmbedThis } from './ui/embed-this';
import { Timeline } from './ui/timeline';
import { readMapUrl, readServeUrl, readUrl, writeUrl } from './url';

const EXPORTS = ['export-json', 'export-csv', 'export-trace', 'export-png', 'export-chart'];

class Page {
  private readonly controls: Controls;
  private readonly race: Race;
  private readonly view = new ReportView();
  private readonly timeline = new Timeline(byId<HTMLCanvasElement>('timeline'));
  private readonly wall = new WallChart(byId('chart-wall'));
  private readonly sweepChart = new SweepChart(byId('chart-sweep'));
  private readonly meter = new FrameMeter();
  private readonly image = new MandelbrotView();
  private lastReport: RunReport | null = null;
  /** The lanes finished so far in the run going on. */
  private seen: LaneResult[] = [];
  private sweeping = false;
  /** Runs the page itself drives (its form's, a sweep's) under way: a run besides them is a script's. */
  private driving = 0;

  constructor(private readonly playground: PlaygroundImpl, private readonly caps: Capabilities) {
    this.controls = new Controls(caps);
    this.race = new Race(caps.hardwareConcurrency);
    showEnvironment(caps);
    fillLegend(byId('legend'));
    playground.observer = raceObserver(this.race, this.timeline, {
      // Every run holds the form busy while it goes, one a script started too: Run off, Stop on.
      started: (spec) => {
        if (this.driving === 0) this.showScriptSpec(spec);
        this.controls.busy(true);
        this.view.clear();
        this.image.start(spec.workload, spec.size, paintsLive(spec.workers));
      },
      pixels: (row, pixels) => this.image.paint(row, pixels),
      finished: (r, all) => {
        this.image.finish();
        this.seen = all;
        this.view.addLane(r, all);
      },
      reported: (report) => {
        this.showReport(report);
        this.controls.busy(false);
      },
    });
    this.wireForm();
    this.wireExports();
    this.wireResize();
  }

  private showReport(report: RunReport): void {
    this.lastReport = report;
    this.view.show(report);
    this.timeline.draw(report.results);
    this.wall.draw(report.results);
    for (const id of EXPORTS) byId<HTMLButtonElement>(id).disabled = false;
  }

  /** Checks a spec, puts it in the URL, runs it, and shows the report or what went wrong. */
  async runFrom(spec: RunSpec, presetId: string | null = null): Promise<void> {
    const { controls } = this;
    controls.clearError();
    let full;
    try {
      full = this.playground.check(spec);
    } catch (e) {
      controls.showError(asError(e));
      return;
    }
    const params = new URLSearchParams(writeUrl(full, false));
    if (presetId) params.set('preset', presetId);
    history.replaceState(null, '', `?${params}`);
    await this.busyWith(async () => {
      try {
        // Shown by the observer's runFinished, as a script's run would be.
        await this.playground.run(spec);
      } catch (e) {
        controls.showError(asError(e));
        this.race.setStatus('');
      }
    });
  }

  private async busyWith(work: () => Promise<void>): Promise<void> {
    this.controls.busy(true);
    this.meter.start();
    this.driving += 1;
    try {
      await work();
    } finally {
      this.driving -= 1;
      this.meter.stop();
      this.controls.busy(false);
    }
  }

  /**
   * A script's run (window.playground.run) is shown in the form and the address as the page's own
   * runs are, so that what is on screen, Copy link and a reload all mean the run being shown.
   */
  private showScriptSpec(spec: RunSpec): void {
    this.controls.clearError();
    this.controls.write(spec as unknown as Record<string, unknown>);
    this.controls.markPreset(null);
    history.replaceState(null, '', writeUrl(spec, false));
  }

  private async sweep(): Promise<void> {
    this.controls.clearError();
    const base = this.controls.read();
    const figure = byId('sweep-figure');
    const draw = (p: SweepPlot) => {
      figure.hidden = false;
      byId('sweep-caption').textContent = p.caption;
      this.sweepChart.draw(p.xs, p.series, p.xLabel, p.yLabel, p.logX);
    };
    this.sweeping = true;
    await this.busyWith(async () => {
      try {
        const stopped = () => !this.sweeping;
        if (this.controls.sweepMode.value === 'connections') await sweepConnections(this.playground, base, draw, stopped);
        else await sweepWorkers(this.playground, base, 2 * this.caps.hardwareConcurrency, draw, stopped);
        this.race.setStatus(this.sweeping ? 'Sweep done.' : 'Sweep stopped.');
      } catch (e) {
        this.race.setStatus('');
        this.controls.showError(asError(e));
      } finally {
        this.sweeping = false;
      }
    });
  }

  private wireForm(): void {
    const { controls } = this;
    controls.onPreset = (preset) => void this.runFrom(controls.applyPreset(preset), preset.id);
    controls.form.addEventListener('submit', (e) => {
      e.preventDefault();
      controls.markPreset(null);
      void this.runFrom(controls.read());
    });
    controls.form.addEventListener('input', () => controls.clearError());
    controls.stop.addEventListener('click', () => {
      this.sweeping = false;
      this.playground.cancel();
    });
    controls.sweep.addEventListener('click', () => void this.sweep());
  }

  private wireExports(): void {
    const report = () => this.lastReport;
    const shareStatus = byId('share-status');
    byId('copy-link').addEventListener('click', async () => {
      const params = new URLSearchParams(location.search);
      params.set('autorun', '1');
      await copyLink(`?${params}`, shareStatus, 'Link copied: it reruns these settings.');
    });
    type File = [name: string, blob: Blob] | null;
    const on = (id: string, make: (r: RunReport) => Promise<File> | File) => byId(id).addEventListener('click', async () => {
      const r = report();
      const file = r && (await make(r));
      if (file) download(...file);
    });
    on('export-json', (r) => [`${stamp(r)}.json`, reportJson(r)]);
    on('export-csv', (r) => [`${stamp(r)}.csv`, reportCsv(r)]);
    on('export-trace', (r) => [`${stamp(r)}.trace.json`, traceJson(r)]);
    on('export-png', async (r) => [`${stamp(r)}-timeline.png`, await canvasPng(byId<HTMLCanvasElement>('timeline'))]);
    on('export-chart', async (r) => {
      const canvas = (byId('sweep-figure').hidden ? this.wall.canvas() : this.sweepChart.canvas()) ?? this.wall.canvas();
      return canvas ? [`${stamp(r)}-chart.png`, await canvasPng(canvas)] : null;
    });
  }

  private wireResize(): void {
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => {
        this.timeline.draw(this.lastReport?.results ?? this.seen);
        if (this.lastReport) this.wall.draw(this.lastReport.results);
      }, 150);
    });
  }

  /** The Python bridge's section; its browser side is the last run if it was this very spec. */
  wirePython(): void {
    new PythonPanel(this.playground, () => this.controls.read(), async (spec) => {
      const last = this.lastReport;
      if (last && sameSpec(last.spec, this.playground.check(spec))) return last;
      this.controls.write(spec as unknown as Record<string, unknown>);
      await this.runFrom(spec);
      return this.lastReport;
    });
  }

  wireMap(): MapPanel {
    const mapPanel = new MapPanel(this.playground, this.caps.threads);
    mapPanel.onBusy = (running) => this.controls.busy(running);
    this.controls.starters.push(byId<HTMLButtonElement>('map-run'));
    this.controls.batchStarters.push(byId<HTMLButtonElement>('python-compare'));
    return mapPanel;
  }

  wireServe(): ServePanel {
    const panel = new ServePanel(this.playground);
    panel.onBusy = (running) => this.controls.busy(running);
    this.controls.starters.push(byId<HTMLButtonElement>('serve-run'), byId<HTMLButtonElement>('serve-sweep'), byId<HTMLButtonElement>('serve-preset'));
    return panel;
  }

  /** What the link asks for: a map, serve mode, a preset, a spec; run it with `autorun=1`. */
  async followLink(mapPanel: MapPanel, servePanel: ServePanel): Promise<void> {
    const url = readUrl(location.search);
    // A bad value in a map or serve link is named whether or not it runs, as a spec link's is.
    const serveUrl = readServeUrl(location.search);
    if (serveUrl) {
      byId('serve').scrollIntoView();
      await servePanel.follow(serveUrl, url.autorun);
      return;
    }
    const mapUrl = readMapUrl(location.search);
    if (mapUrl) {
      byId('map').scrollIntoView();
      await mapPanel.follow(mapUrl, url.autorun);
      return;
    }
    const view = new URLSearchParams(location.search).get('view');
    if (view !== null) {
      this.controls.showError(playgroundError('invalid', `view: must be map or serve, got ${JSON.stringify(view.slice(0, 40))}`, { field: 'view' }));
      return;
    }
    const preset = url.preset !== null ? presetById(url.preset) : undefined;
    if (url.preset !== null && !preset) {
      this.controls.showError(playgroundError('invalid', `preset: must be one of ${PRESETS.map((p) => p.id).join(', ')}, got ${JSON.stringify(url.preset.slice(0, 40))}`, { field: 'preset' }));
      return;
    }
    const spec = { ...(preset ? this.controls.applyPreset(preset) : {}), ...url.spec } as RunSpec;
    this.controls.write(spec as unknown as Record<string, unknown>);
    if (Object.keys(url.spec).length > 0) {
      try {
        this.playground.check(spec);
      } catch (e) {
        this.controls.showError(asError(e), "The link's settings are not valid: ");
        return;
      }
    }
    if (url.autorun) await this.runFrom(spec, preset?.id ?? null);
  }
}

boot(async (playground, caps) => {
  const page = new Page(playground, caps);
  mountEmbedThis(playground);
  page.wirePython();
  const map = page.wireMap();
  const serve = page.wireServe();
  // When a visitor could first use the form: the bench reads this User Timing entry.
  performance.mark('form-shown');
  await page.followLink(map, serve);
});
