// The on-demand checks (core/checks.ts): the gradient check passes healthy models and fails wrong gradients, and the backend comparison passes CPU against WebGPU and fails a wrong backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend';
import type { LayerInput, Tensor } from '../src/core/backend';
import {
  BACKEND_COMPARISON_TOLERANCE,
  type CheckBatch,
  checkGradients,
  compareBackends,
  GRADIENT_CHECK_FLOOR,
  GRADIENT_CHECK_TOLERANCE,
  type NetShape,
} from '../src/core/checks';
import { Mlp } from '../src/core/model';
import { Rng } from '../src/core/rng';
import type { Activation } from '../src/core/settings';
import { webgpuBackend } from './helpers/webgpu';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await webgpuBackend();
});

/** The storage of a reference backend's tensor (the backends below change it in place). */
function storage(t: Tensor): Float32Array | Float64Array {
  return (t as unknown as { data: Float32Array | Float64Array }).data;
}

interface Case {
  net: NetShape;
  params: Float64Array;
  batch: CheckBatch;
  /** Where each layer's P starts in params, and its shape. */
  layers: { offset: number; fanIn: number; fanOut: number }[];
}

/**
 * A model of this shape in Mlp's parameter layout: W ~ N(0, σ²), b ~ N(0, (σ/2)²) (biases away from
 * zero so that their gradients are exercised), and a batch of n samples with features in [0, 1).
 */
async function makeCase(inputDim: number, hidden: number[], activation: Activation, sigma: number, n: number, seed: number): Promise<Case> {
  const numClasses = 10;
  const be = new ReferenceBackend({ precision: 'f64' });
  const rng = new Rng(seed);
  const model = new Mlp(be, inputDim, hidden, numClasses, activation);
  model.initialize({ init: 'normal', sigma, initValue: 0 }, rng);
  const params = Float64Array.from(await be.read(model.params));
  const layers = model.layers.map(({ offset, fanIn, fanOut }) => ({ offset, fanIn, fanOut }));
  for (const { offset, fanIn, fanOut } of layers) {
    for (let j = 0; j < fanOut; j++) params[offset + fanIn * fanOut + j] = (sigma / 2) * rng.normal();
  }
  const features = Float64Array.from({ length: n * inputDim }, () => rng.uniform());
  const labels = Array.from({ length: n }, (_, i) => (i * 3 + seed) % numClasses);
  model.destroy();
  return { net: { inputDim, hidden, numClasses, activation }, params, batch: { features, labels }, layers };
}

const f64 = () => new ReferenceBackend({ precision: 'f64' });

