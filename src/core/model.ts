// The MLP (softmax regression when it has no hidden layer): parameters, workspace, and the forward,
// backward and update passes recorded against any Backend with its fused layer ops.
import type { Backend, Gathered, LabelTensor, LayerInput, Tensor } from './backend';
import { SLICE_ALIGN } from './backend';
import { HISTOGRAM_WIDTH, readHistogram } from './histogram';
import { initWeights } from './init';
import { flatRegion, INSPECTED, type Inside, type Inspected, type LayerInside } from './inspection';
import { type MetricsLayout, metricsLayout, rowGuard, rowStart } from './metrics-row';
import type { Rng } from './rng';
import type { Activation, InitConfig } from './settings';

/**
 * One affine layer. Its parameters are P (fanIn + 1, fanOut) = [W; b] inside the model's one
 * parameter tensor, its gradient G = [dW; db] at the same place in the gradient tensor, and `next`
 * the same place in the spare parameter tensor, where a training step writes P − lr·G.
 */
export interface Layer {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Element offset of P (and G, and next) in the model's parameter (and gradient, and spare) tensor. */
  readonly offset: number;
  readonly P: Tensor;
  readonly G: Tensor;
  readonly next: Tensor;
}

/** One batch of n rows: the first layer's input and the labels (both gathered from the split in training). */
export interface Batch {
  n: number;
  input: LayerInput; // (n, d)
  labels: LabelTensor | Gathered; // (n)
}

/**
 * A pass recorded op by op: the generator yields after each layer op. Run straight through
 * (runOps) it is the pass; a caller that awaits between the ops can answer messages inside a long
 * step, or give it up (stop iterating) with nothing exchanged.
 */
export type Ops = Generator<void, void, void>;

/** Records every op of a pass at once. */
export function runOps(ops: Ops): void {
  for (let r = ops.next(); !r.done; r = ops.next());
}

/** Activations and their gradients for up to `capacity` rows. */
interface Workspace {
  capacity: number;
  H: Tensor[]; // hidden l: (cap, h_l)
  dH: Tensor[]; // hidden l: (cap, h_l), ∂J/∂Z_l once the activation backward is folded in
  dO: Tensor; // (cap, q)
}

/**
 * The parameters are double-buffered: a training step reads `params` and writes the updated values
 * into `spare` (each layer's gradient and update are one fused op), then the two exchange storage.
 * A step that turns out not finite is undone by exchanging back: its input is still there whole.
 */
export class Mlp {
  /** Every layer's P, one after another (each at a multiple of SLICE_ALIGN). */
  readonly params: Tensor;
  private readonly spare: Tensor;
  /** Elements of params (and spare, and the gradients). */
  private readonly total: number;
  /** The gradients and their per-layer slices, made on first use: training never stores G. */
  private gradients: { tensor: Tensor; slices: Tensor[] } | null = null;
  readonly layout: MetricsLayout;
  /** The layers cut from each storage: [P in the first, P in the second]; `flipped` says which `params` holds. */
  private readonly layerSets: [Layer[], Layer[]];
  private flipped = 0;
  private work: Workspace | null = null;
  /** Rows of the last pass recorded, and whether it went backward. */
  private lastPass: { rows: number; backward: boolean } | null = null;
  /** The last backward pass: its batch, λ and the layers (parameter storage) it read; what inspect() looks at. */
  private lastBackward: { batch: Batch; lambda: number; layers: readonly Layer[] } | null = null;
  /** Scratch for inspect(), made on first use. */
  private inspectScratch: { rows: number; values: Tensor; metrics: Tensor; histograms: Tensor } | null = null;

