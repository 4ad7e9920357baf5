// Data and randomness: the Fashion-MNIST split, the synthetic sets, the seeded PRNG, the initialisers and uniform packing.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { packParams, parseParamsStruct } from '../src/backends/webgpu/kernels';
import { balancedSubset } from '../src/core/data/subset';
import { makeSynthetic, SYNTHETIC_NAMES } from '../src/core/data/synthetic';
import { initWeights } from '../src/core/init';
import { Rng } from '../src/core/rng';
import { fashionMnist } from './helpers/data';

describe('Fashion-MNIST', () => {
  it('splits 60,000 / 10,000 with 1,000 test images per class, 784 pixels each', () => {
    const data = fashionMnist();
    expect(data.train.count).toBe(60_000);
    expect(data.test.count).toBe(10_000);
    expect(data.inputDim).toBe(784);
    const perClass = new Array(10).fill(0);
    for (const label of data.test.labels) perClass[label] += 1;
    expect(perClass).toEqual(new Array(10).fill(1000));
    const trainPerClass = new Array(10).fill(0);
    for (const label of data.train.labels) trainPerClass[label] += 1;
    expect(trainPerClass).toEqual(new Array(10).fill(6000));
  });

  it('gathers pixels scaled to [0, 1] with their labels', async () => {
    const data = fashionMnist();
    const be = new CpuBackend();
    // a layer with W = I and b = 0 passes the gathered batch through unchanged
    const identity = new Float32Array(785 * 784);
    for (let i = 0; i < 784; i++) identity[i * 784 + i] = 1;
    const xt = be.tensor(3, 784);
    const source = {
      data: be.dataset(data.train.features, data.train.featureScale, data.train.labels, 784),
      order: be.indices(Uint32Array.from([5, 0, 59_999])),
      start: 0,
      rows: 3,
    };
    be.linearForward(xt, source, be.tensor(785, 784, identity), 'identity');
    const x = await be.read(xt);
    // and the labels: the loss gradient over zero logits is 1/q − onehot, negative at the label
    const dO = be.tensor(3, 10);
    be.linearForwardLoss(dO, be.tensor(1, 2), 0, source, be.tensor(785, 10), source, 1);
    const grad = await be.read(dO);
    const y = [0, 1, 2].map((r) => Array.from(grad.slice(r * 10, r * 10 + 10)).findIndex((v) => v < 0));
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    expect(Math.max(...x)).toBeGreaterThan(0.5); // real images, not blanks
    expect(x[784 + 100]).toBeCloseTo(data.train.features[100] / 255, 7);
    expect(Array.from(y)).toEqual([data.train.labels[5], data.train.labels[0], data.train.labels[59_999]]);
  });
});

describe('synthetic 2-D sets', () => {
  for (const name of SYNTHETIC_NAMES) {
    it(`${name}: reproducible from its seed, balanced, and noise moves points`, () => {
      const a = makeSynthetic(name, { seed: 5, noise: 0.1 });
      const b = makeSynthetic(name, { seed: 5, noise: 0.1 });
      const c = makeSynthetic(name, { seed: 6, noise: 0.1 });
      const quiet = makeSynthetic(name, { seed: 5, noise: 0 });
      expect(Array.from(a.train.features)).toEqual(Array.from(b.train.features));
      expect(Array.from(a.train.features)).not.toEqual(Array.from(c.train.features));
      expect(Array.from(a.train.features)).not.toEqual(Array.from(quiet.train.features));
      const counts = new Array(a.numClasses).fill(0);
      for (const label of a.train.labels) counts[label] += 1;
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      expect(a.train.features.every(Number.isFinite)).toBe(true);
    });
  }

  it('refuses bad options with the field and range', () => {
    expect(() => makeSynthetic('spiral', { seed: 1, noise: -1 })).toThrow(/noise -1 is not allowed: must be a number from 0 to 10/);
    expect(() => makeSynthetic('blobs', { seed: 1, noise: 0.1, classes: 11 })).toThrow(/classes 11 .*from 2 to 10/);
  });
});

describe('the seeded PRNG', () => {
  it('is reproducible, and forks are independent streams', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const draws = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(draws);
    const fork = new Rng(42).fork();
    expect(Array.from({ length: 5 }, () => fork.nextUint32())).not.toEqual(draws);
  });

  it('draws uniforms with mean 1/2 and normals with mean 0, variance 1', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let sumU = 0;
    let sumN = 0;
    let sumN2 = 0;
    for (let i = 0; i < n; i++) {
      sumU += rng.uniform();
      const z = rng.normal();
      sumN += z;
      sumN2 += z * z;
    }
    // standard errors: 0.29/√n ≈ 6.5e-4 and 1/√n ≈ 2.2e-3; allow 5 of them
    expect(Math.abs(sumU / n - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(sumN / n)).toBeLessThan(1.1e-2);
    expect(Math.abs(sumN2 / n - 1)).toBeLessThan(1.6e-2);
  });
});

