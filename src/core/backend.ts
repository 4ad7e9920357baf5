// The Backend interface: the primitive set every model is written against (CPU and WebGPU).

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

export type ActivationKind = 'relu' | 'sigmoid' | 'tanh' | 'identity';

/** Which operands of a matmul are read transposed (by indexing, never materialised). */
export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * Primitives. Outputs come first, then inputs, then sizes or scalars. Every op is recorded in
 * order; results are visible to `read` (which flushes). `flush` submits what is recorded:
 * on WebGPU one training step is one command buffer.
 */
export interface Backend {
  readonly name: 'cpu' | 'webgpu';
  /** What actually runs, for people: `CPU (float32)`, `WebGPU · swiftshader`. */
  readonly description: string;

  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor;
  labels(length: number): LabelTensor;
  /** A tensor over the first `rows` rows of `t`'s storage. */
  view(t: Tensor, rows: number): Tensor;
  write(t: Tensor, data: ArrayLike<number>): void;
  writeLabels(t: LabelTensor, data: ArrayLike<number>): void;
  read(t: Tensor): Promise<Float32Array | Float64Array>;
  flush(): void;
  /** Gives a tensor's storage back (to the pool, on WebGPU); views of it must not be used after. */
  free(t: Tensor): void;
  /** Frees every tensor made by this backend; the backend is not used again. */
  destroy(): void;

  // ---- forward and backward, paired ----
  /** out (m, n) = op(a) · op(b); a (m, k) or (k, m) with transA; b (k, n) or (n, k) with transB. */
  matmul(out: Tensor, a: Tensor, b: Tensor, options?: MatmulOptions): void;
  /** z (n, h) += bias (1, h) on every row. */
  addBias(z: Tensor, bias: Tensor): void;
  /** db (1, h) = column sums of dz (n, h): the backward of addBias. */
  columnSums(db: Tensor, dz: Tensor): void;
  /** h = φ(z), elementwise. */
  activationForward(h: Tensor, z: Tensor, kind: ActivationKind): void;
  /** dz ⊙= φ'(z), in place: dz holds ∂J/∂H on entry and ∂J/∂Z on return. h = φ(z). */
  activationBackward(dz: Tensor, z: Tensor, h: Tensor, kind: ActivationKind): void;
  /**
   * Fused softmax + cross-entropy, forward and gradient, for logits o (n, q), labels y (n):
   * rowLoss[i] = logsumexp(o_i) − o_i[y_i], rowCorrect[i] = 1 if argmax(o_i) = y_i else 0,
   * dO = (softmax(o) − onehot(y)) · gradScale (gradScale = 1/n for a mean loss).
   * rowLoss and rowCorrect are (n, 1).
   */
  softmaxCrossEntropy(dO: Tensor, rowLoss: Tensor, rowCorrect: Tensor, o: Tensor, y: LabelTensor, gradScale: number): void;

  // ---- reductions into a slot of a small metrics tensor ----
  /** out[slot] = scale · Σ x. */
  sumInto(out: Tensor, slot: number, x: Tensor, scale: number): void;
  /** out[slot] = scale · Σ x² (‖x‖_F² for norms, the L2 term with scale λ/2). */
  sumSquaresInto(out: Tensor, slot: number, x: Tensor, scale: number): void;

  // ---- updates ----
  /** y += alpha · x: the L2 gradient (dW += λW). */
  axpy(y: Tensor, x: Tensor, alpha: number): void;
  /**
   * param −= lr · grad, only if every entry of guard[guardStart .. guardStart+guardCount) is
   * finite. The guard is this step's metrics, so a step whose loss or gradients overflow leaves
   * the parameters as they were.
   */
  sgdUpdate(param: Tensor, grad: Tensor, lr: number, guard: Tensor, guardStart: number, guardCount: number): void;

  // ---- data: a split lives on the device; the first layer reads each batch from it (Gathered) ----
  /** Uploads a split: features (count × cols) as u8 (× scale when gathered) or f32, labels u8. */
  dataset(features: Uint8Array | Float32Array, scale: number, labels: Uint8Array, cols: number): DataTensor;
  indices(values: Uint32Array): IndexTensor;
  writeIndices(t: IndexTensor, values: Uint32Array): void;
  /** Frees a split or an index vector. */
  release(t: DataTensor | IndexTensor): void;

  // ---- fused layer ops: what a training step is made of (at most three dispatches a layer on WebGPU) ----
  // A layer's parameters are one tensor P (in + 1, out): rows 0 … in−1 hold W, row `in` holds b,
  // so that [H | 1] · P = H W + b. Partial sums go to metrics slots per 32×32 output tile (or per
  // 32-row block), in the order tile = tileRow · ceil(cols/64) + tileCol: PARTIAL_TILE below.

