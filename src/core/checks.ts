// Correctness checks on demand: a backend's analytic gradients against float64 centred differences, and two backends against each other.
//
// Both take the model as a shape and a parameter vector (Mlp's layout, what `backend.read(model.params)`
// gives) and a batch of plain features and labels; each builds its own Mlp on the backend it is given,
// runs recordForward + recordBackward there, and destroys what it made. Nothing the caller owns changes.
import type { Backend, LabelTensor, LayerInput, Tensor } from './backend';
import { type MetricsSums, readMetricsRow } from './metrics-row';
import { type Batch, Mlp } from './model';
import { Rng } from './rng';
import type { Activation } from './settings';

/** The shape of an Mlp (softmax regression when `hidden` is empty). */
export interface NetShape {
  inputDim: number;
  hidden: readonly number[];
  numClasses: number;
  activation: Activation;
}

/** One batch as plain arrays: n × inputDim features, row-major and already scaled, and n class indices. */
export interface CheckBatch {
  features: ArrayLike<number>;
  labels: ArrayLike<number>;
}

/**
 * Finite-difference step h. A centred difference errs by truncation ≈ h²·J'''/6 and by float64
 * rounding ≈ ε·|J|/h (ε = 2.2e-16), least near h ≈ (3ε·|J|/|J'''|)^(1/3) ≈ 1e-5. Measured over 1,008
 * seeded models (softmax regression; 1 and 3 hidden layers of 16, ReLU, sigmoid and tanh; normal
 * σ 0.01 … 3; λ 0, 0.01, 1; 20 inputs, 10 classes, 8 samples; 6 entries a layer), the worst |a − n|
 * was 1.4e-10·max(1, |J|) at h = 1e-5, 2.4e-10·max(1, |J|) at 3e-6 (rounding), and at 1e-4 truncation
 * alone reached 1.8e-9 (tanh, σ 0.5). A larger step also crosses more ReLU kinks (without the redraws
 * below, 9 of those models failed at 1e-4 with errors up to 0.5, 3 at 3e-5, none at 1e-5).
 */
export const GRADIENT_CHECK_STEP = 1e-5;

/**
 * Relative error = |a − n| / max(|a|, |n|, FLOOR·max(1, |J|)): entries below the floor are held to
 * |a − n| ≤ TOLERANCE·FLOOR·max(1, |J|) = 1e-8·max(1, |J|), 70 times the worst rounding and truncation
 * error measured (1.4e-10·max(1, |J|), above). Float64 differences of J resolve no gradient below
 * about ε·|J|/h ≈ 5e-11·|J|: there n is noise or exactly 0, and |a − n| / max(|a|, |n|) would be
 * about 1. The first layers of a deep sigmoid net are there: with 8 hidden layers of 64, σ 0.01 and
 * 784 inputs, |∂J/∂W| is ≈ 1e-15 in layer 1 (n = 0: error 3e-12), 1e-11 in layer 4 (a = 8e-12,
 * n = −2.2e-11: error 1.3e-7), 2e-7 in layer 6 (compared relatively: 1.3e-7). The floor grows with
 * |J| as the rounding does: with J up to 4,300 in the measurements (large σ and λ), a fixed floor of
 * 1e-4 let the worst error reach 4.3e-4.
 */
export const GRADIENT_CHECK_FLOOR = 1e-4;

/**
 * The worst relative error a healthy gradient may show. Over the 1,008 models above the worst was
 * 2.9e-7 (350 times under it); a gradient 1% off errs by 1e-2 (100 times over) on every entry above
 * the floor.
 */
export const GRADIENT_CHECK_TOLERANCE = 1e-4;

/**
 * ReLU's kinks: when the step of an entry moves some unit's pre-activation across 0 for some sample
 * (the active pattern at θ ± h differs from θ's), J is not smooth within h and the difference is
 * wrong by up to the whole gradient; the entry is put back and another drawn, at most this many
 * times (then the last is used). Without redraws, ReLU nets [32, 32] with σ 0.01 on 30 inputs failed
 * 2 times in 150 with batches of 8 (errors 0.02 … 0.2) and 20 in 150 with batches of 64; with them,
 * none (worst 3.2e-7; about one redraw a check in 5 at 64 samples). Kinks grow with the batch: keep it small.
 */
export const GRADIENT_CHECK_KINK_REDRAWS = 10;

