// The signal through depth (activation RMS forward, ‖∂J/∂z‖ backward) read from the training tensors, against the float64 oracle, on every backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import type { Backend } from '../src/core/backend';
import { tilesAcross } from '../src/core/metrics-row';
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

/** The oracle's forward and backward of the same network: RMS of each H_l and ‖dZ_l‖ (dO for the output). */
function expected(params: Float64Array, layers: readonly { fanIn: number; fanOut: number; offset: number }[], x: Float64Array, kind: Activation) {
  let h = oracle.matrix(n, d, x);
  const zs: oracle.Matrix[] = [];
  const hs: oracle.Matrix[] = [];
  const blocks = layers.map((l) => oracle.splitParams(oracle.matrix(l.fanIn + 1, l.fanOut, params.subarray(l.offset, l.offset + (l.fanIn + 1) * l.fanOut))));
  for (const [l, { W, b }] of blocks.entries()) {
    const z = oracle.addBias(oracle.matmul(h, W), b);
    zs.push(z);
    if (l === blocks.length - 1) break;
    h = oracle.activationForward(kind, z);
    hs.push(h);
  }
  let dZ = oracle.softmaxCrossEntropy(zs[zs.length - 1], labels, 1 / n).dO;
  const backward = [Math.sqrt(oracle.sumSquares(dZ.data))];
  for (let l = blocks.length - 2; l >= 0; l--) {
    dZ = oracle.activationBackward(kind, oracle.matmul(dZ, oracle.transpose(blocks[l + 1].W)), zs[l]);
    backward.unshift(Math.sqrt(oracle.sumSquares(dZ.data)));
  }
  return { activationRms: hs.map((m) => Math.sqrt(oracle.sumSquares(m.data) / m.data.length)), backwardNorm: backward };
}

describe('Mlp.readSignals: the growth through depth the page plots', () => {
  for (const kind of ['tanh', 'relu'] as Activation[]) {
    it(`${d} → ${hidden.join(' → ')} → ${q}, ${kind}: forward RMS and backward norms of the step the model recorded`, async () => {
      const rng = new Rng(11);
      const x = Float32Array.from({ length: n * d }, () => rng.normal());
      let want: ReturnType<typeof expected> | null = null;
      for (const [name, be] of [
        ['reference', new ReferenceBackend()],
        ['cpu', new CpuBackend()],
        ['webgpu', gpu],
      ] as [string, Backend][]) {
        const model = new Mlp(be, d, hidden, q, kind);
        model.initialize({ init: 'normal', sigma: 0.7, initValue: 0 }, new Rng(5));
        expect(await model.readSignals(), `${name}: nothing recorded yet`).toBeNull();
        const y = be.labels(n);
        be.writeLabels(y, labels);
        const batch: Batch = { n, input: be.tensor(n, d, x), labels: y };
        const metrics = be.tensor(1, model.layout.width + 2 * tilesAcross(n));
        const params = Float64Array.from(await be.read(model.params));
        want ??= expected(params, model.layers, Float64Array.from(x), kind);
        model.recordForward(batch, metrics, 0);
        const forwardOnly = await model.readSignals();
        expect(forwardOnly?.backwardNorm, name).toBeNull();
        model.recordBackward(batch, 0, metrics, 0);
        const got = (await model.readSignals())!;
        const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-5 * Math.abs(b[i]) + 1e-7);
        expect(close(got.activationRms, want.activationRms), `${name} RMS ${got.activationRms} vs ${want.activationRms}`).toBe(true);
        expect(close(got.backwardNorm!, want.backwardNorm), `${name} ‖∂J/∂z‖ ${got.backwardNorm} vs ${want.backwardNorm}`).toBe(true);
        model.destroy();
      }
    });
  }
});
