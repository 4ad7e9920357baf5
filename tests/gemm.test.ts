// The CPU backend's matrix product, both paths, against a plain triple loop in float64: the JavaScript tiles exactly, the float32 SIMD tiles within their rounding bound.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Gemm, SIMD_MIN, type Storage } from '../src/backends/cpu/gemm';
import { SimdGemm } from '../src/backends/cpu/simd-gemm';
import { simdKernels } from '../src/backends/cpu/simd-kernels';
import { Rng } from '../src/core/rng';

/** Σ_p a(i, p) b(p, j) in float64 in order p = 0 … k−1, and Σ_p |a(i, p) b(p, j)| (the bound's scale). */
function naive(m: number, n: number, k: number, a: Storage, ars: number, acs: number, b: Storage, brs: number, bcs: number) {
  const sum = new Float64Array(m * n);
  const abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const term = a[i * ars + p * acs] * b[p * brs + j * bcs];
        s += term;
        t += Math.abs(term);
      }
      sum[i * n + j] = s;
      abs[i * n + j] = t;
    }
  }
  return { sum, abs };
}

// m a multiple of 4 or not, n narrow (≤ 16, a partial strip of 8) or several 64-column blocks, more
// than 8 row strips (several chunks), k short or long
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
  [70, 9, 40],
  [37, 131, 19],
];

const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

function operands(m: number, n: number, k: number, transA: boolean, transB: boolean, make: (size: number) => Storage) {
  const rng = new Rng(m * 1000 + n * 10 + k);
  const a = make(m * k).map(() => rng.uniformIn(-1, 1));
  const b = make(k * n).map(() => rng.uniformIn(-1, 1));
  const [ars, acs] = transA ? [1, m] : [k, 1];
  const [brs, bcs] = transB ? [1, k] : [n, 1];
  return { a, b, ars, acs, brs, bcs, opA: { data: a, rowStride: ars, colStride: acs }, opB: { data: b, rowStride: brs, colStride: bcs } };
}

