// Builds the static site into www/dist/: both wasm builds, the TypeScript, the static files.
//   node scripts/build.mjs                      everything
//   node scripts/build.mjs --web                only the TypeScript and static files (wasm built)
//   ... --coi-serviceworker                     for hosts that cannot send COOP/COEP (GitHub Pages)
//   ... --out DIR                               somewhere other than www/dist/
//   ... --site-url URL                          where the site is served (oEmbed's addresses;
//                                               default http://localhost:8080/, npm start's)
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { CSP, headersFile } from './headers.mjs';
import { fail, root, run, step } from './lib.mjs';
import { pageData } from './page-data.mjs';
import { python } from './python.mjs';

const www = join(root, 'www');
const outArg = process.argv.indexOf('--out');
const dist = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(www, 'dist');
const coiServiceWorker = process.argv.includes('--coi-serviceworker');
const siteArg = process.argv.indexOf('--site-url');
/** oEmbed documents carry absolute addresses, which a static file cannot learn from its request. */
const siteUrl = new URL(siteArg > 0 ? process.argv[siteArg + 1] : 'http://localhost:8080/').href.replace(/\/?$/, '/');
const started = Date.now();

/**
 * The two builds of the crate: the plain one runs anywhere, the threads one needs isolation. Both
 * are built for size (.cargo/small.toml), each in a target folder of its own: the tests' builds of
 * the same crate, without those flags, would otherwise rebuild them each time.
 */
export const BUILDS = [
  { out: 'pkg', cargo: [], target: 'target/site' },
  { out: 'pkg-threads', cargo: ['--config', '.cargo/threads.toml', '--features', 'threads'], target: 'target/site-threads' },
];

function wasm() {
  for (const b of BUILDS) {
    step(`Building ${b.out}/ (cargo, release)`);
    run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'concurrency-playground', ...b.cargo, '--config', '.cargo/small.toml', '--target-dir', b.target]);
    const artifact = join(root, b.target, 'wasm32-unknown-unknown/release/concurrency_playground.wasm');
    // Function names are for a debugger's stack traces only (a panic reaches the page through
    // its hook, kind and task, never a stack): without them each package is about 16 KB gzipped
    // smaller, which every visitor and every process start pays for.
    run('wasm-bindgen', ['--target', 'web', '--remove-name-section', '--remove-producers-section', '--out-dir', join(www, b.out), artifact]);
  }
  patchRayonHelper();
}

/**
 * Two changes to wasm-bindgen-rayon 1.3.0's worker helper (the latest on crates.io). The build
 * fails loudly if a line it changes is gone, so an upgrade that makes a patch needless is noticed.
 */
