// Gradient check: the CPU backend's analytic gradients against float64 centred finite differences.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backends/cpu/cpu-backend';
import { ACTIVATIONS, type Activation } from '../src/core/config';
import { Mlp } from '../src/core/model';
import { Rng } from '../src/core/rng';

const n = 6; // samples
const d = 5; // features
const q = 4; // classes
const lambda = 0.3;
const h = 1e-6; // finite-difference step
// Centred differences in float64 are accurate to ~h² plus rounding ~1e-16/h: about 1e-9 here.
const tolerance = 1e-6;

async function objective(be: CpuBackend, model: Mlp, metrics: ReturnType<CpuBackend['tensor']>): Promise<number> {
  model.recordForward(n, metrics, 0);
  model.recordNorms(metrics);
  const row = await be.read(metrics);
  let weightSq = 0;
  for (let l = 0; l < model.layers.length; l++) weightSq += row[model.layout.weightSq(l)];
  return row[0] + (lambda / 2) * weightSq; // J = L + (λ/2) Σ ‖W‖²
}

async function checkGradients(hidden: number[], activation: Activation): Promise<number> {
  const be = new CpuBackend({ precision: 'f64' });
  const rng = new Rng(42);
  const model = new Mlp(be, d, hidden, q, activation);
  model.initialize({ init: 'normal', sigma: 0.8 }, rng);
  // biases away from zero so their gradients are exercised too
  for (const layer of model.layers) be.write(layer.b, Array.from({ length: layer.fanOut }, () => rng.normal() * 0.5));
  const { x, y } = model.inputs(n);
  be.write(x, Array.from({ length: n * d }, () => rng.normal()));
  be.writeLabels(y, [0, 1, 2, 3, 1, 2]);
  const metrics = be.tensor(1, model.layout.width);

  model.recordForward(n, metrics, 0);
  model.recordBackward(n, lambda);
  let worst = 0;
  for (const layer of model.layers) {
    for (const [param, grad] of [
      [layer.W, layer.dW],
      [layer.b, layer.db],
    ] as const) {
      const analytic = await be.read(grad);
      const values = await be.read(param);
      for (let i = 0; i < values.length; i++) {
        const original = values[i];
        values[i] = original + h;
        be.write(param, values);
        const plus = await objective(be, model, metrics);
        values[i] = original - h;
        be.write(param, values);
        const minus = await objective(be, model, metrics);
        values[i] = original;
        be.write(param, values);
        const numeric = (plus - minus) / (2 * h);
        const error = Math.abs(numeric - analytic[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
        worst = Math.max(worst, error);
      }
    }
  }
  return worst;
}

describe('gradient check against float64 centred differences (λ = 0.3)', () => {
  it('softmax regression', async () => {
    expect(await checkGradients([], 'identity')).toBeLessThan(tolerance);
  });
  for (const activation of ACTIVATIONS) {
    it(`MLP depth 1, ${activation}`, async () => {
      expect(await checkGradients([7], activation)).toBeLessThan(tolerance);
    });
    it(`MLP depth 3, ${activation}`, async () => {
      expect(await checkGradients([6, 3, 5], activation)).toBeLessThan(tolerance);
    });
  }

  it('detects a wrong gradient (the check can fail)', async () => {
    const be = new CpuBackend({ precision: 'f64' });
    const original = be.columnSums.bind(be);
    // sabotage: bias gradients off by 1%
    be.columnSums = (db, dz) => {
      original(db, dz);
      const data = (db as unknown as { data: Float64Array }).data;
      for (let i = 0; i < db.cols; i++) data[i] *= 1.01;
    };
    const rng = new Rng(1);
    const model = new Mlp(be, d, [4], q, 'tanh');
    model.initialize({ init: 'normal', sigma: 0.8 }, rng);
    const { x, y } = model.inputs(n);
    be.write(x, Array.from({ length: n * d }, () => rng.normal()));
    be.writeLabels(y, [0, 1, 2, 3, 1, 2]);
    const metrics = be.tensor(1, model.layout.width);
    model.recordForward(n, metrics, 0);
    model.recordBackward(n, lambda);
    const analytic = await be.read(model.layers[1].db);
    const b = await be.read(model.layers[1].b);
    b[0] += h;
    be.write(model.layers[1].b, b);
    const plus = await objective(be, model, metrics);
    b[0] -= 2 * h;
    be.write(model.layers[1].b, b);
    const minus = await objective(be, model, metrics);
    const numeric = (plus - minus) / (2 * h);
    expect(Math.abs(numeric - analytic[0]) / Math.abs(numeric)).toBeGreaterThan(5e-3);
  });
});
