// Every fused layer op of every backend (the CPU reference, the fast CPU path, the WGSL kernels) against the float64 oracle of its unfused primitives.
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import type { Backend, Gathered, LabelTensor, LayerInput, Tensor } from '../src/core/backend';
import { PARTIAL_TILE, pairSlot, partialTiles, tilesAcross } from '../src/core/metrics-row';
import { Rng } from '../src/core/rng';
import { ACTIVATIONS } from '../src/core/settings';
import { worstRatio } from './helpers/tolerance';
import { webgpuBackend } from './helpers/webgpu';
import * as oracle from './oracle';

let gpu: WebGpuBackend;
const reference = new ReferenceBackend();
const cpu = new CpuBackend();

beforeAll(async () => {
  gpu = await webgpuBackend();
});

/** The backends under test, named for failure messages. */
function everyBackend(): [string, Backend & { matmul: CpuBackend['matmul'] }][] {
  return [
    ['reference', reference],
    ['cpu', cpu],
    ['webgpu', gpu],
  ];
}

function randomValues(count: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count }, () => rng.uniformIn(-scale, scale));
}

const matmulShapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 33],
  [33, 257, 7],
  [257, 3, 10],
  [7, 33, 1],
  [17, 31, 257],
];

describe('the bare matmul: out = op(a) · op(b)', () => {
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
        const aStored = transA ? oracle.matrix(k, m, aValues) : oracle.matrix(m, k, aValues);
        const bStored = transB ? oracle.matrix(n, k, bValues) : oracle.matrix(k, n, bValues);
        const opA = transA ? oracle.transpose(aStored) : aStored;
        const opB = transB ? oracle.transpose(bStored) : bStored;
        const want = oracle.matmul(opA, opB);
        const bound = oracle.absMatmul(opA, opB);
        for (const [name, be] of everyBackend()) {
          const out = be.tensor(m, n);
          be.matmul(out, be.tensor(aStored.rows, aStored.cols, aValues), be.tensor(bStored.rows, bStored.cols, bValues), { transA, transB });
          expect(worstRatio(await be.read(out), want.data, tol, bound.data), name).toBeLessThanOrEqual(1);
        }
      });
    }
  }

  it('rejects shapes that do not fit, naming them', () => {
    for (const [, be] of everyBackend()) {
      expect(() => be.matmul(be.tensor(3, 2), be.tensor(3, 4), be.tensor(5, 2))).toThrow(/a \(3, 4\) · b \(5, 2\)/);
    }
  });

  it('computes into a view of fewer rows without touching the rest', async () => {
    const a = randomValues(15, 1);
    const b = randomValues(12, 2);
    const want = oracle.matmul(oracle.matrix(2, 3, a.slice(0, 6)), oracle.matrix(3, 4, b));
    for (const [name, be] of everyBackend()) {
      const out = be.tensor(5, 4, new Float32Array(20).fill(7));
      be.matmul(be.view(out, 2), be.view(be.tensor(5, 3, a), 2), be.tensor(3, 4, b));
      const got = await be.read(out);
      expect(Array.from(got.slice(8)), name).toEqual(new Array(12).fill(7));
      expect(worstRatio(got.slice(0, 8), want.data, { atol: 1e-6, rtol: 1e-6 }), name).toBeLessThanOrEqual(1);
    }
  });
});

/** P (in + 1, out) at element 128 of a bigger tensor, as the model's layers are. */
function slicedParams(be: Backend, fanIn: number, fanOut: number, values: ArrayLike<number>): Tensor {
  const storage = be.tensor(1, 128 + (fanIn + 1) * fanOut + 64, new Float32Array(192 + (fanIn + 1) * fanOut).fill(5));
  const p = be.slice(storage, 128, fanIn + 1, fanOut);
  be.write(p, values);
  return p;
}

