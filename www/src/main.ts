// Boots the page: window.playground first (tests and embeds need only that), then the controls.
import { PlaygroundImpl } from './playground';
import type { LaneResult } from './types';
import { Controls } from './ui/controls';
import { Results } from './ui/results';
import { readUrl, writeUrl } from './url';

const playground = new PlaygroundImpl();
window.playground = playground;

async function start(): Promise<void> {
  const results = new Results();
  try {
    await playground.ready;
  } catch (e) {
    results.showError(`The playground could not start: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const controls = new Controls(playground.capabilities());
  const seen: LaneResult[] = [];
  playground.observer = {
    laneStarted: (lane, i, total) => results.setStatus(`Running ${lane} (${i + 1} of ${total})…`),
    laneFinished: (r) => {
      seen.push(r);
      results.addLane(r, seen);
    },
  };

  async function runFrom(spec: Record<string, unknown>): Promise<void> {
    results.clear();
    seen.length = 0;
    try {
      playground.check(spec);
    } catch (e) {
      results.showError(e instanceof Error ? e.message : String(e));
      return;
    }
    history.replaceState(null, '', writeUrl(spec as never, false));
    controls.busy(true);
    try {
      const report = await playground.run(spec as never);
      results.showReport(report);
      results.setStatus('Done.');
    } catch (e) {
      results.showError(e instanceof Error ? e.message : String(e));
      results.setStatus('');
    } finally {
      controls.busy(false);
    }
  }

  controls.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void runFrom({ ...controls.read() });
  });
  controls.stop.addEventListener('click', () => playground.cancel());

  const url = readUrl(location.search);
  controls.write(url.spec);
  if (Object.keys(url.spec).length > 0) {
    try {
      playground.check(url.spec);
    } catch (e) {
      results.showError(`The link's settings are not valid: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
  }
  if (url.autorun) await runFrom(url.spec);
}

void start();
