// The result in words: what the spec asks (the embed's text), and what the lanes computed. The
// words are each workload's own (crate/src/workloads: `describe`, `result`); this says which
// lanes agree. The checksums are the proof that every lane did the same work.
import type { LaneResult, Spec } from './types';
import { describeSpec, resultWords } from './wasm';

/** What a spec runs, in one sentence. */
export function describe(spec: Spec): string {
  return describeSpec(spec);
}

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

/**
 * The answer the lanes agree on, or which lane disagrees. Lanes that kept part of a failed run
 * (processes after a crash) speak for their own tasks only.
 */
export function answer(spec: Spec, results: LaneResult[]): string {
  const whole = results.filter((r) => r.ok);
  const partial = results.filter((r) => !r.ok && r.checksum && r.tasksDone !== undefined && r.tasksDone > 0);
  const parts: string[] = [];
  const sums = new Set(whole.map((r) => r.checksum));
  if (sums.size > 1) {
    parts.push(`The lanes disagree: ${whole.map((r) => `${r.lane} got ${r.checksum}`).join(', ')}.`);
  } else if (whole.length > 0) {
    const who = whole.length === 1 ? whole[0].lane : whole.length === results.length ? 'Every lane' : whole.map((r) => r.lane).join(' and ');
    parts.push(sentence(`${who} ${resultWords(spec, whole[0].checksum, spec.tasks)}`));
  }
  for (const r of partial) parts.push(sentence(`${r.lane} ${resultWords(spec, r.checksum, r.tasksDone!)}`));
  if (parts.length === 0) parts.push('No lane has a result to show.');
  return parts.join(' ');
}
