// Histograms: the plain-loop rule (core/histogram.ts) on hand-worked values, and every backend's op (the WGSL kernel included) against it.
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import type { Backend } from '../src/core/backend';
import { HISTOGRAM_BINS, HISTOGRAM_SLOT, HISTOGRAM_WIDTH, histogramRange, histogramRow, rangeExponent, readHistogram } from '../src/core/histogram';
import { Rng } from '../src/core/rng';
import { webgpuBackend } from './helpers/webgpu';

let gpu: WebGpuBackend;

beforeAll(async () => {
  gpu = await webgpuBackend();
});

const NO_SATURATION = { center: 0, threshold: Infinity };

describe('the histogram rule', () => {
  it('bins values on the edges of a [−1, 1) range by the exact bin width 1/16', () => {
    const values = [-1, -0.9375, -0.5, -0, 0, 0.0625, 0.5, 0.999, 1];
    const h = readHistogram(histogramRow(values, NO_SATURATION), 0);
    expect(h.lo).toBe(-1);
    expect(h.hi).toBe(1);
    const bins = (v: number) => (v === 1 ? HISTOGRAM_BINS - 1 : Math.floor((v + 1) * 16));
    const want = new Array(HISTOGRAM_BINS).fill(0);
    for (const v of values) want[bins(v)] += 1;
    expect(h.counts).toEqual(want);
    expect(h.counts[0]).toBe(1); // −1 opens bin 0
    expect(h.counts[1]).toBe(1); // −0.9375 opens bin 1, not bin 0
    expect(h.counts[16]).toBe(2); // −0 and 0
    expect(h.counts[31]).toBe(2); // 0.999 and 1 (the top edge closes the last bin)
  });

  it('reads moments back in float64 where float32 squares would overflow', () => {
    const h = readHistogram(histogramRow([3e25, -4e25], NO_SATURATION), 0);
    expect(h.norm / 5e25).toBeCloseTo(1, 6);
    expect(h.mean / -5e24).toBeCloseTo(1, 6);
  });

  it('counts NaN and ±Inf apart and leaves them out of the range and the moments', () => {
    const h = readHistogram(histogramRow([Number.NaN, Infinity, -Infinity, -Infinity, 3, -1], NO_SATURATION), 0);
    expect([h.nan, h.positiveInfinity, h.negativeInfinity, h.finite]).toEqual([1, 1, 2, 2]);
    expect([h.lo, h.hi]).toEqual([-4, 4]);
    expect(h.mean).toBe(1);
    expect(h.norm).toBeCloseTo(Math.sqrt(10), 12);
    expect(h.spread).toBeCloseTo(2, 12);
  });

  it('starts at 0 when no value is negative, and counts saturation by |v − center| > threshold', () => {
    const h = readHistogram(histogramRow([0, 0.01, 0.5, 0.98, 0.99], { center: 0.5, threshold: 0.47 }), 0);
    expect([h.lo, h.hi]).toEqual([0, 1]);
    expect(h.saturated).toBe(4); // 0, 0.01, 0.98, 0.99
    expect(h.counts[0]).toBe(2);
    expect(h.counts[16]).toBe(1);
  });

  it('takes the smallest power of two at or above the largest magnitude', () => {
    expect(rangeExponent(1)).toBe(0);
    expect(rangeExponent(Math.fround(1.0000001))).toBe(1);
    expect(rangeExponent(0.75)).toBe(0);
    expect(rangeExponent(0.5)).toBe(-1);
    expect(rangeExponent(3e-12)).toBe(-38);
    expect(rangeExponent(0)).toBe(-100);
    expect(rangeExponent(1e38)).toBe(100);
    expect(histogramRange(3, true)).toEqual({ lo: -4, hi: 4, scale: 4 });
    expect(histogramRange(3, false)).toEqual({ lo: 0, hi: 4, scale: 8 });
  });
});