/**
 * The largest relative difference of the loss or of a layer's ‖∂J/∂W‖_F between two float32 backends.
 * The CPU reference (float32) against WebGPU (SwiftShader) differed by at most 2.5e-6 over 192
 * seeded models (softmax regression; 1 and 3 hidden layers of 32, ReLU, sigmoid and tanh; σ 0.01,
 * 0.1, 1; λ 0, 0.01, 1; 30 inputs, 8 samples), 5.5e-7 on 8 sigmoid layers of 32 or 64 with σ 0.01
 * (gradient norms down to 2e-15), and 2e-7 at 784 inputs with 256 … 1024 samples; the float32 CPU
 * itself is 1.6e-6 from float64 at worst. 1e-4 is 40 times the worst difference (kernels.test.ts
 * holds each kernel's elements to rtol 1e-5); a gradient 1% off shows as 1e-2. A norm that cancels
 * (dW ≈ −λW near a minimum) loses relative precision in float32 and may exceed it on a healthy pair.
 */
export const BACKEND_COMPARISON_TOLERANCE = 1e-4;

export interface GradientCheckLayer {
  /** 1-based, from the input. */
  layer: number;
  worstRelativeError: number;
  /** Entries of the layer compared. */
  checked: number;
  /** Of those, entries with max(|a|, |n|) below the floor: held to |a − n| ≤ tolerance·floor, not compared relatively. */
  belowFloor: number;
  /** The entry with the worst error; `index` is its position in the whole parameter vector. */
  worst: { index: number; analytic: number; numeric: number };
}

export interface GradientCheck {
  worstRelativeError: number;
  tolerance: number;
  passed: boolean;
  /** Entries compared over all layers. */
  checked: number;
  /** FLOOR·max(1, |J|) of this check: gradients below it are beyond what a float64 difference resolves relatively. */
  floor: number;
  /** Entries put back because their step crossed a ReLU kink (another was drawn in their place). */
  redrawnAtKinks: number;
  layers: GradientCheckLayer[];
}

export interface BackendComparisonLayer {
  /** 1-based, from the input. */
  layer: number;
  /** ‖∂J/∂W‖_F (λW included, the bias line not) on each backend. */
  gradNorm: [number, number];
  relativeDifference: number;
}

export interface BackendComparison {
  /** The data loss L (mean cross-entropy over the batch) on each backend. */
  loss: [number, number];
  /** |ΔL| / max(|L|, 1e-12). */
  lossDifference: number;
  layers: BackendComparisonLayer[];
  /** The largest of lossDifference and every layer's relativeDifference. */
  worstRelativeDifference: number;
  tolerance: number;
  passed: boolean;
}

/** An Mlp of this shape on `backend` holding `params`, the batch uploaded, and a metrics row. */
class Setup {
  readonly model: Mlp;
  readonly batch: Batch;
  readonly metrics: Tensor;
  private readonly x: Tensor;
  private readonly y: LabelTensor;
  /** Each hidden layer's output for activePattern(), made on first use. */
  private hiddenOut: Tensor[] | null = null;

  constructor(
    readonly backend: Backend,
    net: NetShape,
    params: ArrayLike<number>,
    data: CheckBatch,
  ) {
    const n = data.labels.length;
    if (n === 0) throw new Error('check: the batch is empty');
    if (data.features.length !== n * net.inputDim) {
      throw new Error(`check: ${data.features.length} features for ${n} samples of ${net.inputDim}`);
    }
    for (let i = 0; i < n; i++) {
      const y = data.labels[i];
      if (!Number.isInteger(y) || y < 0 || y >= net.numClasses) throw new Error(`check: label ${y} of sample ${i} is not a class of ${net.numClasses}`);
    }
    this.model = new Mlp(backend, net.inputDim, net.hidden, net.numClasses, net.activation);
    if (params.length !== this.model.params.cols) {
      this.model.destroy();
      throw new Error(`check: ${params.length} parameters for a model of ${this.model.params.cols}`);
    }
    backend.write(this.model.params, params);
    this.x = backend.tensor(n, net.inputDim, data.features);
    this.y = backend.labels(n);
    backend.writeLabels(this.y, data.labels);
    this.batch = { n, input: this.x, labels: this.y };
    this.metrics = backend.tensor(1, this.model.layout.width);
  }

  /** Records the forward and backward passes (every G, and the metrics row) and reads the row's sums. */
  async pass(lambda: number): Promise<MetricsSums> {
    this.model.recordForward(this.batch, this.metrics, 0);
    this.model.recordBackward(this.batch, lambda, this.metrics, 0);
    return readMetricsRow(await this.backend.read(this.metrics), this.model.layout, this.batch.n);
  }

