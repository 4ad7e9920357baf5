// Shared steps for the end-to-end tests: reading the status line and the per-layer table as a person would.
import { expect, type Page } from '@playwright/test';

export interface Status {
  text: string;
  step: number;
  loss: number | null;
  l2: number | null;
}

export async function readStatus(page: Page): Promise<Status> {
  const text = (await page.getByRole('status').textContent()) ?? '';
  const number = (pattern: RegExp) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : null;
  };
  return { text, step: number(/step (\d+)/) ?? -1, loss: number(/loss ([-\d.e+]+)/), l2: number(/L2 term ([-\d.e+]+)/) };
}

/** Opens the app with a configuration in the hash and waits until the model is ready (step 0 shown). */
export async function openWith(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await expect(page.getByRole('button', { name: 'Step' })).toBeEnabled();
  await expect(page.getByRole('status')).toContainText(/step \d+/);
}

export async function waitForStep(page: Page, atLeast: number): Promise<Status> {
  await expect.poll(async () => (await readStatus(page)).step, { timeout: 120_000 }).toBeGreaterThanOrEqual(atLeast);
  return readStatus(page);
}

/** Presses Step and waits for the status to show the next step. */
export async function stepOnce(page: Page): Promise<Status> {
  const before = (await readStatus(page)).step;
  await page.getByRole('button', { name: 'Step' }).click();
  return waitForStep(page, before + 1);
}

/** The figures in the Per-layer gradient norm table, input layer first. */
export async function layerNorms(page: Page): Promise<number[]> {
  const table = page.getByRole('table', { name: 'Per-layer gradient norm' });
  const cells = await table.locator('tbody tr td:last-child').allTextContents();
  return cells.map(Number);
}

/** A chart's text as a person reads its legend, thousands separators dropped ("step 1,992" → "step1992"). */
export async function chartText(page: Page, name: string): Promise<string> {
  return ((await page.getByRole('img', { name }).textContent()) ?? '').replace(/(\d),(?=\d{3})/g, '$1');
}

/** A column of the per-layer table by its heading ("RMS of h"), input layer first; '–' (not measured) reads as NaN. */
export async function layerColumn(page: Page, heading: string): Promise<number[]> {
  const table = page.getByRole('table', { name: 'Per-layer gradient norm' });
  const headings = await table.locator('thead th').allTextContents();
  const column = headings.findIndex((h) => h.trim() === heading);
  if (column < 1) throw new Error(`no column "${heading}" in ${headings.join(' | ')}`);
  const cells = await table.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents();
  return cells.map((c) => (c.trim() === '–' ? Number.NaN : Number(c)));
}
