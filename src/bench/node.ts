// `npm run bench`: the benchmark suite in Node — our CPU and WebGPU (Dawn) backends against TensorFlow.js cpu, webgpu and wasm, and jax-js wasm and webgpu.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CpuBackend } from '../backends/cpu/cpu-backend';
import { findNodeGpu, loadShadersFromDisk } from '../backends/webgpu/node-webgpu';
import { WebGpuBackend } from '../backends/webgpu/webgpu-backend';
import { parseNumber } from '../core/errors';
import { METRICS_WINDOW } from '../core/trainer';
import { formatTable } from './report';
import { type BenchEnv, JAX_JS, runSuite, STEPS, TFJS, type Theirs, WORKLOADS } from './suite';

const log = (line: string) => process.stderr.write(`${line}\n`);

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const rounds = parseNumber('--rounds', flag('rounds', '5'), 1, 100, { integer: true });
  const window = parseNumber('--window', flag('window', String(METRICS_WINDOW)), 1, METRICS_WINDOW, { integer: true });
  const allImpls = ['cpu', 'webgpu', ...TFJS, ...JAX_JS.map((j) => j.name)];
  const impls = new Set(flag('impls', allImpls.join(',')).split(','));
  for (const name of impls) if (!allImpls.includes(name)) throw new Error(`--impls ${name}: allowed are ${allImpls.join(', ')}`);
  const { gpu, adapter } = await findNodeGpu();
  // tfjs-backend-webgpu and jax-js look for navigator.gpu (jax-js also reads its userAgent): give them
  // the same Dawn instance, so all run on one adapter
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: `Node.js ${process.version}` }, configurable: true });
  const ours: BenchEnv['ours'] = {};
  if (impls.has('cpu')) ours.cpu = new CpuBackend();
  if (impls.has('webgpu')) ours.webgpu = await WebGpuBackend.fromAdapter(adapter, loadShadersFromDisk());

  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-webgpu');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
  const theirs: Theirs[] = [];
  for (const name of TFJS.filter((t) => impls.has(t))) {
    try {
      if (await tf.setBackend(name.replace('tfjs-', ''))) theirs.push(name);
      else log(`${name} did not initialise here; its pairs are left out`);
    } catch (error) {
      log(`${name} failed to initialise (${(error as Error).message}); its pairs are left out`);
    }
  }
  const jax = await import('@jax-js/jax');
  const jaxWanted = JAX_JS.filter((j) => impls.has(j.name));
  const jaxDevices: string[] = await jax.init(...jaxWanted.map((j) => j.device)).catch((error: Error) => {
    log(`jax-js failed to initialise (${error.message}); its pairs are left out`);
    return [];
  });
  for (const { name, device } of jaxWanted) {
    if (jaxDevices.includes(device)) theirs.push(name);
    else log(`${name} did not initialise here; its pairs are left out`);
  }
  const machine = `${cpus().length}× ${cpus()[0]?.model ?? 'CPU'}; ${[...Object.values(ours)].map((b) => b.description).join('; ')}`;
  log(`benchmark on ${machine}, ${rounds} timed rounds per implementation, interleaved; training steps read back every ${window}`);
  const only = new Set(flag('only', WORKLOADS.join(',')).split(','));
  for (const name of only) if (!WORKLOADS.includes(name)) throw new Error(`--only ${name}: allowed are ${WORKLOADS.join(', ')}`);
  const memoryFlag = flag('memory-workload', 'softmax-step'); // or `none`
  const memoryWorkload = memoryFlag === 'none' ? null : memoryFlag;
  const steps = STEPS.map((w) => w.name);
  if (memoryWorkload !== null && !steps.includes(memoryWorkload)) throw new Error(`--memory-workload ${memoryFlag}: allowed are ${steps.join(', ')}, none`);
  const results = await runSuite({ ours, tf, jax, theirs, log, rounds, window }, { memoryWorkload, machine, only });
  const table = formatTable(results);
  console.log(table);
  const out = fileURLToPath(new URL('../../bench-results.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${out}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
