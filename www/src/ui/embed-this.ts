// "Embed this": the iframe snippet (embed-snippet.ts) for what the page shows now, its story with
// the fields changed from it, the map, serve mode, or its settings as the URL holds them, to paste
// into a post; with a copy button. Settings the page refuses make no snippet: the embed would
// only show the same error.
import { embedTitle, resizingSnippet } from '../embed-snippet';
import { asError, playgroundError } from '../errors';
import { mapOptions } from '../map';
import type { PlaygroundImpl } from '../playground';
import { embedParams, readMapUrl, readServeUrl, readUrl, writeUrl } from '../url';
import { byId } from './dom';
import { presetById } from './presets';

/**
 * The embed's parameters for the page's URL, once checked (throws naming the bad field). A story
 * keeps only the fields the page changed from it: the rest the embed sizes for its visitor's
 * machine, as the story does here.
 */
function embedQuery(pg: PlaygroundImpl): URLSearchParams {
  const { search } = location;
  const map = readMapUrl(search);
  if (map) mapOptions(map);
  const serve = readServeUrl(search);
  if (serve) pg.checkServe(serve);
  const url = readUrl(search);
  const preset = url.preset !== null ? presetById(url.preset) : undefined;
  // The page refused these too (main.ts followLink): no story to embed.
  if (url.preset !== null && !preset) throw playgroundError('invalid', `preset: ${JSON.stringify(url.preset.slice(0, 40))} is no story`, { field: 'preset' });
  if (map || serve || !preset) {
    if (!map && !serve) pg.check({ ...url.spec });
    return embedParams(search);
  }
  const cores = pg.capabilities().hardwareConcurrency;
  const story = new URLSearchParams(writeUrl(pg.check(preset.spec(cores)), false));
  const shown = new URLSearchParams(writeUrl(pg.check({ ...preset.spec(cores), ...url.spec }), false));
  const params = new URLSearchParams({ preset: preset.id });
  for (const [key, value] of shown) if (story.get(key) !== value) params.set(key, value);
  return params;
}

export function mountEmbedThis(pg: PlaygroundImpl): void {
  const toggle = byId<HTMLButtonElement>('embed-this');
  const panel = byId('embed-panel');
  const code = byId<HTMLTextAreaElement>('embed-code');
  const status = byId('embed-status');
  /** The snippet for what the page shows now, or '' and why not. */
  const fill = (): boolean => {
    try {
      const params = embedQuery(pg);
      code.value = resizingSnippet(new URL(`embed.html?${params}`, location.href).href, embedTitle(params.get('preset')));
      status.textContent = '';
      return true;
    } catch (e) {
      code.value = '';
      status.textContent = `No snippet for settings the page refuses: ${asError(e).message}`;
      return false;
    }
  };
  toggle.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (!open || !fill()) return;
    code.focus();
    code.select();
  });
  byId('embed-copy').addEventListener('click', async () => {
    // The settings may have changed since the panel opened: copy what the page shows now.
    if (!fill()) return;
    try {
      await navigator.clipboard.writeText(code.value);
      status.textContent = 'Snippet copied: paste it into your post.';
    } catch {
      code.focus();
      code.select();
      status.textContent = 'The browser did not let the page copy: the snippet is selected, copy it with Ctrl+C or ⌘C.';
    }
  });
}
