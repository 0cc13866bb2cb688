// The decision map's section of the page: its form, progress with the time left, stop, the grid,
// the sentence, exports and its link.
import { asError } from '../errors';
import { MAP_PAIRS, mapOptions, type DecisionMap, type MapAxis, type MapOptions } from '../map';
import type { PlaygroundImpl } from '../playground';
import { byId } from './dom';
import { download } from './export';
import { fillMapLegend, MapView } from './map-view';

const PAIR_LABEL: Record<string, string> = {
  'requests,cpu': 'requests × CPU per request',
  'requests,requestMs': 'requests × ms per request',
  'workers,cpu': 'workers × CPU per request',
};

/** Map settings ⇄ URL parameters (`view=map&mapAxes=requests,cpu&mapRequestMs=10…`). */
export function readMapUrl(search: string): MapOptions | null {
  const params = new URLSearchParams(search);
  if (params.get('view') !== 'map') return null;
  const options: MapOptions = {};
  const axes = params.get('mapAxes')?.split(',');
  if (axes?.length === 2) [options.x, options.y] = axes as [MapAxis, MapAxis];
  const num = (key: string) => (params.has(key) ? Number(params.get(key)) : undefined);
  if (params.has('mapRequestMs')) options.requestMs = num('mapRequestMs');
  if (params.has('mapWorkers')) options.workers = num('mapWorkers');
  if (params.has('mapThreads')) options.threads = params.get('mapThreads') === '1';
  return options;
}

export function writeMapUrl(o: MapOptions, autorun: boolean): string {
  const params = new URLSearchParams({ view: 'map' });
  if (o.x && o.y) params.set('mapAxes', `${o.x},${o.y}`);
  if (o.requestMs !== undefined) params.set('mapRequestMs', String(o.requestMs));
  if (o.workers !== undefined) params.set('mapWorkers', String(o.workers));
  if (o.threads !== undefined) params.set('mapThreads', o.threads ? '1' : '0');
  if (autorun) params.set('autorun', '1');
  return `?${params}`;
}

export class MapPanel {
  private readonly view = new MapView(byId('map'));
  private readonly axes = byId<HTMLSelectElement>('map-axes');
  private readonly requestMs = byId<HTMLInputElement>('map-requestMs');
  private readonly workers = byId<HTMLInputElement>('map-workers');
  private readonly threads = byId<HTMLInputElement>('map-threads');
  private readonly run = byId<HTMLButtonElement>('map-run');
  private readonly stop = byId<HTMLButtonElement>('map-stop');
  private readonly status = byId('map-status');
  private readonly error = byId('map-error');
  private readonly exports = [byId<HTMLButtonElement>('map-png'), byId<HTMLButtonElement>('map-json')];
  private last: DecisionMap | null = null;
  /** Tells the page a map is running (its own Run buttons wait). */
  onBusy: ((busy: boolean) => void) | null = null;

  constructor(private readonly pg: PlaygroundImpl, threadsHere: boolean) {
    for (const [x, y] of MAP_PAIRS) this.axes.add(new Option(PAIR_LABEL[`${x},${y}`], `${x},${y}`));
    this.threads.disabled = !threadsHere;
    fillMapLegend(byId('map-legend'));
    byId('map-controls').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.draw(this.read());
    });
    this.stop.addEventListener('click', () => this.pg.cancel());
    byId('map-png').addEventListener('click', async () => this.last && download('concurrency-playground-map.png', await this.view.png(this.last)));
    byId('map-json').addEventListener('click', () => this.last && download('concurrency-playground-map.json', new Blob([JSON.stringify(this.last, null, 2)], { type: 'application/json' })));
    byId('map-link').addEventListener('click', async () => {
      const link = `${location.origin}${location.pathname}${writeMapUrl(this.read(), true)}`;
      const status = byId('map-share-status');
      try {
        await navigator.clipboard.writeText(link);
        status.textContent = 'Link copied: it draws this map again.';
      } catch {
        status.textContent = `Copy this link: ${link}`;
      }
    });
  }

  read(): MapOptions {
    const [x, y] = this.axes.value.split(',') as [MapAxis, MapAxis];
    return { x, y, requestMs: Number(this.requestMs.value), workers: Number(this.workers.value), threads: this.threads.checked };
  }

  write(o: MapOptions): void {
    if (o.x && o.y && [...this.axes.options].some((opt) => opt.value === `${o.x},${o.y}`)) this.axes.value = `${o.x},${o.y}`;
    if (o.requestMs !== undefined) this.requestMs.value = String(o.requestMs);
    if (o.workers !== undefined) this.workers.value = String(o.workers);
    if (o.threads !== undefined) this.threads.checked = o.threads && !this.threads.disabled;
  }

  /** Races the map cell by cell; the grid fills in as cells are measured. */
  async draw(options: MapOptions): Promise<void> {
    this.error.hidden = true;
    const started = performance.now();
    try {
      const full = mapOptions(options);
      history.replaceState(null, '', writeMapUrl(options, false));
      this.busy(true);
      this.view.start(full);
      byId('map-sentence').textContent = '';
      this.status.textContent = 'Starting…';
      const map = await this.pg.map(full, (cell, done, total, leftMs) => {
        this.view.fill(cell);
        this.status.textContent = `${done} of ${total} cells; about ${Math.ceil(leftMs / 1000)} s left.`;
      });
      this.last = map;
      byId('map-sentence').textContent = map.sentence;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      this.status.textContent = map.cancelled ? `Stopped after ${map.cells.length} cells (${seconds} s).` : `Done: ${map.cells.length} cells in ${seconds} s.`;
      for (const b of this.exports) b.disabled = false;
    } catch (e) {
      this.error.textContent = asError(e).message;
      this.error.hidden = false;
      this.status.textContent = '';
    } finally {
      this.busy(false);
    }
  }

  private busy(running: boolean): void {
    this.run.disabled = running;
    this.stop.disabled = !running;
    this.onBusy?.(running);
  }
}