describe('gemm in JavaScript: packed 4×4 tiles, one float64 sum per output rounded once', () => {
  for (const precision of ['f32', 'f64'] as const) {
    const make = (size: number) => (precision === 'f32' ? new Float32Array(size) : new Float64Array(size));
    for (const [m, n, k] of shapes) {
      for (const [transA, transB] of TRANSPOSES) {
        it(`${precision}: (${m}×${k})${transA ? 'ᵀ' : ''} · (${k}×${n})${transB ? 'ᵀ' : ''}`, () => {
          const { a, b, ars, acs, brs, bcs, opA, opB } = operands(m, n, k, transA, transB, make);
          const out = make(m * n).fill(Number.NaN); // every entry must be written
          new Gemm(make, false).run(out, m, n, k, opA, opB);
          const { sum } = naive(m, n, k, a, ars, acs, b, brs, bcs);
          for (let i = 0; i < m * n; i++) {
            // one rounding of the float64 sum: exact in f64, within half an f32 ulp in f32
            const allowed = precision === 'f64' ? 0 : Math.abs(sum[i]) * 2 ** -24 + 1e-45;
            expect(Math.abs(out[i] - sum[i]), `out[${i}]`).toBeLessThanOrEqual(allowed);
          }
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

describe('gemm in float32 SIMD (kernels/gemm.wat): within the rounding bound of a float32 running sum', () => {
  it('the kernels are built and run here (Node 20: plain SIMD, shared memory)', () => {
    expect(simdKernels, 'npm run kernels builds src/backends/cpu/kernels/*.wasm').not.toBeNull();
    expect(simdKernels!.shared).toBe(true);
    expect(new Gemm((size) => new Float32Array(size)).simd).not.toBeNull();
  });

  const make = (size: number) => new Float32Array(size);
  for (const [m, n, k] of shapes) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`(${m}×${k})${transA ? 'ᵀ' : ''} · (${k}×${n})${transB ? 'ᵀ' : ''}`, () => {
        const { a, b, ars, acs, brs, bcs, opA, opB } = operands(m, n, k, transA, transB, make);
        const out = make(m * n).fill(Number.NaN);
        const simd = new Gemm(make).simd!;
        expect(simd.run(out, m, n, k, opA, opB)).toBe(true);
        const { sum, abs } = naive(m, n, k, a, ars, acs, b, brs, bcs);
        for (let i = 0; i < m * n; i++) {
          // k roundings of a float32 running sum (each term's product exact or rounded once, fused
          // or not): |error| ≤ (k + 1)·2⁻²⁴·Σ|a·b| (Higham's γ bound, to first order), plus the store
          const allowed = (k + 2) * 2 ** -24 * abs[i] + 1e-45;
          expect(Math.abs(out[i] - sum[i]), `out[${i}]`).toBeLessThanOrEqual(allowed);
        }
      });
    }
  }

  it('Gemm.run takes the SIMD path for float32 products of SIMD_MIN multiply-adds or more, and JavaScript below', () => {
    const m = 16;
    const k = 16;
    const make32 = (size: number) => new Float32Array(size);
    for (const n of [SIMD_MIN / (m * k) - 1, SIMD_MIN / (m * k)]) {
      const { a, b, ars, acs, brs, bcs, opA, opB } = operands(m, n, k, false, false, make32);
      const out = make32(m * n);
      new Gemm(make32).run(out, m, n, k, opA, opB);
      const { sum } = naive(m, n, k, a, ars, acs, b, brs, bcs);
      // the JavaScript tiles round the float64 sum once: every output is the float32 nearest it
      const exact = Array.from(out).every((v, i) => v === Math.fround(sum[i]));
      if (m * n * k < SIMD_MIN) expect(exact).toBe(true);
      else expect(exact).toBe(false); // float32 lanes round at every term: some output differs
    }
  });

  it('a second, smaller product into the same engine is still right (the memory is reused)', () => {
    const gemm = new Gemm(make);
    const big = operands(40, 90, 200, false, false, make);
    gemm.run(make(40 * 90), 40, 90, 200, big.opA, big.opB);
    const small = make(8 * 64);
    gemm.run(small, 8, 64, 8, { data: make(64).fill(2), rowStride: 8, colStride: 1 }, { data: make(8 * 64).fill(3), rowStride: 64, colStride: 1 });
    expect(Array.from(small)).toEqual(new Array(8 * 64).fill(48));
  });

  it('helper threads take chunks of a product and give the same bits as one thread on an unshared memory', async () => {
    const shared = new Gemm(make).simd!;
    for (let wait = 0; shared.threads < 2 && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(shared.threads, 'a helper thread started (2 cores here)').toBeGreaterThanOrEqual(2);
    const bytes = readFileSync(new URL('../src/backends/cpu/kernels/gemm-plain.wasm', import.meta.url));
    const alone = new SimdGemm({ module: new WebAssembly.Module(bytes), fused: false, shared: false, description: 'SIMD', cores: 1 });
    expect(alone.threadsPlanned).toBe(1);
    const [m, n, k] = [300, 260, 200]; // 19 chunks of row strips × 5 column blocks
    const { opA, opB } = operands(m, n, k, false, true, make);
    const want = make(m * n);
    alone.run(want, m, n, k, opA, opB);
    const before = shared.chunksByHelpers;
    for (let round = 0; round < 10; round++) {
      const got = make(m * n).fill(Number.NaN);
      shared.run(got, m, n, k, opA, opB);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
    expect(shared.chunksByHelpers - before, 'chunks the helper took in 10 products').toBeGreaterThan(0);
  });

  it('the relaxed-SIMD build (fused multiply-add) computes the same products within the bound, in a Node that has relaxed SIMD', () => {
    // Node 20 runs relaxed SIMD only behind a flag; browsers since Chrome 114 run it by default
    const output = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'tests/helpers/relaxed-simd-run.ts'], {
      encoding: 'utf8',
      env: { ...process.env, GRADIENT_LAB_THREADS: '1' },
    });
    const result = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(result.fused).toBe(true);
    expect(result.description).toBe('relaxed SIMD, shared memory');
    expect(result.worst).toBeLessThanOrEqual(1);
  });

  it('helpers that come up while products run (this thread never yields) join them without a wrong sum', () => {
    // a fresh engine with 7 helpers starting: they count themselves ready in shared memory and may
    // take chunks of a product this thread posted before it knew of them; it must wait for those too
    const engine = new SimdGemm({ ...simdKernels!, cores: 8 });
    const shapes: [number, number, number][] = [
      [64, 64, 256],
      [64, 64, 16],
      [32, 72, 8],
    ];
    const cases = shapes.map(([m, n, k]) => {
      const { a, b, ars, acs, brs, bcs, opA, opB } = operands(m, n, k, false, false, make);
      // small integers: every sum is exact in float32, whoever adds it
      for (const x of [a, b]) for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 8);
      return { m, n, k, opA, opB, want: naive(m, n, k, a, ars, acs, b, brs, bcs).sum };
    });
    let wrong = 0;
    const started = performance.now();
    while (performance.now() - started < 1500) {
      for (const { m, n, k, opA, opB, want } of cases) {
        const out = make(m * n).fill(Number.NaN);
        engine.run(out, m, n, k, opA, opB);
        if (out.some((v, i) => v !== want[i])) wrong++;
      }
    }
    expect(engine.chunksByHelpers, 'helpers took chunks').toBeGreaterThan(0);
    expect(wrong).toBe(0);
  });
});
