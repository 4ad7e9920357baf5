// `npm run bench`: the benchmark suite in Node — our CPU and WebGPU (Dawn) backends against TensorFlow.js cpu, webgpu and wasm.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CpuBackend } from '../backends/cpu/cpu-backend';
import { findNodeGpu, loadShadersFromDisk } from '../backends/webgpu/node-webgpu';
import { WebGpuBackend } from '../backends/webgpu/webgpu-backend';
import { METRICS_WINDOW } from '../core/trainer';
import { type BenchEnv, formatTable, runSuite, STEPS, type Theirs, WORKLOADS } from './suite';

const log = (line: string) => process.stderr.write(`${line}\n`);

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const rounds = Number(flag('rounds', '5'));
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error(`--rounds ${rounds} must be an integer from 1 to 100`);
  const { gpu, adapter } = await findNodeGpu();
  // tfjs-backend-webgpu looks for navigator.gpu: give it the same Dawn instance, so both run on one adapter
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  const ours: BenchEnv['ours'] = { cpu: new CpuBackend(), webgpu: await WebGpuBackend.fromAdapter(adapter, loadShadersFromDisk()) };

  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-webgpu');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
  const theirs: Theirs[] = [];
  for (const name of ['tfjs-cpu', 'tfjs-webgpu', 'tfjs-wasm'] as Theirs[]) {
    try {
      if (await tf.setBackend(name.replace('tfjs-', ''))) theirs.push(name);
      else log(`${name} did not initialise here; its pairs are left out`);
    } catch (error) {
      log(`${name} failed to initialise (${(error as Error).message}); its pairs are left out`);
    }
  }
  const machine = `${cpus().length}× ${cpus()[0]?.model ?? 'CPU'}; WebGPU: ${ours.webgpu!.description}`;
  log(
    `benchmark on ${machine}, ${rounds} timed rounds per implementation, interleaved; training steps read back every ${flag('window', String(METRICS_WINDOW))}`,
  );
  const only = new Set(flag('only', WORKLOADS.join(',')).split(','));
  for (const name of only) if (!WORKLOADS.includes(name)) throw new Error(`--only ${name}: allowed are ${WORKLOADS.join(', ')}`);
  const window = Number(flag('window', String(METRICS_WINDOW)));
  if (!Number.isInteger(window) || window < 1 || window > METRICS_WINDOW) throw new Error(`--window ${window} must be an integer from 1 to ${METRICS_WINDOW}`);
  const memoryFlag = flag('memory-workload', 'softmax-step'); // or `none`
  const memoryWorkload = memoryFlag === 'none' ? null : memoryFlag;
  const steps = STEPS.map((w) => w.name);
  if (memoryWorkload !== null && !steps.includes(memoryWorkload)) throw new Error(`--memory-workload ${memoryFlag}: allowed are ${steps.join(', ')}, none`);
  const results = await runSuite({ ours, tf, theirs, log, rounds, window }, { memoryWorkload, machine, only });
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
