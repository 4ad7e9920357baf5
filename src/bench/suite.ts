// The benchmark suite: our backends, TensorFlow.js and jax-js, interleaved in one run, on the MLP's shapes; pairs and counters.
import type * as Jax from '@jax-js/jax';
import type * as TF from '@tensorflow/tfjs-core';
import type { MatmulOptions } from '../backends/shape-checks';
import type { GpuCounters, WebGpuBackend } from '../backends/webgpu/webgpu-backend';
import type { Backend, Tensor } from '../core/backend';
import type { Dataset } from '../core/data/dataset';
import { Rng } from '../core/rng';
import { DEFAULT_CONFIG, type TrainConfig } from '../core/settings';
import { METRICS_WINDOW, Trainer } from '../core/trainer';
import { type JaxDevice, makeJaxMatmul, makeJaxStep } from './jax-step';
import { makeTfjsStep } from './tfjs-step';

export type Ours = 'cpu' | 'webgpu';
export type Theirs = 'tfjs-cpu' | 'tfjs-webgpu' | 'tfjs-wasm' | 'jax-js-wasm' | 'jax-js-webgpu';

/** Which of ours each of theirs is paired with: the backend that runs on the same hardware. */
export const PAIRED_WITH: Record<Theirs, Ours> = {
  'tfjs-cpu': 'cpu',
  'tfjs-wasm': 'cpu',
  'jax-js-wasm': 'cpu',
  'tfjs-webgpu': 'webgpu',
  'jax-js-webgpu': 'webgpu',
};

/** The tfjs implementations, in the order the suite tries them. */
export const TFJS: Theirs[] = ['tfjs-cpu', 'tfjs-webgpu', 'tfjs-wasm'];
/** The jax-js implementations and their devices. */
export const JAX_JS: { name: Theirs; device: JaxDevice }[] = [
  { name: 'jax-js-wasm', device: 'wasm' },
  { name: 'jax-js-webgpu', device: 'webgpu' },
];
const jaxDevice = (theirs: Theirs) => JAX_JS.find((j) => j.name === theirs)?.device;

/** Our backends as the benchmark uses them: the Backend contract and the bare product for the matmul workloads. */
export type BenchBackend = Backend & { matmul(out: Tensor, a: Tensor, b: Tensor, options?: MatmulOptions): void };

export interface BenchEnv {
  ours: Partial<Record<Ours, BenchBackend>>;
  tf: typeof TF;
  /** jax-js, where it loaded (its devices that initialised are in `theirs`). */
  jax: typeof Jax | null;
  /** tfjs backends and jax-js devices that initialised here, by our name for them. */
  theirs: Theirs[];
  log: (line: string) => void;
  /** Timed samples per implementation and workload (after one warm-up). */
  rounds: number;
  /** Training steps per timed sample, read back once (our trainer's metrics window). */
  window: number;
}

export interface Measurement {
  workload: string;
  impl: string;
  medianMs: number;
  samplesPerSecond: number;
  gflops: number;
  /** The first (warm-up) call: pipeline compilation and first allocations. */
  firstCallMs: number;
  /** GPU time per call from timestamp queries (our WebGPU backend, where the adapter has them). */
  gpuMs?: number;
}

export interface Pair {
  workload: string;
  ours: Ours;
  theirs: Theirs;
  speedup: number;
}

/** What one step costs on WebGPU: the backend's counters, per step. */
export type Counters = GpuCounters;

export interface BenchResults {
  machine: string;
  measurements: Measurement[];
  pairs: Pair[];
  counters: Record<string, Counters>;
  gpuMemoryBytes: { workload: string; after10: number; after1000: number } | null;
}

const BATCH = 256;
const INPUT = 784;
const CLASSES = 10;

/** Fashion-MNIST-shaped data: 10 batches of random u8 pixels and labels. */
export function fashionShaped(seed: number): Dataset {
  const rng = new Rng(seed);
  const count = BATCH * 10;
  const split = (n: number) => ({
    count: n,
    features: Uint8Array.from({ length: n * INPUT }, () => rng.below(256)),
    featureScale: 1 / 255,
    labels: Uint8Array.from({ length: n }, () => rng.below(CLASSES)),
  });
  return { name: 'fashion-shaped', inputDim: INPUT, numClasses: CLASSES, classNames: [], train: split(count), test: split(BATCH) };
}

