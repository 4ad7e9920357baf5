// Vite configuration: the React app, its Content-Security-Policy on the built pages, and vitest for the unit suites under tests/.

import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { headerValue, metaValue, policyFor } from './csp.ts';

/**
 * The policy of csp.ts on the built site only: a <meta> tag at the top of each built page (for any
 * static host), and the full header (with frame-ancestors, which a <meta> cannot carry) from
 * `vite preview`, per path (bench.html has its own). `npm run dev` has none: its inline React
 * refresh preamble and HMR socket would need 'unsafe-inline' and ws:, and the tests run the build.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'gradient-lab:content-security-policy',
    apply: (_config, env) => env.command === 'build' || Boolean(env.isPreview),
    transformIndexHtml(html, context) {
      // right after <meta charset>, before any script or style sheet the page loads
      const charset = /<meta charset="[^"]*"\s*\/?>/i;
      if (!charset.test(html)) throw new Error(`${context.path}: no <meta charset> to put the Content-Security-Policy after`);
      const content = metaValue(policyFor(context.path)).replaceAll('&', '&amp;').replaceAll('"', '&quot;');
      return html.replace(charset, (tag) => `${tag}\n    <meta http-equiv="Content-Security-Policy" content="${content}" />`);
    },
    configurePreviewServer(server) {
      server.middlewares.use((request, response, next) => {
        response.setHeader('Content-Security-Policy', headerValue(policyFor(request.url ?? '/')));
        next();
      });
    },
  };
}

/**
 * Cross-origin isolation, from `npm run dev` and `npm run preview`: it gives the page and its workers
 * SharedArrayBuffer, so the CPU backend's products run on every core (simd-gemm.ts). Every resource
 * the app loads is its own, so require-corp blocks nothing. A static host must send the same two
 * headers (README: Hosting); without them the CPU path runs on one thread and its status says so.
 */
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  server: { headers: CROSS_ORIGIN_ISOLATION },
  preview: { headers: CROSS_ORIGIN_ISOLATION },
  worker: { format: 'es' },
  build: {
    // the SIMD kernels are fetched as files: a data: URL would need connect-src data: in the CSP
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
    chunkSizeWarningLimit: 1100, // bench.html bundles TensorFlow.js and jax-js (1,020 kB); the app itself is ~370 kB
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
