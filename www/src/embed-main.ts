// embed.html: one preset, compact, for an article column. It reports its height to the parent
// page so the iframe can grow without scrollbars, runs the lanes this page can run, and links
// to the full playground with the same settings.
import { describe } from './answer';
import { MAP_TITLE, oembedPath, SERVE_TITLE, STORIES } from './embed-snippet';
import { mapLanes, mapLaneWords, mapOptions } from './map';

import { fillMapLegend, mapProgress, MapView } from './ui/map-view';
import { boot, type Fail } from './boot';
import { processesCannotShare, type PlaygroundImpl } from './playground';
import type { Capabilities, Lane, RunSpec } from './types';
import { asError } from './errors';
import { byId, RunButtons } from './ui/dom';
import { presetById } from './ui/presets';
import { fillLegend, Race, raceObserver } from './ui/race';
import { Timeline } from './ui/timeline';
import { readMapUrl, readServeUrl, readUrl, writeMapUrl, writeServeUrl, writeUrl } from './url';
import { SERVE_PRESET } from './serve/run';
import { ServeView } from './ui/serve-view';
import { schema } from './wasm';
import { andList } from './words';

/** The message embed.html posts to its parent (see www/static/embed.js). */
export interface ResizeMessage {
  type: 'concurrency-playground:resize';
  height: number;
}

function reportHeight(): void {
  if (window.parent === window) return;
  // The page's own height, not its scrollHeight: that is never less than the frame, so a frame
  // grown once never shrank back.
  const message: ResizeMessage = { type: 'concurrency-playground:resize', height: Math.ceil(document.documentElement.getBoundingClientRect().height) };
  // Only a height goes out, so any parent may read it; the parent checks where it came from.
  window.parent.postMessage(message, '*');
}

new ResizeObserver(reportHeight).observe(document.body);

// Run stays disabled (embed.html) until the settings are known to be good: after a bad setting,
// in a sandbox, or when the playground cannot start, there is nothing it could run.
boot(async (playground, caps, fail) => {
  const url = readUrl(location.search);
  pointOEmbed(url.preset ?? 'cpu');
  if (caps.lanes.length === 0) {
    // Nothing could start (a host's sandbox): say so rather than fail at Run.
    showNote(`Nothing can race here. ${caps.reasons.sequential ?? ''}`);
    noRun();
    return;
  }
  if (url.preset === 'map') {
    await embedMap(playground, url.autorun, fail);
    return;
  }
  if (url.preset === 'serve') {
    await embedServe(playground, url.autorun, fail);
    return;
  }
  const preset = presetById(url.preset ?? 'cpu');
  if (!preset) {
    refuse(fail, `preset: must be one of ${STORIES.map((s) => s.id).join(', ')}, got ${JSON.stringify((url.preset ?? '').slice(0, 40))}`);
    return;
  }
  // A story is named by its title; settings of one's own (no preset) keep the embed's own title,
  // though they start from the CPU-bound story's spec.
  if (url.preset || Object.keys(url.spec).length === 0) byId('embed-title').textContent = preset.title;
  const wanted = { ...preset.spec(caps.hardwareConcurrency), ...url.spec } as RunSpec;
  const asked = wanted.lanes ?? schema().lanes;
  // The embed runs what it can here, and the note says which lanes it leaves out and why; the full
  // page link carries what was asked for. When every lane asked for is off here, the checker's
  // refusal names the field and says why.
  const here = lanesHere(asked, caps);
  let { racing } = here;
  const { off } = here;
  const reasons = { ...caps.reasons };
  // A lock or an atomic add the processes cannot share here leaves them out, as a lane that cannot
  // start is, rather than the story.
  const unshared = processesCannotShare(wanted.workload, wanted.sync, caps);
  if (unshared && racing.includes('processes') && racing.length > 1) {
    racing = racing.filter((l) => l !== 'processes');
    off.push('processes');
    reasons.processes = `The processes cannot share its counter: ${unshared}.`;
  }
  byId<HTMLAnchorElement>('full').href = `index.html${writeUrl(wanted, true)}`;
  let spec;
  try {
    spec = playground.check({ ...wanted, lanes: racing.length > 0 ? racing : asked });
  } catch (e) {
    refuse(fail, `The embed's settings are not valid: ${asError(e).message}`);
    return;
  }
  showNote(lanesNote(spec.lanes, off, caps, reasons));
  // The text says what will run: the preset's spec with the link's fields over it.
  byId('embed-blurb').textContent = describe(spec);

  const race = new Race(caps.hardwareConcurrency);
  const timeline = new Timeline(byId<HTMLCanvasElement>('timeline'));
  fillLegend(byId('legend'));
  playground.observer = raceObserver(race, timeline, {
    reported: (report) => {
      byId('answer').textContent = report.answer;
      byId('verdict').textContent = report.verdict.text;
    },
  });
  await runButtons(playground, async () => {
    await playground.run(spec);
  }, url.autorun, fail);
});

