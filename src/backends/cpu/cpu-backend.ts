// The fast CPU backend: the reference's ops (reference-backend.ts) with every product in gemm.ts: float32 SIMD tiles on every core where they run.
//
// In float32 the SIMD tiles sum in float32 lanes, so products differ from the reference's float64
// sums by rounding, within the tolerances tests/cpu-backends.test.ts states. In float64 (and for
// small products) the JavaScript tiles sum as the reference does and agree with it to the last bit.

import { Gemm } from './gemm';
import { type CpuBackendOptions, ReferenceBackend, type Storage, type Strided } from './reference-backend';

export class CpuBackend extends ReferenceBackend {
  private readonly gemm: Gemm;

  constructor(options: CpuBackendOptions = {}) {
    super(options);
    this.gemm = new Gemm((size) => this.storage(size));
  }

  override get description(): string {
    return `CPU (${this.precision === 'f32' ? 'float32' : 'float64'}, ${this.execution})`;
  }

  /** How products run, for the status: e.g. "WebAssembly relaxed SIMD, 4 threads" or "…, 1 thread: the page is not cross-origin isolated". */
  get execution(): string {
    const simd = this.precision === 'f32' ? this.gemm.simd : null;
    if (!simd) return this.precision === 'f32' ? 'JavaScript: this engine has no WebAssembly SIMD' : 'JavaScript';
    const threads = simd.threadsPlanned;
    const why = simd.kernels.shared ? '' : ': the page is not cross-origin isolated';
    return `WebAssembly ${simd.kernels.fused ? 'relaxed SIMD' : 'SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${why}`;
  }

  protected override product(out: Storage, m: number, n: number, k: number, a: Strided, b: Strided): void {
    this.gemm.run(out, m, n, k, a, b);
  }
}
