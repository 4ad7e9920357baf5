// The decision boundary's host-side forward pass against the CPU backend's layers, and its grid.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { boundaryAffordable, gridFor, gridPoints, predict } from '../src/core/boundary';
import { Mlp } from '../src/core/model';
import { Rng } from '../src/core/rng';
import { ACTIVATIONS } from '../src/core/settings';

describe('decision boundary', () => {
  for (const activation of ACTIVATIONS) {
    it(`predicts the argmax of the CPU backend's logits on every grid cell (${activation}, 2 → 9 → 7 → 4)`, async () => {
      const be = new CpuBackend({ precision: 'f64' });
      const model = new Mlp(be, 2, [9, 7], 4, activation);
      const rng = new Rng(5);
      model.initialize({ init: 'normal', sigma: 1.5, initValue: 0 }, rng);
      const params = Float64Array.from(await be.read(model.params));
      for (const layer of model.layers) for (let j = 0; j < layer.fanOut; j++) params[layer.offset + layer.fanIn * layer.fanOut + j] = rng.normal();
      be.write(model.params, params);
      const grid = gridFor(Float32Array.from([-2, -1, 3, 0.5, 0, 4]), model.layers);
      const points = gridPoints(grid);
      const { classes: predicted, confidence } = predict(params, model.layers, activation, points);
      // the same points through the backend's own layers
      const n = points.length / 2;
      let h = be.tensor(n, 2, points);
      model.layers.forEach((layer, l) => {
        const out = be.tensor(n, layer.fanOut);
        be.linearForward(out, h, layer.P, l === model.layers.length - 1 ? 'identity' : activation);
        h = out;
      });
      const logits = await be.read(h);
      const want = Array.from({ length: n }, (_, i) => {
        const row = Array.from(logits.subarray(i * 4, i * 4 + 4));
        return row.indexOf(Math.max(...row));
      });
      expect(Array.from(predicted)).toEqual(want);
      expect(new Set(want).size, 'the grid should show more than one class').toBeGreaterThan(1);
      // the confidence is the largest softmax probability of the same logits
      for (let i = 0; i < n; i += 97) {
        const row = Array.from(logits.subarray(i * 4, i * 4 + 4));
        const top = Math.max(...row);
        const expected = 1 / row.reduce((sum, v) => sum + Math.exp(v - top), 0);
        expect(confidence[i]).toBeCloseTo(expected, 6);
        expect(confidence[i]).toBeGreaterThanOrEqual(0.25 - 1e-7);
      }
    });
  }

  it('covers the data with a margin, top row first, and shrinks the grid for big models', () => {
    const grid = gridFor(Float32Array.from([0, 0, 10, 20]), [{ fanIn: 2, fanOut: 3, offset: 0 }]);
    expect(grid).toEqual({ xMin: -1, xMax: 11, yMin: -2, yMax: 22, size: 64 });
    const points = gridPoints(grid);
    expect(points[0]).toBeCloseTo(-1 + 12 / 128); // first cell centre, left
    expect(points[1]).toBeCloseTo(22 - 24 / 128); // top
    const big = gridFor(Float32Array.from([0, 0, 1, 1]), [
      { fanIn: 2, fanOut: 1024, offset: 0 },
      { fanIn: 1024, fanOut: 1024, offset: 0 },
    ]);
    expect(big.size).toBe(16);
  });
});

describe('which models get a boundary', () => {
  const layers = (widths: number[]) => widths.slice(1).map((fanOut, l) => ({ fanIn: widths[l], fanOut, offset: 0 }));
  it('predicts over the grid for the playground’s 2-D models, and not for a 64 × 1024 one (17 billion multiply-adds on the smallest grid)', () => {
    expect(boundaryAffordable(layers([2, 256, 3]))).toBe(true);
    expect(boundaryAffordable(layers([2, ...new Array(64).fill(8), 3]))).toBe(true);
    expect(boundaryAffordable(layers([2, ...new Array(10).fill(256), 3]))).toBe(true);
    expect(boundaryAffordable(layers([2, ...new Array(64).fill(1024), 3]))).toBe(false);
    expect(boundaryAffordable(layers([2, ...new Array(3).fill(1024), 3]))).toBe(false);
  });
});