/**
 * Points oEmbed discovery at the story shown, for a consumer that runs scripts; the static link
 * names the default story's document for those that read the HTML only.
 */
function pointOEmbed(storyId: string): void {
  const link = document.querySelector<HTMLLinkElement>('link[type="application/json+oembed"]');
  if (!link || !STORIES.some((s) => s.id === storyId)) return;
  // The link names <site>/oembed/<story>.json.
  link.href = new URL(oembedPath(storyId), new URL('..', link.href)).href;
}

/** No Run here: the placeholder that invites one goes. */
function noRun(): void {
  byId('verdict').hidden = true;
}

/** Settings that cannot run: the error, and no invitation to Run. */
function refuse(fail: Fail, text: string): void {
  noRun();
  fail(text);
}

function showNote(text: string): void {
  const note = byId('isolation-note');
  note.textContent = text;
  note.hidden = false;
}

/** The lanes that race here and, for the asked ones that cannot, why (capabilities.ts). */
function lanesNote(racing: Lane[], off: Lane[], caps: Capabilities, reasons: Record<string, string> = caps.reasons): string {
  if (off.length === 0) return `Racing here: ${andList(racing)}${caps.crossOriginIsolated ? ' (this frame is cross-origin isolated)' : ''}.`;
  const why = [...new Set(off.map((l) => reasons[l]))].join(' ');
  return `Racing here: ${andList(racing)}. Not here: ${andList(off)}. ${why} The full playground races them where it is isolated.`;
}

/**
 * The lanes of `asked` this browser cannot run (`off`), and the others (`racing`), where a name
 * that is no lane stays for the checker to refuse by name. A list that names a lane twice races
 * whole, so that the checker refuses it here as in a browser that runs every lane.
 */
function lanesHere(asked: Lane[], caps: Capabilities): { racing: Lane[]; off: Lane[] } {
  const off = asked.filter((l) => schema().lanes.includes(l) && !caps.lanes.includes(l));
  if (new Set(asked).size < asked.length) return { racing: asked, off: [...new Set(off)] };
  return { racing: asked.filter((l) => !off.includes(l)), off };
}

/**
 * Run and Stop for what the embed shows, once its settings are good: Stop cancels (and has the
 * keyboard's focus meanwhile), errors are shown, Run waits meanwhile.
 */
async function runButtons(playground: PlaygroundImpl, work: () => Promise<void>, autorun: boolean, fail: Fail): Promise<void> {
  const run = byId<HTMLButtonElement>('run');
  const stop = byId<HTMLButtonElement>('stop');
  const buttons = new RunButtons(stop);
  const go = async () => {
    buttons.start([run]);
    byId('error').hidden = true;
    try {
      await work();
    } catch (e) {
      fail(asError(e).message);
    } finally {
      buttons.end();
    }
  };
  run.addEventListener('click', () => void go());
  run.disabled = false;
  stop.addEventListener('click', () => playground.cancel());
  if (autorun) await go();
}

/**
 * The `map` preset: the decision map for a blog post, from the link's map settings (gil and
 * threads race only where the host page lets this one be isolated, and the note says so).
 */