interface StepWorkload {
  name: string;
  hidden: number[];
}

export const STEPS: StepWorkload[] = [
  { name: 'softmax-step', hidden: [] },
  { name: 'mlp-step', hidden: [256] },
  { name: 'deep-step', hidden: new Array(10).fill(256) },
];

interface MatmulWorkload {
  name: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

const MATMULS: MatmulWorkload[] = [
  { name: 'matmul-forward', m: 256, k: 784, n: 256, transA: false, transB: false }, // X W
  { name: 'matmul-dW', m: 784, k: 256, n: 256, transA: true, transB: false }, // Xᵀ dZ
  { name: 'matmul-dX', m: 256, k: 256, n: 784, transA: false, transB: true }, // dZ Wᵀ
  { name: 'matmul-narrow', m: 256, k: 256, n: 10, transA: false, transB: false }, // H W_out
];

function stepFlops(widths: number[]): number {
  let forward = 0;
  let backwardInput = 0;
  for (let l = 1; l < widths.length; l++) {
    forward += 2 * BATCH * widths[l - 1] * widths[l];
    if (l > 1) backwardInput += 2 * BATCH * widths[l - 1] * widths[l];
  }
  return forward * 2 + backwardInput; // forward, dW, and dH for every layer above the first
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Timed = () => Promise<void>;

/** Times each implementation in turn, round after round, so drift on a shared machine hits all alike. */
async function interleave(env: BenchEnv, runs: { impl: string; run: Timed }[]): Promise<Map<string, { first: number; samples: number[] }>> {
  const results = new Map<string, { first: number; samples: number[] }>();
  for (const { impl, run } of runs) {
    const t0 = performance.now();
    await run();
    results.set(impl, { first: performance.now() - t0, samples: [] });
  }
  for (let round = 0; round < env.rounds; round++) {
    for (const { impl, run } of runs) {
      const t0 = performance.now();
      await run();
      results.get(impl)!.samples.push(performance.now() - t0);
    }
  }
  return results;
}

async function setTfBackend(env: BenchEnv, theirs: Theirs): Promise<void> {
  const name = theirs.replace('tfjs-', '');
  if (env.tf.getBackend() !== name) await env.tf.setBackend(name);
  await env.tf.ready();
}

/** Wraps a tfjs action so that it runs on its backend; the switch is not timed. */
function tfjsRun(env: BenchEnv, theirs: Theirs, action: () => Promise<void>): Timed {
  return async () => {
    await setTfBackend(env, theirs);
    await action();
  };
}

async function matmulWorkload(env: BenchEnv, w: MatmulWorkload): Promise<Measurement[]> {
  const rng = new Rng(1);
  const aShape: [number, number] = w.transA ? [w.k, w.m] : [w.m, w.k];
  const bShape: [number, number] = w.transB ? [w.n, w.k] : [w.k, w.n];
  const aData = Float32Array.from({ length: w.m * w.k }, () => rng.uniformIn(-1, 1));
  const bData = Float32Array.from({ length: w.k * w.n }, () => rng.uniformIn(-1, 1));
  const runs: { impl: string; run: Timed }[] = [];
  const cleanups: (() => void)[] = [];
  for (const [name, backend] of Object.entries(env.ours) as [Ours, BenchBackend][]) {
    const a = backend.tensor(aShape[0], aShape[1], aData);
    const b = backend.tensor(bShape[0], bShape[1], bData);
    const out: Tensor = backend.tensor(w.m, w.n);
    const probe = backend.tensor(1, 1);
    runs.push({
      impl: name,
      run: async () => {
        backend.matmul(out, a, b, { transA: w.transA, transB: w.transB });
        await backend.read(probe); // waits for the queue (one small read)
      },
    });
    cleanups.push(() => {
      for (const t of [a, b, out, probe]) backend.free(t);
    });
  }
  for (const theirs of env.theirs) {
    const device = jaxDevice(theirs);
    if (device) {
      const product = makeJaxMatmul(env.jax!, device, { data: aData, shape: aShape, trans: w.transA }, { data: bData, shape: bShape, trans: w.transB });
      runs.push({ impl: theirs, run: product.run });
      cleanups.push(product.dispose);
      continue;
    }
    await setTfBackend(env, theirs);
    const a = env.tf.tensor2d(aData, aShape);
    const b = env.tf.tensor2d(bData, bShape);
    runs.push({
      impl: theirs,
      run: tfjsRun(env, theirs, async () => {
        const out = env.tf.matMul(a, b, w.transA, w.transB);
        await out.data();
        out.dispose();
      }),
    });
    cleanups.push(() => {
      a.dispose();
      b.dispose();
    });
  }
  const timed = await interleave(env, runs);
  const gpuMs = await gpuTime(env.ours.webgpu as WebGpuBackend | undefined, runs.find((r) => r.impl === 'webgpu')?.run ?? (async () => {}), 1);
  for (const cleanup of cleanups) cleanup();
  const flops = 2 * w.m * w.k * w.n;
  return [...timed].map(([impl, t]) => ({ ...toMeasurement(w.name, impl, t, flops, 1), ...(impl === 'webgpu' && gpuMs !== undefined ? { gpuMs } : {}) }));
}

/** One timed sample covers `repeats` calls (steps of a window): figures are per call. */
function toMeasurement(workload: string, impl: string, t: { first: number; samples: number[] }, flops: number, samples: number, repeats = 1): Measurement {
  const ms = median(t.samples) / repeats;
  return { workload, impl, medianMs: ms, samplesPerSecond: (samples * 1000) / ms, gflops: flops / ms / 1e6, firstCallMs: t.first };
}

function trainConfig(hidden: number[]): TrainConfig {
  return {
    ...DEFAULT_CONFIG,
    model: hidden.length ? 'mlp' : 'softmax',
    depth: hidden.length,
    width: hidden[0] ?? 1,
    activation: 'relu',
    lambda: 1e-4,
    lr: 0.1,
    batchSize: BATCH,
  };
}

async function stepWorkload(env: BenchEnv, w: StepWorkload, data: Dataset): Promise<Measurement[]> {
  const widths = [INPUT, ...w.hidden, CLASSES];
  const runs: { impl: string; run: Timed }[] = [];
  const cleanups: (() => void)[] = [];
  for (const [name, backend] of Object.entries(env.ours) as [Ours, Backend][]) {
    const trainer = new Trainer(backend, data, trainConfig(w.hidden));
    runs.push({ impl: name, run: () => exactSteps(trainer, env.window).then(() => undefined) });
    cleanups.push(() => trainer.destroy());
  }
  const batchX = new Float32Array(BATCH * INPUT);
  for (let i = 0; i < batchX.length; i++) batchX[i] = data.train.features[i] / 255;
  const batchY = Int32Array.from(data.train.labels.subarray(0, BATCH));
  for (const theirs of env.theirs) {
    const device = jaxDevice(theirs);
    if (device) {
      const jaxStep = makeJaxStep(env.jax!, { widths, batch: BATCH, lambda: 1e-4, lr: 0.1, device }, batchX, batchY);
      runs.push({ impl: theirs, run: () => jaxStep.steps(env.window) });
      cleanups.push(jaxStep.dispose);
      continue;
    }
    await setTfBackend(env, theirs);
    const tfStep = makeTfjsStep(env.tf, { widths, batch: BATCH, lambda: 1e-4, lr: 0.1, seed: 0, name: `${w.name}-${theirs}` }, batchX, batchY);
    runs.push({ impl: theirs, run: tfjsRun(env, theirs, () => tfStep.steps(env.window)) });
    cleanups.push(() => tfStep.dispose());
  }
  const timed = await interleave(env, runs);
  const gpuRun = runs.find((r) => r.impl === 'webgpu')?.run ?? (async () => {});
  const gpuMs = await gpuTime(env.ours.webgpu as WebGpuBackend | undefined, gpuRun, env.window);
  for (const cleanup of cleanups) cleanup();
  return [...timed].map(([impl, t]) => ({
    ...toMeasurement(w.name, impl, t, stepFlops(widths), BATCH, env.window),
    ...(impl === 'webgpu' && gpuMs !== undefined ? { gpuMs } : {}),
  }));
}

/**
 * Exactly `count` steps, in read-back windows of up to `count` (a window ends early at an epoch's
 * end, so a timed sample or a count per step would otherwise cover fewer steps than it says).
 */
async function exactSteps(trainer: Trainer, count: number): Promise<number> {
  let done = 0;
  while (done < count) done += (await trainer.steps(count - done)).length;
  return done;
}

/** What one step costs on WebGPU, from the backend's counters, after warm-up. */
async function countStep(gpu: WebGpuBackend, hidden: number[], data: Dataset, steps: number): Promise<Counters> {
  const trainer = new Trainer(gpu, data, trainConfig(hidden));
  await exactSteps(trainer, steps);
  const before = { ...gpu.counters };
  await exactSteps(trainer, steps);
  const after = gpu.counters;
  trainer.destroy();
  const per = (key: keyof Counters) => (after[key] - before[key]) / steps;
  return {
    submits: per('submits'),
    dispatches: per('dispatches'),
    buffersCreated: per('buffersCreated'),
    bindGroupsCreated: per('bindGroupsCreated'),
    pipelinesCreated: per('pipelinesCreated'),
    mapAsync: per('mapAsync'),
  };
}

async function memoryGrowth(gpu: WebGpuBackend, hidden: number[], data: Dataset, log: (s: string) => void) {
  const trainer = new Trainer(gpu, data, trainConfig(hidden));
  await trainer.steps(10);
  const after10 = gpu.bytesAllocated;
  while (trainer.stepCount < 1000) {
    await trainer.steps(Math.min(METRICS_WINDOW, 1000 - trainer.stepCount));
    if (trainer.stepCount % 160 === 0) log(`  memory check: step ${trainer.stepCount}/1000`);
  }
  const after1000 = gpu.bytesAllocated;
  trainer.destroy();
  return { after10, after1000 };
}

/** Every workload, in the order the suite runs them. */
export const WORKLOADS = [...MATMULS.map((w) => w.name), ...STEPS.map((w) => w.name)];

/** GPU milliseconds per call of `run` (which makes `calls` calls), or undefined without timestamps. */
async function gpuTime(gpu: WebGpuBackend | undefined, run: Timed, calls: number): Promise<number | undefined> {
  if (!gpu?.startGpuTimer()) return undefined;
  await run();
  const ms = await gpu.stopGpuTimer();
  return ms === null ? undefined : ms / calls;
}

export async function runSuite(
  env: BenchEnv,
  /** memoryWorkload: the step whose GPU memory is checked over 1,000 steps, or null for none. */
  options: { memoryWorkload: string | null; machine: string; only: ReadonlySet<string> },
): Promise<BenchResults> {
  const measurements: Measurement[] = [];
  const chosen = <T extends { name: string }>(list: T[]) => list.filter((w) => options.only.has(w.name));
  for (const w of chosen(MATMULS)) {
    env.log(`${w.name} …`);
    measurements.push(...(await matmulWorkload(env, w)));
  }
  const data = fashionShaped(0);
  for (const w of chosen(STEPS)) {
    env.log(`${w.name} …`);
    measurements.push(...(await stepWorkload(env, w, data)));
  }
  const pairs: Pair[] = [];
  for (const workload of new Set(measurements.map((m) => m.workload))) {
    for (const ours of Object.keys(env.ours) as Ours[]) {
      const mine = measurements.find((m) => m.workload === workload && m.impl === ours)!;
      for (const theirs of env.theirs) {
        if (PAIRED_WITH[theirs] !== ours) continue;
        const other = measurements.find((m) => m.workload === workload && m.impl === theirs)!;
        pairs.push({ workload, ours, theirs, speedup: other.medianMs / mine.medianMs });
      }
    }
  }
  const counters: Record<string, Counters> = {};
  let gpuMemoryBytes: BenchResults['gpuMemoryBytes'] = null;
  const gpu = env.ours.webgpu as WebGpuBackend | undefined;
  if (gpu) {
    for (const w of chosen(STEPS)) counters[w.name] = await countStep(gpu, w.hidden, data, env.window);
    const memory = STEPS.find((w) => w.name === options.memoryWorkload);
    if (options.memoryWorkload !== null && !memory)
      throw new Error(`memory workload ${options.memoryWorkload}: allowed are ${STEPS.map((w) => w.name).join(', ')}`);
    if (memory) {
      env.log(`GPU memory over 1,000 steps of ${memory.name} …`);
      gpuMemoryBytes = { workload: memory.name, ...(await memoryGrowth(gpu, memory.hidden, data, env.log)) };
    }
  }
  return { machine: options.machine, measurements, pairs, counters, gpuMemoryBytes };
}
