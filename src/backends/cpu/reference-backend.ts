// The CPU reference backend, the specification: every op in plain loops over typed arrays, float32 or float64.
//
// Each WGSL kernel and the fast CPU backend (cpu-backend.ts) are tested against this file, and the
// gradient check runs it in float64. Only `product` is meant to be overridden: the fast backend
// computes the same sums in the same order with packed tiles.

import { activate, derivativeFromOutput } from '../../core/activations';
import {
  type Backend,
  type DataTensor,
  type Gathered,
  type IndexTensor,
  isGathered,
  type LabelTensor,
  type LayerInput,
  MAX_FUSED_CLASSES,
  type SgdStep,
  SLICE_ALIGN,
  type Tensor,
} from '../../core/backend';
import { histogramRow, type SaturationRule } from '../../core/histogram';
import { PARTIAL_TILE, pairSlot, partialTiles, tileOf, tilesAcross } from '../../core/metrics-row';
import type { Activation } from '../../core/settings';
import { checkGuardSlots, checkHistogramRow, checkLinear, checkSameShape, type MatmulOptions, matmulInnerDim } from '../shape-checks';

export type Storage = Float32Array | Float64Array;

/** Element (i, p) of a strided operand is data[i·rowStride + p·colStride]: transposes are strides. */
export interface Strided {
  readonly data: Storage;
  readonly rowStride: number;
  readonly colStride: number;
}

class CpuTensor implements Tensor {
  constructor(
    readonly rows: number,
    readonly cols: number,
    /** Storage for at least rows·cols values; a view shares its parent's; swap() exchanges it. */
    public data: Storage,
  ) {}
}

class CpuData implements DataTensor {
  constructor(
    readonly count: number,
    readonly cols: number,
    readonly features: Uint8Array | Float32Array,
    readonly scale: number,
    readonly labels: Uint8Array,
  ) {}
}

class CpuIndices implements IndexTensor {
  constructor(readonly data: Uint32Array) {}
  get length(): number {
    return this.data.length;
  }
}

class CpuLabels implements LabelTensor {
  constructor(readonly data: Uint32Array) {}
  get length(): number {
    return this.data.length;
  }
}

export interface CpuBackendOptions {
  /** 'f64' turns every tensor into Float64Array: the gradient check runs the same code in double. */
  precision?: 'f32' | 'f64';
}

