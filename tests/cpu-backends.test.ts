// The fast CPU backend against the plain-loop reference, op by op and over training steps: to the last bit in float64 (JavaScript tiles), within stated tolerances in float32 (SIMD tiles).
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { Backend } from '../src/core/backend';
import { makeSynthetic } from '../src/core/data/synthetic';
import { partialTiles, tilesAcross } from '../src/core/metrics-row';
import { Rng } from '../src/core/rng';
import { ACTIVATIONS, DEFAULT_CONFIG } from '../src/core/settings';
import { Trainer } from '../src/core/trainer';
import { worstRatio } from './helpers/tolerance';

function values(count: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count }, () => rng.uniformIn(-scale, scale));
}

/** Every layer op on one backend; every output read back. */
async function layerOps(be: Backend, n: number, fanIn: number, fanOut: number, kind: (typeof ACTIVATIONS)[number]): Promise<Float32Array[]> {
  const x = be.tensor(n, fanIn, values(n * fanIn, n + fanIn));
  const p = be.tensor(fanIn + 1, fanOut, values((fanIn + 1) * fanOut, fanOut, 0.5));
  const dOut = be.tensor(n, fanOut, values(n * fanOut, 3 * fanOut));
  const h = be.tensor(n, fanOut);
  be.linearForward(h, x, p, kind);
  const dIn = be.tensor(n, fanIn);
  be.linearBackwardInput(dIn, dOut, p, x, kind);
  const tiles = partialTiles(fanIn + 1, fanOut);
  const g = be.tensor(fanIn + 1, fanOut);
  const metrics = be.tensor(1, 4 * tiles + 2 * tilesAcross(n));
  be.linearBackwardParams(g, metrics, 0, x, dOut, p, 0.3);
  const next = be.tensor(fanIn + 1, fanOut);
  be.linearUpdate(next, metrics, 2 * tiles, x, dOut, p, { lambda: 0.3, lr: 0.7, guardStart: 0, guardCount: 2 * tiles });
  const outputs = [h, dIn, g, next];
  if (fanOut <= 16) {
    const y = be.labels(n);
    be.writeLabels(
      y,
      Array.from({ length: n }, (_, i) => i % fanOut),
    );
    const dO = be.tensor(n, fanOut);
    be.linearForwardLoss(dO, metrics, 4 * tiles, x, p, y, 1 / n);
    outputs.push(dO);
  }
  outputs.push(metrics);
  return Promise.all(outputs.map(async (t) => Float32Array.from(await be.read(t))));
}

/** worstRatio over every output of one pass against the same output of the other. */
function worstOf(fast: Float32Array[], reference: Float32Array[], atol: number, rtol: number): number {
  expect(fast.length).toBe(reference.length);
  return Math.max(...fast.map((got, t) => worstRatio(got, reference[t], { atol, rtol })));
}

// narrow and wide, strips of 4 and not, several column blocks; the last two are products of more
// than SIMD_MIN multiply-adds, which run on the float32 SIMD tiles
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [5, 3, 10],
  [8, 33, 17],
  [13, 70, 65],
  [64, 130, 129],
];

describe('in float64 the fast CPU backend equals the reference bit for bit', () => {
  for (const [n, fanIn, fanOut] of shapes) {
    for (const kind of ACTIVATIONS) {
      it(`every layer op, n ${n}, ${fanIn} → ${fanOut}, ${kind}`, async () => {
        const fast = await layerOps(new CpuBackend({ precision: 'f64' }), n, fanIn, fanOut, kind);
        const reference = await layerOps(new ReferenceBackend({ precision: 'f64' }), n, fanIn, fanOut, kind);
        expect(fast.map((a) => Array.from(a))).toEqual(reference.map((a) => Array.from(a)));
      });
    }
  }
});