/** Awkward inputs: sizes around the workgroup's 256, exact bin edges, signed zeros, NaN, ±Inf, tiny and huge scales. */
function cases(): [string, Float32Array][] {
  const rng = new Rng(7);
  const random = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
  const edges = Float32Array.from({ length: 300 }, (_, i) => ((i % 65) - 32) / 16); // every edge of [−2, 2)
  const special = random(257, 1);
  special.set([Number.NaN, Infinity, -Infinity, -0, 0, 2, -2, Number.NaN], 13);
  const positive = Float32Array.from(random(1000, 0.3), Math.abs);
  return [
    ['one value', Float32Array.of(0.3)],
    ['255 normal values', random(255, 1)],
    ['bin edges of [−2, 2)', edges],
    ['257 with NaN, ±Inf and signed zeros', special],
    ['1000 non-negative (ReLU-like)', positive],
    ['gradients of 1e-11', random(4097, 1e-11)],
    ['weights of 1e17', random(999, 1e17)],
    ['exploded activations of 1e25 (their squares overflow float32)', random(300, 1e25)],
    ['65,537 values', random(65537, 2)],
    ['all NaN', Float32Array.from({ length: 40 }, () => Number.NaN)],
  ];
}

describe('every backend histograms as the rule says', () => {
  const backends = (): [string, Backend][] => [
    ['reference', new ReferenceBackend()],
    ['cpu', new CpuBackend()],
    ['webgpu', gpu],
  ];
  const rules = [NO_SATURATION, { center: 0.5, threshold: 0.4743 }, { center: 0, threshold: 0.9487 }];

  for (const [name, values] of cases()) {
    it(`${name}: counts equal exactly, moments within float32 summation`, async () => {
      for (const [backendName, be] of backends()) {
        const out = be.tensor(4, HISTOGRAM_WIDTH);
        // a slice at a non-zero offset, as the model's weights are
        const holder = be.tensor(1, 64 + values.length);
        be.write(holder, Float32Array.from([...new Array(64).fill(99), ...values]));
        const x = be.slice(holder, 64, 1, values.length);
        for (const [r, rule] of rules.entries()) be.histogram(out, r + 1, x, rule);
        const got = await be.read(out);
        for (const [r, rule] of rules.entries()) {
          const want = histogramRow(values, rule);
          const row = got.subarray((r + 1) * HISTOGRAM_WIDTH, (r + 2) * HISTOGRAM_WIDTH);
          const exact = [
            ...Array(HISTOGRAM_BINS).keys(),
            ...['negativeInfinity', 'positiveInfinity', 'nan', 'lo', 'hi', 'saturated'].map((k) => HISTOGRAM_SLOT[k as keyof typeof HISTOGRAM_SLOT]),
          ];
          for (const slot of exact) expect(row[slot], `${backendName} ${name} slot ${slot} rule ${r}`).toBe(want[slot]);
          // a float32 sum of n terms of v/hi: within n·2⁻²⁴ of Σ|v/hi| (Σ (v/hi)² for the squares)
          const hi = want[HISTOGRAM_SLOT.hi];
          const finite = values.filter(Number.isFinite).map((v) => v / hi);
          const bound = (f: (v: number) => number) => finite.length * 2 ** -24 * finite.reduce((a, v) => a + f(v), 0) + 1e-30;
          expect(Math.abs(row[HISTOGRAM_SLOT.sum] - want[HISTOGRAM_SLOT.sum]), `${backendName} ${name} Σv`).toBeLessThanOrEqual(bound(Math.abs));
          expect(Math.abs(row[HISTOGRAM_SLOT.sumSquares] - want[HISTOGRAM_SLOT.sumSquares]), `${backendName} ${name} Σv²`).toBeLessThanOrEqual(
            bound((v) => v * v),
          );
        }
        // rows not written stay zero
        expect(
          Array.from(got.subarray(0, HISTOGRAM_WIDTH)).every((v) => v === 0),
          `${backendName} row 0`,
        ).toBe(true);
        be.free(out);
        be.free(holder);
      }
    });
  }

  it('refuses a row outside the tensor, naming it', () => {
    const be = new ReferenceBackend();
    const out = be.tensor(2, HISTOGRAM_WIDTH);
    expect(() => be.histogram(out, 2, be.tensor(1, 3), NO_SATURATION)).toThrow(/row 2 of a \(2, 40\) tensor/);
    expect(() => gpu.histogram(gpu.tensor(1, 8), 0, gpu.tensor(1, 3), NO_SATURATION)).toThrow(/\(1, 8\)/);
  });
});
