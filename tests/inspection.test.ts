// Inside the network (Mlp.inspect): every layer's z, h, W and their gradients, read from the training tensors, against the float64 oracle on every backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import { activate, derivativeFromOutput } from '../src/core/activations';
import type { Backend } from '../src/core/backend';
import { FLAT_SHARE, flatEdgeRatio, flatRegion, saturatedShare, signalsOf } from '../src/core/inspection';
import { metricsLayout, tilesAcross } from '../src/core/metrics-row';
import { type Batch, Mlp } from '../src/core/model';
import { Rng } from '../src/core/rng';
import type { Activation } from '../src/core/settings';
import { webgpuBackend } from './helpers/webgpu';
import * as oracle from './oracle';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

const [n, d, q] = [37, 20, 5];
const hidden = [33, 17, 9];
const labels = Array.from({ length: n }, (_, i) => (i * 3) % q);
const lambda = 0.25;

/** The oracle's forward and backward of the same network: per layer the values the inspection summarises. */
function expected(params: Float64Array, layers: readonly { fanIn: number; fanOut: number; offset: number }[], x: Float64Array, kind: Activation) {
  let h = oracle.matrix(n, d, x);
  const inputs: oracle.Matrix[] = [];
  const zs: oracle.Matrix[] = [];
  const hs: oracle.Matrix[] = [];
  const blocks = layers.map((l) => oracle.splitParams(oracle.matrix(l.fanIn + 1, l.fanOut, params.subarray(l.offset, l.offset + (l.fanIn + 1) * l.fanOut))));
  for (const [l, { W, b }] of blocks.entries()) {
    inputs.push(h);
    const z = oracle.addBias(oracle.matmul(h, W), b);
    zs.push(z);
    if (l === blocks.length - 1) break;
    h = oracle.activationForward(kind, z);
    hs.push(h);
  }
  const dz: oracle.Matrix[] = [oracle.softmaxCrossEntropy(zs[zs.length - 1], labels, 1 / n).dO];
  const dh: oracle.Matrix[] = [];
  for (let l = blocks.length - 2; l >= 0; l--) {
    const up = oracle.matmul(dz[0], oracle.transpose(blocks[l + 1].W));
    dh.unshift(up);
    dz.unshift(oracle.activationBackward(kind, up, zs[l]));
  }
  const dW = blocks.map(({ W }, l) => oracle.axpy(oracle.matmul(oracle.transpose(inputs[l]), dz[l]), W, lambda));
  return { z: zs, h: hs, dz, dh, W: blocks.map((b) => b.W), dW };
}

const norm = (m: oracle.Matrix) => Math.sqrt(oracle.sumSquares(m.data));

