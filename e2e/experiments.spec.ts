// The chapter's experiments, chosen as a learner would by the Experiment control, each reaching its phenomenon (CPU backend: no WebGPU here).
import { expect, type Page, test } from '@playwright/test';
import { layerColumn, layerNorms, readStatus, stepOnce, waitForStep } from './helpers';

async function choose(page: Page, label: string): Promise<void> {
  await page.getByLabel('Experiment').selectOption({ label });
  await expect(page.getByRole('region', { name: 'About this experiment' })).toContainText(label);
  await expect(page.getByRole('button', { name: 'Step' })).toBeEnabled();
  await expect(page.getByRole('status')).toContainText('step 0');
}

async function open(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Step' })).toBeEnabled();
}

/** Trains until at least `steps`, pauses, and waits for the evaluation of the paused model. */
async function trainTo(page: Page, steps: number) {
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForStep(page, steps);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
  await expect.poll(async () => (await readStatus(page)).text).toMatch(/training-set loss/);
  const text = (await readStatus(page)).text;
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
  return { test: number(/test loss ([\d.e+-]+)/), train: number(/training-set loss ([\d.e+-]+)/) };
}

test('Vanishing gradients: after one step the first layer’s gradient is below 1e-3 of the output layer’s; the link carries it', async ({ page }) => {
  await open(page);
  await choose(page, 'Vanishing gradients');
  await expect(page).toHaveURL(/experiment=vanishing/);
  await expect(page.getByRole('region', { name: 'About this experiment' })).toContainText('ln 10 ≈ 2.30');
  await expect(page.getByLabel('Hidden layers')).toHaveValue('10');
  await stepOnce(page);
  const norms = await layerNorms(page);
  expect(norms).toHaveLength(11);
  expect(norms[0] / norms[10]).toBeLessThan(1e-3);

  // a fresh page from the link opens the same experiment
  const again = await page.context().newPage();
  await again.goto(page.url());
  await expect(again.getByRole('region', { name: 'About this experiment' })).toContainText('Vanishing gradients');
  await expect(again.getByLabel('Activation', { exact: true })).toHaveValue('sigmoid');
});

test('Xavier initialisation: the first and output layers’ gradients within a factor of ten, and the loss falls', async ({ page }) => {
  await open(page);
  await choose(page, 'Xavier initialisation');
  const first = await stepOnce(page);
  const norms = await layerNorms(page);
  expect(norms[0] / norms[10]).toBeGreaterThan(0.1);
  expect(norms[0] / norms[10]).toBeLessThan(10);
  const later = await trainTo(page, 150);
  expect(later.train).toBeLessThan(first.loss! * 0.6);
});

test('Exploding gradients: the activations grow by more than six decades through depth, and the run stops at the step that diverged', async ({ page }) => {
  await open(page);
  await choose(page, 'Exploding gradients');
  await stepOnce(page);
  expect(Math.max(...(await layerNorms(page)))).toBeGreaterThan(1e6);
  await expect.poll(async () => (await layerColumn(page, 'RMS of h')).filter(Number.isFinite).length).toBe(10);
  const rms = (await layerColumn(page, 'RMS of h')).slice(0, 10);
  expect(Math.log10(rms[9] / rms[0])).toBeGreaterThan(6);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Training diverged at step' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
});

test('Symmetry: after 50 steps the hidden units of a constant start are still identical', async ({ page }) => {
  await open(page);
  await choose(page, 'Symmetry');
  await trainTo(page, 50);
  const table = page.getByRole('table', { name: 'Per-layer gradient norm' });
  await expect(table.locator('tbody tr').first().locator('td').nth(1)).toHaveText('0');
});

test('Weight decay: the gap between test and training-set loss is clearly wider at λ = 0 than at the experiment’s λ', async ({ page }) => {
  await open(page);
  await choose(page, 'Weight decay');
  await expect(page.getByLabel('Training examples')).toHaveValue('100');
  const decayed = await trainTo(page, 300);
  // changing a control ends the experiment's label, not the run
  await page.getByLabel('Weight decay λ').fill('0');
  await expect(page.getByRole('region', { name: 'About this experiment' })).toHaveCount(0);
  await expect(page).not.toHaveURL(/experiment=/);
  expect((await readStatus(page)).step).toBeGreaterThanOrEqual(300);
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByRole('status')).toContainText('step 0');
  const plain = await trainTo(page, 300);
  const gapDecayed = decayed.test - decayed.train;
  const gapPlain = plain.test - plain.train;
  expect(gapPlain).toBeGreaterThan(1.3 * gapDecayed);
  expect(plain.train).toBeLessThan(decayed.train);
});

test('Products of many layers: the RMS of h grows by the same factor at every layer, a straight line on a log axis', async ({ page }) => {
  await open(page);
  await choose(page, 'Products of many layers');
  await stepOnce(page);
  await expect.poll(async () => (await layerColumn(page, 'RMS of h')).filter(Number.isFinite).length).toBe(30);
  const rms = (await layerColumn(page, 'RMS of h')).slice(0, 30);
  // from the second hidden layer on, each layer scales by 0.15·√64 = 1.2 (the first reads 784 pixels)
  const ratios = rms.slice(2).map((v, i) => v / rms[i + 1]);
  for (const ratio of ratios) {
    expect(ratio).toBeGreaterThan(1.05);
    expect(ratio).toBeLessThan(1.4);
  }
  const backward = (await layerColumn(page, '‖∂J/∂z‖_F')).slice(0, 31);
  expect(backward[1]).toBeGreaterThan(backward[29]); // the error grows towards the input
});

test('Speed: at 1 step a second a run can be followed step by step, and Pause answers at once', async ({ page }) => {
  await open(page);
  await choose(page, 'Symmetry');
  await page.getByLabel('Speed').selectOption({ label: '1 step a second' });
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForStep(page, 1);
  await page.waitForTimeout(2500);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible({ timeout: 1000 });
  const { step } = await readStatus(page);
  expect(step).toBeGreaterThanOrEqual(2);
  expect(step).toBeLessThanOrEqual(5);
});

test('Confusion matrix and Misclassified examples: Fashion-MNIST class names, counts that change while training, a chosen mistake’s probabilities', async ({
  page,
}) => {
  await open(page);
  await choose(page, 'Softmax regression');
  await stepOnce(page);
  const matrix = page.getByRole('table', { name: 'Confusion matrix' });
  await expect(matrix).toContainText('Ankle boot');
  await expect(page.getByText('Confusion matrix · 2000 test examples')).toBeVisible();
  const first = await matrix.textContent();
  await trainTo(page, 60);
  await expect.poll(() => matrix.textContent()).not.toBe(first);
  const mistakes = page.getByRole('region', { name: 'Misclassified examples' });
  const images = mistakes.getByRole('img', { name: /^true .+, predicted .+ \(probability \d+\.\d%\)$/ });
  await expect(images).toHaveCount(12);
  const secondLabel = (await images.nth(1).getAttribute('aria-label')) ?? '';
  await mistakes.getByRole('button').nth(1).click();
  const probabilities = page.getByRole('table', { name: 'Probabilities of the chosen example' });
  await expect(probabilities).toContainText(secondLabel);
  await expect(probabilities.locator('tbody tr')).toHaveCount(10);
});
