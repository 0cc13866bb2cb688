// Settings <-> URL, so every result can be shared as a link: a run's spec, and the decision map's
// settings. Every parameter name the page reads is here.
import type { MapOptions } from './map';
import type { RunSpec } from './types';
import { schema } from './wasm';

/** The decision map's parameters (`view=map&mapAxes=requests,cpu&mapRequestMs=10…`). */
const MAP = { view: 'view', axes: 'mapAxes', requestMs: 'mapRequestMs', workers: 'mapWorkers', threads: 'mapThreads' } as const;

/** The spec's number fields, from the crate's schema: their URL values are read as numbers. */
const numbers = () => new Set(schema().fields.filter((f) => f.kind === 'whole' || f.kind === 'number').map((f) => f.name));
/** Page options that are not spec fields. */
const PAGE_PARAMS: string[] = ['autorun', 'preset', ...Object.values(MAP)];

/** A number as people write one in decimal: `12`, `-0.5`, `2e6` (not `0x10`, `Infinity` or ``). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A parameter's value as a number where it is written as one; anything else stays text (Number('')
 * is 0, Number('0x10') 16), so the refusal shows what was typed.
 */
const typed = (text: string): number | string => (DECIMAL.test(text.trim()) ? Number(text) : text);

/**
 * A link's fields (every parameter but the page's own), each read by `read`. A field given twice
 * is a list, which the checker refuses by name, rather than the last one; the object's properties
 * are its own, whatever the names (`__proto__` too is a field the checker names).
 */
function fieldsOf(params: URLSearchParams, read: (key: string, value: string) => unknown): Record<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [key, value] of params) {
    if (PAGE_PARAMS.includes(key)) continue;
    const v = read(key, value);
    fields.set(key, fields.has(key) ? [fields.get(key), v].flat() : v);
  }
  return Object.fromEntries(fields);
}

export interface UrlState {
  /** The spec fields the URL gives, unchecked (the crate checks them). */
  spec: Record<string, unknown>;
  autorun: boolean;
  preset: string | null;
}

export function readUrl(search: string): UrlState {
  const params = new URLSearchParams(search);
  const NUMBERS = numbers();
  const spec = fieldsOf(params, (key, value) => (key === 'lanes' ? value.split(',').filter(Boolean) : NUMBERS.has(key) ? typed(value) : value));
  return { spec, autorun: params.get('autorun') === '1', preset: params.get('preset') };
}

export function writeUrl(spec: RunSpec, autorun: boolean): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(spec)) {
    if (value === undefined) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  if (autorun) params.set('autorun', '1');
  return `?${params}`;
}

/**
 * Map settings ⇄ URL parameters (`view=map&mapAxes=requests,cpu&mapRequestMs=10…`), or null when
 * the link is not for the map (`always`: the embed's map preset reads them anyway). Values are
 * passed on unchecked, as typed: `mapOptions` names what is wrong with them, and a parameter that
 * is not the map's (`mapWorker`) under its own name, which it refuses as no map option.
 */
export function readMapUrl(search: string, always = false): MapOptions | null {
  const params = new URLSearchParams(search);
  if (params.get(MAP.view) !== 'map' && !always) return null;
  const options: Record<string, unknown> = {};
  const axes = params.get(MAP.axes);
  if (axes !== null) [options.x, options.y] = axes.split(',');
  const num = (key: string) => typed(params.get(key) ?? '');
  if (params.has(MAP.requestMs)) options.requestMs = num(MAP.requestMs);
  if (params.has(MAP.workers)) options.workers = num(MAP.workers);
  if (params.has(MAP.threads)) options.threads = params.get(MAP.threads) === '1';
  const stray = [...params.keys()].find((key) => !PAGE_PARAMS.includes(key));
  if (stray !== undefined) options[stray] = params.get(stray);
  return options as MapOptions;
}

export function writeMapUrl(o: MapOptions, autorun: boolean): string {
  const params = new URLSearchParams({ [MAP.view]: 'map' });
  if (o.x && o.y) params.set(MAP.axes, `${o.x},${o.y}`);
  if (o.requestMs !== undefined) params.set(MAP.requestMs, String(o.requestMs));
  if (o.workers !== undefined) params.set(MAP.workers, String(o.workers));
  if (o.threads !== undefined) params.set(MAP.threads, o.threads ? '1' : '0');
  if (autorun) params.set('autorun', '1');
  return `?${params}`;
}

/**
 * Serve mode's options ⇄ URL parameters (`view=serve&ratePerSec=200&latencyMs=100…`, the options'
 * own names), or null when the link is not for serve mode (`always`: the embed's serve preset
 * reads them anyway). Every parameter but the page's own is passed on (`lanes` as a list), so the
 * checker names a bad value or an unknown option, as it does a spec link's.
 */
export function readServeUrl(search: string, always = false): Record<string, unknown> | null {
  const params = new URLSearchParams(search);
  if (params.get(MAP.view) !== 'serve' && !always) return null;
  return fieldsOf(params, (key, value) => (key === 'lanes' ? value.split(',').filter(Boolean) : typed(value)));
}

export function writeServeUrl(options: Record<string, unknown>, autorun: boolean): string {
  const params = new URLSearchParams({ [MAP.view]: 'serve' });
  for (const [key, value] of Object.entries(options)) params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  if (autorun) params.set('autorun', '1');
  return `?${params}`;
}

/**
 * The embed's URL parameters for a page at `search` that shows the map or serve mode with their
 * settings, or a spec's fields (a story's are ui/embed-this.ts's to trim). Never `autorun`: a
 * post should not race on load.
 */
export function embedParams(search: string): URLSearchParams {
  const params = new URLSearchParams(search);
  const view = params.get(MAP.view);
  const out = new URLSearchParams();
  if (view === 'map' || view === 'serve') out.set('preset', view);
  for (const [key, value] of params) if (key !== 'autorun' && key !== 'preset' && key !== MAP.view) out.set(key, value);
  return out;
}
