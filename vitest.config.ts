import { defineConfig } from 'vitest/config';

// Workspace packages export `dist/` by default and `src/` under the `kos-source` condition: tests run
// from source, in this process (Vite's resolver) and in the processes they spawn (NODE_OPTIONS).
const SOURCE = '--conditions=kos-source';
const nodeOptions = [process.env.NODE_OPTIONS, SOURCE].filter(Boolean).join(' ');

export default defineConfig({
  ssr: {
    resolve: {
      conditions: ['kos-source', 'module', 'node', 'development|production'],
      externalConditions: ['kos-source'],
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'bench/src/**/*.test.ts',
      'bench/chaos/**/*.test.ts',
      'bench/soak/**/*.test.ts',
    ],
    env: { NODE_OPTIONS: nodeOptions },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real server processes; two workers fit a 2-core machine.
    maxWorkers: 2,
  },
});