describe('initialisers', () => {
  const std = (w: Float64Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  it('match their textbook spreads', () => {
    const rng = new Rng(3);
    const mx = initWeights({ init: 'mxnet-default', sigma: 1, initValue: 0 }, 300, 200, rng);
    expect(Math.max(...mx.map(Math.abs))).toBeLessThanOrEqual(0.07);
    expect(std(mx)).toBeCloseTo(0.07 / Math.sqrt(3), 3);
    const xavier = initWeights({ init: 'xavier-uniform', sigma: 1, initValue: 0 }, 300, 200, rng);
    const a = Math.sqrt(6 / 500);
    expect(Math.max(...xavier.map(Math.abs))).toBeLessThanOrEqual(a);
    expect(std(xavier)).toBeCloseTo(a / Math.sqrt(3), 3);
    expect(std(initWeights({ init: 'normal', sigma: 0.5, initValue: 0 }, 300, 200, rng))).toBeCloseTo(0.5, 2);
    expect(std(initWeights({ init: 'he-normal', sigma: 1, initValue: 0 }, 300, 200, rng))).toBeCloseTo(Math.sqrt(2 / 300), 3);
    expect(initWeights({ init: 'zeros', sigma: 1, initValue: 0 }, 3, 4, rng).every((v) => v === 0)).toBe(true);
    expect(Array.from(initWeights({ init: 'constant', sigma: 1, initValue: -0.25 }, 3, 4, rng))).toEqual(new Array(12).fill(-0.25));
  });
});

describe('a training set of fewer examples', () => {
  const split = (count: number) => {
    const labels = Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10);
    return { count, features: Float32Array.from({ length: count * 3 }, (_, i) => i), featureScale: 1, labels }; // every row its own
  };

  it('is balanced by class, keeps each sample whole and in stored order, and is fixed by the seed', () => {
    const full = split(1000);
    const subset = balancedSubset(full, 53, 10, 7);
    expect(subset.count).toBe(53);
    const perClass = Array.from({ length: 10 }, (_, c) => subset.labels.filter((l) => l === c).length);
    expect(Math.max(...perClass) - Math.min(...perClass)).toBeLessThanOrEqual(1);
    // every picked row is a row of the full split with its own label
    const rows = new Map<string, number>();
    for (let i = 0; i < full.count; i++) rows.set(Array.from(full.features.subarray(3 * i, 3 * i + 3)).join(','), full.labels[i]);
    for (let r = 0; r < subset.count; r++) expect(rows.get(Array.from(subset.features.subarray(3 * r, 3 * r + 3)).join(','))).toBe(subset.labels[r]);
    expect(balancedSubset(full, 53, 10, 7)).toEqual(subset);
    expect(balancedSubset(full, 53, 10, 8).features).not.toEqual(subset.features);
  });

  it('takes all of a rare class and fills up from the others; the whole set for a count at least its size', () => {
    const skewed = { ...split(40), labels: Uint8Array.from({ length: 40 }, (_, i) => (i < 2 ? 0 : 1)) };
    const subset = balancedSubset(skewed, 12, 2, 1);
    expect(subset.labels.filter((l) => l === 0)).toHaveLength(2);
    expect(subset.labels.filter((l) => l === 1)).toHaveLength(10);
    const full = split(30);
    expect(balancedSubset(full, 30, 10, 1)).toBe(full);
    expect(balancedSubset(full, 60000, 10, 1)).toBe(full);
  });
});

describe('uniform layouts come from the WGSL struct', () => {
  const source = 'struct Params {\n  M: u32, // rows\n  alpha: f32,\n}';
  it('packs fields in struct order', () => {
    const fields = parseParamsStruct(source, 'test');
    expect(fields).toEqual([
      { name: 'M', type: 'u32' },
      { name: 'alpha', type: 'f32' },
    ]);
    const view = new DataView(new ArrayBuffer(8));
    packParams(fields, { alpha: 0.5, M: 7 }, view, 0, 'test');
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(4, true)).toBe(0.5);
  });
  it('refuses a missing or unknown field', () => {
    const fields = parseParamsStruct(source, 'test');
    const view = new DataView(new ArrayBuffer(8));
    expect(() => packParams(fields, { M: 1 }, view, 0, 'test')).toThrow(/Params has fields M, alpha; got M/);
    expect(() => packParams(fields, { M: 1, beta: 2 }, view, 0, 'test')).toThrow(/alpha was not given/);
    expect(() => parseParamsStruct('struct Params { v: vec4<f32> }', 'x')).toThrow(/not a u32, i32 or f32 scalar/);
  });
});
