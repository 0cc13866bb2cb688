// The decision map on the page: a grid of cells coloured by the lane that won, the seed's rules
// outlined over the cells they cover, the numbers of a cell on hover or focus, and a PNG of it.
import { cellParams, RULES, rulesFor, type DecisionMap, type FullMapOptions, type MapAxis, type MapCell, type Rule } from '../map';
import type { Lane } from '../types';
import { count } from '../words';
import { cssVar, el } from './dom';

const AXIS_LABEL: Record<MapAxis, string> = {
  requests: 'requests at once',
  cpu: 'CPU share of a request',
  requestMs: 'ms per request',
  workers: 'workers',
};

export const axisValue = (axis: MapAxis, v: number) => (axis === 'cpu' ? `${Math.round(v * 100)} %` : v.toLocaleString('en'));

/** A lane's colour on the map (CSS custom properties, so the theme applies). */
const laneColor = (lane: Lane) => cssVar(`--lane-${lane}`);

/** Short enough for a cell on a phone; the legend and each cell's label say them in full. */
const SHORT: Record<Lane, string> = { sequential: 'seq', threads: 'thr', gil: 'gil', processes: 'proc', async: 'async' };

function cellText(cell: MapCell): string {
  return cell.winner.length === 0 ? 'failed' : cell.winner.map((l) => SHORT[l]).join(' ≈ ');
}

function cellDetails(o: FullMapOptions, cell: MapCell): string {
  const p = cellParams(o, cell.x, cell.y);
  const times = cell.results.map((r) => `${r.lane} ${r.ok ? `${r.wallMs.toFixed(1)} ms` : 'failed'}`).join(', ');
  const won = cell.winner.length > 1 ? `${cell.winner.join(' and ')} within ${Math.round(o.margin * 100)} % of each other` : `${cell.winner[0] ?? 'no lane'} won`;
  return `${count(p.requests, 'request')} of ${p.requestMs} ms (${Math.round(p.cpu * 100)} % CPU) on ${count(p.workers, 'worker')}: ${times}. ${won}.`;
}

/** How far a map has got, for its status line. */
export function mapProgress(done: number, total: number, leftMs: number): string {
  return `${done} of ${total} cells; about ${Math.ceil(leftMs / 1000)} s left.`;
}

/** The map's legend: a colour per lane, an outline per rule. */
/** The legend of a map that races `lanes`: their colours, and the outlines of the rules they can check. */
export function fillMapLegend(list: HTMLElement, lanes: readonly Lane[]): void {
  list.replaceChildren(
    ...lanes.map((lane) => {
      const swatch = el('i');
      swatch.style.background = `var(--lane-${lane})`;
      return el('li', {}, swatch, SHORT[lane] === lane ? lane : `${lane} (${SHORT[lane]})`);
    }),
    ...rulesFor(lanes).map((rule) => {
      const swatch = el('i');
      swatch.style.borderColor = `var(--rule-${rule.id})`;
      return el('li', { class: 'rule' }, swatch, rule.text);
    }),
  );
}

export class MapView {
  private readonly grid: HTMLElement;
  private readonly details: HTMLElement;
  private options: FullMapOptions | null = null;
  /** The rules the map being drawn can check, outlined over their cells. */
  private rules: readonly Rule[] = RULES;
  private readonly cells = new Map<string, HTMLButtonElement>();

  constructor(root: HTMLElement) {
    this.grid = root.querySelector<HTMLElement>('.map-grid')!;
    this.details = root.querySelector<HTMLElement>('.map-details')!;
    this.grid.addEventListener('keydown', (e) => this.move(e));
  }

