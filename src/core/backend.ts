// The Backend contract: tensors, data splits, the fused layer ops a training step is made of, histograms, and read-back (CPU and WebGPU).
import type { SaturationRule } from './histogram';
import type { Activation } from './settings';

/**
 * A 2-D row-major float tensor owned by a backend. `rows` may be less than the rows the storage
 * was allocated for: `backend.view(t, rows)` shares storage and covers the first rows, which is
 * how a short last batch runs through buffers sized for a full one.
 */
export interface Tensor {
  readonly rows: number;
  readonly cols: number;
}

/** A vector of class indices (u32), one per sample. */
export interface LabelTensor {
  readonly length: number;
}

/** A data split held by the backend (uploaded once): `count` samples of `cols` features and a label each. */
export interface DataTensor {
  readonly count: number;
  readonly cols: number;
}

/** A vector of sample indices (an epoch's shuffled order). */
export interface IndexTensor {
  readonly length: number;
}

/** A batch that stays in the uploaded split: samples order[start, start + rows) of `data`. */
export interface Gathered {
  readonly data: DataTensor;
  readonly order: IndexTensor;
  readonly start: number;
  readonly rows: number;
}

/** What a layer reads: a tensor, or (the first layer) a batch gathered straight from the split. */
export type LayerInput = Tensor | Gathered;

export function isGathered(x: LayerInput | LabelTensor): x is Gathered {
  return 'data' in x && 'order' in x;
}

/** Rows and columns of a layer input. */
export function inputShape(x: LayerInput): { rows: number; cols: number } {
  return isGathered(x) ? { rows: x.rows, cols: x.data.cols } : { rows: x.rows, cols: x.cols };
}

/** The SGD step of linearUpdate: weight decay, learning rate, and the metrics slots that must be finite. */
export interface SgdStep {
  lambda: number;
  lr: number;
  guardStart: number;
  guardCount: number;
}

/**
 * What the model, the trainer and the gradient check run on. Outputs come first, then inputs,
 * then sizes or scalars. Ops are recorded in order; `read` flushes and waits for the results,
 * `flush` submits what is recorded (on WebGPU one training step is one command buffer).
 *
 * A layer's parameters are one tensor P (in + 1, out): rows 0 … in−1 hold W, row `in` holds b,
 * so that [H | 1] · P = H W + b. Partial sums go to a metrics row as metrics-row.ts lays it out.
 */
export interface Backend {
  readonly name: 'cpu' | 'webgpu';
  /** What actually runs, for people: `CPU (float32, WebAssembly SIMD)`, `WebGPU · swiftshader`. */
  readonly description: string;

  // ---- tensors ----
  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor;
  labels(length: number): LabelTensor;
  /** A tensor over the first `rows` rows of `t`'s storage. */
  view(t: Tensor, rows: number): Tensor;
  /** A tensor over `t`'s storage from element `offset` (a multiple of SLICE_ALIGN), of (rows, cols). */
  slice(t: Tensor, offset: number, rows: number, cols: number): Tensor;
  write(t: Tensor, data: ArrayLike<number>): void;
  writeLabels(t: LabelTensor, data: ArrayLike<number>): void;
  read(t: Tensor): Promise<Float32Array | Float64Array>;
  flush(): void;
  /** Submits what is recorded and resolves when the device has done it (on the CPU, at once). */
  settle(): Promise<void>;
  /** Exchanges the storage of two tensors of one shape (double buffering); slices cut before keep theirs. */
  swap(a: Tensor, b: Tensor): void;
  /** Gives a tensor's storage back (to the pool, on WebGPU); views of it must not be used after. */
  free(t: Tensor): void;
  /** Frees every tensor made by this backend; the backend is not used again. */
  destroy(): void;

  // ---- data: a split lives on the device; the first layer reads each batch from it (Gathered) ----
  /** Uploads a split: features (count × cols) as u8 (× scale when gathered) or f32, labels u8. */
  dataset(features: Uint8Array | Float32Array, scale: number, labels: Uint8Array, cols: number): DataTensor;
  indices(values: Uint32Array): IndexTensor;
  writeIndices(t: IndexTensor, values: Uint32Array): void;
  /** Frees a split, an index vector or a label vector. */
  release(t: DataTensor | IndexTensor | LabelTensor): void;

  // ---- the fused layer ops, forward and backward (one dispatch each on WebGPU) ----
  /** h (n, out) = φ([input | 1] · p); input (n, in), p (in + 1, out). */
  linearForward(h: Tensor, input: LayerInput, p: Tensor, kind: Activation): void;
  /**
   * The output layer with the loss: o = [input | 1] · p (never stored), dO = (softmax(o) − onehot(y))·scale,
   * and per 32-row block k the pair [scale · Σ loss_i, Σ correct_i] at pairSlot(slot, k), with
   * loss_i = logsumexp(o_i) − o_i[y_i]. Classes (p's columns) at most MAX_FUSED_CLASSES. Labels come
   * from y, or from the split when gathered.
   */
  linearForwardLoss(dO: Tensor, metrics: Tensor, slot: number, input: LayerInput, p: Tensor, y: LabelTensor | Gathered, scale: number): void;
  /** Backward of linearForward to its input: dInput (n, in) = (dOut · Wᵀ) ⊙ φ'(h), h = input = φ(z). */
  linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: Activation): void;
  /**
   * Backward of linearForward to its parameters: g (in + 1, out) = [input | 1]ᵀ · dOut + λ·[W; 0];
   * per 32×32 tile k of g, the pair [Σ W², Σ dW²] at pairSlot(slot, k) (the bias line adds nothing).
   */
  linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void;
  /**
   * linearBackwardParams (with step.lambda) and the SGD step in one op, the gradient never stored:
   * next = p − lr·g, with g and the per-tile pairs as there. When any of
   * metrics[guardStart, guardStart + guardCount) is NaN or ±Inf, next is not written and each pair
   * holds that value instead, so a guard over this op's pairs stops the next update too.
   * next and p must not share storage (the model double-buffers its parameters).
   */
  linearUpdate(next: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, step: SgdStep): void;

  // ---- instruments ----
  /**
   * Row `row` of out (rows, HISTOGRAM_WIDTH) = the histogram of x's rows·cols values, laid out and
   * binned as core/histogram.ts says (one dispatch on WebGPU; only the row is read back).
   */
  histogram(out: Tensor, row: number, x: Tensor, rule: SaturationRule): void;
}

/** Element offsets of slices are multiples of this (256 bytes: WebGPU's storage offset alignment). */
export const SLICE_ALIGN = 64;
/** Classes the fused loss handles (matmul.wgsl's NARROW_N, checked by the WebGPU backend). */
export const MAX_FUSED_CLASSES = 16;
