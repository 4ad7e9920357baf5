// Every WebGPU kernel against the CPU reference backend, on awkward shapes, with the tolerance of each op.
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import {
  type ActivationKind,
  type Backend,
  type Gathered,
  type LabelTensor,
  type LayerInput,
  PARTIAL_TILE,
  partialTiles,
  type Tensor,
} from '../src/core/backend';
import { Rng } from '../src/core/rng';
import { webgpuBackend } from './helpers/webgpu';

let gpu: WebGpuBackend;
const cpu = new CpuBackend();

beforeAll(async () => {
  gpu = await webgpuBackend();
});

function randomValues(count: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count }, () => rng.uniformIn(-scale, scale));
}

/** Largest |gpu − cpu| / (atol + rtol·|bound|) over all entries; ≤ 1 passes. */
function worstRatio(got: ArrayLike<number>, want: ArrayLike<number>, tol: { atol: number; rtol: number }, bound: ArrayLike<number> = want): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const allowed = tol.atol + tol.rtol * Math.abs(bound[i]);
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / allowed);
    if (Number.isNaN(got[i]) !== Number.isNaN(want[i])) return Infinity;
  }
  return worst;
}

async function onBoth<T>(run: (be: Backend) => Promise<T>): Promise<[T, T]> {
  return [await run(cpu), await run(gpu)];
}

const matmulShapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 33],
  [33, 257, 7],
  [257, 3, 10],
  [7, 33, 1],
  [17, 31, 257],
];

describe('matmul: out = op(a) · op(b)', () => {
  // float32 accumulation: |error| ≤ rtol · Σ_p |a_ip · b_pj| (the sum's own conditioning)
  const tol = { atol: 1e-7, rtol: 1e-5 };
  for (const [m, k, n] of matmulShapes) {
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      it(`(${m}×${k})${transA ? 'ᵀ-stored' : ''} · (${k}×${n})${transB ? 'ᵀ-stored' : ''}`, async () => {
        const aValues = randomValues(m * k, m * 1000 + k);
        const bValues = randomValues(k * n, n * 1000 + k);
        const run = async (be: Backend, av: Float32Array, bv: Float32Array) => {
          const a = transA ? be.tensor(k, m, av) : be.tensor(m, k, av);
          const b = transB ? be.tensor(n, k, bv) : be.tensor(k, n, bv);
          const out = be.tensor(m, n);
          be.matmul(out, a, b, { transA, transB });
          return be.read(out);
        };
        const [want, got] = await onBoth((be) => run(be, aValues, bValues));
        const absDot = await run(cpu, aValues.map(Math.abs), bValues.map(Math.abs));
        expect(worstRatio(got, want, tol, absDot)).toBeLessThanOrEqual(1);
      });
    }
  }

  it('rejects shapes that do not fit, naming them', () => {
    const a = gpu.tensor(3, 4);
    const b = gpu.tensor(5, 2);
    expect(() => gpu.matmul(gpu.tensor(3, 2), a, b)).toThrow(/a \(3, 4\) · b \(5, 2\)/);
  });

  it('computes into a view of fewer rows without touching the rest', async () => {
    const [want, got] = await onBoth(async (be) => {
      const a = be.tensor(5, 3, randomValues(15, 1));
      const b = be.tensor(3, 4, randomValues(12, 2));
      const out = be.tensor(5, 4, new Float32Array(20).fill(7));
      be.matmul(be.view(out, 2), be.view(a, 2), b);
      return be.read(out);
    });
    expect(Array.from(got.slice(8))).toEqual(new Array(12).fill(7));
    expect(worstRatio(got, want, { atol: 1e-6, rtol: 1e-6 })).toBeLessThanOrEqual(1);
  });
});

const elementShapes: [number, number][] = [
  [1, 1],
  [3, 7],
  [33, 10],
  [257, 33],
];