describe('Mlp.inspect: inside the network at the last training step', () => {
  for (const kind of ['tanh', 'relu', 'sigmoid'] as Activation[]) {
    it(`${d} → ${hidden.join(' → ')} → ${q}, ${kind}: norms, moments, counts and saturation of z, h, W and their gradients`, async () => {
      const rng = new Rng(11);
      const x = Float32Array.from({ length: n * d }, () => rng.normal());
      for (const [name, be] of [
        ['reference', new ReferenceBackend()],
        ['cpu', new CpuBackend()],
        ['webgpu', gpu],
      ] as [string, Backend][]) {
        const model = new Mlp(be, d, hidden, q, kind);
        model.initialize({ init: 'normal', sigma: 0.7, initValue: 0 }, new Rng(5));
        expect(await model.inspect(), `${name}: nothing recorded yet`).toBeNull();
        const y = be.labels(n);
        be.writeLabels(y, labels);
        const batch: Batch = { n, input: be.tensor(n, d, x), labels: y };
        const metrics = be.tensor(2, metricsLayout(model.layers).width + 2 * tilesAcross(n));
        const before = Float64Array.from(await be.read(model.params));
        const want = expected(before, model.layers, Float64Array.from(x), kind);
        model.recordForward(batch, metrics, 0);
        expect(await model.inspect(), `${name}: a forward pass alone is not a step`).toBeNull();
        // a real step: the parameters change, and the inspection must see the ones the step read
        model.recordTrainingStep(batch, lambda, 0.5, metrics, 0);
        const after = Float64Array.from(await be.read(model.params));
        expect(
          after.some((v, i) => Math.abs(v - before[i]) > 1e-3),
          `${name}: the step moved the parameters`,
        ).toBe(true);
        const inside = (await model.inspect())!;
        expect(inside.rows).toBe(n);
        expect(inside.lambda).toBe(lambda);
        expect(inside.layers.length).toBe(hidden.length + 1);
        const close = (got: number, wanted: number, what: string) =>
          expect(Math.abs(got - wanted), `${name} ${what}: ${got} vs ${wanted}`).toBeLessThanOrEqual(2e-5 * Math.abs(wanted) + 1e-7);
        for (const [l, layer] of inside.layers.entries()) {
          const check = (key: 'z' | 'h' | 'W' | 'dz' | 'dh' | 'dW', m: oracle.Matrix) => {
            const hist = layer[key]!;
            close(hist.norm, norm(m), `layer ${l + 1} ${key} norm`);
            const mean = oracle.sum(m.data) / m.data.length;
            close(hist.mean, mean, `layer ${l + 1} ${key} mean`);
            const spread = Math.sqrt(m.data.reduce((a, v) => a + (v - mean) ** 2, 0) / m.data.length);
            // σ² = Σv²/n − μ² cancels where |μ| ≫ σ: allow that loss against the float32 moments
            expect(Math.abs(hist.spread - spread), `${name} layer ${l + 1} ${key} spread`).toBeLessThanOrEqual(
              1e-4 * spread + (1e-5 * (mean * mean)) / spread + 1e-7,
            );
            expect(hist.finite, `${name} layer ${l + 1} ${key} count`).toBe(m.data.length);
          };
          check('z', want.z[l]);
          check('dz', want.dz[l]);
          check('W', want.W[l]);
          check('dW', want.dW[l]);
          if (l < hidden.length) {
            check('h', want.h[l]);
            check('dh', want.dh[l]);
            const region = flatRegion(kind)!;
            const flat = want.h[l].data.filter((v) => Math.abs(Math.fround(v) - region.center) > region.threshold === region.flatOutside).length;
            // a value within float32 rounding of the threshold may fall either side: allow one
            expect(Math.abs(saturatedShare(kind, layer.h!)! * want.h[l].data.length - flat), `${name} layer ${l + 1} saturated`).toBeLessThanOrEqual(1);
          } else {
            expect(layer.h).toBeUndefined();
          }
        }
        const signals = signalsOf(inside);
        for (const [l, h] of want.h.entries()) close(signals.activationRms[l], norm(h) / Math.sqrt(h.data.length), `RMS of h${l + 1}`);
        for (const [l, dz] of want.dz.entries()) close(signals.backwardNorm[l], norm(dz), `‖∂J/∂z${l + 1}‖`);
        model.destroy();
      }
    });
  }

  it('calls flat the region where φ′ is below a tenth of its peak', () => {
    expect(flatEdgeRatio('sigmoid')).toBeCloseTo(FLAT_SHARE, 12);
    expect(flatEdgeRatio('tanh')).toBeCloseTo(FLAT_SHARE, 12);
    // a sigmoid unit at z = 4 is flat (φ′ = 0.018 < 0.025), at z = 3 it is not (φ′ = 0.045)
    const sigmoid = flatRegion('sigmoid')!;
    expect(Math.abs(activate('sigmoid', 4) - 0.5) > sigmoid.threshold).toBe(true);
    expect(Math.abs(activate('sigmoid', 3) - 0.5) > sigmoid.threshold).toBe(false);
    expect(derivativeFromOutput('sigmoid', activate('sigmoid', 4))).toBeLessThan(0.025);
  });
});
