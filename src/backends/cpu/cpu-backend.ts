// The reference backend: plain loops over typed arrays. It is the specification every WGSL kernel matches.

import { activate, activationDerivative, derivativeFromOutput } from '../../core/activations';
import {
  type ActivationKind,
  type Backend,
  checkLinear,
  checkSameShape,
  type DataTensor,
  type Gathered,
  type IndexTensor,
  isGathered,
  type LabelTensor,
  type LayerInput,
  MAX_FUSED_CLASSES,
  type MatmulOptions,
  matmulInnerDim,
  PARTIAL_TILE,
  partialTiles,
  type SgdStep,
  SLICE_ALIGN,
  type Tensor,
} from '../../core/backend';
import { Gemm, type Storage } from './gemm';

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

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly description: string;
  private readonly precision: 'f32' | 'f64';

  private readonly gemm: Gemm;

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'f32';
    this.gemm = new Gemm((size) => (this.precision === 'f32' ? new Float32Array(size) : new Float64Array(size)));
    this.description = `CPU (${this.precision === 'f32' ? 'float32' : 'float64'}${this.gemm.simd ? ', WebAssembly SIMD' : ''})`;
  }

  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor {
    const size = rows * cols;
    const storage = this.precision === 'f32' ? new Float32Array(size) : new Float64Array(size);
    const t = new CpuTensor(rows, cols, storage);
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

  write(t: Tensor, data: ArrayLike<number>): void {
    const target = t as CpuTensor;
    if (data.length !== t.rows * t.cols) {
      throw new Error(`write of ${data.length} values into a (${t.rows}, ${t.cols}) tensor`);
    }
    target.data.set(data);
  }

  writeLabels(t: LabelTensor, data: ArrayLike<number>): void {
    (t as CpuLabels).data.set(data);
  }

  async read(t: Tensor): Promise<Float32Array | Float64Array> {
    const source = t as CpuTensor;
    return source.data.slice(0, t.rows * t.cols);
  }

  flush(): void {}

  free(_t: Tensor): void {}

  destroy(): void {}

  // out (m, n) = op(a) (m, k) · op(b) (k, n): transposes are strides (gemm.ts)
  matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
    const k = matmulInnerDim(out, a, b, options);
    const A = (a as CpuTensor).data;
    const B = (b as CpuTensor).data;
    const opA = options.transA ? { data: A, rowStride: 1, colStride: a.cols } : { data: A, rowStride: a.cols, colStride: 1 };
    const opB = options.transB ? { data: B, rowStride: 1, colStride: b.cols } : { data: B, rowStride: b.cols, colStride: 1 };
    this.gemm.run((out as CpuTensor).data, out.rows, out.cols, k, opA, opB);
  }

  // z (n, h) += bias (1, h)
  addBias(z: Tensor, bias: Tensor): void {
    const Z = (z as CpuTensor).data;
    const b = (bias as CpuTensor).data;
    const h = z.cols;
    for (let i = 0; i < z.rows; i++) for (let j = 0; j < h; j++) Z[i * h + j] += b[j];
  }

  // backward of addBias: db (1, h) = Σ_i dz[i, :]
  columnSums(db: Tensor, dz: Tensor): void {
    const out = (db as CpuTensor).data;
    const D = (dz as CpuTensor).data;
    const h = dz.cols;
    for (let j = 0; j < h; j++) {
      let sum = 0;
      for (let i = 0; i < dz.rows; i++) sum += D[i * h + j];
      out[j] = sum;
    }
  }

  // h = φ(z)
  activationForward(h: Tensor, z: Tensor, kind: ActivationKind): void {
    checkSameShape('activationForward', h, z);
    const H = (h as CpuTensor).data;
    const Z = (z as CpuTensor).data;
    const size = z.rows * z.cols;
    for (let i = 0; i < size; i++) H[i] = activate(kind, Z[i]);
  }

  // backward of h = φ(z): dz = dh ⊙ φ'(z), in place
  activationBackward(dz: Tensor, z: Tensor, h: Tensor, kind: ActivationKind): void {
    checkSameShape('activationBackward', dz, z);
    checkSameShape('activationBackward', dz, h);
    const D = (dz as CpuTensor).data;
    const Z = (z as CpuTensor).data;
    const H = (h as CpuTensor).data;
    const size = dz.rows * dz.cols;
    for (let i = 0; i < size; i++) D[i] *= activationDerivative(kind, Z[i], H[i]);
  }

  // loss_i = logsumexp(o_i) − o_i[y_i]; dO = (softmax(o) − onehot(y)) · gradScale
  softmaxCrossEntropy(dO: Tensor, rowLoss: Tensor, rowCorrect: Tensor, o: Tensor, y: LabelTensor, gradScale: number): void {
    checkSameShape('softmaxCrossEntropy', dO, o);
    const q = o.cols;
    const O = (o as CpuTensor).data;
    const D = (dO as CpuTensor).data;
    const L = (rowLoss as CpuTensor).data;
    const C = (rowCorrect as CpuTensor).data;
    const labels = (y as CpuLabels).data;
    for (let i = 0; i < o.rows; i++) {
      const row = i * q;
      let max = O[row];
      let argmax = 0;
      for (let j = 1; j < q; j++) {
        if (O[row + j] > max) {
          max = O[row + j];
          argmax = j;
        }
      }
      let sumExp = 0;
      for (let j = 0; j < q; j++) sumExp += Math.exp(O[row + j] - max);
      const label = labels[i];
      L[i] = max - O[row + label] + Math.log(sumExp); // the large terms cancel first
      C[i] = argmax === label ? 1 : 0;
      for (let j = 0; j < q; j++) {
        const p = Math.exp(O[row + j] - max) / sumExp;
        D[row + j] = (p - (j === label ? 1 : 0)) * gradScale;
      }
    }
  }

  sumInto(out: Tensor, slot: number, x: Tensor, scale: number): void {
    const X = (x as CpuTensor).data;
    let sum = 0;
    for (let i = 0; i < x.rows * x.cols; i++) sum += X[i];
    (out as CpuTensor).data[slot] = scale * sum;
  }

  sumSquaresInto(out: Tensor, slot: number, x: Tensor, scale: number): void {
    const X = (x as CpuTensor).data;
    let sum = 0;
    for (let i = 0; i < x.rows * x.cols; i++) sum += X[i] * X[i];
    (out as CpuTensor).data[slot] = scale * sum;
  }

  axpy(y: Tensor, x: Tensor, alpha: number): void {
    checkSameShape('axpy', y, x);
    const Y = (y as CpuTensor).data;
    const X = (x as CpuTensor).data;
    for (let i = 0; i < y.rows * y.cols; i++) Y[i] += alpha * X[i];
  }

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

  // x[r, :] = features[order[start + r], :] · scale: what a gathered input means, made concrete
  private materialize(input: LayerInput): CpuTensor {
    if (!isGathered(input)) return input as CpuTensor;
    const source = input.data as CpuData;
    const { rows, start } = input;
    const positions = (input.order as CpuIndices).data;
    if (start + rows > positions.length) throw new Error(`gathered rows ${start} … ${start + rows} exceed the order's ${positions.length}`);
    const X = this.scratchAt(3, rows * source.cols);
    // the product of a float32 scale and a feature, as a GPU's float32 multiply gives it
    const scale = this.precision === 'f32' ? Math.fround(source.scale) : source.scale;
    for (let r = 0; r < rows; r++) {
      const from = positions[start + r] * source.cols;
      for (let c = 0; c < source.cols; c++) X[r * source.cols + c] = source.features[from + c] * scale;
    }
    return new CpuTensor(rows, source.cols, X);
  }

  private materializeLabels(y: LabelTensor | Gathered): CpuLabels {
    if (!isGathered(y)) return y as CpuLabels;
    const source = y.data as CpuData;
    const positions = (y.order as CpuIndices).data;
    this.labelScratch = this.labelScratch.length >= y.rows ? this.labelScratch : new Uint32Array(y.rows);
    for (let r = 0; r < y.rows; r++) this.labelScratch[r] = source.labels[positions[y.start + r]];
    return new CpuLabels(this.labelScratch.subarray(0, y.rows));
  }

  private labelScratch = new Uint32Array(0);

  release(_t: DataTensor | IndexTensor): void {}

  slice(t: Tensor, offset: number, rows: number, cols: number): Tensor {
    const parent = t as CpuTensor;
    if (offset % SLICE_ALIGN !== 0) throw new Error(`slice offset ${offset} is not a multiple of ${SLICE_ALIGN}`);
    if (offset + rows * cols > parent.data.length) throw new Error(`slice (${rows}, ${cols}) at ${offset} exceeds storage`);
    return new CpuTensor(rows, cols, parent.data.subarray(offset, offset + rows * cols));
  }

  // h (n, out) = φ([input | 1] · p): input · W, then + b (the ones column comes last), then φ
  linearForward(h: Tensor, source: LayerInput, p: Tensor, kind: ActivationKind): void {
    const input = this.materialize(source);
    checkLinear('linearForward', input.rows, input.cols, p, h.rows, h.cols);
    const H = (h as CpuTensor).data;
    const P = (p as CpuTensor).data;
    const n = input.rows;
    const fanIn = input.cols;
    const fanOut = p.cols;
    this.gemm.run(H, n, fanOut, fanIn, { data: (input as CpuTensor).data, rowStride: fanIn, colStride: 1 }, { data: P, rowStride: fanOut, colStride: 1 });
    const bias = fanIn * fanOut;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < fanOut; j++) H[i * fanOut + j] = activate(kind, H[i * fanOut + j] + P[bias + j]);
    }
  }

  // o = [input | 1] · p; dO = (softmax(o) − onehot(y))·scale; per 32-row block (PARTIAL_TILE): scale·Σ loss, Σ correct
  linearForwardLoss(dO: Tensor, metrics: Tensor, slot: number, source: LayerInput, p: Tensor, labels: LabelTensor | Gathered, scale: number): void {
    if (p.cols > MAX_FUSED_CLASSES) throw new Error(`linearForwardLoss: ${p.cols} classes is above ${MAX_FUSED_CLASSES}`);
    const input = this.materialize(source);
    const y = this.materializeLabels(labels);
    const n = input.rows;
    const q = p.cols;
    const logits = this.scratch(n * q);
    this.linearForward(new CpuTensor(n, q, logits), input, p, 'identity');
    const rowLoss = new CpuTensor(n, 1, this.scratchLoss(n));
    const rowCorrect = new CpuTensor(n, 1, this.scratchCorrect(n));
    this.softmaxCrossEntropy(dO, rowLoss, rowCorrect, new CpuTensor(n, q, logits), y, scale);
    const M = (metrics as CpuTensor).data;
    for (let block = 0; block * PARTIAL_TILE < n; block++) {
      let loss = 0;
      let correct = 0;
      for (let i = block * PARTIAL_TILE; i < Math.min(n, (block + 1) * PARTIAL_TILE); i++) {
        loss += rowLoss.data[i] * scale;
        correct += rowCorrect.data[i];
      }
      M[slot + 2 * block] = loss;
      M[slot + 2 * block + 1] = correct;
    }
  }

  // backward of h = φ([input | 1] · p) to the input: dInput = (dOut · Wᵀ) ⊙ φ'(h)
  linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: ActivationKind): void {
    checkSameShape('linearBackwardInput', dInput, h);
    checkLinear('linearBackwardInput', h.rows, h.cols, p, dOut.rows, dOut.cols);
    const D = (dInput as CpuTensor).data;
    const H = (h as CpuTensor).data;
    // dOut (n, out) · Wᵀ: W's first `in` rows read transposed
    const a = { data: (dOut as CpuTensor).data, rowStride: dOut.cols, colStride: 1 };
    this.gemm.run(D, dOut.rows, h.cols, p.cols, a, { data: (p as CpuTensor).data, rowStride: 1, colStride: p.cols });
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
    const n = input.rows;
    const fanIn = input.cols;
    const fanOut = p.cols;
    this.gemm.run(G, fanIn, fanOut, n, { data: (input as CpuTensor).data, rowStride: 1, colStride: fanIn }, { data: D, rowStride: fanOut, colStride: 1 });
    for (let j = 0; j < fanOut; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += D[i * fanOut + j];
      G[fanIn * fanOut + j] = sum; // the bias line: Σ_i dOut[i, :]
    }
    const M = (metrics as CpuTensor).data;
    const tilesX = Math.ceil(fanOut / PARTIAL_TILE);
    M.fill(0, slot, slot + 2 * partialTiles(fanIn + 1, fanOut));
    for (let r = 0; r < fanIn; r++) {
      for (let c = 0; c < fanOut; c++) {
        const w = P[r * fanOut + c];
        const at = r * fanOut + c;
        G[at] += lambda * w;
        const tile = Math.floor(r / PARTIAL_TILE) * tilesX + Math.floor(c / PARTIAL_TILE);
        M[slot + 2 * tile] += w * w;
        M[slot + 2 * tile + 1] += G[at] * G[at];
      }
    }
  }

  // next = p − lr·g with g as in linearBackwardParams (computed into scratch, as the unfused path
  // would store it), unless the guard holds a NaN or ±Inf: then next stays, the partials hold that
  // value, and nothing is computed
  linearUpdate(next: Tensor, metrics: Tensor, slot: number, source: LayerInput, dOut: Tensor, p: Tensor, step: SgdStep): void {
    const { lambda, lr, guardStart, guardCount } = step;
    checkSameShape('linearUpdate', next, p);
    const [to, from] = [(next as CpuTensor).data, (p as CpuTensor).data];
    if (to.buffer === from.buffer && to.byteOffset === from.byteOffset) throw new Error('linearUpdate: next and p share storage');
    const M = (metrics as CpuTensor).data;
    if (guardStart + guardCount > M.length) throw new Error(`linearUpdate: guard ${guardStart} + ${guardCount} is outside the metrics`);
    for (let i = guardStart; i < guardStart + guardCount; i++) {
      if (!Number.isFinite(M[i])) {
        M.fill(M[i], slot, slot + 2 * partialTiles(p.rows, p.cols));
        return;
      }
    }
    const g = new CpuTensor(p.rows, p.cols, this.scratchAt(4, p.rows * p.cols));
    this.linearBackwardParams(g, metrics, slot, source, dOut, p, lambda);
    const G = g.data;
    for (let i = 0; i < G.length; i++) to[i] = from[i] + -lr * G[i];
  }

  swap(a: Tensor, b: Tensor): void {
    checkSameShape('swap', a, b);
    const [x, y] = [a as CpuTensor, b as CpuTensor];
    if (x.data.length !== y.data.length) throw new Error('swap: the tensors hold different storage sizes');
    [x.data, y.data] = [y.data, x.data];
  }

  private scratchBuffers: Storage[] = [];

  /** Reused work arrays (no allocation per step once they are big enough). */
  private scratchAt(index: number, size: number): Storage {
    const current = this.scratchBuffers[index];
    if (current && current.length >= size) return current.subarray(0, size);
    const fresh = this.precision === 'f32' ? new Float32Array(size) : new Float64Array(size);
    this.scratchBuffers[index] = fresh;
    return fresh;
  }

  private scratch(size: number): Storage {
    return this.scratchAt(0, size);
  }

  private scratchLoss(size: number): Storage {
    return this.scratchAt(1, size);
  }

  private scratchCorrect(size: number): Storage {
    return this.scratchAt(2, size);
  }

  sgdUpdate(param: Tensor, grad: Tensor, lr: number, guard: Tensor, guardStart: number, guardCount: number): void {
    checkSameShape('sgdUpdate', param, grad);
    const G = (guard as CpuTensor).data;
    for (let i = guardStart; i < guardStart + guardCount; i++) if (!Number.isFinite(G[i])) return;
    this.axpy(param, grad, -lr);
  }
}
