// The MLP (softmax regression when it has no hidden layer): parameters, workspace, and the forward,
// backward and update passes recorded against any Backend with its fused layer ops.
import {
  type ActivationKind,
  type Backend,
  type Gathered,
  type LabelTensor,
  type LayerInput,
  PARTIAL_TILE,
  partialTiles,
  SLICE_ALIGN,
  type Tensor,
} from './backend';
import { type InitConfig, LIMITS } from './config';
import { initWeights } from './init';
import type { Rng } from './rng';

/**
 * One affine layer. Its parameters are P (fanIn + 1, fanOut) = [W; b] inside the model's one
 * parameter tensor, its gradient G = [dW; db] at the same place in the gradient tensor.
 */
export interface Layer {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Element offset of P (and G) in the model's parameter (and gradient) tensor. */
  readonly offset: number;
  readonly P: Tensor;
  readonly G: Tensor;
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

/** Row blocks of a batch that own one loss partial; sized for the largest batch allowed. */
export const LOSS_BLOCKS = Math.ceil(LIMITS.batchSize.max / PARTIAL_TILE);

/**
 * Slots of one step's metrics row: per 32-row block (PARTIAL_TILE) of the batch [scale·Σ loss, Σ correct], then
 * per layer and 32×32 tile of its W [Σ W², Σ dW²]. Every slot is checked for finiteness before any
 * parameter moves. The host adds the partials up (results of the trainer).
 */
export function metricsLayout(layers: readonly { fanIn: number; fanOut: number }[]) {
  const layerSlot: number[] = [];
  const layerTiles: number[] = [];
  let next = 2 * LOSS_BLOCKS;
  for (const { fanIn, fanOut } of layers) {
    layerSlot.push(next);
    layerTiles.push(partialTiles(fanIn + 1, fanOut));
    next += 2 * partialTiles(fanIn + 1, fanOut);
  }
  return { loss: 0, layerSlot, layerTiles, width: next };
}

/** Sums of one metrics row: mean loss, correct count, ‖W_l‖² and ‖dW_l‖² per layer. */
export function readMetricsRow(row: ArrayLike<number>, layout: ReturnType<typeof metricsLayout>, n: number) {
  let loss = 0;
  let correct = 0;
  for (let block = 0; block < Math.ceil(n / PARTIAL_TILE); block++) {
    loss += row[layout.loss + 2 * block];
    correct += row[layout.loss + 2 * block + 1];
  }
  const weightSq: number[] = [];
  const gradSq: number[] = [];
  layout.layerSlot.forEach((slot, l) => {
    let w = 0;
    let g = 0;
    for (let t = 0; t < layout.layerTiles[l]; t++) {
      w += row[slot + 2 * t];
      g += row[slot + 2 * t + 1];
    }
    weightSq.push(w);
    gradSq.push(g);
  });
  return { loss, correct, weightSq, gradSq };
}

export class Mlp {
  readonly layers: Layer[];
  /** Every layer's P, one after another (each at a multiple of SLICE_ALIGN): one SGD dispatch updates all. */
  readonly params: Tensor;
  readonly grads: Tensor;
  readonly layout: ReturnType<typeof metricsLayout>;
  private work: Workspace | null = null;

  constructor(
    private readonly backend: Backend,
    readonly inputDim: number,
    readonly hidden: readonly number[],
    readonly numClasses: number,
    readonly activation: ActivationKind,
  ) {
    const widths = [inputDim, ...hidden, numClasses];
    const offsets: number[] = [];
    let total = 0;
    for (let l = 1; l < widths.length; l++) {
      offsets.push(total);
      total += Math.ceil(((widths[l - 1] + 1) * widths[l]) / SLICE_ALIGN) * SLICE_ALIGN;
    }
    this.params = backend.tensor(1, total);
    this.grads = backend.tensor(1, total);
    this.layers = widths.slice(1).map((fanOut, l) => {
      const fanIn = widths[l];
      const offset = offsets[l];
      return {
        fanIn,
        fanOut,
        offset,
        P: backend.slice(this.params, offset, fanIn + 1, fanOut),
        G: backend.slice(this.grads, offset, fanIn + 1, fanOut),
      };
    });
    this.layout = metricsLayout(this.layers);
  }

  /** Draws every W from the initialiser and zeroes every b, in place, with one write. */
  initialize(init: InitConfig, rng: Rng): void {
    const values = new Float32Array(this.params.cols);
    for (const layer of this.layers) {
      values.set(initWeights(init.init, layer.fanIn, layer.fanOut, init.sigma, rng), layer.offset); // b stays 0
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

  /** Frees every tensor of the model; it is not used again. */
  destroy(): void {
    if (this.work) this.freeWorkspace(this.work);
    this.work = null;
    this.backend.free(this.params);
    this.backend.free(this.grads);
  }

  /**
   * Records the forward pass of a batch and the fused softmax cross-entropy:
   * dO = (softmax(O) − onehot(y))/n, and the loss and correct-count partials into
   * metrics[rowStart …] (metricsLayout's loss slots).
   */
  recordForward(batch: Batch, metrics: Tensor, rowStart: number): void {
    const be = this.backend;
    const { n } = batch;
    const work = this.workspace(n);
    let input: LayerInput = batch.input;
    this.hidden.forEach((_, l) => {
      const H = be.view(work.H[l], n);
      be.linearForward(H, input, this.layers[l].P, this.activation); // H_l = φ(H_{l-1} W_l + b_l)
      input = H;
    });
    const out = this.layers[this.layers.length - 1];
    // O = H_L W + b; loss_i = logsumexp(o_i) − o_i[y_i]; dO = (softmax(O) − onehot(y)) / n
    be.linearForwardLoss(be.view(work.dO, n), metrics, rowStart + this.layout.loss, input, out.P, batch.labels, 1 / n);
  }

  /**
   * Records the backward pass of recordForward(n): every G = [dW + λW; db], and the ‖W‖², ‖dW‖²
   * partials into metrics[rowStart …] (before the update moves W).
   */
  recordBackward(batch: Batch, lambda: number, metrics: Tensor, rowStart: number): void {
    const be = this.backend;
    const { n } = batch;
    const work = this.workspace(n);
    let dNext = be.view(work.dO, n); // ∂J/∂Z_{l+1}, starting from ∂J/∂O
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const input: LayerInput = l === 0 ? batch.input : be.view(work.H[l - 1], n);
      if (l > 0) {
        // dZ_{l-1} = (dZ_l W_lᵀ) ⊙ φ'(Z_{l-1}), φ' read from H_{l-1} = φ(Z_{l-1})
        be.linearBackwardInput(be.view(work.dH[l - 1], n), dNext, layer.P, be.view(work.H[l - 1], n), this.activation);
      }
      // dW_l = H_{l-1}ᵀ dZ_l + λ W_l; db_l = column sums of dZ_l
      be.linearBackwardParams(layer.G, metrics, rowStart + this.layout.layerSlot[l], input, dNext, layer.P, lambda);
      if (l > 0) dNext = be.view(work.dH[l - 1], n);
    }
  }

  /**
   * Records SGD on every parameter in one op, guarded by metrics[guardStart, guardEnd) being
   * finite: the rows of every step since the last read-back, so after a step diverges none moves.
   */
  recordUpdate(lr: number, metrics: Tensor, guardStart: number, guardEnd: number): void {
    this.backend.sgdUpdate(this.params, this.grads, lr, metrics, guardStart, guardEnd - guardStart);
  }
}