export class ReferenceBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly precision: 'f32' | 'f64';

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'f32';
  }

  get description(): string {
    return `CPU reference (${this.precision === 'f32' ? 'float32' : 'float64'})`;
  }

  /** A zeroed array of the backend's precision. */
  protected storage(size: number): Storage {
    return this.precision === 'f32' ? new Float32Array(size) : new Float64Array(size);
  }

  /** x as stored in this precision. */
  private round(x: number): number {
    return this.precision === 'f32' ? Math.fround(x) : x;
  }

  /**
   * out[i·n + j] = Σ_p a(i, p) · b(p, j) for i < m, j < n: one float64 running sum per output, over
   * p = 0, 1, …, k−1 in that order, rounded once when stored. Every product of every op goes through here.
   */
  protected product(out: Storage, m: number, n: number, k: number, a: Strided, b: Strided): void {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a.data[i * a.rowStride + p * a.colStride] * b.data[p * b.rowStride + j * b.colStride];
        out[i * n + j] = sum;
      }
    }
  }

  // ---- tensors ----

  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor {
    const t = new CpuTensor(rows, cols, this.storage(rows * cols));
    if (data) this.write(t, data);
    return t;
  }

  labels(length: number): LabelTensor {
    return new CpuLabels(new Uint32Array(length));
  }

  view(t: Tensor, rows: number): Tensor {
    const parent = t as CpuTensor;
    if (rows > parent.data.length / parent.cols) throw new Error(`view of ${rows} rows exceeds storage`);
    return new CpuTensor(rows, parent.cols, parent.data);
  }

  slice(t: Tensor, offset: number, rows: number, cols: number): Tensor {
    const parent = t as CpuTensor;
    if (offset % SLICE_ALIGN !== 0) throw new Error(`slice offset ${offset} is not a multiple of ${SLICE_ALIGN}`);
    if (offset + rows * cols > parent.data.length) throw new Error(`slice (${rows}, ${cols}) at ${offset} exceeds storage`);
    return new CpuTensor(rows, cols, parent.data.subarray(offset, offset + rows * cols));
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.rows * t.cols) throw new Error(`write of ${data.length} values into a (${t.rows}, ${t.cols}) tensor`);
    (t as CpuTensor).data.set(data);
  }

  writeLabels(t: LabelTensor, data: ArrayLike<number>): void {
    (t as CpuLabels).data.set(data);
  }

  async read(t: Tensor): Promise<Float32Array | Float64Array> {
    return (t as CpuTensor).data.slice(0, t.rows * t.cols);
  }

  flush(): void {}

  async settle(): Promise<void> {}

  swap(a: Tensor, b: Tensor): void {
    checkSameShape('swap', a, b);
    const [x, y] = [a as CpuTensor, b as CpuTensor];
    if (x.data.length !== y.data.length) throw new Error('swap: the tensors hold different storage sizes');
    [x.data, y.data] = [y.data, x.data];
  }

  free(_t: Tensor): void {}

  destroy(): void {}

  // ---- data ----

  dataset(features: Uint8Array | Float32Array, scale: number, labels: Uint8Array, cols: number): DataTensor {
    if (features.length !== labels.length * cols) throw new Error(`dataset: ${features.length} features for ${labels.length} samples of ${cols}`);
    return new CpuData(labels.length, cols, features, scale, labels); // the arrays are used in place
  }

  indices(values: Uint32Array): IndexTensor {
    return new CpuIndices(values.slice());
  }

  writeIndices(t: IndexTensor, values: Uint32Array): void {
    (t as CpuIndices).data.set(values);
  }

  release(_t: DataTensor | IndexTensor | LabelTensor): void {}

  // ---- the bare product (the benchmark's matmul workloads; not part of the Backend contract) ----

  /** out (m, n) = op(a) · op(b); a (m, k) or (k, m) with transA; b (k, n) or (n, k) with transB. */
  matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
    const k = matmulInnerDim(out, a, b, options);
    this.product((out as CpuTensor).data, out.rows, out.cols, k, strided(a, options.transA), strided(b, options.transB));
  }

  // ---- instruments ----

  histogram(out: Tensor, row: number, x: Tensor, rule: SaturationRule): void {
    checkHistogramRow(out, row);
    const values = (x as CpuTensor).data.subarray(0, x.rows * x.cols);
    (out as CpuTensor).data.set(histogramRow(values, rule), row * out.cols);
  }

  // ---- the fused layer ops ----

  // h (n, out) = φ([input | 1] · p): input · W, then + b (the ones column comes last), then φ
  linearForward(h: Tensor, source: LayerInput, p: Tensor, kind: Activation): void {
    const input = this.materialize(source);
    checkLinear('linearForward', input.rows, input.cols, p, h.rows, h.cols);
    const H = (h as CpuTensor).data;
    const P = (p as CpuTensor).data;
    const [n, fanIn, fanOut] = [input.rows, input.cols, p.cols];
    this.product(H, n, fanOut, fanIn, strided(input), strided(p));
    const bias = fanIn * fanOut;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < fanOut; j++) H[i * fanOut + j] = activate(kind, H[i * fanOut + j] + P[bias + j]);
    }
  }

  // o = [input | 1] · p; dO = (softmax(o) − onehot(y))·scale; per 32-row block: scale·Σ loss, Σ correct
  linearForwardLoss(dO: Tensor, metrics: Tensor, slot: number, source: LayerInput, p: Tensor, labels: LabelTensor | Gathered, scale: number): void {
    if (p.cols > MAX_FUSED_CLASSES) throw new Error(`linearForwardLoss: ${p.cols} classes is above ${MAX_FUSED_CLASSES}`);
    const input = this.materialize(source);
    checkLinear('linearForwardLoss', input.rows, input.cols, p, dO.rows, dO.cols);
    const y = this.materializeLabels(labels).data;
    const [n, q] = [input.rows, p.cols];
    const O = this.scratch(0, n * q);
    this.linearForward(new CpuTensor(n, q, O), input, p, 'identity');
    const D = (dO as CpuTensor).data;
    const M = (metrics as CpuTensor).data;
    for (let block = 0; block < tilesAcross(n); block++) {
      let loss = 0;
      let correct = 0;
      for (let i = block * PARTIAL_TILE; i < Math.min(n, (block + 1) * PARTIAL_TILE); i++) {
        const row = softmaxCrossEntropyRow(D, O, i * q, q, y[i], scale);
        loss += this.round(row.loss) * scale; // a row's loss as a tensor of this precision holds it
        correct += row.correct;
      }
      M[pairSlot(slot, block)] = loss;
      M[pairSlot(slot, block) + 1] = correct;
    }
  }

  // backward of h = φ([input | 1] · p) to the input: dInput = (dOut · Wᵀ) ⊙ φ'(h)
  linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: Activation): void {
    checkSameShape('linearBackwardInput', dInput, h);
    checkLinear('linearBackwardInput', h.rows, h.cols, p, dOut.rows, dOut.cols);
    const D = (dInput as CpuTensor).data;
    const H = (h as CpuTensor).data;
    // dOut (n, out) · Wᵀ: W's first `in` rows read transposed
    this.product(D, dOut.rows, h.cols, p.cols, strided(dOut), strided(p, true));
    for (let i = 0; i < h.rows * h.cols; i++) D[i] *= derivativeFromOutput(kind, H[i]);
  }

  // backward to the parameters: g = [input | 1]ᵀ · dOut + λ·[W; 0], with per-tile Σ W² and Σ dW²
  linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, source: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void {
    const input = this.materialize(source);
    checkSameShape('linearBackwardParams', g, p);
    checkLinear('linearBackwardParams', input.rows, input.cols, p, dOut.rows, dOut.cols);
    const G = (g as CpuTensor).data;
    const P = (p as CpuTensor).data;
    const D = (dOut as CpuTensor).data;
    const [n, fanIn, fanOut] = [input.rows, input.cols, p.cols];
    this.product(G, fanIn, fanOut, n, strided(input, true), strided(dOut));
    for (let j = 0; j < fanOut; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += D[i * fanOut + j];
      G[fanIn * fanOut + j] = sum; // the bias line: Σ_i dOut[i, :]
    }
    const M = (metrics as CpuTensor).data;
    M.fill(0, slot, pairSlot(slot, partialTiles(fanIn + 1, fanOut)));
    // G += λW, and per PARTIAL_TILE-square tile Σ W² and Σ dW², added in row-major order within the
    // tile and rounded to the metrics' precision at every term (as M[pair] += … would)
    const f32 = this.precision === 'f32'; // Math.fround written out: a function-valued local is not inlined (5× slower)
    for (let r = 0; r < fanIn; r++) {
      for (let c0 = 0; c0 < fanOut; c0 += PARTIAL_TILE) {
        const pair = pairSlot(slot, tileOf(r, c0, fanOut));
        let w2 = M[pair];
        let g2 = M[pair + 1];
        for (let at = r * fanOut + c0, end = r * fanOut + Math.min(fanOut, c0 + PARTIAL_TILE); at < end; at++) {
          const w = P[at];
          G[at] += lambda * w;
          const g = G[at];
          w2 = f32 ? Math.fround(w2 + w * w) : w2 + w * w;
          g2 = f32 ? Math.fround(g2 + g * g) : g2 + g * g;
        }
        M[pair] = w2;
        M[pair + 1] = g2;
      }
    }
  }

  // next = p − lr·g with g as in linearBackwardParams, unless the guard holds a NaN or ±Inf: then
  // next stays, the pairs hold that value, and nothing is computed
  linearUpdate(next: Tensor, metrics: Tensor, slot: number, source: LayerInput, dOut: Tensor, p: Tensor, step: SgdStep): void {
    const { lambda, lr, guardStart, guardCount } = step;
    checkSameShape('linearUpdate', next, p);
    const [to, from] = [(next as CpuTensor).data, (p as CpuTensor).data];
    if (to.buffer === from.buffer && to.byteOffset === from.byteOffset) throw new Error('linearUpdate: next and p share storage');
    checkGuardSlots('linearUpdate', metrics, guardStart, guardCount);
    const M = (metrics as CpuTensor).data;
    for (let i = guardStart; i < guardStart + guardCount; i++) {
      if (!Number.isFinite(M[i])) {
        M.fill(M[i], slot, pairSlot(slot, partialTiles(p.rows, p.cols)));
        return;
      }
    }
    const g = new CpuTensor(p.rows, p.cols, this.scratch(1, p.rows * p.cols));
    this.linearBackwardParams(g, metrics, slot, source, dOut, p, lambda);
    for (let i = 0; i < g.data.length; i++) to[i] = from[i] + -lr * g.data[i];
  }

  // ---- gathered batches, made concrete ----

  // x[r, :] = features[order[start + r], :] · scale
  private materialize(input: LayerInput): CpuTensor {
    if (!isGathered(input)) return input as CpuTensor;
    // a step's forward and backward ops read the same batch: gathered once (the batch object is made per step)
    if (this.lastGathered?.input === input) return this.lastGathered.x;
    const source = input.data as CpuData;
    const { rows, start } = input;
    const { features, cols } = source;
    const positions = (input.order as CpuIndices).data;
    if (start + rows > positions.length) throw new Error(`gathered rows ${start} … ${start + rows} exceed the order's ${positions.length}`);
    const X = this.scratch(2, rows * cols);
    // the product of a float32 scale and a feature, as a GPU's float32 multiply gives it
    const scale = this.precision === 'f32' ? Math.fround(source.scale) : source.scale;
    for (let r = 0; r < rows; r++) {
      const from = positions[start + r] * cols;
      const to = r * cols;
      for (let c = 0; c < cols; c++) X[to + c] = features[from + c] * scale;
    }
    const x = new CpuTensor(rows, cols, X);
    this.lastGathered = { input, x };
    return x;
  }

  /** The last gathered batch made concrete, and the input it came from. */
  private lastGathered: { input: Gathered; x: CpuTensor } | null = null;

  private materializeLabels(y: LabelTensor | Gathered): CpuLabels {
    if (!isGathered(y)) return y as CpuLabels;
    const source = y.data as CpuData;
    const positions = (y.order as CpuIndices).data;
    if (this.labelScratch.length < y.rows) this.labelScratch = new Uint32Array(y.rows);
    for (let r = 0; r < y.rows; r++) this.labelScratch[r] = source.labels[positions[y.start + r]];
    return new CpuLabels(this.labelScratch.subarray(0, y.rows));
  }

  private labelScratch = new Uint32Array(0);
  private scratchBuffers: Storage[] = [];

  /** Reused work arrays, one per use (no allocation per step once they are big enough). */
  private scratch(index: number, size: number): Storage {
    const current = this.scratchBuffers[index];
    if (current && current.length >= size) return current.subarray(0, size);
    const fresh = this.storage(size);
    this.scratchBuffers[index] = fresh;
    return fresh;
  }
}

