// gemm-helper.js: a helper thread of the CPU backend's SIMD product: runs `work` on every job posted in the shared memory (gemm-threads.ts).
//
// Plain JavaScript, so that Node's worker_threads run it as it is; in a browser the same file is a
// module Web Worker. It is sent the compiled kernels, the shared memory and the job's byte offset,
// instantiates the kernels on that memory, says 'ready', then sleeps on the job's generation word
// and takes chunks of each new job (kernels/gemm.wat says how) until it is terminated.

const GENERATION = 2; // Int32 index of the job's generation (job + 8)
const DONE = 3; // Int32 index of its finished-chunk count (job + 12)

async function start(port, { module, memory, job }) {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const control = new Int32Array(memory.buffer, job, 16);
  let seen = Atomics.load(control, GENERATION);
  port.postMessage('ready');
  for (;;) {
    Atomics.wait(control, GENERATION, seen);
    seen = Atomics.load(control, GENERATION);
    if (instance.exports.work(job) > 0) Atomics.notify(control, DONE);
  }
}

if (typeof WorkerGlobalScope !== 'undefined') {
  self.addEventListener('message', (event) => void start(self, event.data), { once: true });
} else {
  const { parentPort } = await import('node:worker_threads');
  parentPort.once('message', (data) => void start(parentPort, data));
}
