// Run by tests/gemm.test.ts in a Node started with --experimental-wasm-relaxed-simd: products on the relaxed-SIMD build, printed as JSON (its description and worst error against its bound).
import { Gemm } from '../../src/backends/cpu/gemm';
import { Rng } from '../../src/core/rng';

const gemm = new Gemm((size) => new Float32Array(size));
const simd = gemm.simd;
let worst = 0;
const rng = new Rng(7);
for (const [m, n, k] of [
  [37, 131, 19],
  [64, 10, 300],
  [5, 70, 513],
]) {
  const a = Float32Array.from({ length: m * k }, () => rng.uniformIn(-1, 1));
  const b = Float32Array.from({ length: k * n }, () => rng.uniformIn(-1, 1));
  const out = new Float32Array(m * n).fill(Number.NaN);
  simd?.run(out, m, n, k, { data: a, rowStride: k, colStride: 1 }, { data: b, rowStride: n, colStride: 1 });
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        sum += a[i * k + p] * b[p * n + j];
        abs += Math.abs(a[i * k + p] * b[p * n + j]);
      }
      const ratio = Math.abs(out[i * n + j] - sum) / ((k + 2) * 2 ** -24 * abs + 1e-45);
      worst = Number.isNaN(ratio) ? Infinity : Math.max(worst, ratio);
    }
  }
}
process.stdout.write(
  `${JSON.stringify({ description: simd?.kernels.description ?? null, fused: simd?.kernels.fused ?? null, worst: Number.isFinite(worst) ? worst : 'Infinity' })}\n`,
);
process.exit(0);
