// Vite configuration: the React app, and vitest for the unit suites under tests/.

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
    chunkSizeWarningLimit: 1000, // bench.html bundles TensorFlow.js (830 kB); the app itself is ~290 kB
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // WebGPU suites share one Dawn device per file; files run one at a time so SwiftShader
    // does not fight itself for the two cores.
    fileParallelism: false,
  },
});
