// Installs what the build and the tests need, idempotently: fast when all is there.
//   node scripts/setup.mjs            toolchain, wasm-bindgen-cli, wasm-pack, npm packages, ruff (where python3 is)
//   node scripts/setup.mjs --browser  and python3, Chromium + ChromeDriver, Firefox ESR + geckodriver (for the tests)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, lockedWasmBindgen, pinnedToolchain, probe, root, run, step } from './lib.mjs';

const WASM_PACK = '0.15.1';
const RUFF = '0.17.5';
const GECKODRIVER = '0.37.1';
const started = Date.now();
const browser = process.argv.includes('--browser');

function toolchain() {
  const channel = pinnedToolchain();
  if (!probe('rustup', ['--version'])) {
    fail('rustup is missing: install it from https://rustup.rs, then run this again.');
  }
  const installed = probe('rustup', ['toolchain', 'list']) ?? '';
  const targets = probe('rustup', ['target', 'list', '--installed', '--toolchain', channel]) ?? '';
  const components = probe('rustup', ['component', 'list', '--installed', '--toolchain', channel]) ?? '';
  const ready =
    installed.split('\n').some((l) => l.startsWith(channel)) &&
    targets.includes('wasm32-unknown-unknown') &&
    ['rust-src', 'rustfmt', 'clippy'].every((c) => components.includes(c));
  if (ready) return console.log(`  ✓ Rust ${channel} with rust-src and wasm32`);
  step(`Installing Rust ${channel} with rust-src, rustfmt, clippy and the wasm32 target (about 30 s)`);
  run('rustup', [
    'toolchain', 'install', channel, '--profile', 'minimal',
    '--component', 'rust-src,rustfmt,clippy', '--target', 'wasm32-unknown-unknown',
  ]);
}

function cargoTool(bin, crate, version) {
  // The first line only: `geckodriver --version` adds a paragraph about its source and licence.
  const have = probe(bin, ['--version'])?.split('\n')[0];
  if (have && have.split(' ')[1] === version) return console.log(`  ✓ ${have}`);
  step(`Installing ${crate} ${version} with cargo (first time: a few minutes on 2 cores)`
    + (have ? `; found ${have} instead` : ''));
  // Built with the pinned toolchain: it is the one toolchain set-up guarantees.
  run('cargo', ['install', crate, '--version', version, '--locked']);
  if (!probe(bin, ['--version'])) {
    fail(`${bin} was installed but is not on PATH: add $CARGO_HOME/bin (usually ~/.cargo/bin) to PATH.`);
  }
}

/**
 * Installs Debian packages with apt-get, as root or through password-less sudo; stops with
 * `manual` (what to do by hand) where neither apt nor root is available.
 */
function aptInstall(packages, what, manual) {
  const apt = probe('apt-get', ['--version']);
  const root_ = process.getuid?.() === 0;
  const sudo = !root_ && probe('sudo', ['-n', 'true']) !== null;
  if (!apt || (!root_ && !sudo)) fail(manual);
  step(`Installing ${what} with apt-get (tests only; about a minute)`);
  const pre = root_ ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const cmd = (args) => (pre.length ? run(pre[0], [...pre.slice(1), ...args], { env }) : run(args[0], args.slice(1), { env }));
  cmd(['apt-get', 'update']);
  cmd(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
}

function chromium() {
  const have = ['chromium', 'chromedriver'].every((b) => probe(b, ['--version']));
  if (have) return console.log(`  ✓ ${probe('chromium', ['--version'])}, ${probe('chromedriver', ['--version']).split(' (')[0]}`);
  aptInstall(['chromium', 'chromium-driver'], 'Chromium and ChromeDriver',
    'The tests need Chromium and ChromeDriver, and they are missing.\n'
    + '  On Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver\n'
    + '  Elsewhere: install Chromium and a matching chromedriver, put both on PATH, and rerun.');
}

/** Debian's Firefox ESR: puppeteer-core drives it over WebDriver BiDi, wasm-pack through geckodriver. */
function firefox() {
  const have = probe('firefox-esr', ['--version']);
  if (have) return console.log(`  ✓ ${have}`);
  aptInstall(['firefox-esr'], 'Firefox ESR',
    'The Firefox tests need Firefox ESR at /usr/bin/firefox-esr, and it is missing.\n'
    + '  On Debian: sudo apt-get install -y firefox-esr\n'
    + '  Elsewhere: install Firefox, link it to /usr/bin/firefox-esr, and rerun.');
}

/** The Python bridge's tests run its scripts with python3 (standard library only). */
function python() {
  const have = probe('python3', ['--version']);
  if (have) return console.log(`  ✓ ${have}`);
  aptInstall(['python3'], 'Python 3',
    'The Python bridge\'s tests need python3, and it is missing.\n'
    + '  On Debian/Ubuntu: sudo apt-get install -y python3\n'
    + '  Elsewhere: install Python 3.8 or later as python3 on PATH, and rerun.');
}

/** ruff, the Python bridge's linter (lint and test run `ruff check python`), from PyPI with pip. */
function ruff() {
  const have = probe('python3', ['-m', 'ruff', '--version']);
  if (have === `ruff ${RUFF}`) return console.log(`  ✓ ${have}`);
  if (!probe('python3', ['--version'])) return console.log('  - ruff: needs python3, which `npm run setup -- --browser` installs');
  if (!probe('python3', ['-m', 'pip', '--version'])) {
    fail(`ruff ${RUFF} is installed with pip, and python3 has no pip.\n`
      + '  On Debian/Ubuntu: sudo apt-get install -y python3-pip\n'
      + `  Or install ruff ${RUFF} for python3 another way, and rerun.`);
  }
  step(`Installing ruff ${RUFF} with pip (the Python bridge's linter)` + (have ? `; found ${have} instead` : ''));
  run('python3', ['-m', 'pip', 'install', '--user', '--disable-pip-version-check', `ruff==${RUFF}`]);
}

function npmPackages() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.setup-lock-hash');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return console.log('  ✓ npm packages');
  step('Installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}

step('Checking tools');
toolchain();
cargoTool('wasm-bindgen', 'wasm-bindgen-cli', lockedWasmBindgen());
cargoTool('wasm-pack', 'wasm-pack', WASM_PACK);
if (browser) {
  python();
  chromium();
  firefox();
  // Built from source: the npm geckodriver package downloads a binary at run time.
  cargoTool('geckodriver', 'geckodriver', GECKODRIVER);
}
ruff();
npmPackages();
console.log(`  set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
