// bench.html in Chromium with WebGPU on (SwiftShader): a reduced run prints pairs and the per-step counters.
import { expect, test } from '@playwright/test';

test('bench.html runs the chosen workloads against TensorFlow.js and jax-js and counts a WebGPU step', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/bench.html');
  const workloads = page.getByRole('group', { name: 'Workloads' });
  for (const box of await workloads.getByRole('checkbox').all()) await box.uncheck();
  await page.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(page.getByRole('status')).toHaveText(/none is ticked/);
  await workloads.getByRole('checkbox', { name: 'softmax-step' }).check();
  await page.getByLabel('GPU memory after 10 and after 1,000 softmax steps').uncheck();
  await page.getByLabel('Timed rounds').fill('1');
  await page.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(page.getByRole('status')).toHaveText('Done.', { timeout: 240_000 });
  const table = (await page.getByLabel('Benchmark results').textContent()) ?? '';
  // one row per implementation, a pair per comparison, and what a step costs on our WebGPU backend
  for (const impl of ['cpu', 'webgpu', 'tfjs-cpu', 'tfjs-webgpu', 'jax-js-wasm', 'jax-js-webgpu'])
    expect(table).toMatch(new RegExp(`softmax-step +${impl} +[\\d.]+`));
  expect(table).toMatch(/softmax-step +webgpu +vs tfjs-webgpu +[\d.]+×/);
  expect(table).toMatch(/softmax-step +cpu +vs tfjs-cpu +[\d.]+×/);
  expect(table).toMatch(/softmax-step +cpu +vs jax-js-wasm +[\d.]+×/);
  expect(table).toMatch(/softmax-step +webgpu +vs jax-js-webgpu +[\d.]+×/);
  expect(table).toContain('softmax-step: per step 1 submit(s), 2 dispatches, 0 buffers, 0 bind groups, 0 pipelines');
  expect(table).not.toContain('mlp-step');
  await expect(page.getByRole('link', { name: 'Download bench-results.json' })).toBeVisible();
});
