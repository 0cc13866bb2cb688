// How a lane ended, said one way everywhere: the status line, the cards, the timeline, the
// table, the exports and the embed. A processes lane that lost one task to a crash and kept the
// rest survived; saying "failed" in one place and "63 of 64 kept" in another told two stories.
import type { LaneResult, Outcome, RunReport } from './types';
import { count, grouped } from './words';

export function outcome(r: Omit<LaneResult, 'outcome'>): Outcome {
  if (r.ok) return 'done';
  if (r.notRun) return 'not-run';
  if (r.errorKind === 'cancelled') return 'cancelled';
  return r.failedTasks?.length && r.checksum && (r.tasksDone ?? 0) > 0 ? 'survived' : 'failed';
}

/** "done", "survived: 63 of 64 tasks", "failed", "cancelled", "not run". */
export function outcomeText(r: LaneResult): string {
  switch (r.outcome) {
    case 'survived': {
      const tasks = (r.tasksDone ?? 0) + (r.failedTasks?.length ?? 0);
      return `survived: ${grouped(r.tasksDone ?? 0)} of ${count(tasks, 'task')}`;
    }
    case 'not-run':
      return 'not run';
    default:
      return r.outcome;
  }
}

/** The status line once a run is over: "Done." or what did not finish, lane by lane. */
export function statusLine(report: RunReport): string {
  const results = report.results;
  if (results.some((r) => r.outcome === 'cancelled' || r.outcome === 'not-run')) return 'Stopped.';
  const other = results.filter((r) => r.outcome !== 'done');
  if (other.length === 0) return 'Done.';
  return `Done: ${other.map((r) => `${r.lane} ${outcomeText(r)}`).join('; ')}.`;
}
