// A missing or damaged Fashion-MNIST file, as the page shows it: which file, what is wrong, and the command that fixes it (CPU backend).
import { expect, type Page, test } from '@playwright/test';

const PAGE = '<!doctype html>\n<html lang="en"><head><title>Gradient Lab</title></head><body><div id="root"></div></body></html>\n';

/**
 * Opens Fashion-MNIST on the CPU with train-images.u8 answered by `answer`, and returns the alert
 * the page shows once the data cannot be used. The request comes from the training worker: the
 * context's route catches it there too.
 */
async function alertWithTrainImages(page: Page, answer: { contentType: string; body: string | Buffer }): Promise<string> {
  await page.context().route('**/data/fashion-mnist/train-images.u8', (route) => route.fulfill({ status: 200, ...answer }));
  await page.goto('/#backend=cpu&dataset=fashion-mnist');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('train-images.u8');
  return (await alert.textContent()) ?? '';
}

test('train-images.u8 answered by an HTML page (as a dev server does for a file it lacks): missing, run npm run data', async ({ page }) => {
  const text = await alertWithTrainImages(page, { contentType: 'text/html', body: PAGE });
  expect(text).toContain('train-images.u8 is missing');
  expect(text).toContain('Run npm run data to build the Fashion-MNIST files.');
  expect(text).not.toContain('--force');
  expect(text).not.toContain('feature values');
});

test('train-images.u8 answered with 1,000 bytes: damaged, with the sizes, run npm run data -- --force', async ({ page }) => {
  const text = await alertWithTrainImages(page, { contentType: 'application/octet-stream', body: Buffer.alloc(1000, 7) });
  expect(text).toContain('train-images.u8 is damaged: truncated to 1000 of 47040000 bytes');
  expect(text).toContain('Run npm run data -- --force to rebuild the Fashion-MNIST files.');
});
