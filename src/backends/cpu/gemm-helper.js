// gemm-helper.js: a helper thread of the CPU backend's SIMD product: runs `work` on every job posted in the shared memory (gemm-threads.ts).
//
// Plain JavaScript, so that Node's worker_threads run it as it is; in a browser the same file is a
// module Web Worker. It is sent the compiled kernels, the shared memory and the job's byte offset,
// instantiates the kernels on that memory, counts itself in the job's READY word, then sleeps on
// the job's generation word and takes chunks of each new job (kernels/gemm.wat says how) until it
// is terminated. If it fails, it sets the FAILED word, so that the product it was part of stops
// with an error instead of waiting for a chunk that will never be done.

const GENERATION = 2; // Int32 indices in the job's words (gemm-threads.ts)
const DONE = 3;
const READY = 17;
const FAILED = 18;

async function start({ module, memory, job }) {
  const control = new Int32Array(memory.buffer, job, 20);
  try {
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    let seen = Atomics.load(control, GENERATION);
    Atomics.add(control, READY, 1);
    for (;;) {
      Atomics.wait(control, GENERATION, seen);
      seen = Atomics.load(control, GENERATION);
      if (instance.exports.work(job) > 0) Atomics.notify(control, DONE);
    }
  } catch (error) {
    Atomics.store(control, FAILED, 1);
    Atomics.notify(control, DONE);
    throw error;
  }
}

if (typeof WorkerGlobalScope !== 'undefined') {
  self.addEventListener('message', (event) => void start(event.data), { once: true });
} else {
  const { parentPort } = await import('node:worker_threads');
  parentPort.once('message', (data) => void start(data));
}
