// The embed's iframe snippet and its oEmbed document, defined once: the page's "Embed this"
// control (ui/embed-this.ts) shows the snippet for the page's settings, and the build
// (scripts/build.mjs) writes one oEmbed document per story with it (www/dist/oembed/<story>.json),
// which embed.html's and index.html's <link rel="alternate" type="application/json+oembed"> name.
// Plain functions of strings: the build runs this module in Node.
import { PRESETS } from './ui/presets';

/** The iframe's size where the host sets none: an article column (as www/static/embed.js). */
export const EMBED_SIZE = { width: 760, height: 460 };

export const MAP_TITLE = 'Where each rule holds';

export const SERVE_TITLE = 'A server under load';

/** Every story the embed shows: the presets, the decision map, and serve mode. */
export const STORIES: { id: string; title: string }[] = [
  ...PRESETS.map(({ id, title }) => ({ id, title })),
  { id: 'map', title: MAP_TITLE },
  { id: 'serve', title: SERVE_TITLE },
];

export const PROVIDER = 'concurrency-playground';

/** An oEmbed 1.0 `rich` response (https://oembed.com, section 2.3.4). */
export interface OEmbed {
  type: 'rich';
  version: '1.0';
  title: string;
  provider_name: string;
  provider_url: string;
  html: string;
  width: number;
  height: number;
}

/** Text for a double-quoted HTML attribute: nothing in it can end the attribute or open a tag. */
const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The title an embed of this story (or of other settings, `null`) carries. */
export function embedTitle(storyId: string | null): string {
  const story = STORIES.find((s) => s.id === storyId);
  return `${PROVIDER}: ${story ? story.title : 'processes vs threads vs async'}`;
}

/**
 * The iframe for embed.html at `src`. `allow="cross-origin-isolated"` lets the frame be isolated
 * inside a host page that is itself isolated (COOP/COEP), the way to threads in Firefox and
 * WebKit; in Chromium the playground's Document-Isolation-Policy isolates it anyway.
 */
export function iframeSnippet(src: string, title: string): string {
  const { width, height } = EMBED_SIZE;
  return `<iframe src="${attribute(src)}" title="${attribute(title)}" width="${width}" height="${height}" `
    + `style="width:100%;max-width:${width}px;height:${height}px;border:0" allow="cross-origin-isolated" loading="lazy"></iframe>`;
}

/**
 * The lines after the iframe that let it grow to fit what it shows (the embed posts its height;
 * README, "Embed it in your post"): they find the iframe just before them, so a post can hold
 * several, and believe only messages from that frame and the playground's origin.
 */
const RESIZER = '<script>(() => { const frame = document.currentScript.previousElementSibling; '
  + "addEventListener('message', (e) => { if (e.source !== frame.contentWindow || e.origin !== new URL(frame.src).origin) return; "
  + "const h = e.data && e.data.type === 'concurrency-playground:resize' ? Number(e.data.height) : NaN; "
  + "if (Number.isFinite(h) && h > 0 && h <= 5000) frame.style.height = Math.ceil(h) + 'px'; }); })();</script>";

/** "Embed this": the iframe and the lines that let it grow (a post's editor keeps both). */
export function resizingSnippet(src: string, title: string): string {
  return `${iframeSnippet(src, title)}\n${RESIZER}`;
}

/** The oEmbed document of one story, on the site at `site` (ending in /). */
export function storyOEmbed(site: string, storyId: string): OEmbed {
  const src = new URL(`embed.html?${new URLSearchParams({ preset: storyId })}`, site).href;
  const title = embedTitle(storyId);
  return {
    type: 'rich', version: '1.0', title, provider_name: PROVIDER, provider_url: site,
    html: iframeSnippet(src, title), ...EMBED_SIZE,
  };
}

/** Where a story's oEmbed document lives, relative to the site. */
export const oembedPath = (storyId: string) => `oembed/${storyId}.json`;
