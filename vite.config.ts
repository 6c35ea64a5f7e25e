import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const webRoot = fileURLToPath(new URL('./web', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));

/** Files worth compressing: text assets; images and fonts are compressed already. */
const compressible = /\.(js|css|html|svg|json|map|txt)$/;

/**
 * Writes `<file>.br` (brotli, best quality) and `<file>.gz` (gzip -9) beside every text asset of the build, so the
 * server sends them as they are (`Content-Encoding`), with no compression work per request.
 */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress);
  const gzipAsync = promisify(gzip);
  return {
    name: 'docchat-precompress',
    apply: 'build',
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).filter((file) => compressible.test(file));
      await Promise.all(
        files.map(async (file) => {
          const path = join(outDir, file);
          const data = await readFile(path);
          await writeFile(
            `${path}.br`,
            await brotli(data, {
              params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
            }),
          );
          await writeFile(`${path}.gz`, await gzipAsync(data, { level: 9 }));
        }),
      );
    },
  };
}

/** Builds the React UI from `web/` into `dist/web`; in dev, `/api` goes to the server on port 7860. */
export default defineConfig({
  root: webRoot,
  plugins: [react(), precompress()],
  build: { outDir, emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': { target: `http://127.0.0.1:${process.env.DOCCHAT_API_PORT ?? '7860'}`, changeOrigin: false },
    },
  },
});
