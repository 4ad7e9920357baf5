// The playground in Chromium with WebGPU on (SwiftShader): training, live changes, depth, divergence and links.
import { expect, test } from '@playwright/test';
import { chartText, layerNorms, openWith, readStatus, stepOnce, waitForStep } from './helpers';

// WebGPU chosen by hand: Auto takes the CPU on this software adapter (tested below)
const spiral = 'dataset=spiral&model=mlp&depth=1&width=32&activation=relu&init=xavier-uniform&lr=0.5&batch=64&backend=webgpu';

test('trains on WebGPU: the loss after 100 steps is below the loss at step 1', async ({ page }) => {
  await openWith(page, spiral);
  await expect(page.getByRole('status')).toContainText('WebGPU');
  const first = await stepOnce(page);
  expect(first.step).toBe(1);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await waitForStep(page, 100);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
  const later = await readStatus(page);
  expect(later.step).toBeGreaterThanOrEqual(100);
  expect(later.loss!).toBeLessThan(first.loss!);
  // the evaluation of the paused model follows the pause (one made before it may have given way to Train)
  await expect(page.getByRole('status')).toContainText(/test accuracy \d/);
  await expect(page.getByRole('img', { name: 'Loss chart' }).locator('canvas')).toHaveCount(1);
  await expect(page.getByRole('img', { name: 'Gradient norms chart' }).locator('canvas')).toHaveCount(1);
  await expect(page.getByRole('img', { name: 'Growth through depth' }).locator('canvas')).toHaveCount(1);
});

test('changing Weight decay λ while running: training goes on and the L2 term responds', async ({ page }) => {
  await openWith(page, spiral);
  await page.getByRole('button', { name: 'Train' }).click();
  const before = await waitForStep(page, 10);
  expect(before.l2).toBe(0);
  await page.getByLabel('Weight decay λ').fill('0.05');
  await expect.poll(async () => (await readStatus(page)).l2 ?? 0).toBeGreaterThan(0);
  const after = await waitForStep(page, before.step + 20);
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  expect(after.l2!).toBeGreaterThan(0);
  expect(page.url()).toContain('lambda=0.05');
  await page.getByRole('button', { name: 'Pause' }).click();
});

test('out-of-range values are refused at the control and never reach the run', async ({ page }) => {
  await openWith(page, spiral);
  await page.getByLabel('Learning rate').fill('-1');
  await expect(page.getByRole('alert')).toContainText('Learning rate -1 is not allowed: must be a number above 0 to 100');
  expect(page.url()).toContain('lr=0.5');
  await page.getByLabel('Hidden layers').fill('400');
  await expect(page.getByRole('alert').filter({ hasText: 'Hidden layers' })).toContainText('from 1 to 64');
  expect(page.url()).toContain('depth=1');
  const status = await stepOnce(page);
  expect(status.step).toBe(1); // the run still works with the last valid values
});

test('switching the initializer while running re-initialises the weights and training continues', async ({ page }) => {
  await openWith(page, spiral);
  await page.getByRole('button', { name: 'Train' }).click();
  const before = await waitForStep(page, 10);
  expect((await layerNorms(page))[0]).toBeGreaterThan(0);
  await page.getByLabel('Initializer').selectOption({ label: 'Zeros' });
  // zero weights: every hidden unit is the same and the first layer gets no gradient at all
  await expect.poll(async () => (await layerNorms(page))[0]).toBe(0);
  const after = await waitForStep(page, before.step + 10);
  expect(after.step).toBeGreaterThan(before.step);
  await page.getByRole('button', { name: 'Pause' }).click();
});

test('depth 10: sigmoid with MXNet default vanishes; Xavier uniform with tanh does not', async ({ page }) => {
  await openWith(page, 'dataset=fashion-mnist&model=mlp&depth=10&width=64&activation=sigmoid&init=mxnet-default&lr=0.1&backend=webgpu');
  await stepOnce(page);
  const sigmoid = await layerNorms(page);
  expect(sigmoid).toHaveLength(11);
  expect(sigmoid[0] / sigmoid[10]).toBeLessThan(1e-3);

  await page.getByLabel('Activation', { exact: true }).selectOption({ label: 'tanh' });
  await page.getByLabel('Initializer').selectOption({ label: 'Xavier uniform' });
  await expect(page).toHaveURL(/activation=tanh.*init=xavier-uniform/);
  await expect(page.getByRole('button', { name: 'Step' })).toBeEnabled();
  await stepOnce(page);
  const tanh = await layerNorms(page);
  const ratio = tanh[0] / tanh[10];
  expect(ratio).toBeGreaterThan(0.1);
  expect(ratio).toBeLessThan(10);
});