describe('elementwise ops', () => {
  for (const [rows, cols] of elementShapes) {
    it(`addBias and columnSums on (${rows}, ${cols})`, async () => {
      const zValues = randomValues(rows * cols, rows + cols);
      const bValues = randomValues(cols, cols);
      const [want, got] = await onBoth(async (be) => {
        const z = be.tensor(rows, cols, zValues);
        be.addBias(z, be.tensor(1, cols, bValues));
        const db = be.tensor(1, cols);
        be.columnSums(db, z);
        return [await be.read(z), await be.read(db)];
      });
      expect(worstRatio(got[0], want[0], { atol: 1e-7, rtol: 1e-7 })).toBeLessThanOrEqual(1); // one f32 add: exact
      expect(worstRatio(got[1], want[1], { atol: 1e-5, rtol: 1e-5 })).toBeLessThanOrEqual(1); // a sum of ≤ 257 terms
    });

    for (const kind of ['relu', 'sigmoid', 'tanh', 'identity'] as ActivationKind[]) {
      it(`${kind} forward and backward on (${rows}, ${cols}), inputs in ±20`, async () => {
        const zValues = randomValues(rows * cols, 7 * rows + cols, 20);
        const dValues = randomValues(rows * cols, 11 * rows + cols);
        const [want, got] = await onBoth(async (be) => {
          const z = be.tensor(rows, cols, zValues);
          const h = be.tensor(rows, cols);
          be.activationForward(h, z, kind);
          const dz = be.tensor(rows, cols, dValues);
          be.activationBackward(dz, z, h, kind);
          return [await be.read(h), await be.read(dz)];
        });
        // exp and tanh in WGSL are not correctly rounded: a few ulp of a value ≤ 1
        const tol = { atol: 1e-6, rtol: 1e-6 };
        expect(worstRatio(got[0], want[0], tol)).toBeLessThanOrEqual(1);
        expect(worstRatio(got[1], want[1], tol)).toBeLessThanOrEqual(1);
      });
    }

    it(`axpy on (${rows}, ${cols})`, async () => {
      const [want, got] = await onBoth(async (be) => {
        const y = be.tensor(rows, cols, randomValues(rows * cols, 3));
        be.axpy(y, be.tensor(rows, cols, randomValues(rows * cols, 4)), -0.37);
        return be.read(y);
      });
      expect(worstRatio(got, want, { atol: 1e-7, rtol: 1e-6 })).toBeLessThanOrEqual(1); // one FMA: an ulp
    });
  }

  it('tanh of ±1000 is ±1, not NaN', async () => {
    const z = gpu.tensor(1, 4, [1000, -1000, 50, -50]);
    const h = gpu.tensor(1, 4);
    gpu.activationForward(h, z, 'tanh');
    expect(Array.from(await gpu.read(h))).toEqual([1, -1, 1, -1]);
  });
});