  constructor(
    private readonly backend: Backend,
    readonly inputDim: number,
    readonly hidden: readonly number[],
    readonly numClasses: number,
    readonly activation: Activation,
  ) {
    const widths = [inputDim, ...hidden, numClasses];
    const offsets: number[] = [];
    let total = 0;
    for (let l = 1; l < widths.length; l++) {
      offsets.push(total);
      total += Math.ceil(((widths[l - 1] + 1) * widths[l]) / SLICE_ALIGN) * SLICE_ALIGN;
    }
    this.total = total;
    this.params = backend.tensor(1, total);
    this.spare = backend.tensor(1, total);
    const gradSlices = () => this.gradientStorage().slices;
    const cut = (from: Tensor, to: Tensor): Layer[] =>
      widths.slice(1).map((fanOut, l) => {
        const fanIn = widths[l];
        const offset = offsets[l];
        const slice = (t: Tensor) => backend.slice(t, offset, fanIn + 1, fanOut);
        return {
          fanIn,
          fanOut,
          offset,
          P: slice(from),
          next: slice(to),
          get G() {
            return gradSlices()[l];
          },
        };
      });
    this.layerSets = [cut(this.params, this.spare), cut(this.spare, this.params)];
    this.layout = metricsLayout(this.layers);
  }

  private gradientStorage(): { tensor: Tensor; slices: Tensor[] } {
    if (!this.gradients) {
      const tensor = this.backend.tensor(1, this.total);
      const slices = this.layers.map((l) => this.backend.slice(tensor, l.offset, l.fanIn + 1, l.fanOut));
      this.gradients = { tensor, slices };
    }
    return this.gradients;
  }

  /** The layers, P in the storage `params` holds now. */
  get layers(): readonly Layer[] {
    return this.layerSets[this.flipped];
  }

  /** Draws every W from the initialiser and zeroes every b, in place, with one write. */
  initialize(init: InitConfig, rng: Rng): void {
    const values = new Float32Array(this.params.cols);
    for (const layer of this.layers) {
      values.set(initWeights(init, layer.fanIn, layer.fanOut, rng), layer.offset); // b stays 0
    }
    this.backend.write(this.params, values);
  }

  private workspace(rows: number): Workspace {
    if (this.work && this.work.capacity >= rows) return this.work;
    const be = this.backend;
    const cap = rows;
    if (this.work) this.freeWorkspace(this.work);
    this.work = {
      capacity: cap,
      H: this.hidden.map((h) => be.tensor(cap, h)),
      dH: this.hidden.map((h) => be.tensor(cap, h)),
      dO: be.tensor(cap, this.numClasses),
    };
    return this.work;
  }

  private freeWorkspace(work: Workspace): void {
    for (const t of [...work.H, ...work.dH, work.dO]) this.backend.free(t);
  }

  /**
   * Inside the network at the last backward pass (a training step's or recordBackward's), from its
   * own tensors: per layer the histograms of z (recomputed from the stored input and the parameters
   * the pass read), h, W, ∂J/∂z, ∂J/∂h (from the stored ∂J/∂z above it) and ∂J/∂W (recomputed
   * with the pass's λ), all with one read-back. Null when the last pass was not a backward one.
   * The workspace must still hold that pass (call it before an evaluation's forward passes).
   * `between`, if given, is awaited after each layer's ops (a long look can then be given up).
   */
  async inspect(between?: () => Promise<void>): Promise<Omit<Inside, 'input'> | null> {
    const step = this.lastBackward;
    const pass = this.lastPass;
    if (!step || !pass?.backward || !this.work) return null;
    const be = this.backend;
    const n = pass.rows;
    const layers = step.layers;
    const widest = Math.max(...layers.map((l) => l.fanOut));
    const rowsNeeded = layers.length * INSPECTED.length;
    if (!this.inspectScratch || this.inspectScratch.rows < n || this.inspectScratch.histograms.rows < rowsNeeded) {
      this.freeInspectScratch();
      this.inspectScratch = {
        rows: n,
        values: be.tensor(n, widest),
        metrics: be.tensor(1, this.layout.width),
        histograms: be.tensor(rowsNeeded, HISTOGRAM_WIDTH),
      };
    }
    const { values, metrics, histograms } = this.inspectScratch;
    const scratch = (cols: number) => be.slice(values, 0, n, cols);
    const weights = (t: Tensor, layer: Layer) => be.slice(t, 0, layer.fanIn, layer.fanOut);
    const row = (l: number, q: Inspected) => l * INSPECTED.length + INSPECTED.indexOf(q);
    const none = { center: 0, threshold: Infinity };
    const flat = flatRegion(this.activation) ?? none;
    const dZ = (l: number) => be.view(l < this.hidden.length ? this.work!.dH[l] : this.work!.dO, n);
    for (const [l, layer] of layers.entries()) {
      const input: LayerInput = l === 0 ? step.batch.input : be.view(this.work.H[l - 1], n);
      const z = scratch(layer.fanOut);
      be.linearForward(z, input, layer.P, 'identity');
      be.histogram(histograms, row(l, 'z'), z, none);
      be.histogram(histograms, row(l, 'W'), weights(layer.P, layer), none);
      be.histogram(histograms, row(l, 'dz'), dZ(l), none);
      be.linearBackwardParams(layer.G, metrics, this.layout.layerSlot[l], input, dZ(l), layer.P, step.lambda);
      be.histogram(histograms, row(l, 'dW'), weights(layer.G, layer), none);
      if (l < this.hidden.length) {
        const h = be.view(this.work.H[l], n);
        be.histogram(histograms, row(l, 'h'), h, flat);
        // ∂J/∂h_l = ∂J/∂z_{l+1} · W_{l+1}ᵀ
        const dh = scratch(layer.fanOut);
        be.linearBackwardInput(dh, dZ(l + 1), layers[l + 1].P, h, 'identity');
        be.histogram(histograms, row(l, 'dh'), dh, none);
      }
      if (between) await between();
    }
    const read = await be.read(histograms);
    const inside = layers.map((_, l): LayerInside => {
      const get = (q: Inspected) => readHistogram(read, row(l, q));
      const hidden = l < this.hidden.length;
      const { fanIn, fanOut } = layers[l];
      return { fanIn, fanOut, z: get('z'), W: get('W'), dz: get('dz'), dW: get('dW'), ...(hidden ? { h: get('h'), dh: get('dh') } : {}) };
    });
    return { rows: n, lambda: step.lambda, activation: this.activation, layers: inside };
  }

