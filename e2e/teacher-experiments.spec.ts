// A teacher's kit, used as a teacher would: keep a run as a reference, download it as CSV and JSON, import it back, refuse a broken file, copy a link, and a phone's width (CPU backend).
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { openWith, readStatus, stepOnce, waitForStep } from './helpers';

const RUN = 'dataset=spiral&model=mlp&depth=2&width=16&activation=tanh&init=xavier-uniform&lr=0.3&batch=32&seed=4&backend=cpu';

async function trainTo(page: Page, steps: number): Promise<void> {
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForStep(page, steps);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
}

async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const wait = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const file = await wait;
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

test('Keep as reference draws the run behind the next one, named by its settings in the charts’ legends; Clear references removes it', async ({ page }) => {
  await openWith(page, RUN);
  await trainTo(page, 30);
  await page.getByRole('button', { name: 'Keep as reference' }).click();
  const legend = page.getByRole('list', { name: 'References in the Gradient norms chart' });
  await expect(legend).toContainText('Reference 1 (kept): MLP 2×16 tanh · Xavier uniform · Learning rate 0.3');
  await expect(page.getByRole('list', { name: 'References in the Loss chart' })).toContainText('Reference 1 (kept)');
  // a second run with another learning rate, read against the first
  await page.getByLabel('Learning rate').fill('0.05');
  await page.getByLabel('Learning rate').press('Enter');
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByRole('status')).toContainText('step 0');
  await page.getByLabel('Fix axes').check();
  await stepOnce(page);
  await page.getByRole('button', { name: 'Keep as reference' }).click();
  await page.getByRole('button', { name: 'Keep as reference' }).click();
  await expect(legend.getByRole('listitem')).toHaveCount(3);
  await expect(legend).toContainText('Learning rate 0.05');
  await page.getByRole('button', { name: 'Clear references' }).click();
  await expect(legend).toHaveCount(0);
});

test('Download CSV has a header and a row per step; Download JSON imports back as a reference; a broken file is refused by name', async ({ page }) => {
  await openWith(page, RUN);
  await trainTo(page, 25);
  const { step } = await readStatus(page);
  const csv = await downloaded(page, 'Download CSV');
  expect(csv.name).toMatch(/\.csv$/);
  const rows = csv.text.trimEnd().split('\n');
  expect(rows[0]).toMatch(/^step,batch loss,L2 term,training-set loss,test loss,training-set accuracy,test accuracy,grad norm layer 1,/);
  expect(rows).toHaveLength(1 + step);
  expect(rows.at(-1)!.split(',')[0]).toBe(String(step));

  const json = await downloaded(page, 'Download JSON');
  const run = JSON.parse(json.text);
  expect(run).toMatchObject({ format: 'gradient-lab-run', version: 1, settings: { lr: 0.3, depth: 2 } });
  expect(run.settings.backend).toBeUndefined();
  expect(run.series.step).toHaveLength(step);

  const input = page.getByLabel('Run file to import');
  await input.setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(json.text) });
  const tools = page.getByRole('region', { name: 'Take the run away' });
  await expect(tools).toContainText(`Imported run.json as a reference: MLP 2×16 tanh`);
  await expect(tools).toContainText(`${step} steps`);
  await expect(page.getByRole('list', { name: 'References in the Loss chart' })).toContainText('Reference 1 (imported): MLP 2×16 tanh');

  // truncated, and foreign: refused with what is wrong, the live run untouched
  await input.setInputFiles({ name: 'cut.json', mimeType: 'application/json', buffer: Buffer.from(json.text.slice(0, 200)) });
  await expect(tools).toContainText('cut.json was not imported: the file is not JSON');
  await input.setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"keras","version":1}') });
  await expect(tools).toContainText('other.json was not imported: format is "keras"');
  expect((await readStatus(page)).step).toBe(step);
  await expect(page.getByRole('list', { name: 'References in the Loss chart' }).getByRole('listitem')).toHaveCount(1);
});

test('Copy link gives a link without the backend that opens the same settings', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openWith(page, `${RUN}&lambda=0.01`);
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.getByLabel('Link to these settings').inputValue();
  expect(link).not.toContain('backend=');
  expect(link).toContain('lambda=0.01');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  const other = await context.newPage();
  await other.goto(link);
  await expect(other.getByRole('button', { name: 'Step' })).toBeEnabled();
  for (const [label, value] of [
    ['Learning rate', '0.3'],
    ['Weight decay λ', '0.01'],
    ['Hidden layers', '2'],
    ['Width', '16'],
  ]) {
    await expect(other.getByLabel(label, { exact: true })).toHaveValue(value);
  }
  await expect(other.getByLabel('Backend', { exact: true })).toHaveValue('auto');
});

