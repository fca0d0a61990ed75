import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into dist/, which the orchestrator serves at `/` (dashboard.enabled). Workspace packages are
// bundled from their sources (the kos-source condition), so the dashboard needs no prior tsc build.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  resolve: { conditions: ['kos-source', 'module', 'browser', 'development|production'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
});
