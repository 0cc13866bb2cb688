// Serves www/dist/ with the site's headers (scripts/headers.mjs: COOP/COEP for threads, the CSP)
// and serve.json's settings.
//   node scripts/serve.mjs [--port N] [--no-isolation] [--dir D]
// PORT overrides the default 8080. --no-isolation drops COOP/COEP to show the page as a host that
// sets no headers (GitHub Pages, most blogs) serves it.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import handler from 'serve-handler';
import { serveHandlerHeaders } from './headers.mjs';
import { root } from './lib.mjs';


/** Starts a server; resolves to { url, close }. Port 0 picks a free one. */
export function serve({ port = 8080, isolation = true, dir = join(root, 'www/dist') } = {}) {
  const config = JSON.parse(readFileSync(join(root, 'serve.json'), 'utf8'));
  // serve-handler joins `public` onto the working directory.
  config.public = relative(process.cwd(), dir) || '.';
  config.headers = serveHandlerHeaders({ isolation });
  const server = http.createServer((req, res) => handler(req, res, config));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const url = `http://localhost:${server.address().port}/`;
      resolve({ url, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? process.env.PORT ?? 8080);
  const isolation = !process.argv.includes('--no-isolation');
  const { url } = await serve({ port, isolation, dir: arg('--dir') });
  console.log(`\nconcurrency-playground at ${url}  (${isolation ? 'cross-origin isolated: threads on' : 'NOT isolated: threads off'})`);
  console.log('Ctrl-C stops the server.');
}