  /**
   * One Tab stop for the whole grid (the cell last focused), and the arrow keys, Home and End
   * move between cells, as in a data grid.
   */
  private move(e: KeyboardEvent): void {
    const cells = [...this.cells.values()];
    const at = cells.indexOf(document.activeElement as HTMLButtonElement);
    const cols = this.options?.xValues.length ?? 1;
    if (at < 0) return;
    const step: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols, Home: -at, End: cells.length - 1 - at };
    const next = cells[at + (step[e.key] ?? 0)];
    if (step[e.key] === undefined || !next) return;
    e.preventDefault();
    for (const c of cells) c.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }

  /** Lays out an empty grid for `o`, raced by `lanes`: every cell waits to be measured. */
  start(o: FullMapOptions, lanes: readonly Lane[]): void {
    this.options = o;
    this.rules = rulesFor(lanes);
    this.cells.clear();
    this.details.textContent = 'Hover over or focus a cell for its numbers.';
    const cols = o.xValues.length;
    this.grid.style.gridTemplateColumns = `auto repeat(${cols}, minmax(3.2rem, 1fr))`;
    const corner = el('span', { class: 'map-axis', text: `${AXIS_LABEL[o.y]} ↑ · ${AXIS_LABEL[o.x]} →` });
    const header = o.xValues.map((x) => el('span', { class: 'map-x', text: axisValue(o.x, x) }));
    const rows = [...o.yValues].reverse().flatMap((y) => [
      el('span', { class: 'map-y', text: axisValue(o.y, y) }),
      ...o.xValues.map((x) => this.emptyCell(o, x, y)),
    ]);
    this.grid.replaceChildren(corner, ...header, ...rows);
    const first = this.cells.values().next().value;
    if (first) first.tabIndex = 0;
  }

  private emptyCell(o: FullMapOptions, x: number, y: number): HTMLButtonElement {
    const b = el('button', { class: 'map-cell', text: '…' });
    b.type = 'button';
    b.tabIndex = -1;
    const p = cellParams(o, x, y);
    for (const rule of this.rules) if (rule.covers(p)) b.classList.add(`rule-${rule.id}`);
    b.setAttribute('aria-label', `${AXIS_LABEL[o.x]} ${axisValue(o.x, x)}, ${AXIS_LABEL[o.y]} ${axisValue(o.y, y)}: not measured yet`);
    this.cells.set(`${x}/${y}`, b);
    return b;
  }

  /** Colours a measured cell by its winner and lets it tell its numbers. */
  fill(cell: MapCell): void {
    const o = this.options;
    const b = this.cells.get(`${cell.x}/${cell.y}`);
    if (!o || !b) return;
    const text = cellText(cell);
    b.textContent = text;
    b.dataset.winner = cell.winner.join(' ');
    const [first, second] = cell.winner;
    b.style.background = second
      ? `linear-gradient(135deg, ${laneColor(first)} 50%, ${laneColor(second)} 50%)`
      : first ? laneColor(first) : '';
    const details = cellDetails(o, cell);
    b.setAttribute('aria-label', details);
    const show = () => {
      this.details.textContent = details;
    };
    b.onmouseenter = show;
    b.onfocus = show;
  }

  /** The map as a PNG: the same grid, winners, rules and labels drawn on a canvas. */
  png(map: DecisionMap): Promise<Blob> {
    const o = map.options;
    const cellW = 96;
    const cellH = 40;
    const left = 90;
    const top = 40;
    const rules = rulesFor(map.lanes);
    const legend = 22 * (rules.length + 1);
    const canvas = document.createElement('canvas');
    canvas.width = left + o.xValues.length * cellW + 20;
    canvas.height = top + o.yValues.length * cellH + 30 + legend;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = cssVar('--card');
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = cssVar('--fg');
    ctx.fillText(`${AXIS_LABEL[o.y]} ↑ · ${AXIS_LABEL[o.x]} →`, 8, 14);
    const ys = [...o.yValues].reverse();
    o.xValues.forEach((x, i) => ctx.fillText(axisValue(o.x, x), left + i * cellW + 8, top - 10));
    ys.forEach((y, j) => ctx.fillText(axisValue(o.y, y), 8, top + j * cellH + cellH / 2));
    for (const cell of map.cells) {
      const i = o.xValues.indexOf(cell.x);
      const j = ys.indexOf(cell.y);
      ctx.fillStyle = cell.winner[0] ? laneColor(cell.winner[0]) : cssVar('--line');
      ctx.fillRect(left + i * cellW + 1, top + j * cellH + 1, cellW - 2, cellH - 2);
      ctx.fillStyle = '#000';
      ctx.fillText(cellText(cell), left + i * cellW + 6, top + j * cellH + cellH / 2);
    }
    rules.forEach((rule, k) => {
      ctx.strokeStyle = cssVar(`--rule-${rule.id}`);
      ctx.lineWidth = 3;
      o.xValues.forEach((x, i) => ys.forEach((y, j) => {
        if (rule.covers(cellParams(o, x, y))) ctx.strokeRect(left + i * cellW + 3, top + j * cellH + 3, cellW - 6, cellH - 6);
      }));
      const ly = top + o.yValues.length * cellH + 20 + k * 22;
      ctx.strokeRect(8, ly - 7, 14, 14);
      ctx.fillStyle = cssVar('--fg');
      ctx.fillText(rule.text, 30, ly);
    });
    return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('could not draw the PNG'))), 'image/png'));
  }
}
