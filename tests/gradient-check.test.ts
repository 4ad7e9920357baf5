// Gradient check: the CPU reference backend's analytic gradients against float64 centred finite differences.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../src/backends/cpu/reference-backend';
import { readMetricsRow } from '../src/core/metrics-row';
import { type Batch, Mlp } from '../src/core/model';
import { Rng } from '../src/core/rng';
import { ACTIVATIONS, type Activation } from '../src/core/settings';

const n = 6; // samples
const d = 5; // features
const q = 4; // classes
const lambda = 0.3;
const h = 5e-6; // finite-difference step, near the optimum ε^(1/3) for centred differences
// Centred differences in float64 err by ~h²·J''' plus rounding ~1e-16·J/h: about 1e-10 here.
const tolerance = 1e-6;

/** J = L + (λ/2) Σ ‖W‖², read from the metrics the model writes. */
async function objective(be: ReferenceBackend, model: Mlp, batch: Batch, metrics: ReturnType<ReferenceBackend['tensor']>): Promise<number> {
  model.recordForward(batch, metrics, 0);
  model.recordBackward(batch, lambda, metrics, 0); // writes the ‖W‖² partials (and G, unused here)
  const sums = readMetricsRow(await be.read(metrics), model.layout, n);
  return sums.loss + (lambda / 2) * sums.weightSq.reduce((a, b) => a + b, 0);
}

function makeModel(be: ReferenceBackend, hidden: number[], activation: Activation, seed: number) {
  const rng = new Rng(seed);
  const model = new Mlp(be, d, hidden, q, activation);
  model.initialize({ init: 'normal', sigma: 0.8, initValue: 0 }, rng);
  // biases away from zero so their gradients are exercised too
  for (const layer of model.layers) {
    const p = Float64Array.from(readSync(layer.P));
    for (let j = 0; j < layer.fanOut; j++) p[layer.fanIn * layer.fanOut + j] = rng.normal() * 0.5;
    be.write(layer.P, p);
  }
  const x = be.tensor(
    n,
    d,
    Array.from({ length: n * d }, () => rng.normal()),
  );
  const y = be.labels(n);
  be.writeLabels(y, [0, 1, 2, 3, 1, 2]);
  const batch: Batch = { n, input: x, labels: y };
  return { model, batch, metrics: be.tensor(1, model.layout.width) };
}

/** The CPU reference backend's tensors hold their storage in `data`; reading it directly keeps this synchronous. */
function readSync(t: unknown): Float64Array {
  return (t as { data: Float64Array }).data;
}

async function checkGradients(hidden: number[], activation: Activation): Promise<number> {
  const be = new ReferenceBackend({ precision: 'f64' });
  const { model, batch, metrics } = makeModel(be, hidden, activation, 42);
  model.recordForward(batch, metrics, 0);
  model.recordBackward(batch, lambda, metrics, 0);
  // read every analytic gradient first: objective() runs the backward pass again and overwrites G
  const analytics = await Promise.all(model.layers.map((layer) => be.read(layer.G)));
  let worst = 0;
  for (const [l, layer] of model.layers.entries()) {
    const analytic = analytics[l];
    const values = await be.read(layer.P);
    for (let i = 0; i < values.length; i++) {
      const original = values[i];
      values[i] = original + h;
      be.write(layer.P, values);
      const plus = await objective(be, model, batch, metrics);
      values[i] = original - h;
      be.write(layer.P, values);
      const minus = await objective(be, model, batch, metrics);
      values[i] = original;
      be.write(layer.P, values);
      const numeric = (plus - minus) / (2 * h);
      const error = Math.abs(numeric - analytic[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
      worst = Math.max(worst, error);
    }
  }
  return worst;
}

describe('gradient check against float64 centred differences (λ = 0.3), every W and b', () => {
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
    const be = new ReferenceBackend({ precision: 'f64' });
    const original = be.linearBackwardParams.bind(be);
    // sabotage: bias gradients off by 1%
    be.linearBackwardParams = (g, metrics, slot, input, dOut, p, lam) => {
      original(g, metrics, slot, input, dOut, p, lam);
      const data = readSync(g);
      for (let j = 0; j < g.cols; j++) data[(g.rows - 1) * g.cols + j] *= 1.01;
    };
    const { model, batch, metrics } = makeModel(be, [4], 'tanh', 1);
    model.recordForward(batch, metrics, 0);
    model.recordBackward(batch, lambda, metrics, 0);
    const out = model.layers[1];
    const biasAt = out.fanIn * out.fanOut; // first bias of the output layer
    const analytic = (await be.read(out.G))[biasAt];
    const p = await be.read(out.P);
    p[biasAt] += h;
    be.write(out.P, p);
    const plus = await objective(be, model, batch, metrics);
    p[biasAt] -= 2 * h;
    be.write(out.P, p);
    const minus = await objective(be, model, batch, metrics);
    const numeric = (plus - minus) / (2 * h);
    expect(Math.abs(numeric - analytic) / Math.abs(numeric)).toBeGreaterThan(5e-3);
  });
});
