// The MLP (softmax regression when it has no hidden layer): parameters, workspace, and the forward,
// backward, metric and update passes recorded against any Backend.
import type { ActivationKind, Backend, LabelTensor, Tensor } from './backend';
import type { InitConfig } from './config';
import { initWeights } from './init';
import type { Rng } from './rng';

/** One affine layer: W (fanIn, fanOut), b (1, fanOut), and their gradients. */
export interface Layer {
  readonly fanIn: number;
  readonly fanOut: number;
  readonly W: Tensor;
  readonly b: Tensor;
  readonly dW: Tensor;
  readonly db: Tensor;
}

/** Activations and their gradients for up to `capacity` rows. */
interface Workspace {
  capacity: number;
  x: Tensor; // (cap, d)
  y: LabelTensor; // (cap)
  Z: Tensor[]; // hidden l: (cap, h_l)
  H: Tensor[]; // hidden l: (cap, h_l)
  dZ: Tensor[]; // hidden l: (cap, h_l)
  O: Tensor; // (cap, q)
  dO: Tensor; // (cap, q)
  rowLoss: Tensor; // (cap, 1)
  rowCorrect: Tensor; // (cap, 1)
}

/**
 * Slots of one step's metrics row: [loss, correct, ‖W_1‖², …, ‖W_P‖², ‖dW_1‖², …, ‖dW_P‖²],
 * P = layers. All of them are checked for finiteness before any parameter moves.
 */
export function metricsLayout(layerCount: number) {
  return {
    loss: 0,
    correct: 1,
    weightSq: (layer: number) => 2 + layer,
    gradSq: (layer: number) => 2 + layerCount + layer,
    width: 2 + 2 * layerCount,
  };
}

