// Shape checks both backends run before an op, so a misfit reads the same on the CPU and on WebGPU.
import type { Tensor } from '../core/backend';
import { HISTOGRAM_WIDTH } from '../core/histogram';

/** Which operands of a bare matmul are read transposed (by indexing, never materialised). */
export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/** Checks a matmul's shapes; returns k. */
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

/** Checks that an update's guard, `count` slots from `start`, lies inside `metrics`. */
export function checkGuardSlots(op: string, metrics: Tensor, start: number, count: number): void {
  if (start + count > metrics.rows * metrics.cols) throw new Error(`${op}: guard ${start} + ${count} is outside the metrics`);
}

/** Checks that row `row` of a histogram tensor exists and has HISTOGRAM_WIDTH slots. */
export function checkHistogramRow(out: Tensor, row: number): void {
  if (out.cols !== HISTOGRAM_WIDTH || !Number.isInteger(row) || row < 0 || row >= out.rows) {
    throw new Error(`histogram: row ${row} of a (${out.rows}, ${out.cols}) tensor; it must be (rows, ${HISTOGRAM_WIDTH}) with row < rows`);
  }
}
