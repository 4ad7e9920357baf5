// gemm-threads.ts: helper threads for the SIMD product (gemm-helper.js), started once, and the posting of a job to them.
//
// The job's words live at the start of the shared memory (their layout is in kernels/gemm.wat).
// This thread posts a job, runs `work` itself, then waits until every chunk is done, whoever took
// it: with Atomics.wait where the thread may block (a worker, Node), else by spinning (a page's
// main thread). It waits on a shared memory whatever it knows of the helpers, since a helper that
// has just started may take a chunk before this thread has heard of it.

/** Byte offset of the job's 80 bytes in memory; operands start after them. */
export const JOB_AT = 0;
export const JOB_BYTES = 80;
const NEXT = 0; // BigInt64 index: generation << 32 | next chunk
const GENERATION = 2; // Int32 indices
const DONE = 3;
const TOTAL = 4;
const FIELDS = 5; // a, aStrip, aRow, aCol, b, bStrip, bCol, c, cRow, strips, colStrips, k (5 … 16)
/** Helpers that have started: each adds one when it is ready (gemm-helper.js). */
export const READY = 17;
/** Set by a helper that failed; its message follows nowhere (the worker's console has it). */
export const FAILED = 18;
const CLOSED = 0xffffffffn;
/** At most this many helpers, whatever the core count. */
const MAX_HELPERS = 7;

export interface KernelExports {
  work(job: number): number;
  chunks(job: number): number;
  packColumns(src: number, srcRow: number, dst: number, k: number, colStrips: number): void;
}

export interface GemmHelpers {
  /** Helpers asked for. */
  readonly planned: number;
  /** Helpers that have started and take chunks (counted in shared memory, so known without a message). */
  readonly running: number;
}

/**
 * Starts one helper per core but this one (`cores` as SimdKernels counts them), at once: module Web
 * Workers in a browser, else `nodeWorker` (Node's, unref'd so that they never keep the process
 * alive). They join as they come up.
 */
export function startHelpers(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  cores: number,
  nodeWorker?: typeof import('node:worker_threads').Worker,
): GemmHelpers {
  const planned = Math.min(MAX_HELPERS, Math.max(0, cores - 1));
  const words = new Int32Array(memory.buffer, JOB_AT, JOB_BYTES / 4);
  const state = {
    planned,
    get running() {
      return Atomics.load(words, READY);
    },
  };
  const data = { module, memory, job: JOB_AT };
  for (let i = 0; i < planned; i++) {
    if (typeof Worker !== 'undefined') {
      // Vite bundles the file for the build from this very expression
      new Worker(new URL('./gemm-helper.js', import.meta.url), { type: 'module', name: `gemm helper ${i + 1}` }).postMessage(data);
    } else if (nodeWorker) {
      const helper = new nodeWorker(new URL('./gemm-helper.js', import.meta.url));
      helper.unref();
      helper.postMessage(data);
    }
  }
  return state;
}

/** Whether this thread may block in Atomics.wait (not a page's main thread). */
let mayWait: boolean | null = null;
function canWait(control: Int32Array): boolean {
  if (mayWait === null) {
    try {
      Atomics.wait(control, DONE, -1, 0);
      mayWait = true;
    } catch {
      mayWait = false;
    }
  }
  return mayWait;
}

/** The job's words as runJob reads and writes them; made again only when the memory's buffer changes. */
export interface JobViews {
  readonly words: Int32Array;
  readonly next: BigInt64Array;
}

export function jobViews(buffer: ArrayBufferLike): JobViews {
  return { words: new Int32Array(buffer, JOB_AT, JOB_BYTES / 4), next: new BigInt64Array(buffer, JOB_AT, 1) };
}

let generation = 0;

/**
 * Posts a job (its twelve fields), takes chunks of it with `work`, and returns once all are done:
 * how many the helpers took. On an unshared memory no other thread can take any.
 */
export function runJob(kernels: KernelExports, job: JobViews, fields: readonly number[], shared: boolean): number {
  const { words, next } = job;
  generation = (generation + 1) >>> 0;
  const gen = BigInt(generation) << 32n;
  Atomics.store(next, NEXT, gen | CLOSED);
  for (let f = 0; f < fields.length; f++) Atomics.store(words, FIELDS + f, fields[f]);
  Atomics.store(words, DONE, 0);
  const total = kernels.chunks(JOB_AT);
  Atomics.store(words, TOTAL, total);
  Atomics.store(next, NEXT, gen);
  Atomics.store(words, GENERATION, generation);
  if (shared) Atomics.notify(words, GENERATION);
  const ran = kernels.work(JOB_AT);
  if (!shared) return total - ran;
  const blocking = canWait(words);
  for (let done = Atomics.load(words, DONE); done < total; done = Atomics.load(words, DONE)) {
    if (Atomics.load(words, FAILED) !== 0) throw new Error('a CPU helper thread failed part way through a product (see its console)');
    if (blocking) Atomics.wait(words, DONE, done, 50);
  }
  return total - ran;
}
