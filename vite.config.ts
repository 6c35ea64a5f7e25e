import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('./web', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));

/** Builds the React UI from `web/` into `dist/web`; in dev, `/api` goes to the server on port 7860. */
export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: { outDir, emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': { target: `http://127.0.0.1:${process.env.DOCCHAT_API_PORT ?? '7860'}`, changeOrigin: false },
    },
  },
});