export class Mlp {
  readonly layers: Layer[];
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
    this.layers = widths.slice(1).map((fanOut, l) => {
      const fanIn = widths[l];
      return {
        fanIn,
        fanOut,
        W: backend.tensor(fanIn, fanOut),
        b: backend.tensor(1, fanOut),
        dW: backend.tensor(fanIn, fanOut),
        db: backend.tensor(1, fanOut),
      };
    });
    this.layout = metricsLayout(this.layers.length);
  }

  /** Draws every W from the initialiser and zeroes every b, in place. */
  initialize(init: InitConfig, rng: Rng): void {
    for (const layer of this.layers) {
      this.backend.write(layer.W, initWeights(init.init, layer.fanIn, layer.fanOut, init.sigma, rng));
      this.backend.write(layer.b, new Float32Array(layer.fanOut));
    }
  }

  /** Input and label tensors for `rows` samples, growing the workspace if it is smaller. */
  inputs(rows: number): { x: Tensor; y: LabelTensor; capacity: number } {
    const work = this.workspace(rows);
    return { x: this.backend.view(work.x, rows), y: work.y, capacity: work.capacity };
  }

  private workspace(rows: number): Workspace {
    if (this.work && this.work.capacity >= rows) return this.work;
    const be = this.backend;
    const cap = rows;
    if (this.work) this.freeWorkspace(this.work);
    this.work = {
      capacity: cap,
      x: be.tensor(cap, this.inputDim),
      y: be.labels(cap),
      Z: this.hidden.map((h) => be.tensor(cap, h)),
      H: this.hidden.map((h) => be.tensor(cap, h)),
      dZ: this.hidden.map((h) => be.tensor(cap, h)),
      O: be.tensor(cap, this.numClasses),
      dO: be.tensor(cap, this.numClasses),
      rowLoss: be.tensor(cap, 1),
      rowCorrect: be.tensor(cap, 1),
    };
    return this.work;
  }

  private freeWorkspace(work: Workspace): void {
    const { x, Z, H, dZ, O, dO, rowLoss, rowCorrect } = work;
    for (const t of [x, ...Z, ...H, ...dZ, O, dO, rowLoss, rowCorrect]) this.backend.free(t);
  }

  /** Frees every tensor of the model; it is not used again. */
  destroy(): void {
    if (this.work) this.freeWorkspace(this.work);
    this.work = null;
    for (const layer of this.layers) for (const t of [layer.W, layer.b, layer.dW, layer.db]) this.backend.free(t);
  }

  /**
   * Records the forward pass and the fused softmax cross-entropy for the first n rows of the
   * inputs, then writes mean loss and correct count into metrics[lossSlot], metrics[lossSlot+1].
   */
  recordForward(n: number, metrics: Tensor, lossSlot: number): void {
    const be = this.backend;
    const work = this.workspace(n);
    let input = be.view(work.x, n);
    this.hidden.forEach((_, l) => {
      const { W, b } = this.layers[l];
      const Z = be.view(work.Z[l], n);
      const H = be.view(work.H[l], n);
      be.matmul(Z, input, W); // Z_l = H_{l-1} W_l + b_l
      be.addBias(Z, b);
      be.activationForward(H, Z, this.activation); // H_l = φ(Z_l)
      input = H;
    });
    const out = this.layers[this.layers.length - 1];
    const O = be.view(work.O, n);
    be.matmul(O, input, out.W); // O = H_L W_{L+1} + b_{L+1}
    be.addBias(O, out.b);
    // dO = (softmax(O) − onehot(y)) / n; loss_i = logsumexp(o_i) − o_i[y_i]
    be.softmaxCrossEntropy(be.view(work.dO, n), be.view(work.rowLoss, n), be.view(work.rowCorrect, n), O, work.y, 1 / n);
    be.sumInto(metrics, lossSlot, be.view(work.rowLoss, n), 1 / n);
    be.sumInto(metrics, lossSlot + 1, be.view(work.rowCorrect, n), 1);
  }

  /** Records the backward pass of recordForward(n): every dW (with λW) and db. */
  recordBackward(n: number, lambda: number): void {
    const be = this.backend;
    const work = this.workspace(n);
    let dNext = be.view(work.dO, n); // ∂J/∂Z_{l+1}, starting from ∂J/∂O
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const input = l === 0 ? be.view(work.x, n) : be.view(work.H[l - 1], n);
      be.matmul(layer.dW, input, dNext, { transA: true }); // dW_l = H_{l-1}ᵀ dZ_l
      if (lambda > 0) be.axpy(layer.dW, layer.W, lambda); //   + λ W_l
      be.columnSums(layer.db, dNext); // db_l = column sums of dZ_l
      if (l === 0) break;
      const dZ = be.view(work.dZ[l - 1], n);
      be.matmul(dZ, dNext, layer.W, { transB: true }); // dH_{l-1} = dZ_l W_lᵀ
      // dZ_{l-1} = dH_{l-1} ⊙ φ'(Z_{l-1}), backward of H = φ(Z)
      be.activationBackward(dZ, be.view(work.Z[l - 1], n), be.view(work.H[l - 1], n), this.activation);
      dNext = dZ;
    }
  }

  /** Records ‖W_l‖² and ‖dW_l‖² into the metrics row starting at `rowStart` (before the update moves W). */
  recordNorms(metrics: Tensor, rowStart = 0): void {
    this.layers.forEach((layer, l) => {
      this.backend.sumSquaresInto(metrics, rowStart + this.layout.weightSq(l), layer.W, 1);
      this.backend.sumSquaresInto(metrics, rowStart + this.layout.gradSq(l), layer.dW, 1);
    });
  }

  /**
   * Records SGD on every parameter, guarded by metrics[guardStart, guardEnd) being finite: the
   * rows of every step since the last read-back, so that after a step diverges none moves.
   */
  recordUpdate(lr: number, metrics: Tensor, guardStart: number, guardEnd: number): void {
    for (const layer of this.layers) {
      this.backend.sgdUpdate(layer.W, layer.dW, lr, metrics, guardStart, guardEnd - guardStart);
      this.backend.sgdUpdate(layer.b, layer.db, lr, metrics, guardStart, guardEnd - guardStart);
    }
  }
}
