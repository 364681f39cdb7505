import { defineConfig } from 'vite';

// One page app: the server answers /wall/{event}, /station, /admin and /kiosk with dist/index.html and serves
// dist/assets under /assets, so every asset URL is absolute from the site root.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: true,
  },
  worker: { format: 'es' },
});
