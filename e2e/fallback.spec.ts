// The playground in Chromium without WebGPU (no --enable-unsafe-webgpu): the CPU backend runs and the page says why.
import { expect, test } from '@playwright/test';
import { openWith, readStatus, stepOnce, waitForStep } from './helpers';

test('without WebGPU the status says CPU and why, and training works', async ({ page }) => {
  await openWith(page, 'dataset=blobs&model=mlp&depth=2&width=16&init=xavier-uniform&lr=0.3&batch=50');
  await expect(page.getByRole('status')).toContainText(/CPU · WebGPU unavailable: (no adapter|this browser has no navigator\.gpu)/);
  const first = await stepOnce(page);
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForStep(page, 60);
  await page.getByRole('button', { name: 'Pause' }).click();
  const later = await readStatus(page);
  expect(later.loss!).toBeLessThan(first.loss!);
});

test('Fashion-MNIST loads with a progress bar and trains softmax regression on the CPU', async ({ page }) => {
  // a slow link (8 MB/s) so that the 55 MB load lasts long enough to be seen
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 8e6, uploadThroughput: -1 });
  await page.goto('/#dataset=fashion-mnist&model=softmax');
  const bar = page.getByRole('progressbar', { name: 'Loading Fashion-MNIST' });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(bar).toBeHidden({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Step' })).toBeEnabled({ timeout: 60_000 });
  const first = await stepOnce(page);
  expect(first.loss!).toBeGreaterThan(2); // ≈ ln 10 from N(0, 0.01²) weights
  expect(first.loss!).toBeLessThan(2.5);
});

test('cross-origin isolated, the CPU path runs its SIMD products on every core; without isolation, on one, and says so', async ({ page }) => {
  // npm run preview sends COOP/COEP: SharedArrayBuffer, so helper threads share the kernels' memory
  await openWith(page, 'dataset=blobs&model=mlp&depth=1&width=64&batch=64&backend=cpu');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = Math.min(8, cores);
  await expect(page.getByRole('status')).toContainText(
    `CPU · chosen in Backend · WebAssembly relaxed SIMD, ${threads} thread${threads === 1 ? '' : 's'} · step 0`,
  );
  await stepOnce(page);

  // the same page from a host that sends no COOP/COEP: one thread, and the reason
  await page.route(
    (url) => url.pathname === '/',
    async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    },
  );
  await page.goto('about:blank');
  await openWith(page, 'dataset=blobs&model=mlp&depth=1&width=64&batch=64&backend=cpu');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByRole('status')).toContainText(
    'CPU · chosen in Backend · WebAssembly relaxed SIMD, 1 thread: the page is not cross-origin isolated · step 0',
  );
  const stepped = await stepOnce(page);
  expect(stepped.loss).not.toBeNull();
});
