// A small W3C WebDriver client for WebKitGTK, over plain fetch: it starts its own Xvfb and
// WebKitWebDriver (a free display and a free port), opens one session of MiniBrowser and offers
// what the smoke needs (navigate, execute sync and async scripts, find and click, windows).
// Facts it relies on (DESIGN.md §6): Debian's webkit2gtk-driver gives /usr/bin/WebKitWebDriver;
// it drives MiniBrowser from libwebkit2gtk-4.1-0 when started with `--automation` (adding
// `--headless` hung the session); SharedArrayBuffer on an isolated page needs
// JSC_useSharedArrayBuffer=1 in the driver's environment, which the browser inherits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { miniBrowser } from '../scripts/lib.mjs';

const DRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';
const XVFB = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';
/** The W3C key for a reference to an element. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A port nobody listens on now (the driver binds it a moment later; a clash is retried). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Collects a child's output, so a failure can say what it printed. */
function spawnLogged(cmd, args, options) {
  const child = spawn(cmd, args, { ...options, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
  child.log = '';
  const keep = (d) => {
    child.log = (child.log + d).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.exited = new Promise((r) => child.once('exit', (code, sig) => r(code ?? sig)));
  return child;
}

/**
 * Starts Xvfb on a display it picks itself (`-displayfd` writes the number it took, so two runs at
 * once never race for one): resolves to { display: ':N', process }. A cold start reads its fonts and
 * keymaps from disk: 0.3–2.6 s here warm, 6.4 s after dropping the page cache, and past 10 s once on
 * a fresh CI machine (with nothing printed), so it waits 45 s and then tries once more.
 */
export async function startXvfb(tries = 2) {
  if (!existsSync(XVFB)) throw new Error(`Xvfb not found at ${XVFB}: run \`npm run setup -- --browser\` (apt package xvfb)`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startXvfbOnce();
    } catch (e) {
      if (attempt >= tries) throw e;
      console.warn(`${e.message}; starting it again`);
    }
  }
}

async function startXvfbOnce(ms = 45_000) {
  const child = spawnLogged(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const display = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb gave no display within ${ms / 1000} s: ${child.log}`)), ms);
    child.stdio[3].on('data', (d) => {
      out += d;
      const m = out.match(/^(\d+)\n/);
      if (m) {
        clearTimeout(timer);
        resolve(`:${m[1]}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${child.log}`));
    });
  }).catch(async (e) => {
    await stop(child);
    throw e;
  });
  return { display, process: child };
}

/** Ends a child we started, by its own pid: SIGTERM, then SIGKILL if it lingers. */
export async function stop(child, ms = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([child.exited.then(() => true), sleep(ms).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await child.exited;
  }
}

/**
 * Whether bubblewrap, which WebKitGTK runs its web processes in, can make its namespaces here. In a
 * Docker container with the default seccomp or AppArmor profile (CI's debian:bookworm container on
 * GitHub) it cannot, and WebKitGTK 2.50 does not fall back by itself: the web process never starts.
 */
let sandboxWorks;
function bubblewrapWorks() {
  sandboxWorks ??= spawnSync('bwrap', ['--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--unshare-all', 'true'], { stdio: 'ignore' }).status === 0;
  return sandboxWorks;
}

/**
 * The environment WebKitWebDriver (and so MiniBrowser, which inherits it) needs, on top of `base`:
 * the display, SharedArrayBuffer, an English locale; and no sandbox where bubblewrap cannot work
 * (as the Chromium tests run with --no-sandbox: they load only the local test server's pages).
 */
export function webkitEnv(display, base = process.env) {
  const env = {
    ...base,
    DISPLAY: display,
    // SharedArrayBuffer on a cross-origin isolated page (Safari has it on by default).
    JSC_useSharedArrayBuffer: '1',
    // navigator.language comes from the environment: under LANG=C it is 'C'.
    LANG: 'en_US.UTF-8',
    LANGUAGE: 'en_US',
    // No accessibility bus or dconf on a bare machine: keep GTK from asking for them.
    NO_AT_BRIDGE: '1',
    GSETTINGS_BACKEND: 'memory',
    ...(bubblewrapWorks() ? {} : { WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: '1' }),
  };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  return env;
}

export class WebDriverError extends Error {
  constructor(status, value, what) {
    super(`${what}: ${value?.error ?? `HTTP ${status}`}: ${value?.message ?? JSON.stringify(value)}`);
    this.status = status;
    this.code = value?.error;
  }
}

/** One WebKitWebDriver with one MiniBrowser session. Create with `WebKit.launch()`. */
export class WebKit {
  constructor(xvfb, driver, base) {
    this.xvfb = xvfb;
    this.driver = driver;
    this.base = base;
    this.session = null;
    this.capabilities = null;
  }

  /**
   * Starts Xvfb and the driver and opens a session. `env` adds to the driver's environment (the
   * browser inherits it).
   */
  static async launch({ env = {} } = {}) {
    if (!existsSync(DRIVER)) throw new Error(`WebKitWebDriver not found at ${DRIVER}: run \`npm run setup -- --browser\` (apt package webkit2gtk-driver)`);
    const binary = miniBrowser();
    if (!binary) throw new Error('MiniBrowser not found (apt package libwebkit2gtk-4.1-0): set WEBKIT_BROWSER');
    const xvfb = await startXvfb();
    const driverEnv = { ...webkitEnv(xvfb.display), ...env };
    let lastError;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const driver = spawnLogged(DRIVER, [`--port=${port}`], { env: driverEnv });
      const browser = new WebKit(xvfb, driver, `http://127.0.0.1:${port}`);
      try {
        await browser.waitForDriver();
        await browser.newSession(binary);
        return browser;
      } catch (e) {
        lastError = new Error(`${e.message}\n--- WebKitWebDriver said:\n${driver.log}`);
        await stop(driver);
      }
    }
    await stop(xvfb.process);
    throw lastError;
  }

  async waitForDriver(timeout = 15_000) {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
      if (this.driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${this.driver.exitCode})`);
      try {
        const res = await fetch(`${this.base}/status`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`WebKitWebDriver did not answer within ${timeout} ms`);
  }

  /** One command: method, a path under the session (or /session…, /status), a JSON body. */
  async command(method, path, body, { timeout = 600_000 } = {}) {
    const url = path.startsWith('/session') || path === '/status' ? `${this.base}${path}` : `${this.base}/session/${this.session}${path}`;
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new WebDriverError(res.status, { message: text }, `${method} ${path}`);
    }
    if (!res.ok || json.value?.error) throw new WebDriverError(res.status, json.value, `${method} ${path}`);
    return json.value;
  }

  async newSession(binary) {
    const value = await this.command('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          'webkitgtk:browserOptions': { binary, args: ['--automation'] },
          // Long runs are awaited inside scripts; the page's own timers are the limits.
          timeouts: { script: 600_000, pageLoad: 60_000, implicit: 0 },
        },
      },
    }, { timeout: 60_000 });
    this.session = value.sessionId;
    this.capabilities = value.capabilities;
  }

  /** WebKit's version as the session reports it, e.g. '2.50.6'. */
  get version() {
    return this.capabilities?.browserVersion;
  }

  navigate(url) {
    return this.command('POST', '/url', { url });
  }

  url() {
    return this.command('GET', '/url');
  }

  /** Runs `fn` (a function or its source) in the page with `args`; returns its (awaited) value. */
  execute(fn, ...args) {
    const body = typeof fn === 'function' ? `return (${fn}).apply(null, arguments);` : fn;
    return this.command('POST', '/execute/sync', { script: body, args });
  }

  /**
   * Runs async `fn` in the page and returns what it resolves to, through the async endpoint's
   * callback (the last argument). A rejection comes back as an Error with the page's message.
   */
  async executeAsync(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
        .then((value) => done({ ok: true, value }), (e) => done({ ok: false, error: String(e && e.stack || e) }));`;
    const out = await this.command('POST', '/execute/async', { script, args });
    if (!out?.ok) throw new Error(`in the page: ${out?.error}`);
    return out.value;
  }

  async findAll(css) {
    const found = await this.command('POST', '/elements', { using: 'css selector', value: css });
    return found.map((e) => e[ELEMENT]);
  }

  async find(css) {
    const found = await this.command('POST', '/element', { using: 'css selector', value: css });
    return found[ELEMENT];
  }

  click(element) {
    return this.command('POST', `/element/${element}/click`, {});
  }

  async clickCss(css) {
    return this.click(await this.find(css));
  }

  windowHandle() {
    return this.command('GET', '/window');
  }

  /** Opens a new top-level window, switches to it and returns its handle. */
  async newWindow() {
    const { handle } = await this.command('POST', '/window/new', { type: 'window' });
    await this.switchTo(handle);
    return handle;
  }

  switchTo(handle) {
    return this.command('POST', '/window', { handle });
  }

  closeWindow() {
    return this.command('DELETE', '/window');
  }

  /** Ends the session (the browser goes with it), then the driver and Xvfb. */
  async quit() {
    if (this.session) {
      await this.command('DELETE', `/session/${this.session}`, undefined, { timeout: 15_000 }).catch(() => {});
      this.session = null;
    }
    await stop(this.driver);
    await stop(this.xvfb.process);
  }
}