describe('in float32 the fast CPU backend agrees with the reference within float32 rounding', () => {
  // Inputs are O(1) and k ≤ 130: a float32 running sum is off by at most (k + 1)·2⁻²⁴·Σ|a·b|,
  // about 1e-5 of these outputs' scale; the metrics sum squares of those outputs.
  for (const [n, fanIn, fanOut] of shapes) {
    for (const kind of ACTIVATIONS) {
      it(`every layer op, n ${n}, ${fanIn} → ${fanOut}, ${kind}: |Δ| ≤ 1e-5 + 2e-5·|reference|`, async () => {
        const fast = await layerOps(new CpuBackend(), n, fanIn, fanOut, kind);
        const reference = await layerOps(new ReferenceBackend(), n, fanIn, fanOut, kind);
        expect(worstOf(fast, reference, 1e-5, 2e-5)).toBeLessThanOrEqual(1);
      });
    }
  }

  it('30 training steps of a 3-hidden-layer MLP (products on the SIMD tiles): losses, norms and parameters within 1e-4', async () => {
    const data = makeSynthetic('spiral', { seed: 2, noise: 0.2, classes: 4 });
    const config = {
      ...DEFAULT_CONFIG,
      model: 'mlp' as const,
      depth: 3,
      width: 40,
      activation: 'tanh' as const,
      init: 'xavier-uniform' as const,
      lambda: 0.01,
      lr: 0.3,
      batchSize: 37,
    };
    const run = async (be: Backend) => {
      const trainer = new Trainer(be, data, config);
      const steps = [];
      while (trainer.stepCount < 30) steps.push(...(await trainer.steps(30 - trainer.stepCount)));
      return { steps, params: Array.from(await be.read(trainer.model.params)) };
    };
    const fast = await run(new CpuBackend());
    const reference = await run(new ReferenceBackend());
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
    expect(fast.steps.length).toBe(30);
    fast.steps.forEach((step, i) => {
      const want = reference.steps[i];
      expect(step.step).toBe(want.step);
      expect(close(step.loss, want.loss), `loss of step ${step.step}: ${step.loss} vs ${want.loss}`).toBe(true);
      step.gradNorms.forEach((g, l) => {
        expect(close(g, want.gradNorms[l]), `‖dW_${l}‖ of step ${step.step}`).toBe(true);
      });
    });
    expect(worstRatio(fast.params, reference.params, { atol: 1e-4, rtol: 1e-4 })).toBeLessThanOrEqual(1);
  });
});

describe('a gathered batch is made concrete once per batch object', () => {
  it('a forward pass on one batch, then another of the same shape: each reads its own rows', async () => {
    for (const be of [new ReferenceBackend(), new CpuBackend()]) {
      const [count, cols, fanOut] = [12, 5, 3];
      const features = Uint8Array.from({ length: count * cols }, (_, i) => (i * 37) % 256);
      const data = be.dataset(features, 1 / 255, new Uint8Array(count), cols);
      const order = be.indices(Uint32Array.from({ length: count }, (_, i) => (i * 5) % count));
      const p = be.tensor(cols + 1, fanOut, values((cols + 1) * fanOut, 9));
      const forward = async (start: number) => {
        const h = be.tensor(4, fanOut);
        be.linearForward(h, { data, order, start, rows: 4 }, p, 'identity');
        return Array.from(await be.read(h));
      };
      const explicit = async (start: number) => {
        const rows = [0, 1, 2, 3].map((r) => ((start + r) * 5) % count);
        const x = be.tensor(
          4,
          cols,
          rows.flatMap((i) => Array.from(features.subarray(i * cols, (i + 1) * cols), (v) => v * Math.fround(1 / 255))),
        );
        const h = be.tensor(4, fanOut);
        be.linearForward(h, x, p, 'identity');
        return Array.from(await be.read(h));
      };
      const first = await forward(0);
      const second = await forward(4);
      expect(first).toEqual(await explicit(0));
      expect(second).toEqual(await explicit(4));
      expect(second).not.toEqual(first);
    }
  });
});