describe('checkGradients: float64 centred differences against the analytic gradient', () => {
  it('passes softmax regression, with one bias and five weights checked in its one layer', async () => {
    const c = await makeCase(30, [], 'identity', 0.1, 8, 1);
    const result = await checkGradients(f64(), c.net, c.params, c.batch, 0.1);
    expect(result.passed).toBe(true);
    expect(result.tolerance).toBe(GRADIENT_CHECK_TOLERANCE);
    expect(result.worstRelativeError).toBeLessThan(GRADIENT_CHECK_TOLERANCE / 100);
    expect(result.checked).toBe(6);
    expect(result.layers).toHaveLength(1);
    expect(result.layers[0].layer).toBe(1);
    expect(result.layers[0].checked).toBe(6);
    const { worst } = result.layers[0];
    expect(Math.abs(worst.analytic - worst.numeric)).toBeLessThan(1e-8);
  });

  it('passes a one-hidden-layer ReLU MLP, every layer sampled', async () => {
    const c = await makeCase(30, [32], 'relu', 0.3, 8, 2);
    const result = await checkGradients(f64(), c.net, c.params, c.batch, 0.01);
    expect(result.passed).toBe(true);
    expect(result.worstRelativeError).toBeLessThan(GRADIENT_CHECK_TOLERANCE / 100);
    expect(result.layers.map((l) => l.layer)).toEqual([1, 2]);
    expect(result.checked).toBe(12);
    for (const [l, layer] of result.layers.entries()) {
      const { offset, fanIn, fanOut } = c.layers[l];
      expect(layer.worst.index).toBeGreaterThanOrEqual(offset);
      expect(layer.worst.index).toBeLessThan(offset + (fanIn + 1) * fanOut);
    }
  });

  it('passes a deep sigmoid MLP whose first layers have vanishing gradients (compared against the floor)', async () => {
    const c = await makeCase(30, Array(8).fill(32), 'sigmoid', 0.01, 8, 3);
    const result = await checkGradients(f64(), c.net, c.params, c.batch, 0);
    expect(result.passed).toBe(true);
    expect(result.worstRelativeError).toBeLessThan(GRADIENT_CHECK_TOLERANCE / 100);
    expect(result.layers).toHaveLength(9);
    expect(result.redrawnAtKinks).toBe(0); // sigmoid has no kinks
    // the first layer's gradient is far below what float64 differences of J ≈ 2.3 resolve: a step
    // of h moves J by less than an ulp, and |a − n| / max(|a|, |n|) alone would be about 1 there
    const first = result.layers[0].worst;
    expect(Math.abs(first.analytic)).toBeLessThan(1e-14);
    expect(Math.abs(first.numeric - first.analytic) / Math.max(Math.abs(first.analytic), Math.abs(first.numeric))).toBeGreaterThan(0.5);
    // the output layer's is not, and it is matched closely
    const output = result.layers[8].worst;
    // and the report says which entries were only held to the floor: all of layer 1's, not all of the output layer's
    expect(result.floor).toBeCloseTo(GRADIENT_CHECK_FLOOR * 2.3, 4);
    expect(result.layers[0].belowFloor).toBe(result.layers[0].checked);
    expect(result.layers[8].belowFloor).toBeLessThan(result.layers[8].checked);
    expect(Math.abs(output.analytic)).toBeGreaterThan(1e-3);
    expect(Math.abs(output.numeric - output.analytic) / Math.abs(output.analytic)).toBeLessThan(1e-6);
  });

  it('passes the deep sigmoid MLP with weight decay (λW dominates the vanishing data gradient)', async () => {
    const c = await makeCase(30, Array(8).fill(32), 'sigmoid', 0.01, 8, 4);
    const result = await checkGradients(f64(), c.net, c.params, c.batch, 1e-3);
    expect(result.passed).toBe(true);
    expect(result.worstRelativeError).toBeLessThan(GRADIENT_CHECK_TOLERANCE / 100);
  });

  it('redraws an entry whose step crosses a ReLU kink instead of failing on it', async () => {
    // this model's check draws one entry whose ±h moves a unit across 0 for some sample: without
    // the redraw its centred difference is off by 21% and the check fails
    const c = await makeCase(30, [32, 32], 'relu', 0.01, 8, 21);
    const result = await checkGradients(f64(), c.net, c.params, c.batch, 0);
    expect(result.redrawnAtKinks).toBeGreaterThan(0);
    expect(result.passed).toBe(true);
    expect(result.worstRelativeError).toBeLessThan(GRADIENT_CHECK_TOLERANCE / 100);
    expect(result.checked).toBe(18);
  });

  it('fails a weight gradient 1% off, in every layer', async () => {
    class ScaledWeights extends ReferenceBackend {
      override linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void {
        super.linearBackwardParams(g, metrics, slot, input, dOut, p, lambda);
        const data = storage(g);
        for (let i = 0; i < (g.rows - 1) * g.cols; i++) data[i] *= 1.01;
      }
    }
    const c = await makeCase(30, [32], 'tanh', 0.3, 8, 5);
    const result = await checkGradients(new ScaledWeights({ precision: 'f64' }), c.net, c.params, c.batch, 0.01);
    expect(result.passed).toBe(false);
    expect(result.worstRelativeError).toBeGreaterThan(50 * GRADIENT_CHECK_TOLERANCE);
    for (const layer of result.layers) expect(layer.worstRelativeError).toBeGreaterThan(50 * GRADIENT_CHECK_TOLERANCE);
  });

  it('fails a gradient that leaves out λW', async () => {
    class NoDecay extends ReferenceBackend {
      override linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, _lambda: number): void {
        super.linearBackwardParams(g, metrics, slot, input, dOut, p, 0);
      }
    }
    const c = await makeCase(30, [32], 'relu', 0.3, 8, 6);
    const lambda = 0.01;
    const wrong = await checkGradients(new NoDecay({ precision: 'f64' }), c.net, c.params, c.batch, lambda);
    expect(wrong.passed).toBe(false);
    expect(wrong.worstRelativeError).toBeGreaterThan(50 * GRADIENT_CHECK_TOLERANCE);
    // the same backend is right when there is no decay to leave out
    expect((await checkGradients(new NoDecay({ precision: 'f64' }), c.net, c.params, c.batch, 0)).passed).toBe(true);
  });

  it('fails when only the bias gradients are wrong: biases are sampled in every layer', async () => {
    class ScaledBiases extends ReferenceBackend {
      override linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void {
        super.linearBackwardParams(g, metrics, slot, input, dOut, p, lambda);
        const data = storage(g);
        for (let j = 0; j < g.cols; j++) data[(g.rows - 1) * g.cols + j] *= 1.01;
      }
    }
    const c = await makeCase(30, [32, 32], 'tanh', 0.3, 8, 7);
    const result = await checkGradients(new ScaledBiases({ precision: 'f64' }), c.net, c.params, c.batch, 0.01);
    expect(result.passed).toBe(false);
    for (const [l, layer] of result.layers.entries()) {
      expect(layer.worstRelativeError).toBeGreaterThan(50 * GRADIENT_CHECK_TOLERANCE);
      const { offset, fanIn, fanOut } = c.layers[l];
      expect(layer.worst.index - offset, `layer ${l + 1}'s worst entry is in its bias line`).toBeGreaterThanOrEqual(fanIn * fanOut);
    }
  });

  it('samples by its seed: more samples check more entries, another seed other ones', async () => {
    const c = await makeCase(30, [32], 'sigmoid', 0.3, 4, 8);
    const twelve = await checkGradients(f64(), c.net, c.params, c.batch, 0, { samplesPerLayer: 12, seed: 5 });
    expect(twelve.checked).toBe(24);
    expect(twelve.passed).toBe(true);
    const again = await checkGradients(f64(), c.net, c.params, c.batch, 0, { samplesPerLayer: 12, seed: 5 });
    expect(again).toEqual(twelve);
    const other = await checkGradients(f64(), c.net, c.params, c.batch, 0, { samplesPerLayer: 12, seed: 6 });
    expect(other.layers.map((l) => l.worst.index)).not.toEqual(twelve.layers.map((l) => l.worst.index));
  });

  it('refuses a float32 backend, whose rounding would swamp the differences', async () => {
    const c = await makeCase(30, [], 'identity', 0.1, 4, 9);
    await expect(checkGradients(new ReferenceBackend(), c.net, c.params, c.batch, 0)).rejects.toThrow(/float64/);
  });

  it("leaves the caller's parameters, batch and model untouched", async () => {
    const c = await makeCase(30, [32], 'tanh', 0.3, 8, 10);
    const be = f64();
    const model = new Mlp(be, c.net.inputDim, c.net.hidden, c.net.numClasses, c.net.activation);
    be.write(model.params, c.params);
    const params = await be.read(model.params);
    const [paramsBefore, featuresBefore, labelsBefore] = [params.slice(), Float64Array.from(c.batch.features), Array.from(c.batch.labels)];
    const result = await checkGradients(be, c.net, params, c.batch, 0.01);
    expect(result.passed).toBe(true);
    expect(params).toEqual(paramsBefore);
    expect(await be.read(model.params)).toEqual(paramsBefore);
    expect(Float64Array.from(c.batch.features)).toEqual(featuresBefore);
    expect(Array.from(c.batch.labels)).toEqual(labelsBefore);
  });

  it('rejects parameters or a batch that do not fit the shape', async () => {
    const c = await makeCase(30, [32], 'relu', 0.3, 4, 11);
    await expect(checkGradients(f64(), c.net, c.params.subarray(1), c.batch, 0)).rejects.toThrow(/parameters/);
    await expect(checkGradients(f64(), c.net, c.params, { ...c.batch, labels: [0, 1, 2, 10] }, 0)).rejects.toThrow(/label 10/);
    await expect(checkGradients(f64(), c.net, c.params, { ...c.batch, labels: [0, 1, 2] }, 0)).rejects.toThrow(/features/);
  });
});