test('At a phone’s width (390 px) nothing scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await openWith(page, 'experiment=vanishing&backend=cpu');
  await stepOnce(page);
  await page.getByRole('button', { name: 'Keep as reference' }).click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
});

test('The live status announces changes of state, not every step; Presentation mode enlarges the type', async ({ page }) => {
  await openWith(page, RUN);
  await expect(page.getByRole('status')).toHaveAttribute('aria-live', 'off');
  await page.getByRole('button', { name: 'Train' }).click();
  // nothing was said on load (the backend chosen then is in the status line)
  expect(await page.getByText(/^Backend: /).count()).toBe(0);
  await expect(page.getByText(/^Training started at step \d+\.$/)).toHaveCount(1);
  await waitForStep(page, 20);
  // twenty steps later the same sentence stands: steps are not announced
  await expect(page.getByText(/^Training started at step \d+\.$/)).toHaveCount(1);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible(); // paused: the status is final
  const { step } = await readStatus(page);
  await expect(page.getByText(`Paused at step ${step}.`)).toHaveCount(1);
  const size = async () => Number.parseFloat(await page.getByRole('status').evaluate((e) => getComputedStyle(e).fontSize));
  const before = await size();
  await page.getByLabel('Presentation mode').check();
  expect(await size()).toBeGreaterThan(before * 1.2);
});

test('Language: 中文 changes every visible label to the book’s Chinese terms, is kept in the link, and survives a reload', async ({ page }) => {
  await openWith(page, 'experiment=weight-decay&backend=cpu');
  await stepOnce(page);
  const english = ['Train', 'Step', 'Reset', 'Learning rate', 'Weight decay λ', 'Batch size', 'Loss chart', 'Computational graph', 'Keep as reference'];
  const before = await page.locator('body').innerText();
  for (const text of english) expect(before, text).toContain(text);
  await page.getByLabel('Language', { exact: true }).selectOption({ label: '中文' });
  await expect(page).toHaveURL(/lang=zh/);
  const chinese = async () => {
    await expect(page.getByLabel('语言', { exact: true })).toHaveValue('zh');
    await expect(page.getByRole('button', { name: '训练' })).toBeVisible();
    await expect(page.getByRole('button', { name: '单步' })).toBeVisible();
    await expect(page.getByLabel('学习率', { exact: true })).toBeVisible();
    await expect(page.getByLabel('权重衰减 λ', { exact: true })).toBeVisible();
    await expect(page.getByLabel('批量大小', { exact: true })).toBeVisible();
    await expect(page.getByLabel('激活函数', { exact: true })).toBeDisabled(); // softmax regression: no hidden layer
    await expect(page.getByRole('region', { name: '关于这个实验' })).toContainText('权重衰减');
    await expect(page.getByRole('region', { name: '计算图' })).toBeVisible();
    await expect(page.getByRole('img', { name: '损失图' })).toBeVisible();
    await expect(page.getByRole('button', { name: '保留为参照' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText(/第 \d+ 步/);
  };
  await chinese();
  // no English label, legend, caption or button text is left on the screen (the mathematics aside)
  const text = await page.locator('body').innerText();
  for (const word of [
    ...english,
    'Hidden layers',
    'Initializer',
    'Dataset',
    'Confusion matrix',
    'Misclassified',
    'Gradient norms',
    'What is this',
    'Download',
    'test accuracy',
    'About this experiment',
  ]) {
    expect(text, word).not.toContain(word);
  }
  await page.reload();
  await chinese();
  // a broken file is refused in Chinese
  await page
    .getByLabel('要导入的训练文件')
    .setInputFiles({ name: 'cut.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "gradient-lab-run", "ver') });
  await expect(page.getByRole('region', { name: '带走这次训练' })).toContainText('cut.json 未导入：文件不是 JSON');
  // a refused value says so in Chinese, naming the field and the range
  await page.getByLabel('学习率', { exact: true }).fill('-1');
  await expect(page.getByRole('alert')).toContainText('学习率“-1”不可用：应为 0（不含） 到');
});

test('A link’s ignored values are listed in the page’s language', async ({ page }) => {
  await page.goto('/#depth=abc&colour=blue&experiment=nope&lang=zh&backend=cpu');
  const note = page.getByRole('note');
  await expect(note).toContainText('链接中被忽略的值（使用默认值）');
  await expect(note).toContainText('depth=abc（隐藏层数“abc”不可用：应为 1 到 64 之间的整数）');
  await expect(note).toContainText('colour=blue（未知的设置）');
  await expect(note).toContainText('experiment=nope（未知的实验）');
});
