import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { staticUi } from './static-ui.ts';

const root = mkdtempSync(join(tmpdir(), 'docchat-ui-'));
const script = `console.log(${JSON.stringify('x'.repeat(2000))});\n`;
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>docchat</title>');
writeFileSync(join(root, 'assets', 'app.js'), script);
writeFileSync(join(root, 'assets', 'app.js.br'), brotliCompressSync(script));
writeFileSync(join(root, 'assets', 'app.js.gz'), gzipSync(script));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const app = new Hono().use('*', staticUi(root));
const get = (path: string, acceptEncoding?: string) =>
  app.request(path, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });

describe('staticUi', () => {
  it('sends the brotli or gzip twin of an asset by Accept-Encoding, with Vary', async () => {
    const brotli = await get('/assets/app.js', 'gzip, deflate, br, zstd');
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('content-type')).toContain('javascript');
    expect(brotliDecompressSync(Buffer.from(await brotli.arrayBuffer())).toString()).toBe(script);

    const gzip = await get('/assets/app.js', 'gzip');
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(Number(gzip.headers.get('content-length'))).toBeLessThan(script.length / 4);
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(script);

    const plain = await get('/assets/app.js');
    expect(plain.headers.has('content-encoding')).toBe(false);
    expect(await plain.text()).toBe(script);
    for (const response of [brotli, gzip, plain])
      expect(response.headers.get('vary')).toContain('Accept-Encoding');
    expect(plain.headers.get('cache-control')).toContain('immutable');
  });

  it('serves index.html for client-side routes', async () => {
    const page = await get('/chats/some-id', 'br');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>docchat</title>');
  });
});
