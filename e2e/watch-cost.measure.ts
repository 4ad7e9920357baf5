// Measurement, not a test: steps per second with "Inside the network" open and closed, on the CPU and on WebGPU, interleaved in one run (npm run bench:watch).
import { expect, type Page, test } from '@playwright/test';
import { openWith, readStatus, waitForStep } from './helpers';

const PHASE_MS = 15_000;
const ROUNDS = 3;
const MODEL = 'dataset=fashion-mnist&model=mlp&depth=2&width=128&activation=tanh&init=xavier-uniform&lr=0.1&batch=64&seed=1';

async function setOpen(page: Page, open: boolean): Promise<void> {
  const graph = page.getByRole('region', { name: 'Computational graph' });
  if ((await graph.count()) > 0 !== open) await page.getByText('Inside the network').click();
  await expect(graph).toHaveCount(open ? 1 : 0);
}

/** Steps a second over one phase, counted from the status line. */
async function phase(page: Page): Promise<number> {
  const start = await readStatus(page);
  const t0 = Date.now();
  await page.waitForTimeout(PHASE_MS);
  const end = await readStatus(page);
  return ((end.step - start.step) * 1000) / (Date.now() - t0);
}

for (const backend of ['cpu', 'webgpu']) {
  test(`steps per second with the views open and closed, ${backend}`, async ({ page }) => {
    test.setTimeout(2 * ROUNDS * PHASE_MS + 240_000);
    await openWith(page, `${MODEL}&backend=${backend}`);
    await page.getByRole('button', { name: 'Train' }).click();
    await waitForStep(page, 20); // past the first evaluation and the pipelines' compilation
    const rates: Record<'open' | 'closed', number[]> = { open: [], closed: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // alternate which comes first, so a drift of the machine falls on both
      for (const open of r % 2 === 0 ? [true, false] : [false, true]) {
        await setOpen(page, open);
        rates[open ? 'open' : 'closed'].push(await phase(page));
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const status = (await readStatus(page)).text;
    console.log(
      `${backend}: open ${rates.open.map((v) => v.toFixed(2)).join(', ')} | closed ${rates.closed.map((v) => v.toFixed(2)).join(', ')} steps/s; ` +
        `mean open/closed ${(mean(rates.open) / mean(rates.closed)).toFixed(3)} (${status.split('·')[0].trim()})`,
    );
  });
}