  /** Which hidden units are active (output > 0) for each sample, every hidden layer one after another. */
  async activePattern(): Promise<Uint8Array> {
    const be = this.backend;
    const { model, batch } = this;
    this.hiddenOut ??= model.hidden.map((width) => be.tensor(batch.n, width));
    let input: LayerInput = batch.input;
    for (const [l, h] of this.hiddenOut.entries()) {
      be.linearForward(h, input, model.layers[l].P, model.activation); // what recordForward computes
      input = h;
    }
    const outputs = await Promise.all(this.hiddenOut.map((h) => be.read(h)));
    const pattern = new Uint8Array(outputs.reduce((sum, h) => sum + h.length, 0));
    let at = 0;
    for (const h of outputs) for (const value of h) pattern[at++] = value > 0 ? 1 : 0;
    return pattern;
  }

  destroy(): void {
    this.model.destroy();
    for (const t of [this.x, this.metrics, ...(this.hiddenOut ?? [])]) this.backend.free(t);
    this.backend.release(this.y);
  }
}

/** |a − b| / max(|a|, |b|, floor). */
function relativeError(a: number, b: number, floor: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b), floor);
  return Math.abs(a - b) / scale;
}

/** Seeded draws without repetition from positions [start, start + count). */
class Draws {
  private readonly drawn = new Set<number>();
  constructor(
    private readonly start: number,
    private readonly count: number,
    private readonly rng: Rng,
  ) {}

  /** A position not drawn before, or null when every one has been. */
  next(): number | null {
    if (this.drawn.size === this.count) return null;
    for (;;) {
      const at = this.start + this.rng.below(this.count);
      if (!this.drawn.has(at)) {
        this.drawn.add(at);
        return at;
      }
    }
  }
}