/** [I; b]: a layer whose product is exact, so z = x + b isolates what its epilogue does. */
function identityParams(cols: number, bias: ArrayLike<number>): Float32Array {
  const p = new Float32Array((cols + 1) * cols);
  for (let i = 0; i < cols; i++) p[i * cols + i] = 1;
  p.set(bias, cols * cols);
  return p;
}

const elementShapes: [number, number][] = [
  [1, 1],
  [3, 7],
  [33, 10],
  [257, 33],
];

describe('activations in the fused epilogues: a layer of identity weights, z = x + b in ±20', () => {
  for (const [rows, cols] of elementShapes) {
    for (const kind of ACTIVATIONS) {
      it(`${kind} forward (linearForward) and backward (linearBackwardInput) on (${rows}, ${cols})`, async () => {
        const x = randomValues(rows * cols, 7 * rows + cols, 19);
        const b = randomValues(cols, cols, 1);
        const dOut = randomValues(rows * cols, 11 * rows + cols);
        const z = oracle.addBias(oracle.matrix(rows, cols, x), oracle.matrix(1, cols, b));
        const wantH = oracle.activationForward(kind, z);
        // the layer below produced h = φ(z) in float32; the backward reads φ' from it
        const h = Float32Array.from(wantH.data);
        const wantD = oracle.activationBackward(kind, oracle.matrix(rows, cols, dOut), z);
        for (const [name, be] of everyBackend()) {
          const p = slicedParams(be, cols, cols, identityParams(cols, b));
          const out = be.tensor(rows, cols);
          be.linearForward(out, be.tensor(rows, cols, x), p, kind);
          const dIn = be.tensor(rows, cols);
          be.linearBackwardInput(dIn, be.tensor(rows, cols, dOut), p, be.tensor(rows, cols, h), kind);
          // exp and tanh in WGSL are not correctly rounded: a few ulp of a value ≤ 1; z itself is rounded once
          const tol = { atol: 1e-6, rtol: 1e-6 };
          expect(worstRatio(await be.read(out), wantH.data, tol), `${name} forward`).toBeLessThanOrEqual(1);
          expect(worstRatio(await be.read(dIn), wantD.data, tol), `${name} backward`).toBeLessThanOrEqual(1);
        }
      });
    }
  }

  it('tanh of ±1000 is ±1, not NaN', async () => {
    for (const [name, be] of everyBackend()) {
      const h = be.tensor(1, 4);
      be.linearForward(h, be.tensor(1, 4, [1000, -1000, 50, -50]), be.tensor(5, 4, identityParams(4, [0, 0, 0, 0])), 'tanh');
      expect(Array.from(await be.read(h)), name).toEqual([1, -1, 1, -1]);
    }
  });
});

