// Inside the network, as a learner uses it: the graph, the histograms, the weight images and the update ratio, found by their labels, changing while training (CPU backend).
import { expect, type Page, test } from '@playwright/test';
import { chartText, openWith, stepOnce, waitForStep } from './helpers';

/** What a panel found by its label shows, as a screen reader names it (its figures' and nodes' names: no step number in them). */
const panelText = async (page: Page, name: string) => {
  const names = await page
    .getByRole('region', { name })
    .locator('[aria-label]')
    .evaluateAll((elements) => elements.map((e) => e.getAttribute('aria-label')));
  expect(names.length).toBeGreaterThanOrEqual(3);
  return names.join('\n');
};

test('Computational graph, Activation, Weight and Gradient histograms, Weight images and the update ratio change while training', async ({ page }) => {
  await openWith(page, 'dataset=fashion-mnist&model=mlp&depth=2&width=32&activation=tanh&init=normal&sigma=0.3&lr=0.1&batch=64&seed=3&backend=cpu');
  const graph = page.getByRole('region', { name: 'Computational graph' });
  await expect(graph).toContainText('Train a step');
  await stepOnce(page);
  await expect(graph).toContainText('step 1');
  // the chapter's graph: x, z⁽¹⁾, h⁽¹⁾, z⁽²⁾, h⁽²⁾, o, L, s, J and the three weight nodes, each a focusable node
  for (const name of ['x', 'z⁽¹⁾', 'h⁽¹⁾', 'z⁽²⁾', 'h⁽²⁾', 'o', 'L', 's', 'J', 'W⁽¹⁾, b⁽¹⁾', 'W⁽³⁾, b⁽³⁾']) {
    await expect(graph.getByRole('button', { name: new RegExp(`^${name.replace(/[()⁽⁾,]/g, (c) => `\\${c}`)}:`) })).toHaveCount(1);
  }
  await expect(graph.getByRole('button', { name: /^z⁽¹⁾: 32 × 64; ‖·‖ [\d.e+-]+ · μ/ })).toHaveCount(1);
  // focusing a node shows its formula, with the weight-decay term
  await graph.getByRole('button', { name: /^W⁽¹⁾, b⁽¹⁾:/ }).focus();
  await expect(graph).toContainText('∂J/∂W⁽¹⁾ = (∂J/∂z⁽¹⁾) xᵀ + λW⁽¹⁾');
  await graph.getByRole('button', { name: /^h⁽²⁾:/ }).focus();
  await expect(graph).toContainText('∂J/∂h⁽²⁾ = W⁽³⁾ᵀ ∂J/∂o');

  const activations = page.getByRole('region', { name: 'Activation histograms' });
  await expect(activations).toContainText(/layer 1 · h/);
  await expect(activations).toContainText(/saturated \d+\.\d%/);
  await expect(activations).toContainText('|h| > 0.949');
  await expect(page.getByRole('region', { name: 'Weight histograms' })).toContainText('layer 1 · W (32 × 784)');
  await expect(page.getByRole('region', { name: 'Gradient histograms' })).toContainText('output layer 3 · ∂J/∂W');
  const images = page.getByRole('region', { name: 'Weight images' });
  await expect(images.getByRole('img', { name: /^weights of unit \d+$/ })).toHaveCount(16);
  await expect(page.getByRole('figure', { name: 'Update-to-data ratio' }).getByRole('img')).toBeVisible();

  const before = {
    graph: await panelText(page, 'Computational graph'),
    activations: await panelText(page, 'Activation histograms'),
    weights: await panelText(page, 'Weight histograms'),
    gradients: await panelText(page, 'Gradient histograms'),
    images: await images.getByRole('img').first().screenshot(),
  };
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForStep(page, 60);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(graph).not.toContainText(/graph · step 1(?!\d)/);
  await expect.poll(() => panelText(page, 'Computational graph')).not.toBe(before.graph);
  expect(await panelText(page, 'Activation histograms')).not.toBe(before.activations);
  expect(await panelText(page, 'Weight histograms')).not.toBe(before.weights);
  expect(await panelText(page, 'Gradient histograms')).not.toBe(before.gradients);
  expect((await images.getByRole('img').first().screenshot()).equals(before.images)).toBe(false);

  // closed, the section renders nothing; opened again, it shows the latest step
  await page.getByText('Inside the network').click();
  await expect(graph).toHaveCount(0);
  await page.getByText('Inside the network').click();
  await expect(graph).toBeVisible();
});

test('Softmax regression: the Weight images are the ten classes, and the graph has no hidden layer', async ({ page }) => {
  await openWith(page, 'dataset=fashion-mnist&model=softmax&lr=0.1&batch=64&seed=3&backend=cpu');
  await stepOnce(page);
  const images = page.getByRole('region', { name: 'Weight images' });
  await expect(images.getByRole('img')).toHaveCount(10);
  await expect(images.getByRole('img', { name: 'weights of Ankle boot' })).toBeVisible();
  const graph = page.getByRole('region', { name: 'Computational graph' });
  await expect(graph.getByRole('button', { name: /^h⁽¹⁾:/ })).toHaveCount(0);
  await expect(graph.getByRole('button', { name: /^o:/ })).toHaveCount(1);
  await expect(page.getByRole('region', { name: 'Activation histograms' })).toContainText('output layer 1 · o');
});

test('Vanishing gradients: the update-to-data ratio legend reads the first layer’s tiny ratio in scientific notation, not 0', async ({ page }) => {
  await openWith(page, 'experiment=vanishing&backend=cpu');
  await stepOnce(page);
  await page.mouse.move(0, 0);
  await expect.poll(() => chartText(page, 'Update-to-data ratio')).toMatch(/layer 1\s*\d(\.\d+)?e-(1\d|[5-9])(?!\d)/);
  expect(await chartText(page, 'Gradient norms chart')).toMatch(/layer 1\s*\d(\.\d+)?e-1\d(?!\d)/);
});