/** A tensor as a strided operand, read transposed when asked. */
function strided(t: Tensor, transposed = false): Strided {
  const data = (t as CpuTensor).data;
  return transposed ? { data, rowStride: 1, colStride: t.cols } : { data, rowStride: t.cols, colStride: 1 };
}

/**
 * One row of softmax cross-entropy on logits O[at, at + q): writes dO's row, (softmax − onehot)·scale,
 * and returns loss = logsumexp(o) − o[label] (computed as (max − o[label]) + log Σ exp(o − max), so
 * the large terms cancel first) and whether argmax(o) is the label.
 */
function softmaxCrossEntropyRow(D: Storage, O: Storage, at: number, q: number, label: number, scale: number): { loss: number; correct: number } {
  let max = O[at];
  let argmax = 0;
  for (let j = 1; j < q; j++) {
    if (O[at + j] > max) {
      max = O[at + j];
      argmax = j;
    }
  }
  let sumExp = 0;
  for (let j = 0; j < q; j++) sumExp += Math.exp(O[at + j] - max);
  for (let j = 0; j < q; j++) D[at + j] = (Math.exp(O[at + j] - max) / sumExp - (j === label ? 1 : 0)) * scale;
  return { loss: max - O[at + label] + Math.log(sumExp), correct: argmax === label ? 1 : 0 };
}