describe('softmax cross-entropy in the output layer (linearForwardLoss), identity weights: the logits are the input', () => {
  for (const [rows, classes] of [
    [1, 10],
    [3, 10],
    [33, 7],
    [257, 10],
    [7, 1],
  ] as [number, number][]) {
    it(`(${rows}, ${classes}) logits: dO per entry, loss and correct count per 32-row block`, async () => {
      const logits = randomValues(rows * classes, rows + classes, 8);
      const labels = Uint32Array.from({ length: rows }, (_, i) => (i * 7) % classes);
      const want = oracle.softmaxCrossEntropy(oracle.matrix(rows, classes, logits), labels, 1 / rows);
      const blocks = tilesAcross(rows);
      for (const [name, be] of everyBackend()) {
        const got = await outputLayer(be, rows, classes, logits, labels);
        expect(worstRatio(got.dO, want.dO.data, { atol: 1e-6, rtol: 1e-5 }), `${name} dO`).toBeLessThanOrEqual(1);
        for (let k = 0; k < blocks; k++) {
          const inBlock = (v: number[]) => v.slice(k * PARTIAL_TILE, (k + 1) * PARTIAL_TILE);
          const loss = oracle.sum(inBlock(want.loss)) / rows;
          expect(Math.abs(got.metrics[pairSlot(0, k)] - loss), `${name} loss of block ${k}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(loss));
          expect(got.metrics[pairSlot(0, k) + 1], `${name} correct in block ${k}`).toBe(oracle.sum(inBlock(want.correct)));
        }
      }
    });
  }

  it('logits of ±1000 give a finite loss and gradient, row by row', async () => {
    const rowsOfLogits = [
      [1000, -1000, 0],
      [-1000, 1000, 999],
    ];
    // row 0: the label's logit is 2000 below the max: loss 2000; row 1: logsumexp(1000, 999) − 999 = 1 + log(1 + e⁻¹)
    const expected = [2000, 1 + Math.log(1 + Math.exp(-1))];
    for (const [name, be] of everyBackend()) {
      for (const [r, logits] of rowsOfLogits.entries()) {
        const { dO, metrics } = await outputLayer(be, 1, 3, Float32Array.from(logits), Uint32Array.from([r + 1]));
        expect(metrics[0], `${name} row ${r}`).toBeCloseTo(expected[r], r === 0 ? 2 : 5);
        expect(metrics[1], `${name} row ${r}`).toBe(0);
        expect(Array.from(dO).every(Number.isFinite), name).toBe(true);
        if (r === 0) expect(dO[0], name).toBeCloseTo(1, 6); // softmax(o)₀ − 0 with n = 1
      }
    }
  });
});

async function outputLayer(be: Backend, rows: number, classes: number, logits: Float32Array, labels: Uint32Array) {
  const y = be.labels(rows);
  be.writeLabels(y, labels);
  const dO = be.tensor(rows, classes);
  const metrics = be.tensor(1, 2 * tilesAcross(rows));
  be.linearForwardLoss(
    dO,
    metrics,
    0,
    be.tensor(rows, classes, logits),
    be.tensor(classes + 1, classes, identityParams(classes, new Float32Array(classes))),
    y,
    1 / rows,
  );
  return { dO: await be.read(dO), metrics: await be.read(metrics) };
}

describe('fused layer ops: [H | 1]·P with epilogues, P a slice of a larger tensor, against the oracle', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 3, 33],
    [33, 257, 10],
    [65, 64, 65],
    [257, 33, 7],
  ];
  // float32 sums over ≤ 258 terms of values ≤ 1, relative to the result (the tolerance the old suite held against a float32 CPU)
  const tol = { atol: 2e-6, rtol: 1e-5 };

  for (const [n, fanIn, fanOut] of shapes) {
    for (const kind of ACTIVATIONS) {
      it(`linearForward and linearBackwardInput, n ${n}, ${fanIn} → ${fanOut}, ${kind}`, async () => {
        const x = randomValues(n * fanIn, n + fanIn);
        const pv = randomValues((fanIn + 1) * fanOut, fanIn * fanOut, 0.5);
        const dOut = randomValues(n * fanOut, fanOut + 3);
        const { W, b } = oracle.splitParams(oracle.matrix(fanIn + 1, fanOut, pv));
        const X = oracle.matrix(n, fanIn, x);
        // forward: h = φ(x W + b)
        const z = oracle.addBias(oracle.matmul(X, W), b);
        const wantH = oracle.activationForward(kind, z);
        // backward through a layer whose output is `input`: dIn = (dOut Wᵀ) ⊙ φ'(z_in), h_in = φ(z_in) given
        const zIn = X; // take the input itself as the lower layer's z
        const hIn = Float32Array.from(oracle.activationForward(kind, zIn).data);
        const dH = oracle.matmul(oracle.matrix(n, fanOut, dOut), oracle.transpose(W));
        const wantD = oracle.activationBackward(kind, dH, zIn);
        for (const [name, be] of everyBackend()) {
          const p = slicedParams(be, fanIn, fanOut, pv);
          const h = be.tensor(n, fanOut);
          be.linearForward(h, be.tensor(n, fanIn, x), p, kind);
          const dIn = be.tensor(n, fanIn);
          be.linearBackwardInput(dIn, be.tensor(n, fanOut, dOut), p, be.tensor(n, fanIn, hIn), kind);
          expect(worstRatio(await be.read(h), wantH.data, tol), `${name} forward`).toBeLessThanOrEqual(1);
          expect(worstRatio(await be.read(dIn), wantD.data, tol), `${name} backward`).toBeLessThanOrEqual(1);
        }
      });
    }
  }

  /** The oracle's parameter gradient g = [x | 1]ᵀ dOut + λ[W; 0], and the per-tile Σ W², Σ dW². */
  function parameterGradient(n: number, fanIn: number, fanOut: number, x: Float32Array, pv: Float32Array, dOut: Float32Array, lambda: number) {
    const P = oracle.matrix(fanIn + 1, fanOut, pv);
    const { W } = oracle.splitParams(P);
    const X = oracle.matrix(n, fanIn, x);
    const D = oracle.matrix(n, fanOut, dOut);
    const dW = oracle.axpy(oracle.matmul(oracle.transpose(X), D), W, lambda);
    const g = oracle.joinParams(dW, oracle.columnSums(D));
    const tiles: number[] = [];
    for (let tr = 0; tr < tilesAcross(fanIn + 1); tr++) {
      for (let tc = 0; tc < tilesAcross(fanOut); tc++) {
        const [r0, c0] = [tr * PARTIAL_TILE, tc * PARTIAL_TILE];
        tiles.push(oracle.sumSquares(oracle.block(W, r0, r0 + PARTIAL_TILE, c0, c0 + PARTIAL_TILE)));
        tiles.push(oracle.sumSquares(oracle.block(dW, r0, r0 + PARTIAL_TILE, c0, c0 + PARTIAL_TILE)));
      }
    }
    return { g, tiles, weightSq: oracle.sumSquares(W.data) };
  }

  // [3, 256, 257] and [9, 37, 40] (fanIn + 1 rows: the ones row at 256, or at 37, the sixth row of a
  // thread's 8-row block on WebGPU), [5, 6, 3] the same in the narrow kernel
  for (const [n, fanIn, fanOut] of [...shapes, [3, 256, 257], [9, 37, 40], [5, 6, 3]] as [number, number, number][]) {
    it(`linearBackwardParams, n ${n}, ${fanIn} → ${fanOut}, λ = 0.3: gradient and per-tile Σ W², Σ dW²`, async () => {
      const x = randomValues(n * fanIn, 2 * n + fanIn);
      const pv = randomValues((fanIn + 1) * fanOut, fanIn + 7 * fanOut, 0.5);
      const dOut = randomValues(n * fanOut, fanOut + 5);
      const want = parameterGradient(n, fanIn, fanOut, x, pv, dOut, 0.3);
      const tiles = partialTiles(fanIn + 1, fanOut);
      for (const [name, be] of everyBackend()) {
        const p = slicedParams(be, fanIn, fanOut, pv);
        const g = be.tensor(fanIn + 1, fanOut);
        const metrics = be.tensor(1, 3 + 2 * tiles, new Float32Array(3 + 2 * tiles).fill(9));
        be.linearBackwardParams(g, metrics, 3, be.tensor(n, fanIn, x), be.tensor(n, fanOut, dOut), p, 0.3);
        const partials = await be.read(metrics);
        expect(worstRatio(await be.read(g), want.g.data, tol), `${name} g`).toBeLessThanOrEqual(1);
        expect(Array.from(partials.slice(0, 3)), name).toEqual([9, 9, 9]);
        // f32 sums of squares over a tile: error ≤ rtol · the sum
        expect(worstRatio(partials.slice(3), want.tiles, { atol: 1e-5, rtol: 1e-5 }), `${name} tiles`).toBeLessThanOrEqual(1);
        const weightSq = Array.from(partials.slice(3)).filter((_, i) => i % 2 === 0);
        expect(Math.abs(oracle.sum(weightSq) - want.weightSq) / want.weightSq, `${name} Σ tiles = ‖W‖²`).toBeLessThan(1e-5);
      }
    });
  }

  for (const [n, fanIn, fanOut] of [...shapes, [256, 784, 10], [9, 37, 40], [5, 6, 3]] as [number, number, number][]) {
    it(`linearUpdate, n ${n}, ${fanIn} → ${fanOut}: next = p − lr·g, the same tiles; a NaN or an Inf in the guard stops it`, async () => {
      const x = randomValues(n * fanIn, 3 * n + fanIn);
      const pv = randomValues((fanIn + 1) * fanOut, 2 * fanIn + fanOut, 0.5);
      const dOut = randomValues(n * fanOut, fanOut + 11);
      const tiles = partialTiles(fanIn + 1, fanOut);
      const width = 4 + 2 * tiles; // slots 0 … 3 are the guard
      const [lr, lambda] = [0.3, 0.2];
      const want = parameterGradient(n, fanIn, fanOut, x, pv, dOut, lambda);
      const P = oracle.matrix(fanIn + 1, fanOut, pv);
      const wantNext = oracle.sgdUpdate(P, want.g, lr, [1, 2, 3, 4]);
      for (const [name, be] of everyBackend()) {
        const input = be.tensor(n, fanIn, x);
        const d = be.tensor(n, fanOut, dOut);
        const p = slicedParams(be, fanIn, fanOut, pv);
        // this backend's own gradient: the fused step must be p − lr·g to 1e-6 (one multiply-add: a few ulp)
        const g = be.tensor(fanIn + 1, fanOut);
        const ownTiles = be.tensor(1, width);
        be.linearBackwardParams(g, ownTiles, 4, input, d, p, lambda);
        const ownStep = oracle.axpy(P, oracle.matrix(fanIn + 1, fanOut, await be.read(g)), -lr);
        const next = slicedParams(be, fanIn, fanOut, new Float32Array((fanIn + 1) * fanOut).fill(7));
        const metrics = be.tensor(1, width, new Float32Array(width).fill(9));
        be.linearUpdate(next, metrics, 4, input, d, p, { lambda, lr, guardStart: 0, guardCount: 4 });
        const got = await be.read(next);
        expect(worstRatio(got, ownStep.data, { atol: 1e-7, rtol: 1e-6 }), `${name} next against its own g`).toBeLessThanOrEqual(1);
        expect(worstRatio(got, wantNext.data, tol), `${name} next against the oracle`).toBeLessThanOrEqual(1);
        const tilesOfUpdate = (await be.read(metrics)).slice(4);
        expect(
          worstRatio(tilesOfUpdate, (await be.read(ownTiles)).slice(4), { atol: 1e-6, rtol: 1e-6 }),
          `${name} tiles as its own linearBackwardParams`,
        ).toBeLessThanOrEqual(1);
        expect(worstRatio(tilesOfUpdate, want.tiles, { atol: 1e-5, rtol: 1e-5 }), `${name} tiles`).toBeLessThanOrEqual(1);
        for (const poison of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          // a non-finite guard: next keeps its values, the tiles carry the guard's value, p is only read
          const held = slicedParams(be, fanIn, fanOut, new Float32Array((fanIn + 1) * fanOut).fill(7));
          const stopped = be.tensor(
            1,
            width,
            Float32Array.from({ length: width }, (_, i) => (i === 2 ? poison : 9)),
          );
          be.linearUpdate(held, stopped, 4, input, d, p, { lambda, lr, guardStart: 0, guardCount: 4 });
          expect(
            Array.from(await be.read(held)).every((v) => v === 7),
            `${name} held by ${poison}`,
          ).toBe(true);
          expect(Array.from((await be.read(stopped)).slice(4)), `${name} tiles under ${poison}`).toEqual(new Array(2 * tiles).fill(poison));
        }
        expect(Array.from(await be.read(p)), name).toEqual(Array.from(pv));
        expect(Array.from(got), name).not.toEqual(Array.from(pv));
      }
    });
  }

  it('linearUpdate refuses next and p in one storage; swap exchanges storage, slices keep theirs', async () => {
    for (const [, be] of everyBackend()) {
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
      const { W, b } = oracle.splitParams(oracle.matrix(fanIn + 1, classes, pv));
      const X = oracle.matrix(n, fanIn, x);
      const want = oracle.softmaxCrossEntropy(oracle.addBias(oracle.matmul(X, W), b), labels, 1 / n);
      for (const [name, be] of everyBackend()) {
        const y = be.labels(n);
        be.writeLabels(y, labels);
        const dO = be.tensor(n, classes);
        const metrics = be.tensor(1, 2 * tilesAcross(n));
        be.linearForwardLoss(dO, metrics, 0, be.tensor(n, fanIn, x), slicedParams(be, fanIn, classes, pv), y, 1 / n);
        expect(worstRatio(await be.read(dO), want.dO.data, { atol: 1e-6, rtol: 1e-5 }), `${name} dO`).toBeLessThanOrEqual(1);
        const got = await be.read(metrics);
        for (let k = 0; k < tilesAcross(n); k++) {
          const rows = (v: number[]) => v.slice(k * PARTIAL_TILE, (k + 1) * PARTIAL_TILE);
          const loss = oracle.sum(rows(want.loss)) / n;
          expect(Math.abs(got[pairSlot(0, k)] - loss), `${name} loss of block ${k}`).toBeLessThanOrEqual(1e-6 + 1e-5 * loss);
          expect(got[pairSlot(0, k) + 1], `${name} correct in block ${k}`).toBe(oracle.sum(rows(want.correct)));
        }
      }
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
      const want = await run(reference, false);
      for (const [be, gatheredInput] of [
        [reference, true],
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

  // On WebGPU: u8 words four features at a time, read along a sample (forward) or across samples
  // (the update, op(a) transposed); samples of 13 or 6 u8 features are padded to whole words on
  // upload; more than 16 units take the 32×32-tiled kernel, fewer the narrow one; f32 features
  // are read one at a time.
  for (const [count, cols, units, n, start, packed] of [
    [300, 784, 70, 97, 5, true],
    [60, 13, 40, 37, 2, true],
    [60, 6, 10, 33, 1, true],
    [60, 5, 40, 37, 2, false],
    [60, 7, 3, 33, 4, false],
  ] as [number, number, number, number, number, boolean][]) {
    it(`${units} units on ${cols} ${packed ? 'u8' : 'f32'} features, ${n} samples: the gathered forward and the fused update`, async () => {
      const rng = new Rng(99 + cols);
      const features = packed
        ? Uint8Array.from({ length: count * cols }, () => rng.below(256))
        : Float32Array.from({ length: count * cols }, () => rng.normal());
      const labels = Uint8Array.from({ length: count }, () => rng.below(10));
      const order = rng.shuffle(Uint32Array.from({ length: count }, (_, i) => i));
      const pv = randomValues((cols + 1) * units, 7, 0.1);
      const dOut = randomValues(n * units, 8);
      const tiles = partialTiles(cols + 1, units);
      const run = async (be: Backend) => {
        const input = { data: be.dataset(features, packed ? 1 / 255 : 1, labels, cols), order: be.indices(order), start, rows: n };
        const p = be.tensor(cols + 1, units, pv);
        const h = be.tensor(n, units);
        be.linearForward(h, input, p, 'sigmoid');
        const next = be.tensor(cols + 1, units);
        const metrics = be.tensor(1, 2 * tiles);
        be.linearUpdate(next, metrics, 0, input, be.tensor(n, units, dOut), p, { lambda: 0.1, lr: 0.5, guardStart: 0, guardCount: 0 });
        return [await be.read(h), await be.read(next), await be.read(metrics)];
      };
      const want = await run(reference);
      for (const be of [cpu, gpu] as Backend[]) {
        const got = await run(be);
        for (const [i, values] of want.entries())
          expect(worstRatio(got[i], values, { atol: 2e-6, rtol: 1e-5 }), `${be.name} output ${i}`).toBeLessThanOrEqual(1);
      }
    });
  }
});
