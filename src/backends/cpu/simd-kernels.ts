// simd-kernels.ts: finds the best build of the float32 SIMD tiles (kernels/gemm.wat) that this engine runs, once per thread.
//
// `npm run kernels` (scripts/build-kernels.ts) assembles four modules from the one source: with
// relaxed-SIMD fused multiply-add or plain SIMD, importing a shared memory or not. Threads need the
// shared build and a SharedArrayBuffer, which a browser gives only to a cross-origin-isolated page.
// Where none of them validates (no WebAssembly SIMD) or the files cannot be read, `simdKernels` is
// null and the CPU backend keeps its JavaScript tiles.

export interface SimdKernels {
  readonly module: WebAssembly.Module;
  /** relaxed-SIMD f32x4.relaxed_madd (fused where the processor has FMA), or a multiply then an add. */
  readonly fused: boolean;
  /** The module imports a shared memory: products may be split over worker threads. */
  readonly shared: boolean;
  /** Why the build was chosen, for the status: e.g. "relaxed SIMD, shared memory". */
  readonly description: string;
  /** Threads a product may use, this one included: the cores here (in Node, GRADIENT_LAB_THREADS instead if set). */
  readonly cores: number;
  /** Node's Worker (worker_threads), resolved while loading: a loop that never yields could not import it later. */
  readonly nodeWorker?: typeof import('node:worker_threads').Worker;
}

// Written out, one literal each, so that Vite finds them and ships them with the build.
const BUILDS = [
  { fused: true, shared: true, url: new URL('./kernels/gemm-relaxed-shared.wasm', import.meta.url) },
  { fused: false, shared: true, url: new URL('./kernels/gemm-plain-shared.wasm', import.meta.url) },
  { fused: true, shared: false, url: new URL('./kernels/gemm-relaxed.wasm', import.meta.url) },
  { fused: false, shared: false, url: new URL('./kernels/gemm-plain.wasm', import.meta.url) },
];

/** Whether this thread may make shared memory: Node, or a cross-origin-isolated page or worker. */
function sharedMemoryAllowed(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false; // undefined in Node, where SharedArrayBuffer is always allowed
}

async function bytesOf(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node (the CLI, the benchmark, the unit tests): read the file beside this one
    const fs = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
    const buffer = await readFile(url);
    return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** The cores here (the browser's count, or Node's, or GRADIENT_LAB_THREADS instead) and, in Node, its Worker. */
async function threading(): Promise<Pick<SimdKernels, 'cores' | 'nodeWorker'>> {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return { cores: navigator.hardwareConcurrency };
  if (typeof process === 'undefined') return { cores: 1 };
  const [os, threads] = ['node:os', 'node:worker_threads'];
  const { availableParallelism } = (await import(/* @vite-ignore */ os)) as typeof import('node:os');
  const { Worker: nodeWorker } = (await import(/* @vite-ignore */ threads)) as typeof import('node:worker_threads');
  const wanted = process.env.GRADIENT_LAB_THREADS === undefined ? availableParallelism() : Number(process.env.GRADIENT_LAB_THREADS);
  return { cores: Number.isInteger(wanted) && wanted >= 1 ? wanted : 1, nodeWorker };
}

async function load(): Promise<SimdKernels | null> {
  if (typeof WebAssembly === 'undefined') return null;
  const shared = sharedMemoryAllowed();
  const threads = shared ? await threading() : { cores: 1 };
  for (const build of BUILDS) {
    if (build.shared && !shared) continue;
    try {
      const bytes = await bytesOf(build.url);
      if (!WebAssembly.validate(bytes)) continue;
      const module = await WebAssembly.compile(bytes);
      const description = `${build.fused ? 'relaxed SIMD' : 'SIMD'}${build.shared ? ', shared memory' : ''}`;
      return { module, fused: build.fused, shared: build.shared, description, ...threads };
    } catch {
      // a missing or unreadable build: try the next
    }
  }
  return null;
}

/** The kernels this thread runs, or null (JavaScript tiles). Loaded once, when this module is first imported. */
export const simdKernels: SimdKernels | null = await load();
