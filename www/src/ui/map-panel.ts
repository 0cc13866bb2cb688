// The decision map's section of the page: its form, progress with the time left, stop, the grid,
// the sentence, exports and its link.
import { asError } from '../errors';
import { MAP_PAIRS, mapLanesHere, mapLaneWords, mapOptions, type DecisionMap, type FullMapOptions, type MapAxis, type MapOptions } from '../map';
import type { PlaygroundImpl } from '../playground';
import type { Lane } from '../types';
import { byId, copyLink, RunButtons, typedNumber } from './dom';
import { download } from './export';
import { writeMapUrl } from '../url';
import { fillMapLegend, mapProgress, MapView } from './map-view';

/** An axis in the form's words; a pair reads "x × y". */
const AXIS_LABEL: Record<MapAxis, string> = { requests: 'requests', cpu: 'CPU per request', requestMs: 'ms per request', workers: 'workers' };

export class MapPanel {
  private readonly view = new MapView(byId('map'));
  private readonly axes = byId<HTMLSelectElement>('map-axes');
  private readonly requestMs = byId<HTMLInputElement>('map-requestMs');
  private readonly workers = byId<HTMLInputElement>('map-workers');
  private readonly threads = byId<HTMLInputElement>('map-threads');
  private readonly run = byId<HTMLButtonElement>('map-run');
  private readonly stop = byId<HTMLButtonElement>('map-stop');
  private readonly buttons = new RunButtons(this.stop);
  private readonly status = byId('map-status');
  private readonly error = byId('map-error');
  private readonly exports = [byId<HTMLButtonElement>('map-png'), byId<HTMLButtonElement>('map-json')];
  private last: DecisionMap | null = null;
  /** Tells the page a map is running (its own Run buttons wait). */
  onBusy: ((busy: boolean) => void) | null = null;

  constructor(private readonly pg: PlaygroundImpl, threadsHere: boolean) {
    for (const [x, y] of MAP_PAIRS) this.addPair(x, y);
    this.threads.disabled = !threadsHere;
    this.showLanes(mapOptions({}));
    byId('map-controls').addEventListener('input', () => this.clearError());
    byId('map-controls').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.draw(this.read());
    });
    this.stop.addEventListener('click', () => this.pg.cancel());
    byId('map-png').addEventListener('click', async () => this.last && download('concurrency-playground-map.png', await this.view.png(this.last)));
    byId('map-json').addEventListener('click', () => this.last && download('concurrency-playground-map.json', new Blob([JSON.stringify(this.last, null, 2)], { type: 'application/json' })));
    byId('map-link').addEventListener('click', () => void copyLink(writeMapUrl(this.read(), true), byId('map-share-status'), 'Link copied: it draws this map again.'));
  }

  /** Which lanes a map of `o` races here, in the legend and the note above the form; returns them. */
  private showLanes(o: FullMapOptions): Lane[] {
    const lanes = mapLanesHere(o, this.pg.capabilities().lanes);
    fillMapLegend(byId('map-legend'), lanes);
    byId('map-lanes').textContent = mapLaneWords(lanes);
    return lanes;
  }

  /** The form as typed: an empty field is left out (its default), one the browser cannot read is NaN. */
  read(): MapOptions {
    const [x, y] = this.axes.value.split(',') as [MapAxis, MapAxis];
    const options: MapOptions = { x, y, threads: this.threads.checked };
    const requestMs = typedNumber(this.requestMs);
    const workers = typedNumber(this.workers);
    if (requestMs !== undefined) options.requestMs = requestMs;
    if (workers !== undefined) options.workers = workers;
    return options;
  }

  /** Numbers and threads into the form; the axes once checked (`showAxes`). */
  private write(o: MapOptions): void {
    // Only numbers go into number inputs (anything else makes the browser warn); a bad value
    // from a link is named by `follow` or `draw` instead.
    if (typeof o.requestMs === 'number' && Number.isFinite(o.requestMs)) this.requestMs.value = String(o.requestMs);
    if (typeof o.workers === 'number' && Number.isFinite(o.workers)) this.workers.value = String(o.workers);
    if (o.threads !== undefined) this.threads.checked = o.threads && !this.threads.disabled;
  }

  private addPair(x: MapAxis, y: MapAxis): void {
    this.axes.add(new Option(`${AXIS_LABEL[x]} × ${AXIS_LABEL[y]}`, `${x},${y}`));
  }

  /**
   * Selects the axes a map is drawn with, adding the pair where the list lacks it (a link's
   * `cpu,requests`, any two axes the API takes), so the form and "Copy map link" give this map.
   */
  private showAxes({ x, y }: FullMapOptions): void {
    if (![...this.axes.options].some((opt) => opt.value === `${x},${y}`)) this.addPair(x, y);
    this.axes.value = `${x},${y}`;
  }

  /**
   * A link's settings: into the form, then drawn (`autorun`) or checked, so that a bad value is
   * named either way, as a spec link's is. The link's values as given, over the form's: a bad one
   * is refused by name, not dropped.
   */
  async follow(link: MapOptions, autorun: boolean): Promise<void> {
    this.write(link);
    const options = { ...this.read(), ...link };
    if (autorun) return this.draw(options);
    try {
      this.showAxes(mapOptions(options));
    } catch (e) {
      this.showError(e, "The link's settings are not valid: ");
    }
  }

  /** Races the map cell by cell; the grid fills in as cells are measured. */
  async draw(options: MapOptions): Promise<void> {
    this.clearError();
    const started = performance.now();
    try {
      const full = mapOptions(options);
      this.showAxes(full);
      history.replaceState(null, '', writeMapUrl({ ...options, x: full.x, y: full.y }, false));
      this.busy(true);
      this.view.start(full, this.showLanes(full));
      byId('map-sentence').textContent = '';
      this.status.textContent = 'Starting…';
      const map = await this.pg.map(full, (cell, done, total, leftMs) => {
        this.view.fill(cell);
        this.status.textContent = mapProgress(done, total, leftMs);
      });
      this.last = map;
      byId('map-sentence').textContent = map.sentence;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      this.status.textContent = map.cancelled ? `Stopped after ${map.cells.length} cells (${seconds} s).` : `Done: ${map.cells.length} cells in ${seconds} s.`;
      for (const b of this.exports) b.disabled = false;
    } catch (e) {
      this.showError(e);
      this.status.textContent = '';
    } finally {
      this.busy(false);
    }
  }

  /** Shows an error, and marks the control of the option it names (`map.workers` → Workers). */
  private showError(e: unknown, prefix = ''): void {
    const error = asError(e) as Error & { field?: string };
    this.error.textContent = `${prefix}${error.message}`;
    this.error.hidden = false;
    const control = { 'map.workers': this.workers, 'map.requestMs': this.requestMs, 'map.x': this.axes, 'map.y': this.axes }[error.field ?? ''];
    control?.setAttribute('aria-invalid', 'true');
  }

  private clearError(): void {
    this.error.hidden = true;
    this.error.textContent = '';
    for (const c of [this.workers, this.requestMs, this.axes]) c.removeAttribute('aria-invalid');
  }

  private busy(running: boolean): void {
    if (running) this.buttons.start([this.run]);
    this.onBusy?.(running);
    if (!running) this.buttons.end();
  }
}
