import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';

const missingBuildPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>docchat: UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The docchat UI has not been built</h1>
<p>Run <code>npm run build</code> (it writes the UI to <code>dist/web</code>), then reload this page.
The HTTP API under <code>/api</code> works without it: try <a href="/api/health">/api/health</a>.</p>
</body></html>
`;

/** Vite puts content-hashed files under `assets/`: they never change, so browsers may keep them for a year. */
function withCacheHeaders(response: Response, path: string): Response {
  const hashed = path.startsWith('/assets/');
  response.headers.set('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
  // The same URL has a compressed and a plain body: caches must key on the request's Accept-Encoding.
  if (!response.headers.get('Vary')?.includes('Accept-Encoding'))
    response.headers.append('Vary', 'Accept-Encoding');
  return response;
}

/**
 * Serves the built UI from `root` (default `dist/web`): files as they are (or their precompressed `.br` / `.gz`
 * twin, by Accept-Encoding), `index.html` for other paths
 * without an extension (client-side routes), 404 for missing files, and a 503 page saying to run
 * `npm run build` while the build is missing.
 */
export function staticUi(root = 'dist/web'): MiddlewareHandler {
  const absoluteRoot = resolve(root);
  const indexPath = join(absoluteRoot, 'index.html');
  let handlers: { files: MiddlewareHandler; index: MiddlewareHandler } | undefined;

  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.text('Not found.', 404);
    }
    if (handlers === undefined) {
      if (!existsSync(indexPath)) return c.html(missingBuildPage, 503, { 'Cache-Control': 'no-store' });
      // The build writes .br and .gz beside each text asset (vite.config.ts): sent by Accept-Encoding, as they are.
      handlers = {
        files: serveStatic({ root: absoluteRoot, precompressed: true }),
        index: serveStatic({ path: indexPath, precompressed: true }),
      };
    }
    const served = await handlers.files(c, async () => {});
    if (served instanceof Response) return withCacheHeaders(served, c.req.path);
    const lastSegment = c.req.path.slice(c.req.path.lastIndexOf('/') + 1);
    if (lastSegment.includes('.')) return c.text('Not found.', 404);
    const index = await handlers.index(c, next);
    return index instanceof Response ? withCacheHeaders(index, '/index.html') : c.text('Not found.', 404);
  };
}
