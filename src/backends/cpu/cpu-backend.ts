// The reference backend: plain loops over typed arrays. It is the specification every WGSL kernel matches.
import {
  type ActivationKind,
  type Backend,
  checkSameShape,
  type LabelTensor,
  type MatmulOptions,
  matmulInnerDim,
  type Tensor,
} from '../../core/backend';

type Storage = Float32Array | Float64Array;

class CpuTensor implements Tensor {
  constructor(
    readonly rows: number,
    readonly cols: number,
    /** Storage for at least rows·cols values; a view shares its parent's. */
    readonly data: Storage,
  ) {}
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

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'f32';
    this.description = `CPU (${this.precision === 'f32' ? 'float32' : 'float64'})`;
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

  // out (m, n) = op(a) (m, k) · op(b) (k, n). Each variant loops in the order that walks memory
  // row by row (a reference still, only not a slow one): the sums are the same, term by term.
  matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
    const k = matmulInnerDim(out, a, b, options);
    const m = out.rows;
    const n = out.cols;
    const O = (out as CpuTensor).data;
    const A = (a as CpuTensor).data;
    const B = (b as CpuTensor).data;
    const lda = a.cols;
    const ldb = b.cols;
    if (options.transB && !options.transA) {
      // out[i, j] = Σ_p a[i, p] · b[j, p]: a dot product of two rows
      for (let i = 0; i < m; i++) {
        const aRow = i * lda;
        for (let j = 0; j < n; j++) {
          const bRow = j * ldb;
          let sum = 0;
          for (let p = 0; p < k; p++) sum += A[aRow + p] * B[bRow + p];
          O[i * n + j] = sum;
        }
      }
      return;
    }
    O.fill(0, 0, m * n);
    if (!options.transA && !options.transB) {
      // out[i, :] += a[i, p] · b[p, :]
      for (let i = 0; i < m; i++) {
        const outRow = i * n;
        for (let p = 0; p < k; p++) {
          const aip = A[i * lda + p];
          const bRow = p * ldb;
          for (let j = 0; j < n; j++) O[outRow + j] += aip * B[bRow + j];
        }
      }
    } else if (options.transA && !options.transB) {
      // out[i, :] += a[p, i] · b[p, :]
      for (let p = 0; p < k; p++) {
        const bRow = p * ldb;
        for (let i = 0; i < m; i++) {
          const api = A[p * lda + i];
          const outRow = i * n;
          for (let j = 0; j < n; j++) O[outRow + j] += api * B[bRow + j];
        }
      }
    } else {
      // out[i, j] = Σ_p a[p, i] · b[j, p]
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += A[p * lda + i] * B[j * ldb + p];
          O[i * n + j] = sum;
        }
      }
    }
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
  softmaxCrossEntropy(
    dO: Tensor,
    rowLoss: Tensor,
    rowCorrect: Tensor,
    o: Tensor,
    y: LabelTensor,
    gradScale: number,
  ): void {
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

  sgdUpdate(param: Tensor, grad: Tensor, lr: number, guard: Tensor, guardStart: number, guardCount: number): void {
    checkSameShape('sgdUpdate', param, grad);
    const G = (guard as CpuTensor).data;
    for (let i = guardStart; i < guardStart + guardCount; i++) if (!Number.isFinite(G[i])) return;
    this.axpy(param, grad, -lr);
  }
}

export function activate(kind: ActivationKind, z: number): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
    case 'identity':
      return z;
  }
}

/** φ'(z), written with h = φ(z) where that is the usual form. */
export function activationDerivative(kind: ActivationKind, z: number, h: number): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'sigmoid':
      return h * (1 - h);
    case 'tanh':
      return 1 - h * h;
    case 'identity':
      return 1;
  }
}