function sameValues(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * The gradient check: the analytic gradient G = ∂J/∂θ of J = L + (λ/2) Σ_l ‖W_l‖² that
 * recordForward + recordBackward compute on `reference` (meant to be the CPU reference backend in
 * float64), against the centred difference (J(θ + h) − J(θ − h)) / 2h, h = GRADIENT_CHECK_STEP, for
 * a seeded sample of entries from every layer: `samplesPerLayer` (default 6, at least 2) of them,
 * one from the bias line and the rest from W (all of W when it has fewer). J is read from the
 * metrics row the passes write. In a ReLU net an entry whose step moves some unit across 0 (J has
 * a kink within h) is put back and another one drawn, up to GRADIENT_CHECK_KINK_REDRAWS times.
 */
export async function checkGradients(
  reference: Backend,
  net: NetShape,
  params: ArrayLike<number>,
  batch: CheckBatch,
  lambda: number,
  options: { samplesPerLayer?: number; seed?: number } = {},
): Promise<GradientCheck> {
  const samplesPerLayer = options.samplesPerLayer ?? 6;
  if (!Number.isInteger(samplesPerLayer) || samplesPerLayer < 2) throw new Error(`checkGradients: samplesPerLayer ${samplesPerLayer} is not an integer ≥ 2`);
  await requireFloat64(reference);
  const rng = new Rng(options.seed ?? 1);
  const setup = new Setup(reference, net, params, batch);
  try {
    const { model } = setup;
    const theta = Float64Array.from(params); // the check's own copy: the caller's array is only read
    /** J = L + (λ/2) Σ ‖W‖² at theta, from the metrics row. */
    const objective = async (): Promise<number> => {
      reference.write(model.params, theta);
      const sums = await setup.pass(lambda);
      return sums.loss + (lambda / 2) * sums.weightSq.reduce((a, b) => a + b, 0);
    };
    const floor = GRADIENT_CHECK_FLOOR * Math.max(1, Math.abs(await objective()));
    // every analytic gradient now: each J evaluation below runs the backward pass again
    const analytic = await Promise.all(model.layers.map((layer) => reference.read(layer.G)));
    const kinked = net.activation === 'relu' && net.hidden.length > 0;
    const pattern = kinked ? await setup.activePattern() : null;
    /** The centred difference at theta[index], and whether a ReLU unit changes sides within the step. */
    const difference = async (index: number): Promise<{ numeric: number; kink: boolean }> => {
      const original = theta[index];
      const up = original + GRADIENT_CHECK_STEP;
      const down = original - GRADIENT_CHECK_STEP;
      let kink = false;
      theta[index] = up;
      const plus = await objective();
      if (pattern) kink ||= !sameValues(await setup.activePattern(), pattern);
      theta[index] = down;
      const minus = await objective();
      if (pattern) kink ||= !sameValues(await setup.activePattern(), pattern);
      theta[index] = original;
      return { numeric: (plus - minus) / (up - down), kink }; // up − down: the step actually taken
    };
    let redrawn = 0;
    const layers: GradientCheckLayer[] = [];
    for (const [l, layer] of model.layers.entries()) {
      const weights = layer.fanIn * layer.fanOut;
      const weightDraws = new Draws(0, weights, rng);
      const biasDraws = new Draws(weights, layer.fanOut, rng);
      const targets = [...Array<Draws>(Math.min(samplesPerLayer - 1, weights)).fill(weightDraws), biasDraws];
      let worst: GradientCheckLayer['worst'] | null = null;
      let worstError = 0;
      let checked = 0;
      let belowFloor = 0;
      for (const draws of targets) {
        let entry: { at: number; numeric: number } | null = null;
        for (let attempt = 0; attempt <= GRADIENT_CHECK_KINK_REDRAWS; attempt++) {
          const at = draws.next();
          if (at === null) break; // every entry drawn: the last one kinked stays
          const { numeric, kink } = await difference(layer.offset + at);
          if (entry) redrawn++;
          entry = { at, numeric };
          if (!kink) break;
        }
        if (!entry) continue; // W's entries all drawn for earlier targets
        checked++;
        if (Math.max(Math.abs(analytic[l][entry.at]), Math.abs(entry.numeric)) < floor) belowFloor++;
        const error = relativeError(analytic[l][entry.at], entry.numeric, floor);
        if (!worst || error > worstError || Number.isNaN(error)) {
          worstError = error;
          worst = { index: layer.offset + entry.at, analytic: analytic[l][entry.at], numeric: entry.numeric };
        }
      }
      layers.push({ layer: l + 1, worstRelativeError: worstError, checked, belowFloor, worst: worst! });
    }
    const worstRelativeError = Math.max(...layers.map((l) => l.worstRelativeError));
    return {
      worstRelativeError,
      tolerance: GRADIENT_CHECK_TOLERANCE,
      passed: worstRelativeError <= GRADIENT_CHECK_TOLERANCE, // false for NaN
      checked: layers.reduce((sum, l) => sum + l.checked, 0),
      floor,
      redrawnAtKinks: redrawn,
      layers,
    };
  } finally {
    setup.destroy();
  }
}

/** Throws unless the backend stores float64: in float32 rounding alone would swamp the centred differences. */
async function requireFloat64(backend: Backend): Promise<void> {
  const probe = 1 + 2 ** -40;
  const t = backend.tensor(1, 1, [probe]);
  const stored = (await backend.read(t))[0];
  backend.free(t);
  if (stored !== probe) throw new Error(`checkGradients: ${backend.description} does not store float64; the check needs the reference backend in float64`);
}

/**
 * Runs the same forward and backward passes (recordForward + recordBackward) of the same model on the
 * same batch on two backends and compares the data loss and each layer's ‖∂J/∂W‖_F, relative to the
 * larger of the two.
 */
export async function compareBackends(
  a: Backend,
  b: Backend,
  net: NetShape,
  params: ArrayLike<number>,
  batch: CheckBatch,
  lambda: number,
): Promise<BackendComparison> {
  const run = async (backend: Backend) => {
    const setup = new Setup(backend, net, params, batch);
    try {
      return await setup.pass(lambda);
    } finally {
      setup.destroy();
    }
  };
  const sums = [await run(a), await run(b)];
  const loss: [number, number] = [sums[0].loss, sums[1].loss];
  const lossDifference = relativeError(loss[0], loss[1], 1e-12);
  const layers = sums[0].gradSq.map((_, l): BackendComparisonLayer => {
    const gradNorm: [number, number] = [Math.sqrt(sums[0].gradSq[l]), Math.sqrt(sums[1].gradSq[l])];
    return { layer: l + 1, gradNorm, relativeDifference: relativeError(gradNorm[0], gradNorm[1], Number.MIN_VALUE) };
  });
  const differences = [lossDifference, ...layers.map((l) => l.relativeDifference)];
  const worstRelativeDifference = differences.some(Number.isNaN) ? Number.NaN : Math.max(...differences);
  return {
    loss,
    lossDifference,
    layers,
    worstRelativeDifference,
    tolerance: BACKEND_COMPARISON_TOLERANCE,
    passed: worstRelativeDifference <= BACKEND_COMPARISON_TOLERANCE,
  };
}
