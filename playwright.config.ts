// Playwright: the built app served by `vite preview`, driven in Debian's chromium with WebGPU on (SwiftShader) and off.
import { defineConfig } from '@playwright/test';

const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
const port = 4317;

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1, // SwiftShader and the CPU backend share two cores
  retries: 0,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${port}/`, screenshot: 'only-on-failure', viewport: { width: 1280, height: 900 } },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
  projects: [
    // npm run bench:watch: a measurement, run only when asked for
    ...(process.env.MEASURE_WATCH_COST
      ? [{ name: 'watch-cost', testMatch: /watch-cost\.measure\.ts/, use: { launchOptions: { executablePath, args: [...args, '--enable-unsafe-webgpu'] } } }]
      : []),
    {
      name: 'webgpu',
      testMatch: /(playground|bench|checks)\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...args, '--enable-unsafe-webgpu'] } },
    },
    {
      name: 'cpu-fallback',
      testMatch: /(fallback|experiments)\.spec\.ts/,
      use: { launchOptions: { executablePath, args } },
    },
  ],
});
