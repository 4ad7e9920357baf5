// Check it yourself, in a browser with WebGPU (SwiftShader): Check gradients passes on a healthy model and Compare backends agrees within its tolerance, and the run goes on.
import { expect, test } from '@playwright/test';
import { openWith, readStatus, stepOnce, waitForStep } from './helpers';

test('Check gradients passes and Compare backends agrees on a Fashion-MNIST MLP trained on the CPU; training goes on after', async ({ page }) => {
  await openWith(page, 'dataset=fashion-mnist&model=mlp&depth=2&width=32&activation=tanh&init=xavier-uniform&lr=0.1&batch=64&seed=5&backend=cpu');
  await stepOnce(page);
  await stepOnce(page);
  const panel = page.getByRole('region', { name: 'Check it yourself' });
  await panel.getByRole('button', { name: 'Check gradients' }).click();
  await expect(panel).toContainText(
    /Step 2: largest relative error [\d.e+-]+ over 18 parameters of 3 layers on 8 training examples, against a tolerance of 1e-4: pass/,
  );
  const byLayer = panel.getByRole('table', { name: 'Gradient check by layer' });
  await expect(byLayer.getByRole('row')).toHaveCount(4);

  await panel.getByRole('button', { name: 'Compare backends' }).click();
  await expect(panel).toContainText(
    /the loss differs by [\d.e+-]+ \(relative\) and the layers' ‖∂J\/∂W‖ by at most [\d.e+-]+, against a tolerance of 1e-4: pass/,
    {
      timeout: 120_000,
    },
  );
  const compared = panel.getByRole('table', { name: 'Backends compared' });
  await expect(compared.getByRole('columnheader', { name: /^WebGPU/ })).toBeVisible();
  await expect(compared.getByRole('columnheader', { name: /^CPU/ })).toBeVisible();
  // every reported difference is within the tolerance the page states
  const differences = await compared.locator('tbody tr td:last-child').allInnerTexts();
  expect(differences).toHaveLength(4);
  for (const d of differences) expect(Number(d)).toBeLessThanOrEqual(1e-4);

  // the run was not disturbed: it trains on from step 2
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForStep(page, 10);
  await page.getByRole('button', { name: 'Pause' }).click();
  expect((await readStatus(page)).text).toMatch(/CPU/);
});

test('Compare backends on a run that trains on WebGPU compares the live device with the CPU', async ({ page }) => {
  await openWith(page, 'dataset=spiral&model=mlp&depth=2&width=16&activation=relu&init=xavier-uniform&lr=0.1&batch=32&seed=5&backend=webgpu');
  await stepOnce(page);
  const panel = page.getByRole('region', { name: 'Check it yourself' });
  await panel.getByRole('button', { name: 'Compare backends' }).click();
  await expect(panel).toContainText(/against a tolerance of 1e-4: pass/, { timeout: 120_000 });
  await panel.getByRole('button', { name: 'Check gradients' }).click();
  await expect(panel).toContainText(/over 18 parameters of 3 layers on 8 training examples, against a tolerance of 1e-4: pass/);
});
