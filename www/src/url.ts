// Settings <-> URL, so every result can be shared as a link.
import type { RunSpec } from './types';
import { schema } from './wasm';

/** The spec's number fields, from the crate's schema: their URL values are read as numbers. */
const numbers = () => new Set(schema().fields.filter((f) => f.kind === 'whole' || f.kind === 'number').map((f) => f.name));
/** Page options that are not spec fields. */
const PAGE_PARAMS = ['autorun', 'preset', 'view', 'mapAxes', 'mapRequestMs', 'mapWorkers', 'mapThreads'];

export interface UrlState {
  /** The spec fields the URL gives, unchecked (the crate checks them). */
  spec: Record<string, unknown>;
  autorun: boolean;
  preset: string | null;
}

export function readUrl(search: string): UrlState {
  const params = new URLSearchParams(search);
  const spec: Record<string, unknown> = {};
  const NUMBERS = numbers();
  for (const [key, value] of params) {
    if (PAGE_PARAMS.includes(key)) continue;
    if (key === 'lanes') spec.lanes = value.split(',').filter(Boolean);
    // Number('') is 0 and Number('abc') NaN: those stay text, so the refusal shows what was typed.
    else if (NUMBERS.has(key)) spec[key] = value.trim() === '' || Number.isNaN(Number(value)) ? value : Number(value);
    else spec[key] = value;
  }
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
