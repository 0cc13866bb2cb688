// The seed's three stories, one click each (plus two that show the processes lane's costs, and one
// the price of easy sharing).
import type { RunSpec } from '../types';

export interface Preset {
  id: string;
  title: string;
  blurb: string;
  spec: (cores: number) => RunSpec;
}

export const PRESETS: Preset[] = [
  {
    id: 'cpu',
    title: 'CPU-bound',
    blurb: 'Count the primes below 5 million. Who uses every core?',
    spec: (cores) => ({ workload: 'primes', size: 5_000_000, workers: cores }),
  },
  {
    id: 'io-fast',
    title: 'I/O: fast, few connections',
    blurb: '8 requests × 20 ms with a worker each: threads are enough.',
    spec: () => ({ workload: 'io', size: 8, latencyMs: 20, jitterMs: 2, workers: 8 }),
  },
  {
    id: 'io-slow',
    title: 'I/O: slow, many connections',
    blurb: '200 requests × 25 ms on 4 workers: who waits for all at once?',
    spec: () => ({ workload: 'io', size: 200, latencyMs: 25, jitterMs: 5, workers: 4 }),
  },
  {
    id: 'share',
    title: 'Big shared data',
    blurb: 'Every task reads one 64 MB buffer: copies for processes, none for threads.',
    spec: (cores) => ({ workload: 'share', size: 64, workers: cores, lanes: ['sequential', 'threads', 'processes'] }),
  },
  {
    id: 'crash',
    title: 'A task crashes',
    blurb: 'One task panics: a process dies alone, threads go down together.',
    spec: (cores) => ({ workload: 'primes', size: 2_000_000, workers: cores, fault: 'panic-one-task', lanes: ['threads', 'processes'] }),
  },
  {
    id: 'counter',
    title: 'A shared counter',
    blurb: '4 tasks add 1 to one counter a million times each. Who loses updates?',
    spec: (cores) => ({
      workload: 'counter', size: 1_000_000, tasks: 4, workers: Math.max(2, cores), sync: 'none',
      lanes: ['sequential', 'threads', 'gil', 'processes', 'async'],
    }),
  },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