const RAYON_PATCHES = [
  {
    // Each pool worker started with the glue's deprecated positional `init(module, memory)`, so
    // every rayon worker logged "using deprecated parameters for the initialization function".
    // Fixed upstream, unreleased: https://github.com/RReverser/wasm-bindgen-rayon/pull/13.
    before: 'await pkg.default(data.module, data.memory);',
    after: 'await pkg.default({ module_or_path: data.module, memory: data.memory });',
  },
  {
    // The lab started its pool's workers itself, as nested workers. In Firefox ESR 153 the lab
    // then now and then never came back from `new Worker()`: its thread waited inside the browser
    // while the page's thread and the worker launcher idled (gdb stacks), until the page ended
    // the lab after 10 s. In one page alternating pools of 8 and 2, 3 of 40 starts hung as
    // shipped, 9 of 120 with the workers started one at a time and without the blob; started by
    // the page, 0 of 120 (and a pool of 8 in 358 ms against 448). No upstream report found. The
    // page starts them (`startPoolThreads` in www/src/lanes/threads.ts) by this script's own
    // address (same-origin: no blob needed), and keeps the Worker objects, which also keeps
    // Firefox from collecting them (https://bugzilla.mozilla.org/show_bug.cgi?id=1702191).
    before: `  _workers = await Promise.all(
    Array.from({ length: builder.numThreads() }, async () => {
      // Self-spawn into a new Worker.
      // The script is fetched as a blob so it works even if this script is
      // hosted remotely (e.g. on a CDN). This avoids a cross-origin
      // security error.
      let scriptBlob = await fetch(import.meta.url).then(r => r.blob());
      let url = URL.createObjectURL(scriptBlob);
      const worker = new Worker(url, {
        type: 'module'
      });
      worker.postMessage(workerInit);
      await waitForMsgType(worker, 'wasm_bindgen_worker_ready');
      URL.revokeObjectURL(url);
      return worker;
    })
  );`,
    after: '  await self.startPoolWorkers(import.meta.url, workerInit, builder.numThreads());',
  },
  {
    // A pool thread runs rayon inside this promise's callback, so the trap that ends a panicking
    // thread (its abort) became an unhandled rejection, which Firefox logs on the page even when
    // the thread's listener prevents it (https://bugzilla.mozilla.org/show_bug.cgi?id=1642147):
    // now and then, when the page had not ended the thread first, a fault run's console had
    // "RuntimeError: unreachable executed" (3 of 200 in a probe). Thrown again from a task, it is
    // the thread's error event, which channel.js quiets after a panic's report, and which reaches
    // the page's crash handler (WorkerLife.adopt) for a trap with no report.
    before: '  pkg.wbg_rayon_start_worker(data.receiver);',
    after: `  try {
    pkg.wbg_rayon_start_worker(data.receiver);
  } catch (e) {
    setTimeout(() => { throw e; });
  }`,
  },
];

function patchRayonHelper() {
  const snippets = join(www, 'pkg-threads', 'snippets');
  const dir = readdirSync(snippets).find((d) => d.startsWith('wasm-bindgen-rayon-'));
  const file = join(snippets, dir, 'src', 'workerHelpers.no-bundler.js');
  // The crate ships this file with CRLF line ends.
  let source = readFileSync(file, 'utf8').replaceAll('\r\n', '\n');
  for (const { before, after } of RAYON_PATCHES) {
    if (!source.includes(before)) fail(`${file} no longer has \`${before.split('\n')[0].trim()}…\`: drop that patch from RAYON_PATCHES in scripts/build.mjs if the upstream fix is in`);
    source = source.replace(before, after);
  }
  writeFileSync(file, source);
}

/**
 * `@pkg-threads/…` stays a separate ES module at `./pkg-threads/…`: wasm-bindgen-rayon's workers
 * re-import that glue by its URL, so it must not be bundled into our scripts. The plain build's
 * glue (`@pkg/…`) is bundled in: a process then starts with one script fetch, not a chain of
 * module fetches, and it is always given its compiled module, never a URL to resolve.
 */
