// gemm.ts: the fast CPU backend's matrix product — float32 SIMD tiles on every core where they run, else packed 4×4 JavaScript tiles.
//
// out (m, n) = Σ_p a(i, p) · b(p, j), where a and b are strided views of row-major storage, so the
// transposed variants are the same code with other strides. A float32 product of at least
// SIMD_MIN multiply-adds runs on the f32x4 tiles of kernels/gemm.wat (simd-gemm.ts), each sum in a
// float32 lane. Everything else (float64 storage, small products, engines without WebAssembly SIMD)
// runs the JavaScript tiles below: one float64 running sum over p = 0, 1, …, k−1 per output, rounded
// once when stored, as the reference sums; the blocking changes the speed, never the order of the sum.

import type { Storage, Strided } from './reference-backend';
import { SimdGemm } from './simd-gemm';
import { type SimdKernels, simdKernels } from './simd-kernels';

export type { Storage, Strided };

/** Rows (of a) and columns (of b) in one register tile: 16 running sums per inner loop. */
const R = 4;
/** Columns of b per cache block: k × 64 packed values (200 KB at k = 784 in float32) stay in L2 while every row strip of a passes. */
const COLUMN_BLOCK = 64;
/** Products at most this wide read a in place (packing would cost as much as the sums). */
const NARROW = 16;
/** Float32 products with fewer multiply-adds stay in JavaScript: copying them in and out would cost more. */
export const SIMD_MIN = 4096;

/** One SIMD product engine per thread: its memory and helper threads serve every CPU backend here. */
let engine: SimdGemm | null | undefined;
function simdEngine(kernels: SimdKernels | null): SimdGemm | null {
  if (engine !== undefined) return engine;
  try {
    engine = kernels ? new SimdGemm(kernels) : null;
  } catch {
    engine = null; // the engine would not reserve the memory (a 1 GiB maximum): JavaScript tiles
  }
  return engine;
}

/**
 * A reusable matrix product: its packing buffers grow to the largest shapes seen and are kept,
 * so a training step allocates nothing once warm.
 */
export class Gemm {
  private packedA: Storage;
  private packedB: Storage;
  private readonly simdGemm: SimdGemm | null;

  /** `useSimd: false` keeps every product in JavaScript (the tests compare the two). */
  constructor(
    private readonly make: (size: number) => Storage,
    useSimd = true,
  ) {
    this.packedA = make(0);
    this.packedB = make(0);
    this.simdGemm = useSimd ? simdEngine(simdKernels) : null;
  }

  /** The SIMD engine float32 products run on, or null (JavaScript tiles only). */
  get simd(): SimdGemm | null {
    return this.simdGemm;
  }

  /** out[i·n + j] = Σ_p a(i, p) · b(p, j) for i < m, j < n (out is overwritten). */
  run(out: Storage, m: number, n: number, k: number, a: Strided, b: Strided): void {
    if (m === 0 || n === 0) return;
    if (k === 0) {
      out.fill(0, 0, m * n);
      return;
    }
    if (this.simdGemm && out instanceof Float32Array && m * n * k >= SIMD_MIN && this.simdGemm.run(out, m, n, k, a, b)) return;
    const strips = Math.ceil(m / R);
    // a is packed unless the product is narrow (packing would cost as much as the sums) or
    // a's rows are already contiguous; then the tile reads it in place
    let A = a.data;
    let rowStep = a.rowStride;
    let kStep = a.colStride;
    const inPlace = m % R === 0 && (n <= NARROW || a.colStride === 1);
    if (!inPlace) {
      A = this.buffer('packedA', strips * R * k);
      packStrips(A, 0, a, 0, m, k, strips);
      rowStep = 1;
      kStep = R;
    }
    const B = this.buffer('packedB', Math.ceil(Math.min(n, COLUMN_BLOCK) / R) * R * k);
    const transposedB = { data: b.data, rowStride: b.colStride, colStride: b.rowStride };
    for (let j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
      const cols = Math.min(COLUMN_BLOCK, n - j0);
      const colStrips = Math.ceil(cols / R);
      // b's columns j0 … j0+cols as strips of four: B[(s·k + p)·4 + c] = b(p, j0 + 4s + c)
      packStrips(B, 0, transposedB, j0, j0 + cols, k, colStrips);
      for (let s = 0; s < strips; s++) {
        for (let t = 0; t < colStrips; t++) {
          tile(out, n, m, j0 + cols, s * R, j0 + t * R, A, inPlace ? s * R * rowStep : s * R * k, rowStep, kStep, B, t * R * k, k);
        }
      }
    }
  }

