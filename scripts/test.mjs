// Every test, in the order CI runs them (npm test runs set-up first).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startXvfb, stop, webkitEnv } from '../tests-webkit/webdriver.mjs';
import { fail, probe, root, run, step, threadsEnv } from './lib.mjs';
import { lintPython, lintRust, lintWorkflows, typecheck } from './lint.mjs';

const started = Date.now();
const wasmPackTest = (features, env) => run(
  'wasm-pack', ['test', '--headless', '--chrome', '--release', join(root, 'crate'), ...features],
  { env: { ...env, CHROMEDRIVER: process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver' } },
);
// Firefox ESR from apt, geckodriver from `cargo install` (set-up). Named explicitly: without one,
// wasm-pack would try to download a geckodriver.
const wasmPackTestFirefox = (features, env) => {
  const geckodriver = process.env.GECKODRIVER ?? probe('which', ['geckodriver']);
  if (!geckodriver) fail('geckodriver is not on PATH: run `npm run setup -- --browser` (or set GECKODRIVER)');
  run('wasm-pack', ['test', '--headless', '--firefox', '--release', join(root, 'crate'), ...features],
    { env: { ...env, GECKODRIVER: geckodriver } });
};
/**
 * WebKitGTK through WebKitWebDriver, which the test runner takes for a safaridriver: it speaks the
 * same W3C protocol, and with no capabilities (the runner sends none to a safaridriver, and reads
 * no webdriver.json for it) it starts MiniBrowser with --automation by itself. In an Xvfb display
 * of its own, with the environment the WebKit smoke uses (SharedArrayBuffer for the threads build).
 */
const wasmPackTestWebKit = async (features, env) => {
  const driver = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';
  const xvfb = await startXvfb();
  const args = ['test', '--headless', '--safari', '--safaridriver', driver, '--release', join(root, 'crate'), ...features];
  console.log(`  $ wasm-pack ${args.join(' ')}   (DISPLAY=${xvfb.display})`);
  const r = spawnSync('wasm-pack', args, { stdio: 'inherit', cwd: root, env: webkitEnv(xvfb.display, env) });
  await stop(xvfb.process);
  if (r.status !== 0) fail(`wasm-pack test in WebKit exited with ${r.status ?? r.signal ?? r.error?.message}`);
};

lintRust();
lintPython();
lintWorkflows();
step('cargo test (kernels and lanes, native)');
run('cargo', ['test', '--release']);
step('Building the site');
run('node', ['scripts/build.mjs']);
typecheck();
step('Python bridge: unittest (kernels, slicing, faults, every lane through the CLI)');
run('python3', ['-m', 'unittest', 'discover', '-s', 'python']);
step('wasm-pack test: plain build in a dedicated worker (Chromium)');
wasmPackTest([], process.env);
step('wasm-pack test: threads build with a rayon pool in a dedicated worker (Chromium)');
wasmPackTest(['--features', 'threads'], threadsEnv());
step('wasm-pack test: plain build in a dedicated worker (Firefox ESR)');
wasmPackTestFirefox([], process.env);
step('wasm-pack test: threads build with a rayon pool in a dedicated worker (Firefox ESR)');
wasmPackTestFirefox(['--features', 'threads'], threadsEnv());
step('wasm-pack test: plain build in a dedicated worker (WebKitGTK)');
await wasmPackTestWebKit([], process.env);
step('wasm-pack test: threads build with a rayon pool in a dedicated worker (WebKitGTK)');
await wasmPackTestWebKit(['--features', 'threads'], threadsEnv());
step('End-to-end tests of the built site (Playwright on Chromium)');
run('node', ['--test', '--test-concurrency=1', '--test-timeout=600000', ...(process.env.E2E_ONLY ? ['--test-name-pattern', process.env.E2E_ONLY] : []), 'tests/']);
step('End-to-end smoke in Firefox (puppeteer-core on Firefox ESR over WebDriver BiDi)');
run('node', ['--test', '--test-concurrency=1', '--test-timeout=300000', 'tests-firefox/']);
step('End-to-end smoke in WebKit (WebKitGTK\'s MiniBrowser under Xvfb, WebKitWebDriver over plain HTTP)');
run('node', ['--test', '--test-concurrency=1', '--test-timeout=300000', 'tests-webkit/']);
console.log(`\nall tests passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
