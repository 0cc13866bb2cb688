// Boots the page: window.playground first (tests and embeds need only that), then the face.
import { PlaygroundImpl } from './playground';
import { sweepConnections, sweepWorkers, type SweepPlot } from './sweep';
import type { LaneResult, RunReport, RunSpec } from './types';
import { SweepChart, WallChart } from './ui/charts';
import { Controls } from './ui/controls';
import { asError } from './errors';
import { statusLine } from './outcome';
import { byId } from './ui/dom';
import { showEnvironment } from './ui/env';
import { canvasPng, download, reportCsv, reportJson, stamp, traceJson } from './ui/export';
import { FrameMeter } from './ui/frame-meter';
import { MandelbrotView } from './ui/mandelbrot';
import { MapPanel, readMapUrl } from './ui/map-panel';
import { PythonPanel } from './ui/python-panel';
import { presetById, PRESETS } from './ui/presets';
import { fillLegend, Race, raceObserver } from './ui/race';
import { ReportView } from './ui/report-view';
import { Timeline } from './ui/timeline';
import { readUrl, writeUrl } from './url';

const playground = new PlaygroundImpl();
window.playground = playground;

async function start(): Promise<void> {
  try {
    await playground.ready;
  } catch (e) {
    const error = byId('error');
    error.textContent = `The playground could not start: ${asError(e).message}`;
    error.hidden = false;
    return;
  }
  const caps = playground.capabilities();
  const controls = new Controls(caps);
  const race = new Race(caps.hardwareConcurrency);
  const view = new ReportView();
  const timeline = new Timeline(byId<HTMLCanvasElement>('timeline'));
  const wall = new WallChart(byId('chart-wall'));
  const sweepChart = new SweepChart(byId('chart-sweep'));
  const meter = new FrameMeter();
  showEnvironment(caps);
  fillLegend(byId('legend'));

  let lastReport: RunReport | null = null;
  let seen: LaneResult[] = [];
  let sweeping = false;
  const exports = ['export-json', 'export-csv', 'export-trace', 'export-png', 'export-chart'].map((id) => byId<HTMLButtonElement>(id));

  const image = new MandelbrotView();
  playground.observer = raceObserver(race, timeline, {
    started: (spec) => {
      view.clear();
      image.start(spec.workload, spec.size);
    },
    pixels: (row, pixels) => image.paint(row, pixels),
    finished: (r, all) => {
      seen = all;
      view.addLane(r, all);
    },
  });

  function showReport(report: RunReport): void {
    lastReport = report;
    view.show(report);
    race.winner(report.verdict.fastest);
    timeline.draw(report.results);
    wall.draw(report.results);
    for (const b of exports) b.disabled = false;
  }

  async function runFrom(spec: RunSpec, presetId: string | null = null): Promise<void> {
    controls.clearError();
    let full;
    try {
      full = playground.check(spec);
    } catch (e) {
      controls.showError(asError(e));
      return;
    }
    const params = new URLSearchParams(writeUrl(full, false));
    if (presetId) params.set('preset', presetId);
    history.replaceState(null, '', `?${params}`);
    controls.busy(true);
    meter.start();
    try {
      const report = await playground.run(spec);
      showReport(report);
      race.setStatus(statusLine(report));
    } catch (e) {
      controls.showError(asError(e));
      race.setStatus('');
    } finally {
      meter.stop();
      controls.busy(false);
    }
  }

  async function sweep(): Promise<void> {
    controls.clearError();
    const base = controls.read();
    const figure = byId('sweep-figure');
    const draw = (p: SweepPlot) => {
      figure.hidden = false;
      byId('sweep-caption').textContent = p.caption;
      sweepChart.draw(p.xs, p.series, p.xLabel, p.yLabel, p.logX);
    };
    sweeping = true;
    controls.busy(true);
    meter.start();
    try {
      if (controls.sweepMode.value === 'connections') await sweepConnections(playground, base, draw, () => !sweeping);
      else await sweepWorkers(playground, base, 2 * caps.hardwareConcurrency, draw, () => !sweeping);
      race.setStatus(sweeping ? 'Sweep done.' : 'Sweep stopped.');
    } catch (e) {
      controls.showError(asError(e));
    } finally {
      sweeping = false;
      meter.stop();
      controls.busy(false);
    }
  }

  controls.onPreset = (preset) => void runFrom(controls.applyPreset(preset), preset.id);
  controls.form.addEventListener('submit', (e) => {
    e.preventDefault();
    controls.markPreset(null);
    void runFrom(controls.read());
  });
  controls.form.addEventListener('input', () => controls.clearError());
  controls.stop.addEventListener('click', () => {
    sweeping = false;
    playground.cancel();
  });
  controls.sweep.addEventListener('click', () => void sweep());

  const shareStatus = byId('share-status');
  byId('copy-link').addEventListener('click', async () => {
    const params = new URLSearchParams(location.search);
    params.set('autorun', '1');
    const link = `${location.origin}${location.pathname}?${params}`;
    try {
      await navigator.clipboard.writeText(link);
      shareStatus.textContent = 'Link copied: it reruns these settings.';
    } catch {
      shareStatus.textContent = `Copy this link: ${link}`;
    }
  });
  byId('export-json').addEventListener('click', () => lastReport && download(`${stamp(lastReport)}.json`, reportJson(lastReport)));
  byId('export-csv').addEventListener('click', () => lastReport && download(`${stamp(lastReport)}.csv`, reportCsv(lastReport)));
  byId('export-trace').addEventListener('click', () => lastReport && download(`${stamp(lastReport)}.trace.json`, traceJson(lastReport)));
  byId('export-png').addEventListener('click', async () => {
    if (lastReport) download(`${stamp(lastReport)}-timeline.png`, await canvasPng(byId<HTMLCanvasElement>('timeline')));
  });
  byId('export-chart').addEventListener('click', async () => {
    const canvas = (byId('sweep-figure').hidden ? wall.canvas() : sweepChart.canvas()) ?? wall.canvas();
    if (lastReport && canvas) download(`${stamp(lastReport)}-chart.png`, await canvasPng(canvas));
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      timeline.draw(lastReport?.results ?? seen);
      if (lastReport) wall.draw(lastReport.results);
    }, 150);
  });

  new PythonPanel(playground, () => controls.read(), async (spec) => {
    // The browser's side: the last run if it was this very spec, else a run of it now.
    const same = lastReport && JSON.stringify(lastReport.spec) === JSON.stringify(playground.check(spec));
    if (same && lastReport) return lastReport;
    controls.write(spec as unknown as Record<string, unknown>);
    await runFrom(spec);
    if (!lastReport) throw new Error('the browser run did not finish');
    return lastReport;
  });
  const mapPanel = new MapPanel(playground, caps.threads);
  mapPanel.onBusy = (running) => controls.busy(running);
  controls.starters.push(byId<HTMLButtonElement>('map-run'), byId<HTMLButtonElement>('python-compare'));
  const mapUrl = readMapUrl(location.search);
  if (mapUrl) {
    mapPanel.write(mapUrl);
    byId('map').scrollIntoView();
    // The link's values as given, over the form's: a bad one is refused by name, not dropped.
    if (new URLSearchParams(location.search).get('autorun') === '1') await mapPanel.draw({ ...mapPanel.read(), ...mapUrl });
    return;
  }

  const url = readUrl(location.search);
  const preset = url.preset ? presetById(url.preset) : undefined;
  if (url.preset && !preset) {
    controls.showError(new Error(`preset: must be one of ${PRESETS.map((p) => p.id).join(', ')}, got ${JSON.stringify(url.preset.slice(0, 40))}`));
    return;
  }
  const spec = { ...(preset ? controls.applyPreset(preset) : {}), ...url.spec } as RunSpec;
  controls.write(spec as unknown as Record<string, unknown>);
  if (Object.keys(url.spec).length > 0) {
    try {
      playground.check(spec);
    } catch (e) {
      controls.showError(asError(e), "The link's settings are not valid: ");
      return;
    }
  }
  if (url.autorun) await runFrom(spec, preset?.id ?? null);
}

void start();
