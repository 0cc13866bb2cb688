// The one start-up of the page and the embed: window.playground first (tests and embeds need
// only that), then the face once the playground is ready, or the reason it could not start.
import { asError } from './errors';
import { PlaygroundImpl } from './playground';
import type { Capabilities } from './types';
import { byId } from './ui/dom';

/** Shows a message in the page's error box (text only, never HTML). */
export type Fail = (text: string) => void;

export function boot(face: (playground: PlaygroundImpl, caps: Capabilities, fail: Fail) => Promise<void>): void {
  const playground = new PlaygroundImpl();
  window.playground = playground;
  const fail: Fail = (text) => {
    const error = byId('error');
    error.textContent = text;
    error.hidden = false;
  };
  void (async () => {
    try {
      await playground.ready;
    } catch (e) {
      fail(`The playground could not start: ${asError(e).message}`);
      return;
    }
    try {
      await face(playground, playground.capabilities(), fail);
    } catch (e) {
      // Building the page threw: say so rather than leave a half-built page and no word.
      fail(`The page could not be shown: ${asError(e).message}`);
    }
  })();
}