  /** A tensor over `t`'s storage from element `offset` (a multiple of SLICE_ALIGN), of (rows, cols). */
  slice(t: Tensor, offset: number, rows: number, cols: number): Tensor;
  /** h (n, out) = φ([input | 1] · p); input (n, in), p (in + 1, out). */
  linearForward(h: Tensor, input: LayerInput, p: Tensor, kind: ActivationKind): void;
  /**
   * The output layer with the loss: o = [input | 1] · p (never stored), dO = (softmax(o) − onehot(y))·scale;
   * per 32-row block k: metrics[slot + 2k] = scale · Σ loss_i, metrics[slot + 2k + 1] = Σ correct_i.
   * Classes (p's columns) at most MAX_FUSED_CLASSES. Labels come from y, or from the split when gathered.
   */
  linearForwardLoss(dO: Tensor, metrics: Tensor, slot: number, input: LayerInput, p: Tensor, y: LabelTensor | Gathered, scale: number): void;
  /** Backward of linearForward to its input: dInput (n, in) = (dOut · Wᵀ) ⊙ φ'(h), h = input = φ(z). */
  linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: ActivationKind): void;
  /**
   * Backward of linearForward to its parameters: g (in + 1, out) = [input | 1]ᵀ · dOut + λ·[W; 0];
   * per output tile k of the W rows: metrics[slot + 2k] = Σ W², metrics[slot + 2k + 1] = Σ dW².
   */
  linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void;
  /**
   * linearBackwardParams (with step.lambda) and the SGD step in one op, the gradient never stored:
   * next = p − lr·g, with g and the per-tile partials as there. Guarded like sgdUpdate: when any of
   * metrics[guardStart, guardStart + guardCount) is NaN or ±Inf, next is not written and each partial
   * holds that value instead, so a guard over this op's partials stops the next update too.
   * next and p must not share storage (the model double-buffers its parameters).
   */
  linearUpdate(next: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, step: SgdStep): void;
  /** Exchanges the storage of two tensors of one shape (double buffering); slices cut before keep theirs. */
  swap(a: Tensor, b: Tensor): void;
}

/** The SGD step of linearUpdate: weight decay, learning rate, and the metrics slots that must be finite. */
export interface SgdStep {
  lambda: number;
  lr: number;
  guardStart: number;
  guardCount: number;
}

/** Element offsets of slices are multiples of this (256 bytes: WebGPU's storage offset alignment). */
export const SLICE_ALIGN = 64;
/** Side of the output tiles (and row blocks) that own one partial sum: matmul.wgsl's TILE. */
export const PARTIAL_TILE = 32;
/** Classes the fused loss handles (the narrow matmul's width). */
export const MAX_FUSED_CLASSES = 16;

/** Partial-sum tiles of a (rows, cols) output: the metrics slots it takes are twice this. */
export function partialTiles(rows: number, cols: number): number {
  return Math.ceil(rows / PARTIAL_TILE) * Math.ceil(cols / PARTIAL_TILE);
}

/** Checks a matmul's shapes; returns k. Both backends call it so errors read the same. */
export function matmulInnerDim(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): number {
  const [am, ak] = options.transA ? [a.cols, a.rows] : [a.rows, a.cols];
  const [bk, bn] = options.transB ? [b.cols, b.rows] : [b.rows, b.cols];
  if (ak !== bk || am !== out.rows || bn !== out.cols) {
    throw new Error(
      `matmul shapes do not fit: out (${out.rows}, ${out.cols}) = ` +
        `a${options.transA ? 'ᵀ' : ''} (${am}, ${ak}) · b${options.transB ? 'ᵀ' : ''} (${bk}, ${bn})`,
    );
  }
  return ak;
}

/** Checks a layer op's shapes: p is (inCols + 1, cols), the output (rows, cols) has the input's rows. */
export function checkLinear(op: string, inRows: number, inCols: number, p: Tensor, rows: number, cols: number): void {
  if (p.rows !== inCols + 1 || p.cols !== cols || rows !== inRows) {
    throw new Error(
      `${op}: shapes do not fit: input (${inRows}, ${inCols}), p (${p.rows}, ${p.cols}) must be (${inCols + 1}, ${cols}), output (${rows}, ${cols})`,
    );
  }
}

export function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`${op}: shapes differ, (${a.rows}, ${a.cols}) vs (${b.rows}, ${b.cols})`);
  }
}
