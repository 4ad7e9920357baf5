// The CPU backend's blocked matrix product against a plain triple loop in float64, on shapes that hit every path.
import { describe, expect, it } from 'vitest';
import { Gemm, type Storage } from '../src/backends/cpu/gemm';
import { Rng } from '../src/core/rng';

/** out[i, j] = Σ_p a(i, p) b(p, j) with both read through strides, summed in float64 in order p = 0 … k−1. */
function naive(m: number, n: number, k: number, a: Storage, ars: number, acs: number, b: Storage, brs: number, bcs: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * ars + p * acs] * b[p * brs + j * bcs];
      out[i * n + j] = sum;
    }
  }
  return out;
}

// m a multiple of 4 or not (in place or packed), n narrow (≤ 16), one column block (≤ 64) or several,
// k short or long (strips longer than L1)
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [4, 10, 9],
  [8, 16, 33],
  [5, 17, 3],
  [12, 64, 20],
  [13, 65, 7],
  [36, 130, 41],
  [3, 200, 1],
  [8, 70, 300],
  [5, 20, 513],
];

describe('gemm: packed 4×4 register tiles over 64-column blocks, in WebAssembly SIMD and in JavaScript', () => {
  it('WebAssembly SIMD runs here (Node 20), so the tests below cover both paths', () => {
    expect(new Gemm((size) => new Float32Array(size)).simd).toBe(true);
    expect(new Gemm((size) => new Float32Array(size), false).simd).toBe(false);
  });

  for (const precision of ['f32', 'f64'] as const) {
    const make = (size: number) => (precision === 'f32' ? new Float32Array(size) : new Float64Array(size));
    for (const [m, n, k] of shapes) {
      for (const [transA, transB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]) {
        it(`${precision}: (${m}×${k})${transA ? 'ᵀ' : ''} · (${k}×${n})${transB ? 'ᵀ' : ''}`, () => {
          const rng = new Rng(m * 1000 + n * 10 + k);
          const a = make(m * k).map(() => rng.uniformIn(-1, 1));
          const b = make(k * n).map(() => rng.uniformIn(-1, 1));
          const [ars, acs] = transA ? [1, m] : [k, 1];
          const [brs, bcs] = transB ? [1, k] : [n, 1];
          const out = make(m * n).fill(Number.NaN); // every entry must be written
          const gemm = new Gemm(make);
          const opA = { data: a, rowStride: ars, colStride: acs };
          const opB = { data: b, rowStride: brs, colStride: bcs };
          gemm.run(out, m, n, k, opA, opB);
          const want = naive(m, n, k, a, ars, acs, b, brs, bcs);
          // the JavaScript tiles give the very same numbers (the same sums in the same order)
          const inScript = make(m * n).fill(Number.NaN);
          new Gemm(make, false).run(inScript, m, n, k, opA, opB);
          expect(Array.from(inScript)).toEqual(Array.from(out));
          for (let i = 0; i < m * n; i++) {
            // one rounding of the float64 sum: exact in f64, within half an f32 ulp in f32
            const allowed = precision === 'f64' ? 0 : Math.abs(want[i]) * 2 ** -24 + 1e-45;
            expect(Math.abs(out[i] - want[i]), `out[${i}]`).toBeLessThanOrEqual(allowed);
          }
          // the buffers are reused: a second, smaller product into the same Gemm is still right
          const small = make(2 * 3);
          gemm.run(small, 2, 3, 1, { data: make(2).fill(2), rowStride: 1, colStride: 1 }, { data: make(3).fill(3), rowStride: 3, colStride: 1 });
          expect(Array.from(small)).toEqual([6, 6, 6, 6, 6, 6]);
        });
      }
    }
  }

  it('k = 0 gives zeros; an empty output is left alone', () => {
    const gemm = new Gemm((size) => new Float32Array(size));
    const out = new Float32Array(6).fill(7);
    gemm.run(out, 2, 3, 0, { data: new Float32Array(0), rowStride: 0, colStride: 1 }, { data: new Float32Array(0), rowStride: 3, colStride: 1 });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