  private freeInspectScratch(): void {
    if (!this.inspectScratch) return;
    for (const t of [this.inspectScratch.values, this.inspectScratch.metrics, this.inspectScratch.histograms]) this.backend.free(t);
    this.inspectScratch = null;
  }

  /**
   * The softmax probabilities of the last forward pass (n, q), from the dO it stored:
   * softmax(o) = n·dO + onehot(y) (dO = (softmax(o) − onehot(y))/n).
   */
  async readProbabilities(labels: ArrayLike<number>): Promise<Float32Array> {
    const pass = this.lastPass;
    if (!this.work || !pass) throw new Error('readProbabilities: no forward pass recorded');
    const q = this.numClasses;
    const dO = await this.backend.read(this.backend.view(this.work.dO, pass.rows));
    const p = new Float32Array(pass.rows * q);
    for (let i = 0; i < pass.rows; i++) {
      for (let j = 0; j < q; j++) p[i * q + j] = pass.rows * dO[i * q + j] + (labels[i] === j ? 1 : 0);
    }
    return p;
  }

  /** Frees every tensor of the model; it is not used again. */
  destroy(): void {
    if (this.work) this.freeWorkspace(this.work);
    this.freeInspectScratch();
    this.work = null;
    this.lastPass = null;
    this.lastBackward = null;
    this.backend.free(this.params);
    this.backend.free(this.spare);
    if (this.gradients) this.backend.free(this.gradients.tensor);
  }

  /**
   * Records the forward pass of a batch and the fused softmax cross-entropy:
   * dO = (softmax(O) − onehot(y))/n, and the loss and correct-count partials into
   * the loss pairs of metrics row `row` (metrics-row.ts).
   */
  recordForward(batch: Batch, metrics: Tensor, row: number): void {
    runOps(this.forwardOps(batch, metrics, row));
  }

  /** recordForward as its ops, one yield after each layer's op (see Ops). */
  *forwardOps(batch: Batch, metrics: Tensor, row: number): Ops {
    const be = this.backend;
    const { n } = batch;
    const work = this.workspace(n);
    this.lastPass = { rows: n, backward: false };
    this.lastBackward = null;
    let input: LayerInput = batch.input;
    for (let l = 0; l < this.hidden.length; l++) {
      const H = be.view(work.H[l], n);
      be.linearForward(H, input, this.layers[l].P, this.activation); // H_l = φ(H_{l-1} W_l + b_l)
      input = H;
      yield;
    }
    const out = this.layers[this.layers.length - 1];
    // O = H_L W + b; loss_i = logsumexp(o_i) − o_i[y_i]; dO = (softmax(O) − onehot(y)) / n
    be.linearForwardLoss(be.view(work.dO, n), metrics, rowStart(row, this.layout) + this.layout.loss, input, out.P, batch.labels, 1 / n);
    yield;
  }