test('the first 5 losses of a seeded run agree between WebGPU and CPU to 1e-4', async ({ page }) => {
  await openWith(page, 'dataset=fashion-mnist&model=mlp&depth=1&width=64&init=normal&sigma=0.01&lr=0.1&batch=128&seed=11&backend=webgpu');
  await expect(page.getByRole('status')).toContainText('WebGPU');
  const onGpu: number[] = [];
  for (let i = 0; i < 5; i++) onGpu.push((await stepOnce(page)).loss!);

  await page.getByLabel('Backend').selectOption({ label: 'CPU' });
  await expect(page.getByRole('status')).toContainText('CPU');
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByRole('status')).toContainText('step 0');
  const onCpu: number[] = [];
  for (let i = 0; i < 5; i++) onCpu.push((await stepOnce(page)).loss!);

  onGpu.forEach((loss, i) => {
    expect(Math.abs(loss - onCpu[i]) / onCpu[i], `loss ${i + 1}: WebGPU ${loss}, CPU ${onCpu[i]}`).toBeLessThan(1e-4);
  });
  expect(onGpu[4]).toBeLessThan(onGpu[0]);
});

test('a diverging configuration shows the divergence message and no NaN in the table', async ({ page }) => {
  await openWith(page, 'dataset=spiral&model=mlp&depth=10&width=32&activation=identity&init=normal&sigma=10&lr=1&backend=webgpu');
  await page.getByRole('button', { name: 'Train' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Training diverged at step' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText(/smaller learning rate/);
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible(); // paused
  const table = page.getByRole('table', { name: 'Per-layer gradient norm' });
  await expect(table).not.toContainText('NaN');
  await expect(page.getByRole('status')).not.toContainText('NaN');
});

test('a shared URL restores every control', async ({ page }) => {
  const hash = 'model=mlp&depth=3&width=48&activation=tanh&init=normal&sigma=0.2&lambda=0.01&lr=0.3&batch=32&seed=9&dataset=circles&noise=0.05&backend=cpu';
  await openWith(page, hash);
  await expect(page.getByLabel('Model')).toHaveValue('mlp');
  await expect(page.getByLabel('Hidden layers')).toHaveValue('3');
  await expect(page.getByLabel('Width')).toHaveValue('48');
  await expect(page.getByLabel('Activation', { exact: true })).toHaveValue('tanh');
  await expect(page.getByLabel('Initializer')).toHaveValue('normal');
  await expect(page.getByLabel('σ')).toHaveValue('0.2');
  await expect(page.getByLabel('Weight decay λ')).toHaveValue('0.01');
  await expect(page.getByLabel('Learning rate')).toHaveValue('0.3');
  await expect(page.getByLabel('Batch size')).toHaveValue('32');
  await expect(page.getByLabel('Dataset')).toHaveValue('circles');
  await expect(page.getByLabel('Noise')).toHaveValue('0.05');
  await expect(page.getByLabel('Backend')).toHaveValue('cpu');
  await expect(page.getByLabel('Seed')).toHaveValue('9');
  await expect(page.getByRole('table', { name: 'Per-layer gradient norm' }).locator('tbody tr')).toHaveCount(4);

  // a change goes into the link, and the link brings it back in a new page
  await page.getByLabel('Width').fill('20');
  await expect(page).toHaveURL(/width=20/);
  const link = page.url();
  const second = await page.context().newPage();
  await second.goto(link);
  await expect(second.getByLabel('Width')).toHaveValue('20');
  await expect(second.getByLabel('Hidden layers')).toHaveValue('3');
});

test('Backend Auto on this software adapter trains on the CPU and says why; WebGPU chosen by hand still wins', async ({ page }) => {
  await openWith(page, 'dataset=spiral&model=mlp&depth=1&width=32&backend=auto');
  await expect(page.getByRole('status')).toContainText('CPU · faster here than WebGPU (software adapter: google swiftshader');
  await stepOnce(page);
  await page.getByLabel('Backend').selectOption({ label: 'WebGPU' });
  await expect(page.getByRole('status')).toContainText('WebGPU · google swiftshader');
  await expect(page.getByRole('status')).not.toContainText('CPU');
});

test('a link with unknown or invalid values opens with defaults for them and says which were ignored', async ({ page }) => {
  await page.goto('/#depth=abc&lr=0.2&colour=blue&dataset=xor');
  await expect(page.getByRole('note')).toContainText('depth=abc');
  await expect(page.getByRole('note')).toContainText('colour=blue (unknown setting)');
  await expect(page.getByLabel('Hidden layers')).toHaveValue('1');
  await expect(page.getByLabel('Learning rate')).toHaveValue('0.2');
  await expect(page.getByLabel('Dataset')).toHaveValue('xor');
});

test('with the pointer off the charts, their legends show the latest values', async ({ page }) => {
  await openWith(page, spiral);
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForStep(page, 20);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible(); // paused: the status is final
  await page.mouse.move(0, 0);
  const { step } = await readStatus(page);
  // the legend reads "step 133 · batch loss 0.601 …" (uPlot shows "--" for every value there otherwise)
  await expect.poll(() => chartText(page, 'Loss chart')).toMatch(new RegExp(`step\\s*${step}(?!\\d)`));
  expect(await chartText(page, 'Loss chart')).toMatch(/batch loss\s*\d/);
  expect(await chartText(page, 'Gradient norms chart')).toMatch(/layer 1\s*\d/);
  expect(await chartText(page, 'Gradient norms chart')).toMatch(/layer 2\s*\d/);
});

test('when the GPU process crashes mid-run, training goes on on the CPU and the history stays', async ({ playwright }) => {
  // a browser of its own: the crash must not reach the other tests' GPU process
  const { launchOptions, baseURL } = test.info().project.use;
  const browser = await playwright.chromium.launch(launchOptions);
  try {
    const page = await browser.newPage({ baseURL });
    await openWith(page, spiral);
    await page.getByRole('button', { name: 'Train' }).click();
    const before = await waitForStep(page, 30);
    expect(before.text).toContain('WebGPU');
    const cdp = await browser.newBrowserCDPSession();
    await cdp.send('Browser.crashGpuProcess');
    await expect(page.getByRole('status')).toContainText(/CPU · WebGPU device lost/);
    // the step count goes on from where it was (nothing was reset) and keeps rising on the CPU
    const after = await waitForStep(page, before.step + 50);
    expect(after.text).not.toMatch(/NaN/);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByRole('button', { name: 'Train' })).toBeVisible(); // paused: the status is final
    await expect(page.getByRole('button', { name: 'Train' })).toBeVisible(); // paused: the status is final
    await page.mouse.move(0, 0);
    const { step } = await readStatus(page);
    await expect.poll(() => chartText(page, 'Loss chart')).toMatch(new RegExp(`step\\s*${step}(?!\\d)`));
  } finally {
    await browser.close();
  }
});

test('a 2-D data set shows its decision boundary, redrawn as training goes on; Fashion-MNIST has none', async ({ page }) => {
  await openWith(page, spiral);
  const boundary = page.getByRole('img', { name: 'Decision boundary' });
  await expect(boundary).toBeVisible();
  await expect(page.getByText(/^Decision boundary · step 0$/)).toBeVisible(); // drawn from the initial weights
  await page.getByRole('button', { name: 'Train' }).click();
  // far enough that every class has its region (at 150 steps, or wherever a pause lands near it,
  // the plane sometimes showed only two of the three)
  await waitForStep(page, 1000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible(); // paused: the status is final
  const { step } = await readStatus(page);
  await expect(page.getByText(`Decision boundary · step ${step}`, { exact: true })).toBeVisible();
  // the tints of the three predicted classes cover the plane (spiral has 3 classes)
  const tints = await boundary.evaluate((canvas) => {
    const { data } = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 300, 300);
    const seen = new Set<string>();
    for (let i = 0; i < data.length; i += 4 * 97) {
      // plain cell tint only (alpha 0.28): not a dot, a dot's antialiased edge, or a seam between cells
      if (Math.abs(data[i + 3] - 0.28 * 255) < 2) seen.add(`${data[i] >> 4},${data[i + 1] >> 4},${data[i + 2] >> 4}`);
    }
    return seen.size;
  });
  expect(tints).toBeGreaterThanOrEqual(3);
  const fashion = await page.context().newPage(); // a fresh load: the hash is read when the page opens
  await openWith(fashion, 'dataset=fashion-mnist&model=softmax&backend=webgpu');
  await expect(fashion.getByRole('img', { name: 'Loss chart' })).toBeVisible();
  await expect(fashion.getByRole('img', { name: 'Decision boundary' })).toHaveCount(0);
});