async function embedMap(playground: PlaygroundImpl, autorun: boolean, fail: Fail): Promise<void> {
  // The preset says it is a map: the link's map settings apply without `view=map`.
  const options = { ...readMapUrl(location.search, true) };
  byId('embed-title').textContent = MAP_TITLE;
  byId('full').setAttribute('href', `index.html${writeMapUrl(options, true)}`);
  let full;
  try {
    full = mapOptions(options);
  } catch (e) {
    refuse(fail, `The embed's settings are not valid: ${asError(e).message}`);
    return;
  }
  const caps = playground.capabilities();
  const { racing, off } = lanesHere(mapLanes(full), caps);
  byId('embed-blurb').textContent = `Each cell races ${mapLaneWords(racing)} on requests that wait part of their time and compute the rest.`;
  showNote(lanesNote(racing, off, caps));
  for (const id of ['lane-cards', 'timeline-wrap', 'verdict', 'answer']) byId(id).hidden = true;
  const section = byId('map');
  section.hidden = false;
  const view = new MapView(section);
  fillMapLegend(byId('map-legend'), racing);
  view.start(full, racing);
  const status = byId('status');
  await runButtons(playground, async () => {
    view.start(full, racing);
    const map = await playground.map(full, (cell, done, total, leftMs) => {
      view.fill(cell);
      status.textContent = mapProgress(done, total, leftMs);
    });
    byId('map-sentence').textContent = map.sentence;
    status.textContent = map.cancelled ? `Stopped after ${map.cells.length} cells.` : 'Done.';
  }, autorun, fail);
}


/** Who serves, as the lanes racing have them: "one worker and a pool of 2 blocking workers (threads) against one async loop". */
function servers(lanes: Lane[], workers: number): string {
  const pools = lanes.filter((l) => l !== 'sequential' && l !== 'async');
  const blocking: string[] = [];
  if (lanes.includes('sequential')) blocking.push('one worker');
  if (pools.length > 0) blocking.push(`${pools.length === 1 ? 'a pool' : 'pools'} of ${workers} blocking workers (${andList(pools)})`);
  if (!lanes.includes('async')) return andList(blocking);
  return blocking.length > 0 ? `${andList(blocking)} against one async loop` : 'one async loop';
}

/**
 * The `serve` preset: a server under load for a blog post, from the link's serve options over the
 * page's preset (the lanes this browser can run; the verdict says which kept up).
 */
async function embedServe(playground: PlaygroundImpl, autorun: boolean, fail: Fail): Promise<void> {
  const wanted: Record<string, unknown> = { ...SERVE_PRESET, ...readServeUrl(location.search, true) };
  byId('embed-title').textContent = SERVE_TITLE;
  byId('full').setAttribute('href', `index.html${writeServeUrl(wanted, true)}`);
  // As a story's embed: the lanes asked for (every lane by default) that run here serve, and the
  // note names the others and why.
  const caps = playground.capabilities();
  const asked = Array.isArray(wanted.lanes) ? (wanted.lanes as Lane[]) : schema().lanes;
  const { racing, off } = lanesHere(asked, caps);
  const options: Record<string, unknown> = { ...wanted, lanes: racing.length > 0 ? racing : asked };
  try {
    playground.checkServe(options);
  } catch (e) {
    refuse(fail, `The embed's settings are not valid: ${asError(e).message}`);
    return;
  }
  byId('embed-blurb').textContent = `${String(options.ratePerSec)} requests a second, each waiting ${String(options.latencyMs)} ms of I/O, for ${Number(options.durationMs) / 1000} s: ${servers(racing, Number(options.workers))}.`;
  showNote(lanesNote(racing, off, caps));
  for (const id of ['lane-cards', 'timeline-wrap', 'verdict', 'answer']) byId(id).hidden = true;
  const section = byId('serve-embed');
  section.hidden = false;
  const view = new ServeView(section, 'serve');
  const status = byId('status');
  playground.serveObserver = {
    laneStarted: (lane, i, total) => {
      status.textContent = `Serving on ${lane} (${i + 1} of ${total})…`;
    },
  };
  await runButtons(playground, async () => {
    const report = await playground.serve(options);
    view.show(report);
    status.textContent = report.lanes.some((l) => l.errorKind === 'cancelled') ? 'Stopped.' : 'Done.';
  }, autorun, fail);
}