describe('compareBackends: the CPU reference (float32) against WebGPU', () => {
  const cases: [string, () => Promise<Case>, number][] = [
    ['softmax regression', () => makeCase(30, [], 'identity', 0.1, 8, 21), 0.1],
    ['one hidden ReLU layer', () => makeCase(30, [32], 'relu', 0.3, 8, 22), 0.01],
    ['eight hidden sigmoid layers (vanishing gradients)', () => makeCase(30, Array(8).fill(32), 'sigmoid', 0.01, 8, 23), 0],
  ];
  for (const [name, make, lambda] of cases) {
    it(`${name}: the loss and every layer's ‖∂J/∂W‖ agree within the tolerance`, async () => {
      const c = await make();
      const result = await compareBackends(new ReferenceBackend(), gpu, c.net, c.params, c.batch, lambda);
      expect(result.passed).toBe(true);
      expect(result.tolerance).toBe(BACKEND_COMPARISON_TOLERANCE);
      expect(result.worstRelativeDifference).toBeLessThan(BACKEND_COMPARISON_TOLERANCE / 10);
      expect(result.layers).toHaveLength(c.layers.length);
      expect(result.loss[0]).toBeGreaterThan(0.5); // mean cross-entropy of an untrained model over 10 classes
      expect(result.worstRelativeDifference).toBe(Math.max(result.lossDifference, ...result.layers.map((l) => l.relativeDifference)));
      for (const layer of result.layers) expect(layer.gradNorm[0]).toBeGreaterThan(0);
    });
  }

  it('gradNorm is ‖dW + λW‖_F without the bias line, as the float64 gradient has it', async () => {
    const c = await makeCase(30, [32], 'tanh', 0.3, 8, 24);
    const lambda = 0.1;
    const be = f64();
    const model = new Mlp(be, c.net.inputDim, c.net.hidden, c.net.numClasses, c.net.activation);
    be.write(model.params, c.params);
    const x = be.tensor(8, c.net.inputDim, c.batch.features);
    const y = be.labels(8);
    be.writeLabels(y, c.batch.labels);
    const metrics = be.tensor(1, model.layout.width);
    const batch = { n: 8, input: x, labels: y };
    model.recordForward(batch, metrics, 0);
    model.recordBackward(batch, lambda, metrics, 0);
    const norms = await Promise.all(
      model.layers.map(async (layer) => {
        const g = await be.read(layer.G);
        return Math.hypot(...g.subarray(0, layer.fanIn * layer.fanOut));
      }),
    );
    const result = await compareBackends(f64(), gpu, c.net, c.params, c.batch, lambda);
    for (const [l, layer] of result.layers.entries()) {
      expect(layer.gradNorm[0]).toBeCloseTo(norms[l], 12);
      expect(Math.abs(layer.gradNorm[1] - norms[l]) / norms[l]).toBeLessThan(1e-5);
    }
  });

  it('fails a backend whose input gradient is 1% off, in the layers below it only', async () => {
    class ScaledInputGradient extends ReferenceBackend {
      override linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: Activation): void {
        super.linearBackwardInput(dInput, dOut, p, h, kind);
        const data = storage(dInput);
        for (let i = 0; i < dInput.rows * dInput.cols; i++) data[i] *= 1.01;
      }
    }
    const c = await makeCase(30, [32, 32], 'relu', 0.3, 8, 25);
    const result = await compareBackends(new ScaledInputGradient(), gpu, c.net, c.params, c.batch, 0);
    expect(result.passed).toBe(false);
    expect(result.worstRelativeDifference).toBeGreaterThan(50 * BACKEND_COMPARISON_TOLERANCE);
    expect(result.lossDifference).toBeLessThan(BACKEND_COMPARISON_TOLERANCE / 10); // the forward pass is right
    const [first, second, output] = result.layers.map((l) => l.relativeDifference);
    expect(output).toBeLessThan(BACKEND_COMPARISON_TOLERANCE / 10); // the output layer's gradient comes before any input gradient
    expect(second).toBeCloseTo(0.01 / 1.01, 3); // one scaled input gradient under it
    expect(first).toBeCloseTo(1 - 1 / 1.01 ** 2, 3); // two
  });

  it('fails a backend whose loss is off', async () => {
    class ScaledLoss extends ReferenceBackend {
      override linearForwardLoss(...args: Parameters<ReferenceBackend['linearForwardLoss']>): void {
        const [dO, metrics, slot, input, p, y, scale] = args;
        super.linearForwardLoss(dO, metrics, slot, input, p, y, scale);
        storage(metrics)[slot] *= 1.001;
      }
    }
    const c = await makeCase(30, [], 'identity', 0.1, 8, 26);
    const result = await compareBackends(gpu, new ScaledLoss(), c.net, c.params, c.batch, 0);
    expect(result.passed).toBe(false);
    expect(result.lossDifference).toBeCloseTo(0.001 / 1.001, 5);
    expect(result.layers[0].relativeDifference).toBeLessThan(BACKEND_COMPARISON_TOLERANCE / 10);
  });

  it("leaves the caller's parameters and batch untouched, and frees what it made on the WebGPU backend", async () => {
    const c = await makeCase(30, [32], 'relu', 0.3, 8, 27);
    const [paramsBefore, featuresBefore] = [c.params.slice(), Float64Array.from(c.batch.features)];
    await compareBackends(new ReferenceBackend(), gpu, c.net, c.params, c.batch, 0.01);
    const bytes = gpu.bytesAllocated;
    for (let i = 0; i < 3; i++) await compareBackends(new ReferenceBackend(), gpu, c.net, c.params, c.batch, 0.01);
    expect(c.params).toEqual(paramsBefore);
    expect(Float64Array.from(c.batch.features)).toEqual(featuresBefore);
    // a model, a batch and its labels freed go back to the pool and are reused: nothing grows
    expect(gpu.bytesAllocated - bytes).toBe(0);
  });
});
