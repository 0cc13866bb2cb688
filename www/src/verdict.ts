// Names the fastest lane and says by how much, in the seed's terms.
import type { FullSpec, Lane, LaneResult, RunReport } from './types';

export function speedup(results: LaneResult[], r: LaneResult): number | null {
  const base = results.find((x) => x.lane === 'sequential' && x.ok);
  return base && r.ok && r.wallMs > 0 ? base.wallMs / r.wallMs : null;
}

export function verdict(spec: FullSpec, results: LaneResult[]): RunReport['verdict'] {
  const ok = results.filter((r) => r.ok);
  if (ok.length === 0) {
    return { fastest: spec.lanes[0] as Lane, text: 'No lane finished, so there is no verdict.' };
  }
  const fastest = ok.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const others = ok
    .filter((r) => r !== fastest)
    .map((r) => `${r.lane} ${r.wallMs.toFixed(0)} ms`)
    .join(', ');
  const x = speedup(results, fastest);
  const vs = x !== null && fastest.lane !== 'sequential' ? `, ${x.toFixed(2)}× sequential` : '';
  return {
    fastest: fastest.lane,
    text: `${fastest.lane} was fastest: ${fastest.wallMs.toFixed(0)} ms${vs}`
      + (others ? ` (${others}).` : '.'),
  };
}
