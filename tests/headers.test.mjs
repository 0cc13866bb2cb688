// The headers are defined once (scripts/headers.mjs): the local server sends them, the build's
// _headers file carries them, and the README's nginx and Caddy snippets set what a host must.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EVERY, headersFile, REQUIRED } from '../scripts/headers.mjs';
import { root } from '../scripts/lib.mjs';
import { startServer } from './harness.mjs';

const readme = readFileSync(new URL('README.md', `file://${root}/`), 'utf8');
const block = (lang) => readme.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))?.[1] ?? '';

test("the README's nginx and Caddy snippets set every header a host must send", () => {
  const nginx = block('nginx');
  const caddy = block('caddy');
  for (const [name, value] of Object.entries(REQUIRED)) {
    assert.ok(nginx.includes(`add_header ${name} ${JSON.stringify(value)} always;`) || nginx.includes(`add_header ${name} ${value} always;`), `nginx: ${name}: ${value}`);
    assert.ok(caddy.includes(`header ${name} ${JSON.stringify(value)}`) || caddy.includes(`header ${name} ${value}\n`), `Caddy: ${name}: ${value}`);
  }
  // And nothing else that looks like one of them with another value.
  assert.equal(nginx.match(/add_header /g).length, Object.keys(REQUIRED).length);
  assert.equal(caddy.match(/header /g).length, Object.keys(REQUIRED).length);
});

test('the _headers file and the local server send every header, Document-Isolation-Policy included', async () => {
  const file = headersFile();
  for (const [name, value] of Object.entries(EVERY)) assert.ok(file.includes(`\n  ${name}: ${value}\n`), name);
  const server = await startServer();
  try {
    for (const path of ['embed.html', 'embed-main.js', 'pkg/concurrency_playground_bg.wasm', 'oembed/cpu.json']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      for (const [name, value] of Object.entries(EVERY)) assert.equal(response.headers.get(name), value, `${path}: ${name}`);
    }
  } finally {
    await server.close();
  }
});
