// The charts' ranges with references (src/ui/chart-references.ts): they take the references in, Fix axes only lets them grow, and a drag-zoom passes through.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN } from '../src/core/settings';
import type { Reference } from '../src/store/store';
import { type HeldRanges, withReferenceRanges } from '../src/ui/chart-references';

const { backend: _backend, ...settings } = DEFAULT_RUN;
const reference = (steps: number[], loss: (number | null)[]): Reference => ({
  id: 1,
  origin: 'kept',
  settings,
  series: { step: steps, loss, l2: [], trainLoss: [], testLoss: [], trainAccuracy: [], testAccuracy: [], gradNorms: [], weightNorms: [], updateRatio: [] },
});
const lines = (r: Reference['series']) => [{ scale: 'y', values: r.loss, color: '#000' }];

/** A scale's range function called as uPlot calls it, with the plot's step values. */
function rangeOf(options: ReturnType<typeof withReferenceRanges>, key: string, steps: number[], min: number, max: number) {
  const range = options.scales![key].range as (u: unknown, min: number, max: number, key: string) => [number | null, number | null];
  return range({ data: [steps] }, min, max, key);
}

describe('chart ranges with references', () => {
  const options = { width: 100, height: 100, series: [{}, { scale: 'y' }], scales: { x: { time: false }, y: {} } };

  it('take a longer, higher reference in on both axes', () => {
    const withRef = withReferenceRanges(options, [reference([1, 2, 3, 400], [5, 4, 3, 9])], lines, null);
    expect(rangeOf(withRef, 'x', [1, 2, 3], 1, 3)).toEqual([1, 400]);
    const [lo, hi] = rangeOf(withRef, 'y', [1, 2, 3], 0.5, 2);
    expect(lo!).toBeLessThanOrEqual(0.5);
    expect(hi!).toBeGreaterThanOrEqual(9);
  });

  it('with Fix axes, only grow: a new run with smaller values reads against the old axes', () => {
    const held: HeldRanges = new Map();
    const fixed = withReferenceRanges(options, [], lines, held);
    expect(rangeOf(fixed, 'x', [1, 500], 1, 500)).toEqual([1, 500]);
    // after Reset: steps 1 … 20, and the axis stays at 1 … 500
    expect(rangeOf(fixed, 'x', [1, 20], 1, 20)).toEqual([1, 500]);
    // a run that goes further widens it
    expect(rangeOf(fixed, 'x', [1, 800], 1, 800)).toEqual([1, 800]);
    const unfixed = withReferenceRanges(options, [], lines, null);
    expect(rangeOf(unfixed, 'x', [1, 20], 1, 20)).toEqual([1, 20]);
  });

  it('pass a drag-zoom on the step axis through as selected', () => {
    const withRef = withReferenceRanges(options, [reference([1, 1000], [1, 1])], lines, new Map());
    expect(rangeOf(withRef, 'x', [1, 2, 3, 400], 50, 120)).toEqual([50, 120]);
  });
});