  private buffer(which: 'packedA' | 'packedB', size: number): Storage {
    if (this[which].length < size) this[which] = this.make(size);
    return this[which];
  }
}

/**
 * Packs rows [first, first + 4·count) of x into strips of four, rows at or past `rows` as zeros:
 * dst[at + (s·k + p)·4 + r] = x(first + 4s + r, p).
 */
function packStrips(dst: Storage, at: number, x: Strided, first: number, rows: number, k: number, count: number): void {
  const { data, rowStride, colStride } = x;
  for (let s = 0; s < count; s++) {
    const base = at + s * R * k;
    const row = first + s * R;
    if (row + R <= rows) {
      // p outer: where x's rows are strided (b read by columns), the four values of one p lie together
      const r0 = row * rowStride;
      const r1 = r0 + rowStride;
      const r2 = r1 + rowStride;
      const r3 = r2 + rowStride;
      for (let p = 0, d = base, q = 0; p < k; p++, d += R, q += colStride) {
        dst[d] = data[r0 + q];
        dst[d + 1] = data[r1 + q];
        dst[d + 2] = data[r2 + q];
        dst[d + 3] = data[r3 + q];
      }
      continue;
    }
    for (let r = 0; r < R; r++) {
      const start = (row + r) * rowStride;
      const inside = row + r < rows;
      for (let p = 0; p < k; p++) dst[base + p * R + r] = inside ? data[start + p * colStride] : 0;
    }
  }
}

/** One 4×4 tile of out at (i0, j0): sixteen running sums over the packed strips, stored where inside (rows, cols). */
function tile(
  out: Storage,
  n: number,
  rows: number,
  cols: number,
  i0: number,
  j0: number,
  A: Storage,
  ai: number,
  rowStep: number,
  kStep: number,
  B: Storage,
  bi: number,
  k: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  const r1 = rowStep;
  const r2 = 2 * rowStep;
  const r3 = 3 * rowStep;
  const end = bi + k * R;
  for (; bi < end; ai += kStep, bi += R) {
    const a0 = A[ai],
      a1 = A[ai + r1],
      a2 = A[ai + r2],
      a3 = A[ai + r3];
    const b0 = B[bi],
      b1 = B[bi + 1],
      b2 = B[bi + 2],
      b3 = B[bi + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (i0 + R <= rows && j0 + R <= cols) {
    let o = i0 * n + j0;
    out[o] = c00;
    out[o + 1] = c01;
    out[o + 2] = c02;
    out[o + 3] = c03;
    o += n;
    out[o] = c10;
    out[o + 1] = c11;
    out[o + 2] = c12;
    out[o + 3] = c13;
    o += n;
    out[o] = c20;
    out[o + 1] = c21;
    out[o + 2] = c22;
    out[o + 3] = c23;
    o += n;
    out[o] = c30;
    out[o + 1] = c31;
    out[o + 2] = c32;
    out[o + 3] = c33;
    return;
  }
  // an edge tile: store the rows and columns that exist
  const lastRow = Math.min(R, rows - i0);
  const lastCol = Math.min(R, cols - j0);
  storeRow(out, i0 * n + j0, lastCol, c00, c01, c02, c03);
  if (lastRow > 1) storeRow(out, (i0 + 1) * n + j0, lastCol, c10, c11, c12, c13);
  if (lastRow > 2) storeRow(out, (i0 + 2) * n + j0, lastCol, c20, c21, c22, c23);
  if (lastRow > 3) storeRow(out, (i0 + 3) * n + j0, lastCol, c30, c31, c32, c33);
}

function storeRow(out: Storage, at: number, cols: number, v0: number, v1: number, v2: number, v3: number): void {
  out[at] = v0;
  if (cols > 1) out[at + 1] = v1;
  if (cols > 2) out[at + 2] = v2;
  if (cols > 3) out[at + 3] = v3;
}