describe('reductions into a metrics slot', () => {
  for (const [rows, cols] of [...elementShapes, [257, 257] as [number, number]]) {
    it(`sum and sum of squares of (${rows}, ${cols})`, async () => {
      const values = randomValues(rows * cols, rows * cols);
      const [want, got] = await onBoth(async (be) => {
        const out = be.tensor(1, 4, [9, 9, 9, 9]);
        const x = be.tensor(rows, cols, values);
        be.sumInto(out, 1, x, 0.5);
        be.sumSquaresInto(out, 3, x, 2);
        return be.read(out);
      });
      expect(got[0]).toBe(9);
      expect(got[2]).toBe(9);
      const absSum = values.reduce((s, v) => s + Math.abs(v), 0);
      // f32 tree sum: error ≤ rtol · Σ|x|
      expect(Math.abs(got[1] - want[1])).toBeLessThanOrEqual(1e-6 * absSum * 0.5 + 1e-7);
      expect(Math.abs(got[3] - want[3]) / want[3]).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('softmax cross-entropy, fused forward and gradient', () => {
  for (const [rows, classes] of [
    [1, 10],
    [3, 10],
    [33, 7],
    [257, 10],
    [7, 1],
  ] as [number, number][]) {
    it(`(${rows}, ${classes}) logits`, async () => {
      const logits = randomValues(rows * classes, rows + classes, 8);
      const labels = Uint32Array.from({ length: rows }, (_, i) => (i * 7) % classes);
      const [want, got] = await onBoth(async (be) => softmaxXent(be, rows, classes, logits, labels));
      const tol = { atol: 1e-6, rtol: 1e-5 };
      expect(worstRatio(got.dO, want.dO, tol)).toBeLessThanOrEqual(1);
      expect(worstRatio(got.loss, want.loss, tol)).toBeLessThanOrEqual(1);
      expect(Array.from(got.correct)).toEqual(Array.from(want.correct));
    });
  }

  it('logits of ±1000 give a finite loss and gradient on both backends', async () => {
    const logits = Float32Array.from([1000, -1000, 0, -1000, 1000, 999]);
    const labels = Uint32Array.from([1, 2]);
    for (const be of [cpu, gpu] as Backend[]) {
      const { loss, dO, correct } = await softmaxXent(be, 2, 3, logits, labels);
      // row 0: label logit is 2000 below the max: loss = 2000; row 1: logsumexp(1000, 999) − 999 = 1 + log(1 + e⁻¹)
      expect(loss[0]).toBeCloseTo(2000, 2);
      expect(loss[1]).toBeCloseTo(1 + Math.log(1 + Math.exp(-1)), 5);
      expect(Array.from(dO).every(Number.isFinite)).toBe(true);
      expect(dO[0]).toBeCloseTo(0.5, 6); // (1 − 0) / n with n = 2
      expect(Array.from(correct)).toEqual([0, 0]);
    }
  });
});

async function softmaxXent(be: Backend, rows: number, classes: number, logits: Float32Array, labels: Uint32Array) {
  const o = be.tensor(rows, classes, logits);
  const y = be.labels(rows);
  be.writeLabels(y, labels);
  const dO = be.tensor(rows, classes);
  const loss: Tensor = be.tensor(rows, 1);
  const correct = be.tensor(rows, 1);
  be.softmaxCrossEntropy(dO, loss, correct, o, y, 1 / rows);
  return { dO: await be.read(dO), loss: await be.read(loss), correct: await be.read(correct) };
}

describe('guarded SGD update', () => {
  for (const size of [1, 33, 257 * 3]) {
    it(`applies param −= lr·grad to ${size} values when the guard is finite, and nothing otherwise`, async () => {
      const p0 = randomValues(size, size);
      const g = randomValues(size, size + 1);
      const [want, got] = await onBoth(async (be) => {
        const param = be.tensor(1, size, p0);
        const grad = be.tensor(1, size, g);
        be.sgdUpdate(param, grad, 0.1, be.tensor(1, 3, [1, 2, 3]), 0, 3);
        const moved = await be.read(param);
        const stuck = be.tensor(1, size, p0);
        be.sgdUpdate(stuck, grad, 0.1, be.tensor(1, 3, [1, Number.NaN, 3]), 0, 3);
        be.sgdUpdate(stuck, grad, 0.1, be.tensor(1, 3, [Infinity, 0, 3]), 0, 3);
        return [moved, await be.read(stuck)];
      });
      expect(worstRatio(got[0], want[0], { atol: 1e-7, rtol: 1e-6 })).toBeLessThanOrEqual(1);
      expect(Array.from(got[0])).not.toEqual(Array.from(p0));
      expect(Array.from(got[1])).toEqual(Array.from(p0));
      expect(Array.from(want[1])).toEqual(Array.from(p0));
    });
  }
});

describe('fused layer ops: [H | 1]·P with epilogues, P a slice of a larger tensor', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 3, 33],
    [33, 257, 10],
    [65, 64, 65],
    [257, 33, 7],
  ];
  // P (in + 1, out) lives at element 128 of a bigger tensor, as the model's layers do
  function slicedParams(be: Backend, fanIn: number, fanOut: number, values: Float32Array): Tensor {
    const storage = be.tensor(1, 128 + (fanIn + 1) * fanOut + 64, new Float32Array(192 + (fanIn + 1) * fanOut).fill(5));
    const p = be.slice(storage, 128, fanIn + 1, fanOut);
    be.write(p, values);
    return p;
  }
  // float32 sums over ≤ 258 terms of values ≤ 1 against a float32 reference with the same order
  const tol = { atol: 2e-6, rtol: 1e-5 };

  for (const [n, fanIn, fanOut] of shapes) {
    for (const kind of ['relu', 'sigmoid', 'tanh', 'identity'] as ActivationKind[]) {
      it(`linearForward and linearBackwardInput, n ${n}, ${fanIn} → ${fanOut}, ${kind}`, async () => {
        const x = randomValues(n * fanIn, n + fanIn);
        const pv = randomValues((fanIn + 1) * fanOut, fanIn * fanOut, 0.5);
        const dOut = randomValues(n * fanOut, fanOut + 3);
        const [want, got] = await onBoth(async (be) => {
          const input = be.tensor(n, fanIn, x);
          const p = slicedParams(be, fanIn, fanOut, pv);
          const h = be.tensor(n, fanOut);
          be.linearForward(h, input, p, kind);
          // backward through a layer whose output is `input` (as h = φ(z) of the layer below)
          const hIn = be.tensor(
            n,
            fanIn,
            x.map((v) => (kind === 'relu' ? Math.max(v, 0) : kind === 'identity' ? v : Math.abs(v) * 0.9)),
          );
          const dIn = be.tensor(n, fanIn);
          be.linearBackwardInput(dIn, be.tensor(n, fanOut, dOut), p, hIn, kind);
          return [await be.read(h), await be.read(dIn)];
        });
        expect(worstRatio(got[0], want[0], tol)).toBeLessThanOrEqual(1);
        expect(worstRatio(got[1], want[1], tol)).toBeLessThanOrEqual(1);
      });
    }

    it(`linearBackwardParams, n ${n}, ${fanIn} → ${fanOut}, λ = 0.3: gradient and per-tile norms`, async () => {
      const x = randomValues(n * fanIn, 2 * n + fanIn);
      const pv = randomValues((fanIn + 1) * fanOut, fanIn + 7 * fanOut, 0.5);
      const dOut = randomValues(n * fanOut, fanOut + 5);
      const tiles = partialTiles(fanIn + 1, fanOut);
      const [want, got] = await onBoth(async (be) => {
        const p = slicedParams(be, fanIn, fanOut, pv);
        const g = be.tensor(fanIn + 1, fanOut);
        const metrics = be.tensor(1, 3 + 2 * tiles, new Float32Array(3 + 2 * tiles).fill(9));
        be.linearBackwardParams(g, metrics, 3, be.tensor(n, fanIn, x), be.tensor(n, fanOut, dOut), p, 0.3);
        return [await be.read(g), await be.read(metrics)];
      });
      expect(worstRatio(got[0], want[0], tol)).toBeLessThanOrEqual(1);
      expect(Array.from(got[1].slice(0, 3))).toEqual([9, 9, 9]);
      expect(worstRatio(got[1], want[1], { atol: 1e-5, rtol: 1e-5 })).toBeLessThanOrEqual(1);
      // the partials add up to ‖W‖² (bias line excluded)
      let weightSq = 0;
      for (let i = 0; i < fanIn * fanOut; i++) weightSq += pv[i] * pv[i];
      const partialSum = Array.from(got[1].slice(3))
        .filter((_, i) => i % 2 === 0)
        .reduce((s, v) => s + v, 0);
      expect(Math.abs(partialSum - weightSq) / Math.max(weightSq, 1e-12)).toBeLessThan(1e-5);
    });
  }

  for (const [n, fanIn, fanOut] of [...shapes, [256, 784, 10]] as [number, number, number][]) {
    it(`linearUpdate, n ${n}, ${fanIn} → ${fanOut}: next = p − lr·(linearBackwardParams' g), the same partials; a guard stops it`, async () => {
      const x = randomValues(n * fanIn, 3 * n + fanIn);
      const pv = randomValues((fanIn + 1) * fanOut, 2 * fanIn + fanOut, 0.5);
      const dOut = randomValues(n * fanOut, fanOut + 11);
      const tiles = partialTiles(fanIn + 1, fanOut);
      const width = 4 + 2 * tiles; // slots 0 … 3 are the guard
      const [lr, lambda] = [0.3, 0.2];
      const results = await onBoth(async (be) => {
        const input = be.tensor(n, fanIn, x);
        const d = be.tensor(n, fanOut, dOut);
        // the reference: gradient, then p + (−lr)·g
        const g = be.tensor(fanIn + 1, fanOut);
        const reference = be.tensor(1, width, new Float32Array(width).fill(9));
        be.linearBackwardParams(g, reference, 4, input, d, slicedParams(be, fanIn, fanOut, pv), lambda);
        const stepped = be.tensor(fanIn + 1, fanOut, pv);
        be.axpy(stepped, g, -lr);
        // fused, with a finite guard
        const p = slicedParams(be, fanIn, fanOut, pv);
        const next = slicedParams(be, fanIn, fanOut, new Float32Array((fanIn + 1) * fanOut).fill(7));
        const metrics = be.tensor(1, width, new Float32Array(width).fill(9));
        be.linearUpdate(next, metrics, 4, input, d, p, { lambda, lr, guardStart: 0, guardCount: 4 });
        // fused, with a NaN in the guard: next keeps its values, the partials carry the NaN
        const held = slicedParams(be, fanIn, fanOut, new Float32Array((fanIn + 1) * fanOut).fill(7));
        const stopped = be.tensor(1, width, new Float32Array(width).fill(9));
        be.write(
          stopped,
          Float32Array.from({ length: width }, (_, i) => (i === 2 ? Number.NaN : 9)),
        );
        be.linearUpdate(held, stopped, 4, input, d, p, { lambda, lr, guardStart: 0, guardCount: 4 });
        return {
          want: await be.read(stepped),
          wantPartials: await be.read(reference),
          next: await be.read(next),
          partials: await be.read(metrics),
          held: await be.read(held),
          stopped: await be.read(stopped),
          p: await be.read(p),
        };
      });
      for (const r of results) {
        expect(worstRatio(r.next, r.want, { atol: 1e-7, rtol: 1e-6 })).toBeLessThanOrEqual(1);
        expect(worstRatio(r.partials, r.wantPartials, { atol: 1e-6, rtol: 1e-6 })).toBeLessThanOrEqual(1);
        expect(Array.from(r.held).every((v) => v === 7)).toBe(true);
        expect(Array.from(r.stopped.slice(4)).every(Number.isNaN)).toBe(true);
        expect(Array.from(r.p)).toEqual(Array.from(pv)); // p is only read
      }
      const [want, got] = results;
      expect(worstRatio(got.next, want.next, tol)).toBeLessThanOrEqual(1);
      expect(worstRatio(got.partials, want.partials, { atol: 1e-5, rtol: 1e-5 })).toBeLessThanOrEqual(1);
      expect(Array.from(got.next)).not.toEqual(Array.from(pv));
    });
  }

  it('linearUpdate refuses next and p in one storage; swap exchanges storage, slices keep theirs', async () => {
    for (const be of [cpu, gpu] as Backend[]) {
      const p = be.tensor(3, 2, [1, 2, 3, 4, 5, 6]);
      expect(() => be.linearUpdate(p, be.tensor(1, 4), 0, be.tensor(1, 2), be.tensor(1, 2), p, { lambda: 0, lr: 0.1, guardStart: 0, guardCount: 0 })).toThrow(
        /next and p share storage/,
      );
      const a = be.tensor(1, 128, new Float32Array(128).fill(1));
      const b = be.tensor(1, 128, new Float32Array(128).fill(2));
      const sliceOfA = be.slice(a, 64, 1, 64);
      be.swap(a, b);
      expect((await be.read(a))[0], be.name).toBe(2);
      expect((await be.read(b))[0], be.name).toBe(1);
      expect((await be.read(sliceOfA))[0], be.name).toBe(1);
      expect(() => be.swap(a, be.tensor(2, 64))).toThrow(/shapes differ/);
    }
  });

  for (const [n, fanIn, classes] of [
    [1, 3, 10],
    [70, 33, 10],
    [257, 17, 3],
    [33, 257, 16],
  ] as [number, number, number][]) {
    it(`linearForwardLoss, n ${n}, ${fanIn} → ${classes} classes`, async () => {
      const x = randomValues(n * fanIn, n * 3 + fanIn, 2);
      const pv = randomValues((fanIn + 1) * classes, classes * 11, 1);
      const labels = Uint32Array.from({ length: n }, (_, i) => (i * 7 + 3) % classes);
      const blocks = Math.ceil(n / PARTIAL_TILE);
      const [want, got] = await onBoth(async (be) => {
        const y = be.labels(n);
        be.writeLabels(y, labels);
        const dO = be.tensor(n, classes);
        const metrics = be.tensor(1, 2 * blocks);
        be.linearForwardLoss(dO, metrics, 0, be.tensor(n, fanIn, x), slicedParams(be, fanIn, classes, pv), y, 1 / n);
        return [await be.read(dO), await be.read(metrics)];
      });
      expect(worstRatio(got[0], want[0], { atol: 1e-6, rtol: 1e-5 })).toBeLessThanOrEqual(1);
      expect(worstRatio(got[1], want[1], { atol: 1e-6, rtol: 1e-5 })).toBeLessThanOrEqual(1);
      const correct = Array.from(want[1])
        .filter((_, i) => i % 2 === 1)
        .reduce((s, v) => s + v, 0);
      expect(correct).toBeGreaterThanOrEqual(0);
      expect(correct).toBeLessThanOrEqual(n);
    });
  }
});

describe('the first layer reads its batch straight from a split uploaded once (gathered input)', () => {
  for (const [count, cols, packed, classes] of [
    [37, 784, true, 10],
    [9, 3, true, 16],
    [150, 2, false, 3],
  ] as [number, number, boolean, number][]) {
    it(`${count} samples of ${cols} ${packed ? 'u8' : 'f32'} features, a shuffled order: forward, loss and gradient`, async () => {
      const rng = new Rng(count + cols);
      const features = packed
        ? Uint8Array.from({ length: count * cols }, () => rng.below(256))
        : Float32Array.from({ length: count * cols }, () => rng.normal());
      const labels = Uint8Array.from({ length: count }, () => rng.below(classes));
      const order = rng.shuffle(Uint32Array.from({ length: count }, (_, i) => i));
      const scale = packed ? 1 / 255 : 1;
      const start = 3;
      const n = Math.min(70, count - start);
      const pv = randomValues((cols + 1) * classes, cols * classes, 0.3);
      const tiles = partialTiles(cols + 1, classes);
      const run = async (be: Backend, gatheredInput: boolean) => {
        let input: LayerInput;
        let y: LabelTensor | Gathered;
        if (gatheredInput) {
          const source = { data: be.dataset(features, scale, labels, cols), order: be.indices(order), start, rows: n };
          input = source;
          y = source;
        } else {
          // the same rows picked by hand: feature × float32(scale), as the GPU multiplies
          const picked = new Float32Array(n * cols);
          for (let r = 0; r < n; r++) for (let c = 0; c < cols; c++) picked[r * cols + c] = features[order[start + r] * cols + c] * Math.fround(scale);
          input = be.tensor(n, cols, picked);
          y = be.labels(n);
          be.writeLabels(
            y,
            Array.from({ length: n }, (_, r) => labels[order[start + r]]),
          );
        }
        const p = be.tensor(cols + 1, classes, pv);
        const h = be.tensor(n, classes);
        be.linearForward(h, input, p, 'tanh');
        const dO = be.tensor(n, classes);
        const metrics = be.tensor(1, 2 * Math.ceil(n / PARTIAL_TILE) + 2 * tiles);
        be.linearForwardLoss(dO, metrics, 0, input, p, y, 1 / n);
        const g = be.tensor(cols + 1, classes);
        be.linearBackwardParams(g, metrics, 2 * Math.ceil(n / PARTIAL_TILE), input, dO, p, 0.01);
        return [await be.read(h), await be.read(dO), await be.read(g), await be.read(metrics)];
      };
      const want = await run(cpu, false);
      for (const [be, gatheredInput] of [
        [cpu, true],
        [gpu, true],
        [gpu, false],
      ] as [Backend, boolean][]) {
        const got = await run(be, gatheredInput);
        const what = `${be.name}, ${gatheredInput ? 'gathered' : 'tensor'} input`;
        for (const [i, values] of want.entries()) expect(worstRatio(got[i], values, { atol: 2e-6, rtol: 1e-5 }), `${what}, output ${i}`).toBeLessThanOrEqual(1);
      }
    });
  }

  it('a wide first layer (784 u8 features → 70 units, 97 samples): the gathered tiles of the forward and the fused update', async () => {
    const [count, cols, units, n, start] = [300, 784, 70, 97, 5];
    const rng = new Rng(99);
    const features = Uint8Array.from({ length: count * cols }, () => rng.below(256));
    const labels = Uint8Array.from({ length: count }, () => rng.below(10));
    const order = rng.shuffle(Uint32Array.from({ length: count }, (_, i) => i));
    const pv = randomValues((cols + 1) * units, 7, 0.1);
    const dOut = randomValues(n * units, 8);
    const tiles = partialTiles(cols + 1, units);
    const [want, got] = await onBoth(async (be) => {
      const input = { data: be.dataset(features, 1 / 255, labels, cols), order: be.indices(order), start, rows: n };
      const p = be.tensor(cols + 1, units, pv);
      const h = be.tensor(n, units);
      be.linearForward(h, input, p, 'sigmoid');
      const next = be.tensor(cols + 1, units);
      const metrics = be.tensor(1, 2 * tiles);
      be.linearUpdate(next, metrics, 0, input, be.tensor(n, units, dOut), p, { lambda: 0.1, lr: 0.5, guardStart: 0, guardCount: 0 });
      return [await be.read(h), await be.read(next), await be.read(metrics)];
    });
    for (const [i, values] of want.entries()) expect(worstRatio(got[i], values, { atol: 2e-6, rtol: 1e-5 }), `output ${i}`).toBeLessThanOrEqual(1);
  });
});
