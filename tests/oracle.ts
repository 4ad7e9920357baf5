// The test oracle: the unfused primitives of a layer in plain float64 loops, which the fused ops of every backend are tested against.
//
// These were once ops of the Backend contract (matmul, addBias, columnSums, the activations,
// softmax cross-entropy, sums of squares, axpy, the guarded SGD update). No training code calls
// them any more; here they spell out, one line of the chapter at a time, what each fused op means.
import type { Activation } from '../src/core/settings';

/** A row-major matrix in float64. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, values: ArrayLike<number>): Matrix {
  if (values.length !== rows * cols) throw new Error(`oracle: ${values.length} values for (${rows}, ${cols})`);
  return { rows, cols, data: Float64Array.from(values) };
}

/** aᵀ. */
export function transpose(a: Matrix): Matrix {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}

/** a · b. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`oracle matmul: (${a.rows}, ${a.cols}) · (${b.rows}, ${b.cols})`);
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let sum = 0;
      for (let p = 0; p < a.cols; p++) sum += a.data[i * a.cols + p] * b.data[p * b.cols + j];
      out[i * b.cols + j] = sum;
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

/** |a| · |b|: the bound a float32 sum's rounding error scales with. */
export function absMatmul(a: Matrix, b: Matrix): Matrix {
  return matmul({ ...a, data: a.data.map(Math.abs) }, { ...b, data: b.data.map(Math.abs) });
}

/** z + bias on every row; bias (1, cols). */
export function addBias(z: Matrix, bias: Matrix): Matrix {
  const out = Float64Array.from(z.data);
  for (let i = 0; i < z.rows; i++) for (let j = 0; j < z.cols; j++) out[i * z.cols + j] += bias.data[j];
  return { ...z, data: out };
}

/** The backward of addBias: db (1, cols) = Σ_i dz[i, :]. */
export function columnSums(dz: Matrix): Matrix {
  const out = new Float64Array(dz.cols);
  for (let i = 0; i < dz.rows; i++) for (let j = 0; j < dz.cols; j++) out[j] += dz.data[i * dz.cols + j];
  return { rows: 1, cols: dz.cols, data: out };
}

/** φ(z), written from the definitions. */
export function phi(kind: Activation, z: number): number {
  switch (kind) {
    case 'relu':
      return Math.max(z, 0);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
    case 'identity':
      return z;
  }
}

/** φ'(z), from z (not from h = φ(z), as the fused ops compute it). */
export function phiPrime(kind: Activation, z: number): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'sigmoid':
      return phi('sigmoid', z) * (1 - phi('sigmoid', z));
    case 'tanh':
      return 1 - Math.tanh(z) ** 2;
    case 'identity':
      return 1;
  }
}

export function activationForward(kind: Activation, z: Matrix): Matrix {
  return { ...z, data: z.data.map((v) => phi(kind, v)) };
}

/** dz = dh ⊙ φ'(z). */
export function activationBackward(kind: Activation, dh: Matrix, z: Matrix): Matrix {
  return { ...dh, data: dh.data.map((v, i) => v * phiPrime(kind, z.data[i])) };
}

/**
 * Softmax cross-entropy of logits o (n, q) against labels: per row the loss log Σ exp(o) − o[y]
 * (with the maximum taken out first), whether argmax(o) = y, and dO = (softmax(o) − onehot(y))·gradScale.
 */
export function softmaxCrossEntropy(o: Matrix, labels: ArrayLike<number>, gradScale: number): { dO: Matrix; loss: number[]; correct: number[] } {
  const q = o.cols;
  const dO = new Float64Array(o.rows * q);
  const loss: number[] = [];
  const correct: number[] = [];
  for (let i = 0; i < o.rows; i++) {
    const row = Array.from(o.data.subarray(i * q, (i + 1) * q));
    const max = Math.max(...row);
    const argmax = row.indexOf(max);
    const sumExp = row.reduce((s, v) => s + Math.exp(v - max), 0);
    loss.push(max + Math.log(sumExp) - row[labels[i]]);
    correct.push(argmax === labels[i] ? 1 : 0);
    for (let j = 0; j < q; j++) dO[i * q + j] = (Math.exp(row[j] - max) / sumExp - (j === labels[i] ? 1 : 0)) * gradScale;
  }
  return { dO: { rows: o.rows, cols: q, data: dO }, loss, correct };
}

export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

export function sumSquares(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return s;
}

/** y + alpha · x. */
export function axpy(y: Matrix, x: Matrix, alpha: number): Matrix {
  return { ...y, data: y.data.map((v, i) => v + alpha * x.data[i]) };
}

/** param − lr · grad, or param itself when any guard value is NaN or ±Inf. */
export function sgdUpdate(param: Matrix, grad: Matrix, lr: number, guard: ArrayLike<number>): Matrix {
  return Array.from(guard).every(Number.isFinite) ? axpy(param, grad, -lr) : param;
}

/** Rows r0 … r1−1 and columns c0 … c1−1 of a. */
export function block(a: Matrix, r0: number, r1: number, c0: number, c1: number): number[] {
  const out: number[] = [];
  for (let i = r0; i < Math.min(r1, a.rows); i++) for (let j = c0; j < Math.min(c1, a.cols); j++) out.push(a.data[i * a.cols + j]);
  return out;
}

/** W (rows 0 … in−1) and b (row in) of a layer's parameters P (in + 1, out). */
export function splitParams(p: Matrix): { W: Matrix; b: Matrix } {
  const fanIn = p.rows - 1;
  return { W: { rows: fanIn, cols: p.cols, data: p.data.slice(0, fanIn * p.cols) }, b: { rows: 1, cols: p.cols, data: p.data.slice(fanIn * p.cols) } };
}

/** P (in + 1, out) from W and b. */
export function joinParams(W: Matrix, b: Matrix): Matrix {
  const data = new Float64Array((W.rows + 1) * W.cols);
  data.set(W.data);
  data.set(b.data, W.rows * W.cols);
  return { rows: W.rows + 1, cols: W.cols, data };
}
