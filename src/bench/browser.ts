// bench.html: the benchmark suite in the browser, on the user's real GPU; prints the table and offers the JSON.
import * as jax from '@jax-js/jax';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { CpuBackend } from '../backends/cpu/cpu-backend';
import { bundledShaders } from '../backends/webgpu/browser-shaders';
import { WebGpuBackend } from '../backends/webgpu/webgpu-backend';
import { METRICS_WINDOW } from '../core/trainer';
import { formatTable } from './report';
import { type BenchEnv, JAX_JS, runSuite, TFJS, type Theirs, WORKLOADS } from './suite';

const status = document.getElementById('status')!;
const results = document.getElementById('results')!;
const button = document.getElementById('run') as HTMLButtonElement;
const roundsInput = document.getElementById('rounds') as HTMLInputElement;
const memoryInput = document.getElementById('memory') as HTMLInputElement;
const workloadBoxes = WORKLOADS.map((name) => {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = true;
  box.value = name;
  label.append(box, ` ${name}`);
  document.getElementById('workloads')!.append(label);
  return box;
});

// Cross-origin isolated (as npm run preview serves it), tfjs-backend-wasm would take its threaded
// build, whose blob: worker fails once bundled ("e is not defined"): keep it on one thread, as it
// ran before the page was isolated. jax-js's own threads do run here.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
tfWasm.setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

async function run(): Promise<void> {
  const rounds = Number(roundsInput.value);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    status.textContent = `Timed rounds ${roundsInput.value} is not allowed: must be an integer from 1 to 20`;
    return;
  }
  const only = new Set(workloadBoxes.filter((box) => box.checked).map((box) => box.value));
  if (only.size === 0) {
    status.textContent = 'Workloads: none is ticked; tick at least one';
    return;
  }
  button.disabled = true;
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    status.textContent = line;
  };
  try {
    const ours: BenchEnv['ours'] = { cpu: new CpuBackend() };
    try {
      ours.webgpu = await WebGpuBackend.create({ gpu: navigator.gpu, shaders: bundledShaders() });
    } catch (error) {
      log(`our WebGPU backend is not available: ${(error as Error).message}`);
    }
    const theirs: Theirs[] = [];
    for (const name of TFJS) {
      if (await tf.setBackend(name.replace('tfjs-', '')).catch(() => false)) theirs.push(name);
      else log(`${name} did not initialise; its pairs are left out`);
    }
    const jaxDevices = await jax.init(...JAX_JS.map((j) => j.device)).catch((): string[] => []);
    for (const { name, device } of JAX_JS) {
      if (jaxDevices.includes(device)) theirs.push(name);
      else log(`${name} did not initialise; its pairs are left out`);
    }
    const machine = `${navigator.userAgent}; WebGPU: ${ours.webgpu?.description ?? 'none'}`;
    const outcome = await runSuite(
      { ours, tf, jax, theirs, log, rounds, window: METRICS_WINDOW },
      { memoryWorkload: memoryInput.checked ? 'softmax-step' : null, machine, only },
    );
    results.textContent = formatTable(outcome);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([JSON.stringify(outcome, null, 2)], { type: 'application/json' }));
    link.download = 'bench-results.json';
    link.textContent = 'Download bench-results.json';
    results.after(link);
    status.textContent = 'Done.';
  } catch (error) {
    status.textContent = `The benchmark failed: ${(error as Error).message}`;
  } finally {
    button.disabled = false;
  }
}

button.addEventListener('click', () => void run());
