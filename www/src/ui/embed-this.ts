// "Embed this": the iframe snippet (embed-snippet.ts) for what the page shows now, its story or
// its settings as the URL holds them, to paste into a post; with a copy button.
import { embedTitle, iframeSnippet } from '../embed-snippet';
import { embedParams } from '../url';
import { byId } from './dom';

/** The snippet for the page's current URL. */
function snippetNow(): string {
  const params = embedParams(location.search);
  const src = new URL(`embed.html?${params}`, location.href).href;
  return iframeSnippet(src, embedTitle(params.get('preset')));
}

export function mountEmbedThis(): void {
  const toggle = byId<HTMLButtonElement>('embed-this');
  const panel = byId('embed-panel');
  const code = byId<HTMLTextAreaElement>('embed-code');
  const status = byId('embed-status');
  toggle.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (!open) return;
    code.value = snippetNow();
    status.textContent = '';
    code.focus();
    code.select();
  });
  byId('embed-copy').addEventListener('click', async () => {
    // The settings may have changed since the panel opened: copy what the page shows now.
    code.value = snippetNow();
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
