// A 64-layer run for a minute, measured as the prober measured it: the page's heap stays bounded and its main thread never blocks for long (CPU backend).
import { expect, test } from '@playwright/test';
import { openWith, readStatus } from './helpers';

/** How long the run is watched (the issue asks for at least a minute). */
const WATCH_MS = 60_000;

test('64 hidden layers for a minute: no main-thread task over 100 ms (one outlier under 300 ms let pass), the heap within 40 MB of where it started, Pause at once', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // every long task from the start, as the page sees them
  await page.addInitScript(() => {
    const seen: { start: number; duration: number }[] = [];
    (window as unknown as { longTasks: typeof seen }).longTasks = seen;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) seen.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await openWith(page, 'backend=cpu&dataset=spiral&depth=64&width=8&lr=0.05');
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;
  };
  await page.getByRole('button', { name: 'Train' }).click();
  await page.waitForTimeout(10_000); // past the start (the charts' and the table's first layout)
  const heapBefore = await heap();
  const from = await page.evaluate(() => performance.now());
  const stepBefore = (await readStatus(page)).step;
  await page.waitForTimeout(WATCH_MS);
  const to = await page.evaluate(() => performance.now());
  const heapAfter = await heap();
  const stepAfter = (await readStatus(page)).step;
  const tasks = await page.evaluate(
    ([a, b]) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= a && t.start <= b),
    [from, to],
  );
  const longest = Math.max(0, ...tasks.map((t) => t.duration));
  const blocked = tasks.reduce((sum, t) => sum + t.duration, 0);
  const started = Date.now();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
  const pause = Date.now() - started;
  console.log(
    `64 × 8 for ${WATCH_MS / 1000} s: steps ${stepBefore} → ${stepAfter}, heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB, ` +
      `${tasks.length} long tasks (${blocked.toFixed(0)} ms in all, longest ${longest.toFixed(0)} ms), Pause ${pause} ms`,
  );
  expect(stepAfter - stepBefore).toBeGreaterThan(1000);
  // no task over 100 ms; one is let pass (under 300 ms) for this shared two-core machine, where another
  // process can hold the page's thread for a moment (before the fix: 273 tasks, the longest 16 s)
  const over = tasks.filter((t) => t.duration > 100);
  expect(over.length).toBeLessThanOrEqual(1);
  expect(longest).toBeLessThan(300);
  expect(heapAfter - heapBefore).toBeLessThan(40);
  // from the click to the Train button back, Playwright's own polling included (the worker answers between windows of ~150 ms)
  expect(pause).toBeLessThan(1500);
});
