// Build of the dashboard: a static single-page app in dist/, served by apps/server at `/` (no CDN: every asset is local).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  // `vite` (dev) proxies the API to a running `hvs-nvm start`.
  server: { proxy: { '/v1': 'http://127.0.0.1:8765' } },
});
