// The result in words: what the spec asks (the embed's text), and what the lanes computed.
// The checksums are the proof that every lane did the same work; this says what they mean.
import type { FullSpec, LaneResult } from './types';

const n = (x: number) => x.toLocaleString('en-US');

/** What a spec runs, in one sentence. */
export function describe(spec: FullSpec): string {
  const on = `${spec.workers === 1 ? 'on 1 worker' : `on ${spec.workers} workers`}`;
  const jitter = spec.jitterMs ? ` ± ${n(spec.jitterMs)}` : '';
  const what = {
    primes: `Count the primes below ${n(spec.size)} in ${n(spec.tasks)} tasks ${on}.`,
    mandelbrot: `Draw a ${n(spec.size)} × ${n(spec.size)} Mandelbrot image in ${n(spec.tasks)} bands ${on}.`,
    hash: `Hash ${n(spec.tasks)} chains of ${n(spec.size)} SHA-256 rounds ${on}.`,
    io: `Send ${n(spec.size)} requests of ${n(spec.latencyMs)}${jitter} ms ${on}.`,
    mixed: `Send ${n(spec.size)} requests of ${n(spec.latencyMs)}${jitter} ms, each answer hashed ${n(spec.cpuRounds)} rounds, ${on}.`,
    share: `Read one ${n(spec.size)} MB buffer in ${n(spec.tasks)} tasks ${on}.`,
  }[spec.workload];
  const fault = { none: '', 'panic-one-task': ' One task panics.', 'oom-one-task': ' One task runs out of memory.' }[spec.fault];
  return what + fault;
}

/** What a checksum covers, for a lane that finished `done` of the spec's tasks. */
function result(spec: FullSpec, checksum: string, done: number): string {
  const some = done < spec.tasks ? ` in the ${n(done)} of ${n(spec.tasks)} tasks it finished` : '';
  switch (spec.workload) {
    case 'primes':
      return done < spec.tasks
        ? `counted ${n(Number(checksum))} primes${some}`
        : `counted ${n(Number(checksum))} primes below ${n(spec.size)}`;
    case 'mandelbrot':
      return `drew the same ${n(spec.size)} × ${n(spec.size)} image${some} (escape counts' digest ${checksum})`;
    case 'hash':
      return `computed the same ${n(spec.tasks)} SHA-256 chains of ${n(spec.size)} rounds${some} (digest ${checksum})`;
    case 'io':
    case 'mixed':
      return `got the same ${n(spec.size)} responses${some} (digest ${checksum})`;
    case 'share':
      return `read the same ${n(spec.size)} MB buffer${some} (digest of ${n(spec.tasks)} strided scans: ${checksum})`;
  }
}

/**
 * The answer the lanes agree on, or which lane disagrees. Lanes that kept part of a failed run
 * (processes after a crash) speak for their own tasks only.
 */
export function answer(spec: FullSpec, results: LaneResult[]): string {
  const whole = results.filter((r) => r.ok);
  const partial = results.filter((r) => !r.ok && r.checksum && r.tasksDone !== undefined && r.tasksDone > 0);
  const parts: string[] = [];
  const sums = new Set(whole.map((r) => r.checksum));
  if (sums.size > 1) {
    parts.push(`The lanes disagree: ${whole.map((r) => `${r.lane} got ${r.checksum}`).join(', ')}.`);
  } else if (whole.length > 0) {
    const who = whole.length === 1 ? whole[0].lane : whole.length === results.length ? 'Every lane' : whole.map((r) => r.lane).join(' and ');
    const text = `${who} ${result(spec, whole[0].checksum, spec.tasks)}.`;
    parts.push(text.charAt(0).toUpperCase() + text.slice(1));
  }
  for (const r of partial) {
    const text = `${r.lane} ${result(spec, r.checksum, r.tasksDone!)}.`;
    parts.push(text.charAt(0).toUpperCase() + text.slice(1));
  }
  if (parts.length === 0) parts.push('No lane has a result to show.');
  return parts.join(' ');
}