  /** Ops in a forward pass and in a training step's backward pass and update: what a long step counts through. */
  get opsPerPass(): { forward: number; training: number } {
    const layers = this.layers.length;
    return { forward: layers, training: 2 * layers - 1 };
  }

  /** Forgets the last pass (one given up part way): inspect() has nothing to look at until the next. */
  forgetPass(): void {
    this.lastPass = null;
    this.lastBackward = null;
  }

  /**
   * Records the backward pass of recordForward(n): every G = [dW + λW; db] (the gradient tensor is
   * made on the first call), and the ‖W‖², ‖dW‖² pairs of metrics row `row`.
   */
  recordBackward(batch: Batch, lambda: number, metrics: Tensor, row: number): void {
    runOps(
      this.backward(batch, lambda, (layer, l, input, dOut) => {
        // dW_l = H_{l-1}ᵀ dZ_l + λ W_l; db_l = column sums of dZ_l
        this.backend.linearBackwardParams(layer.G, metrics, rowStart(row, this.layout) + this.layout.layerSlot[l], input, dOut, layer.P, lambda);
      }),
    );
  }

  /**
   * Records a training step's backward pass and update: per layer one fused op writes
   * P − lr·G into the spare storage (G itself is never stored), with the partials of
   * recordBackward. Every update is guarded by the previous step's
   * row, so that after a step diverges no later one moves. Then `params` holds the updated values.
   */
  recordTrainingStep(batch: Batch, lambda: number, lr: number, metrics: Tensor, row: number): void {
    runOps(this.trainingStepOps(batch, lambda, lr, metrics, row));
  }

  /**
   * recordTrainingStep as its ops (see Ops): given up before its last op, the step changes no
   * parameter. Its updates are guarded by row `guardRow` of metrics (by default the row before its
   * own; null for none).
   */
  *trainingStepOps(batch: Batch, lambda: number, lr: number, metrics: Tensor, row: number, guardRow: number | null = row > 0 ? row - 1 : null): Ops {
    const step = { lambda, lr, ...rowGuard(guardRow, this.layout) };
    yield* this.backward(batch, lambda, (layer, l, input, dOut) => {
      const slot = rowStart(row, this.layout) + this.layout.layerSlot[l];
      this.backend.linearUpdate(layer.next, metrics, slot, input, dOut, layer.P, step);
    });
    this.exchange();
  }

  /**
   * From the output layer down: dZ_{l-1} = (dZ_l W_lᵀ) ⊙ φ'(Z_{l-1}) (φ' read from H_{l-1} = φ(Z_{l-1}),
   * recorded before layer l's parameter op, which may write its update), and `params` for each layer
   * with its input and dZ_l.
   */
  private *backward(batch: Batch, lambda: number, params: (layer: Layer, l: number, input: LayerInput, dOut: Tensor) => void): Ops {
    const be = this.backend;
    const { n } = batch;
    const work = this.workspace(n);
    this.lastPass = { rows: n, backward: true };
    this.lastBackward = { batch, lambda, layers: this.layers };
    let dNext = be.view(work.dO, n); // ∂J/∂Z_{l+1}, starting from ∂J/∂O
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const input: LayerInput = l === 0 ? batch.input : be.view(work.H[l - 1], n);
      if (l > 0) {
        be.linearBackwardInput(be.view(work.dH[l - 1], n), dNext, layer.P, input as Tensor, this.activation);
        yield;
      }
      params(layer, l, input, dNext);
      yield;
      if (l > 0) dNext = be.view(work.dH[l - 1], n);
    }
  }

  /** Takes back the last `steps` training steps' exchanges (a diverged step's input is then current again). */
  rewind(steps: number): void {
    this.lastBackward = null; // the pass that diverged is not one to look inside
    if (steps % 2 === 1) this.exchange();
  }

  private exchange(): void {
    this.backend.swap(this.params, this.spare);
    this.flipped = 1 - this.flipped;
  }
}
