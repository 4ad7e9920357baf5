// The Content-Security-Policy of the built pages (CPU backend): sent and written into the page, no violation while training and drawing every chart, an injected inline script blocked; bench.html under its own.
import { expect, type Page, test } from '@playwright/test';
import { APP_POLICY, BENCH_POLICY, headerValue, metaValue, type Policy } from '../csp';
import { openWith, stepOnce } from './helpers';

interface Watched {
  /** `directive blocked-uri source:line`, one per securitypolicyviolation event in the page. */
  violations: string[];
  errors: string[];
}

/** Collects the page's policy violations (as the page sees them) and its console errors, from before its first script. */
async function watch(page: Page): Promise<Watched> {
  const watched: Watched = { violations: [], errors: [] };
  await page.exposeFunction('reportViolation', (text: string) => watched.violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportViolation: (text: string) => void }).reportViolation(
        `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  return watched;
}

/** The policy the server sent for `path` and the one written into the page now open. */
async function policies(page: Page, path: string): Promise<{ header: string | undefined; meta: string | null }> {
  const response = await page.request.get(path);
  const meta = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null);
  return { header: response.headers()['content-security-policy'], meta };
}

function expectPolicy(got: { header: string | undefined; meta: string | null }, policy: Policy): void {
  expect(got.header).toBe(headerValue(policy));
  expect(got.meta).toBe(metaValue(policy));
  expect(got.meta).not.toContain('frame-ancestors'); // ignored in a <meta>, with a console error
}

test('the app runs under its policy: it trains, draws every chart, exports a PNG, and an injected inline script is blocked', async ({ page }) => {
  const watched = await watch(page);
  await openWith(page, 'dataset=fashion-mnist&model=mlp&depth=2&width=32&activation=tanh&batch=64&seed=3&backend=cpu');
  expectPolicy(await policies(page, '/'), APP_POLICY);
  expect(APP_POLICY['script-src']).not.toContain("'unsafe-inline'");

  // training runs in the module worker, whose CPU backend compiles its WebAssembly tiles
  await stepOnce(page);
  await stepOnce(page);
  for (const chart of ['Loss chart', 'Gradient norms chart', 'Growth through depth']) {
    await expect(page.getByRole('img', { name: chart }).locator('canvas'), chart).toHaveCount(1);
  }
  // Inside the network (open from the start): the histograms, the weight images, the update ratio
  await expect(page.getByRole('region', { name: 'Weight images' }).getByRole('img').first()).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Update-to-data ratio' }).getByRole('img')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download Loss chart as PNG' }).click();
  expect((await download).suggestedFilename()).toBe('loss-chart.png');

  // a two-dimensional data set draws its decision boundary (a fresh document, not a hash change)
  await page.goto('about:blank');
  await openWith(page, 'dataset=spiral&model=mlp&depth=1&width=16&batch=64&seed=3&backend=cpu');
  await stepOnce(page);
  await expect(page.getByRole('img', { name: 'Decision boundary' })).toBeVisible();

  expect(watched.violations).toEqual([]);
  expect(watched.errors).toEqual([]);

  // what an injection would do: an inline script, added to the page, does not run
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injectedScriptRan = true;';
    document.head.append(script);
    return (window as unknown as { injectedScriptRan?: boolean }).injectedScriptRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => watched.violations.length).toBeGreaterThan(0);
  for (const violation of watched.violations) expect(violation).toMatch(/^script-src-elem inline /);
});

test('bench.html runs under its own policy: TensorFlow.js and its wasm backend without a violation', async ({ page }) => {
  const watched = await watch(page);
  await page.goto('/bench.html');
  expectPolicy(await policies(page, '/bench.html'), BENCH_POLICY);
  const workloads = page.getByRole('group', { name: 'Workloads' });
  for (const box of await workloads.getByRole('checkbox').all()) await box.uncheck();
  await workloads.getByRole('checkbox', { name: 'softmax-step' }).check();
  await page.getByLabel('GPU memory after 10 and after 1,000 softmax steps').uncheck();
  await page.getByLabel('Timed rounds').fill('1');
  await page.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(page.getByRole('status')).toHaveText('Done.', { timeout: 120_000 });
  expect(await page.getByLabel('Benchmark results').textContent()).toMatch(/softmax-step +tfjs-wasm +[\d.]+/);
  expect(watched.violations).toEqual([]);
  expect(watched.errors).toEqual([]);
});
