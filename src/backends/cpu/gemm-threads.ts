// gemm-threads.ts: helper threads for the SIMD product (gemm-helper.js), started once, and the posting of a job to them.
//
// The job's words live at the start of the shared memory (their layout is in kernels/gemm.wat).
// This thread posts a job, runs `work` itself, then waits until every chunk is done: with
// Atomics.wait where the thread may block (a worker, Node), else by spinning (a page's main thread).

/** Byte offset of the job's 80 bytes in memory; operands start after them. */
export const JOB_AT = 0;
export const JOB_BYTES = 80;
const NEXT = 0; // BigInt64 index: generation << 32 | next chunk
const GENERATION = 2; // Int32 indices
const DONE = 3;
const TOTAL = 4;
const FIELDS = 5; // a, aStrip, aRow, aCol, b, bStrip, bCol, c, cRow, strips, colStrips, k
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
  /** Helpers that have started and take chunks. */
  readonly running: number;
}

/** Starts one helper per core but this one (`cores` counted as SimdKernels counts them); they join as they come up. */
export function startHelpers(module: WebAssembly.Module, memory: WebAssembly.Memory, cores: number): GemmHelpers {
  const state = { planned: Math.min(MAX_HELPERS, Math.max(0, cores - 1)), running: 0 };
  const data = { module, memory, job: JOB_AT };
  const join = () => {
    state.running++;
  };
  if (typeof Worker !== 'undefined') {
    // a browser thread: module Web Workers (Vite bundles the file for the build)
    for (let i = 0; i < state.planned; i++) {
      const helper = new Worker(new URL('./gemm-helper.js', import.meta.url), { type: 'module', name: `gemm helper ${i + 1}` });
      helper.addEventListener('message', join, { once: true });
      helper.postMessage(data);
    }
    return state;
  }
  // Node: worker_threads, unref'd so that they never keep the process alive
  void (async () => {
    const threads = 'node:worker_threads';
    const { Worker: NodeWorker } = (await import(/* @vite-ignore */ threads)) as typeof import('node:worker_threads');
    for (let i = 0; i < state.planned; i++) {
      const helper = new NodeWorker(new URL('./gemm-helper.js', import.meta.url));
      helper.unref();
      helper.once('message', join);
      helper.postMessage(data);
    }
  })();
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

let generation = 0;

/** Posts a job (its twelve fields), takes chunks of it with `work`, and returns once all are done: how many the helpers took. */
export function runJob(kernels: KernelExports, buffer: ArrayBuffer | SharedArrayBuffer, fields: readonly number[], helpers: boolean): number {
  const words = new Int32Array(buffer, JOB_AT, JOB_BYTES / 4);
  const next = new BigInt64Array(buffer, JOB_AT, 1);
  generation = (generation + 1) >>> 0;
  const gen = BigInt(generation) << 32n;
  Atomics.store(next, NEXT, gen | CLOSED);
  for (let f = 0; f < fields.length; f++) Atomics.store(words, FIELDS + f, fields[f]);
  Atomics.store(words, DONE, 0);
  const total = kernels.chunks(JOB_AT);
  Atomics.store(words, TOTAL, total);
  Atomics.store(next, NEXT, gen);
  Atomics.store(words, GENERATION, generation);
  if (helpers) Atomics.notify(words, GENERATION);
  const ran = kernels.work(JOB_AT);
  if (!helpers) return total - ran;
  const blocking = canWait(words);
  for (let done = Atomics.load(words, DONE); done < total; done = Atomics.load(words, DONE)) {
    if (blocking) Atomics.wait(words, DONE, done, 50);
  }
  return total - ran;
}
