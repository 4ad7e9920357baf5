// The metrics history within its memory budget: recent steps whole, older ones thinned, evaluations and breaks kept; and the bounded view the charts draw.
import { describe, expect, it } from 'vitest';
import { HISTORY_BUDGET, MetricsBuffer } from '../src/store/metrics-buffer';
import type { MetricPoint } from '../src/worker/protocol';

const LAYERS = 65;

function point(step: number): MetricPoint {
  const perLayer = Array.from({ length: LAYERS }, (_, l) => step + l / 100);
  return { step, epoch: 0, loss: 1 / step, l2: 0, trainAcc: 0.5, gradNorms: perLayer, weightNorms: perLayer, lambda: 0, lr: 0.1, batchSize: 8 };
}

function fill(buffer: MetricsBuffer, steps: number, evaluateEvery: number): void {
  for (let start = 1; start <= steps; start += 100) {
    buffer.append(Array.from({ length: Math.min(100, steps - start + 1) }, (_, i) => point(start + i)));
    const last = Math.min(steps, start + 99);
    if (last % evaluateEvery === 0) buffer.setEvaluation(last, { loss: 1, accuracy: 0.5, count: 10 }, { loss: 1, accuracy: 0.5, count: 10 });
  }
}

describe('the metrics history', () => {
  it('stays within its budget on a long 64-layer run, keeping the recent steps whole and the recent evaluations', () => {
    const buffer = new MetricsBuffer();
    fill(buffer, 60_000, 1000);
    const perStep = 8 + 3 * LAYERS;
    expect(buffer.size).toBeLessThanOrEqual(HISTORY_BUDGET + 100 * perStep);
    // 60,000 steps would hold 12 million values
    expect(60_000 * perStep).toBeGreaterThan(10 * HISTORY_BUDGET);
    const { steps } = buffer;
    expect(steps[0]).toBe(1);
    expect(steps.at(-1)).toBe(60_000);
    // the last 2,000 steps are all there
    expect(steps.slice(-2000)).toEqual(Array.from({ length: 2000 }, (_, i) => 58_001 + i));
    // the recent evaluations are all there with their values; older ones are thinned with their steps
    for (let e = 59_000; e <= 60_000; e += 1000) {
      const i = steps.indexOf(e);
      expect(i, `evaluation at ${e}`).toBeGreaterThanOrEqual(0);
      expect(buffer.testLoss[i]).toBe(1);
    }
    expect(steps.filter((step, i) => step <= 30_000 && buffer.testLoss[i] === 1).length).toBeGreaterThan(0);
    // the series stay aligned with the steps
    const middle = steps.findIndex((step) => step >= 30_000);
    expect(buffer.gradNorms[3][middle]).toBeCloseTo(steps[middle] + 0.03);
    expect(buffer.weightNorms[64][middle]).toBeCloseTo(steps[middle] + 0.64);
    expect(steps.every((step, i) => buffer.loss[i] === 1 / step)).toBe(true);
    // older steps were thinned: far fewer than the 58,000 before the recent ones
    expect(steps.length).toBeLessThan(10_000);
  });

  it('keeps a break between two models through a thinning', () => {
    const buffer = new MetricsBuffer();
    fill(buffer, 3000, 1_000_000);
    buffer.markNewWeights(3001, 'rebuild');
    buffer.append(Array.from({ length: 6000 }, (_, i) => point(3001 + i)));
    expect(buffer.steps.length).toBeLessThan(9001); // thinned
    expect(buffer.loss[buffer.steps.indexOf(3000.5)]).toBeNull();
  });

  it('gives the charts at most about the steps asked for, with the last step and every evaluation, and the buffer itself when short', () => {
    const buffer = new MetricsBuffer();
    fill(buffer, 1000, 500);
    expect(buffer.drawn(1500)).toBe(buffer);
    buffer.append(Array.from({ length: 9000 }, (_, i) => point(1001 + i)));
    const view = buffer.drawn(1500);
    expect(view.steps.length).toBeLessThanOrEqual(1500 + 3);
    expect(view.steps.at(-1)).toBe(10_000);
    // every evaluation the history holds is in the view
    const evaluated = buffer.steps.filter((_, i) => buffer.testLoss[i] === 1);
    expect(evaluated.length).toBeGreaterThan(0);
    for (const step of evaluated) expect(view.testLoss[view.steps.indexOf(step)]).toBe(1);
    expect(view.gradNorms).toHaveLength(LAYERS);
    expect(view.gradNorms[0]).toHaveLength(view.steps.length);
    expect(buffer.drawn(1500)).toBe(view); // one view a change, shared by the charts
  });
});
