// The fast CPU backend: the reference's ops (reference-backend.ts) with every product in packed tiles (gemm.ts), WebAssembly SIMD where it runs.
//
// The tiles compute each output as the reference does, one float64 running sum over p = 0 … k−1
// rounded once, so the two backends agree to the last bit (tests/cpu-backends.test.ts).

import { Gemm } from './gemm';
import { type CpuBackendOptions, ReferenceBackend, type Storage, type Strided } from './reference-backend';

export class CpuBackend extends ReferenceBackend {
  private readonly gemm: Gemm;

  constructor(options: CpuBackendOptions = {}) {
    super(options);
    this.gemm = new Gemm((size) => this.storage(size));
  }

  override get description(): string {
    return `CPU (${this.precision === 'f32' ? 'float32' : 'float64'}${this.gemm.simd ? ', WebAssembly SIMD' : ''})`;
  }

  protected override product(out: Storage, m: number, n: number, k: number, a: Strided, b: Strided): void {
    this.gemm.run(out, m, n, k, a, b);
  }
}
