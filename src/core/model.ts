// The MLP (softmax regression when it has no hidden layer): parameters, workspace, and the forward,
// backward and update passes recorded against any Backend with its fused layer ops.
import type { Backend, Gathered, LabelTensor, LayerInput, Tensor } from './backend';
import { SLICE_ALIGN } from './backend';
import { initWeights } from './init';
import { type MetricsLayout, metricsLayout, previousRowGuard, rowStart } from './metrics-row';
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

/** Activations and their gradients for up to `capacity` rows. */
interface Workspace {
  capacity: number;
  H: Tensor[]; // hidden l: (cap, h_l)
  dH: Tensor[]; // hidden l: (cap, h_l), ∂J/∂Z_l once the activation backward is folded in
  dO: Tensor; // (cap, q)
}

/** How the signal grows or shrinks through depth (Mlp.readSignals). */
export interface LayerSignals {
  /** RMS of H_l for hidden layers 1 … L. */
  activationRms: number[];
  /** ‖∂J/∂Z_l‖_F for layers 1 … L + 1 (the output layer's is ∂J/∂O). */
  backwardNorm: number[] | null;
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
  /** Rows of the last pass recorded, and whether it went backward: what readSignals reads. */
  private lastPass: { rows: number; backward: boolean } | null = null;

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
   * The signal through depth at the last pass recorded, from the tensors it trained with: per hidden
   * layer the RMS of its activations H_l, and per layer ‖∂J/∂Z_l‖_F over the batch (∂J/∂O for the
   * output layer; null when the last pass did not go backward). Null before any pass.
   */
  async readSignals(): Promise<LayerSignals | null> {
    const pass = this.lastPass;
    if (!this.work || !pass) return null;
    const be = this.backend;
    const sumSquares = (values: ArrayLike<number>) => {
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
      return sum;
    };
    const activationRms: number[] = [];
    for (const [l, H] of this.work.H.entries()) activationRms.push(Math.sqrt(sumSquares(await be.read(be.view(H, pass.rows))) / (pass.rows * this.hidden[l])));
    if (!pass.backward) return { activationRms, backwardNorm: null };
    const backwardNorm: number[] = [];
    for (const dZ of [...this.work.dH, this.work.dO]) backwardNorm.push(Math.sqrt(sumSquares(await be.read(be.view(dZ, pass.rows)))));
    return { activationRms, backwardNorm };
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
    this.work = null;
    this.lastPass = null;
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
    const be = this.backend;
    const { n } = batch;
    const work = this.workspace(n);
    this.lastPass = { rows: n, backward: false };
    let input: LayerInput = batch.input;
    this.hidden.forEach((_, l) => {
      const H = be.view(work.H[l], n);
      be.linearForward(H, input, this.layers[l].P, this.activation); // H_l = φ(H_{l-1} W_l + b_l)
      input = H;
    });
    const out = this.layers[this.layers.length - 1];
    // O = H_L W + b; loss_i = logsumexp(o_i) − o_i[y_i]; dO = (softmax(O) − onehot(y)) / n
    be.linearForwardLoss(be.view(work.dO, n), metrics, rowStart(row, this.layout) + this.layout.loss, input, out.P, batch.labels, 1 / n);
  }

  /**
   * Records the backward pass of recordForward(n): every G = [dW + λW; db] (the gradient tensor is
   * made on the first call), and the ‖W‖², ‖dW‖² pairs of metrics row `row`.
   */
  recordBackward(batch: Batch, lambda: number, metrics: Tensor, row: number): void {
    this.backward(batch, (layer, l, input, dOut) => {
      // dW_l = H_{l-1}ᵀ dZ_l + λ W_l; db_l = column sums of dZ_l
      this.backend.linearBackwardParams(layer.G, metrics, rowStart(row, this.layout) + this.layout.layerSlot[l], input, dOut, layer.P, lambda);
    });
  }

  /**
   * Records a training step's backward pass and update: per layer one fused op writes
   * P − lr·G into the spare storage (G itself is never stored), with the partials of
   * recordBackward. Every update is guarded by the previous step's
   * row, so that after a step diverges no later one moves. Then `params` holds the updated values.
   */
  recordTrainingStep(batch: Batch, lambda: number, lr: number, metrics: Tensor, row: number): void {
    const step = { lambda, lr, ...previousRowGuard(row, this.layout) };
    this.backward(batch, (layer, l, input, dOut) => {
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
  private backward(batch: Batch, params: (layer: Layer, l: number, input: LayerInput, dOut: Tensor) => void): void {
    const be = this.backend;
    const { n } = batch;
    const work = this.workspace(n);
    this.lastPass = { rows: n, backward: true };
    let dNext = be.view(work.dO, n); // ∂J/∂Z_{l+1}, starting from ∂J/∂O
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const input: LayerInput = l === 0 ? batch.input : be.view(work.H[l - 1], n);
      if (l > 0) be.linearBackwardInput(be.view(work.dH[l - 1], n), dNext, layer.P, input as Tensor, this.activation);
      params(layer, l, input, dNext);
      if (l > 0) dNext = be.view(work.dH[l - 1], n);
    }
  }

  /** Takes back the last `steps` training steps' exchanges (a diverged step's input is then current again). */
  rewind(steps: number): void {
    if (steps % 2 === 1) this.exchange();
  }

  private exchange(): void {
    this.backend.swap(this.params, this.spare);
    this.flipped = 1 - this.flipped;
  }
}
