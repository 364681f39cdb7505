import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// The browser tests (../tests/browser) drive headless Chromium against the real server. They live outside ui/
// but use ui/'s dependencies. LIVEWALL_BENCH=1 runs the frame-time benchmark instead.
const modules = fileURLToPath(new URL('./node_modules/', import.meta.url));
const bench = process.env.LIVEWALL_BENCH === '1';

export default defineConfig({
  root: fileURLToPath(new URL('../tests/browser/', import.meta.url)),
  resolve: {
    alias: [
      { find: /^playwright-core$/, replacement: `${modules}playwright-core/index.mjs` },
      { find: /^vitest$/, replacement: `${modules}vitest/dist/index.js` },
    ],
  },
  test: {
    include: bench ? ['bench/*.bench.ts'] : ['*.e2e.ts'],
    environment: 'node',
    testTimeout: bench ? 3_600_000 : 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