const wasmPackages = {
  name: 'wasm-packages',
  setup(build) {
    build.onResolve({ filter: /^@pkg-threads\// }, (args) => ({ path: `./${args.path.slice(1)}`, external: true }));
    build.onResolve({ filter: /^@pkg\// }, (args) => ({ path: join(www, args.path.slice(1)) }));
  },
};

/**
 * uPlot 1.6.32 (the latest on npm) makes two Intl formatters while its module loads:
 * - `new Intl.NumberFormat(navigator.language)` throws where the browser reports a tag that is
 *   not BCP 47 (WebKitGTK started with LANG=C reports "C"; some Linux setups "en-US@posix"), and
 *   the whole page with it. Fixed upstream, unreleased: https://github.com/leeoniya/uPlot/issues/1053
 *   (PR #1054). Until a release has it, the bundle falls back to the default locale.
 * - The first Intl object a page makes loads the locale data: 16-46 ms on the page thread here,
 *   before the playground is ready, for charts drawn only after a run. Both are made on first use.
 * The build fails loudly if a line changes, so an upgrade that makes this needless is noticed.
 */
const UPLOT_PATCHES = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);",
    "let numFormatter = null;\nconst newNumFormatter = () => { try { return new Intl.NumberFormat(domEnv ? nav.language : 'en-US'); } catch { return new Intl.NumberFormat(); } };\nconst fmtNum = val => (numFormatter ??= newNumFormatter()).format(val);",
  ],
  ['const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;', 'let localTz = null;'],
  ['else if (tz == localTz)', 'else if (tz == (localTz ??= new Intl.DateTimeFormat().resolvedOptions().timeZone))'],
];

const uplotLocale = {
  name: 'uplot-locale',
  setup(build) {
    build.onLoad({ filter: /uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      for (const [before, after] of UPLOT_PATCHES) {
        if (!source.includes(before)) fail(`${args.path} no longer has \`${before}\`: see uplotLocale in scripts/build.mjs`);
        source = source.replace(before, after);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

async function web() {
  step('Bundling the TypeScript (esbuild)');
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  await esbuild.build({
    absWorkingDir: www,
    // Flat output: every script sits beside pkg/ and pkg-threads/.
    entryPoints: {
      main: 'src/main.ts',
      'embed-main': 'src/embed-main.ts',
      'lab.worker': 'src/workers/lab.worker.ts',
      'wasm.worker': 'src/workers/wasm.worker.ts',
      'parent.worker': 'src/workers/parent.worker.ts',
      'process.worker': 'src/workers/process.worker.ts',
    },
    outdir: dist,
    plugins: [wasmPackages, uplotLocale],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
    // wasm-bindgen lists a snippet module once per import it takes from it,
    // so its import object repeats a key bound to the same namespace each time
    // (harmless; see wasm-bindgen/wasm-bindgen#1942 for why imports repeat).
    logOverride: { 'duplicate-object-key': 'silent' },
  });
  cpSync(join(www, 'static'), dist, { recursive: true });
  writeFileSync(join(dist, '_headers'), headersFile());
  const oembedLink = 'type="application/json+oembed" href="oembed/';
  for (const page of ['index.html', 'embed.html']) {
    const file = join(dist, page);
    const html = readFileSync(file, 'utf8');
    if (!html.includes('content="__CSP__"')) fail(`${page} has no CSP meta tag to fill (content="__CSP__")`);
    if (!html.includes(oembedLink)) fail(`${page} has no oEmbed link to make absolute (${oembedLink})`);
    writeFileSync(file, html.replace('content="__CSP__"', `content="${CSP}"`).replace(oembedLink, `type="application/json+oembed" href="${siteUrl}oembed/`));
  }
  await oembed();
  cpSync(join(www, 'examples'), join(dist, 'examples'), { recursive: true });
  for (const b of BUILDS) cpSync(join(www, b.out), join(dist, b.out), { recursive: true });
  if (coiServiceWorker) {
    // The service worker must be served from the site's root to control the page.
    cpSync(join(root, 'node_modules/coi-serviceworker/coi-serviceworker.min.js'), join(dist, 'coi-serviceworker.js'));
    const index = join(dist, 'index.html');
    const tags = '  <script src="coi-config.js"></script>\n  <script src="coi-serviceworker.js"></script>\n';
    writeFileSync(index, readFileSync(index, 'utf8').replace('  <script type="module"', `${tags}  <script type="module"`));
  } else {
    rmSync(join(dist, 'coi-config.js'));
  }
}

/**
 * One oEmbed document per story (www/dist/oembed/<story>.json), from www/src/embed-snippet.ts:
 * the page's own snippet code, bundled for Node and run here, so the two cannot differ.
 */
async function oembed() {
  const built = await esbuild.build({ absWorkingDir: www, entryPoints: ['src/embed-snippet.ts'], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'warning' });
  const { STORIES, oembedPath, storyOEmbed } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
  mkdirSync(join(dist, 'oembed'), { recursive: true });
  for (const { id } of STORIES) writeFileSync(join(dist, oembedPath(id)), `${JSON.stringify(storyOEmbed(siteUrl, id), null, 2)}\n`);
}

if (!process.argv.includes('--web')) wasm();
python(pageData().bridge);
await web();
console.log(`  built ${dist} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
