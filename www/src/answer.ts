// The result in words: what the spec asks (the embed's text), and what the lanes computed. The
// words are each workload's own (crate/src/workloads: `describe`, `result`); this says which
// lanes agree. The checksums are the proof that every lane did the same work.
import type { LaneResult, Spec } from './types';
import { describeSpec, resultWords, workloadInfo } from './wasm';
import { andList, grouped, sumOf } from './words';

/** What a spec runs, in one sentence. */
export function describe(spec: Spec): string {
  return describeSpec(spec);
}

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

const lanes = (rs: LaneResult[], all: LaneResult[]) =>
  rs.length === all.length && all.length > 1 ? 'every lane' : andList(rs.map((r) => r.lane));

/**
 * A shared counter's answer: what each lane counted, lanes with the same count together. The
 * counts may differ, and that is the lesson (answer() would call it a disagreement).
 */
function counted(spec: Spec, results: LaneResult[]): string[] {
  const groups = new Map<string, LaneResult[]>();
  const apart: string[] = [];
  for (const r of results) {
    if (!r.counter) continue;
    const own = r.counter.localCounts;
    if (own && spec.sync === 'none') {
      apart.push(sentence(`${r.lane} left the page's counter at ${grouped(r.counter.counted)}: each counted in its own memory (${sumOf(own)})`));
      continue;
    }
    const key = `${r.counter.counted}/${r.tasksDone ?? spec.tasks}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const together = [...groups.values()].map((rs) =>
    sentence(`${lanes(rs, results)} ${resultWords(spec, String(rs[0].counter!.counted), rs[0].tasksDone ?? spec.tasks)}`));
  return [...together, ...apart];
}

/**
 * The answer the lanes agree on, or which lane disagrees. Lanes that kept part of a failed run
 * (processes after a crash) speak for their own tasks only.
 */
export function answer(spec: Spec, results: LaneResult[]): string {
  if (workloadInfo(spec.workload).sharedState) {
    const parts = counted(spec, results);
    return parts.length ? parts.join(' ') : 'No lane has a result to show.';
  }
  const whole = results.filter((r) => r.ok);
  const partial = results.filter((r) => !r.ok && r.checksum && r.tasksDone !== undefined && r.tasksDone > 0);
  const parts: string[] = [];
  const sums = new Set(whole.map((r) => r.checksum));
  if (sums.size > 1) {
    parts.push(`The lanes disagree: ${andList(whole.map((r) => `${r.lane} got ${r.checksum}`))}.`);
  } else if (whole.length > 0) {
    parts.push(sentence(`${lanes(whole, results)} ${resultWords(spec, whole[0].checksum, spec.tasks)}`));
  }
  for (const r of partial) parts.push(sentence(`${r.lane} ${resultWords(spec, r.checksum, r.tasksDone!)}`));
  if (parts.length === 0) parts.push('No lane has a result to show.');
  return parts.join(' ');
}
