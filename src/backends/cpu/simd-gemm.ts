// simd-gemm.ts: the float32 matrix product on the SIMD tiles of kernels/gemm.wat, split over worker threads where memory can be shared.
//
// Operands are copied (or packed) into the module's memory, the tiles run over 64-column blocks in
// chunks of row strips, and the result is copied out. With a shared memory the chunks are taken by
// this thread and by helper threads (gemm-helper.js) through a counter in a SharedArrayBuffer, so a
// helper that is slow to start only means this thread does more of the work.

import { type GemmHelpers, JOB_BYTES, type JobViews, jobViews, type KernelExports, runJob, startHelpers } from './gemm-threads';
import type { Storage, Strided } from './reference-backend';
import type { SimdKernels } from './simd-kernels';

/** Rows and columns of one tile (kernels/gemm.wat). */
const TILE_ROWS = 4;
const TILE_COLS = 8;
const PAGE = 65536;
/** 1 GiB: shared memories need a maximum, and a product larger than this stays in JavaScript. */
const MAX_PAGES = 16384;

export class SimdGemm {
  private readonly memory: WebAssembly.Memory;
  private readonly exports: KernelExports;
  private view: Float32Array;
  /** The job's words over the same buffer as `view`. */
  private job: JobViews;
  /** The job's fields, written afresh for each product (no allocation per product). */
  private readonly fields: number[] = new Array(12).fill(0);
  private readonly helpers: GemmHelpers | null;
  /** Chunks of products that helper threads ran (the rest ran on this thread). */
  chunksByHelpers = 0;

  constructor(readonly kernels: SimdKernels) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: kernels.shared });
    const instance = new WebAssembly.Instance(kernels.module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.view = new Float32Array(this.memory.buffer);
    this.job = jobViews(this.memory.buffer);
    this.helpers = kernels.shared ? startHelpers(kernels.module, this.memory, kernels.cores, kernels.nodeWorker) : null;
  }

  /** Threads that take chunks of a product: this one and its helpers (counted once they run). */
  get threads(): number {
    return 1 + (this.helpers?.running ?? 0);
  }

  /** Threads asked for: this one and the helpers being started. */
  get threadsPlanned(): number {
    return 1 + (this.helpers?.planned ?? 0);
  }

  /**
   * out[i·n + j] = Σ_p a(i, p) · b(p, j) in float32 lanes, for i < m, j < n (m, n, k ≥ 1).
   * Returns false, having done nothing, when the product would not fit in the module's memory.
   */
  run(out: Storage, m: number, n: number, k: number, a: Strided, b: Strided): boolean {
    const strips = Math.ceil(m / TILE_ROWS);
    const colStrips = Math.ceil(n / TILE_COLS);
    const nPad = colStrips * TILE_COLS;
    // a is copied as it lies (row-major or transposed: the tiles take its strides), with zeros for
    // the padding rows past m; b is packed in strips of 8 columns, in WebAssembly from a copy where
    // its rows are contiguous, else here
    const aUsed = (m - 1) * a.rowStride + (k - 1) * a.colStride + 1;
    const aLength = aUsed + (strips * TILE_ROWS - m) * a.rowStride;
    const bRaw = b.colStride === 1;
    const aAt = JOB_BYTES / 4; // float offsets, after the job's words
    const bAt = align(aAt + aLength);
    const cAt = align(bAt + colStrips * TILE_COLS * k);
    const rawAt = align(cAt + strips * TILE_ROWS * nPad);
    const rawLength = bRaw ? (k - 1) * b.rowStride + nPad : 0;
    if (!this.reserve((rawAt + rawLength) * 4)) return false;
    const memory = this.view;
    copyPadded(memory, aAt, a.data, aUsed, aLength);
    if (bRaw) {
      copyPadded(memory, rawAt, b.data, (k - 1) * b.rowStride + n, rawLength);
      this.exports.packColumns(rawAt * 4, b.rowStride * 4, bAt * 4, k, colStrips);
    } else packStrips(memory, bAt, { data: b.data, rowStride: b.colStride, colStride: b.rowStride }, n, k, colStrips, TILE_COLS);
    // the job's fields, in bytes (kernels/gemm.wat): a, aStrip, aRow, aCol, b, bStrip, bCol, c, cRow, strips, colStrips, k
    const fields = this.fields;
    fields[0] = aAt * 4;
    fields[1] = TILE_ROWS * a.rowStride * 4;
    fields[2] = a.rowStride * 4;
    fields[3] = a.colStride * 4;
    fields[4] = bAt * 4;
    fields[5] = TILE_COLS * k * 4;
    fields[6] = TILE_COLS * 4;
    fields[7] = cAt * 4;
    fields[8] = nPad * 4;
    fields[9] = strips;
    fields[10] = colStrips;
    fields[11] = k;
    this.chunksByHelpers += runJob(this.exports, this.job, fields, this.kernels.shared);
    if (nPad === n) out.set(memory.subarray(cAt, cAt + m * n));
    else for (let i = 0; i < m; i++) out.set(memory.subarray(cAt + i * nPad, cAt + i * nPad + n), i * n);
    return true;
  }

  /** Grows the memory to at least `bytes`; false if that is past the maximum or the engine refuses. */
  private reserve(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes > MAX_PAGES * PAGE) return false;
    try {
      if (have < bytes) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      return false; // out of memory: this product runs in JavaScript
    }
    if (this.view.buffer !== this.memory.buffer || this.view.length * 4 < bytes) {
      this.view = new Float32Array(this.memory.buffer);
      this.job = jobViews(this.memory.buffer);
    }
    return true;
  }
}

/** Float offsets 16-byte aligned (v128 loads of B and stores of C). */
const align = (floats: number) => Math.ceil(floats / 4) * 4;

/** memory[at, at + length) = data[0, used) then zeros (the padding rows and columns read). */
function copyPadded(memory: Float32Array, at: number, data: Storage, used: number, length: number): void {
  const count = Math.min(used, data.length, length);
  memory.set(count === data.length ? data : data.subarray(0, count), at);
  memory.fill(0, at + count, at + length);
}

/**
 * x's rows in strips of `width`, p-major: memory[at + (s·k + p)·width + r] = x(s·width + r, p), rows
 * at or past `rows` as zeros: B read transposed, packed as strips of 8 columns (x = bᵀ).
 */
function packStrips(memory: Float32Array, at: number, x: Strided, rows: number, k: number, strips: number, width: number): void {
  const { data, rowStride, colStride } = x;
  for (let s = 0; s < strips; s++) {
    const base = at + s * width * k;
    for (let r = 0; r < width; r++) {
      const row = s * width + r;
      if (row >= rows) {
        for (let p = 0, d = base + r; p < k; p++, d += width) memory[d] = 0;
        continue;
      }
      const from = row * rowStride;
      if (colStride === 1) for (let p = 0, d = base + r; p < k; p++, d += width) memory[d] = data[from + p];
      else for (let p = 0, d = base + r; p < k; p++, d += width) memory[d] = data[from + p * colStride];
    }
  }
}
