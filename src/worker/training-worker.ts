// The training worker: owns the backend and the trainer, applies configuration changes between steps, streams metrics.
/// <reference lib="webworker" />
import { CpuBackend } from '../backends/cpu/cpu-backend';
import { bundledShaders } from '../backends/webgpu/browser-shaders';
import { WebGpuBackend, WebGpuUnavailableError } from '../backends/webgpu/webgpu-backend';
import type { Backend } from '../core/backend';
import { type Grid, gridFor, gridPoints, predictClasses } from '../core/boundary';
import { classifyChange } from '../core/run-config';
import type { BackendChoice, RunConfig } from '../core/settings';
import { METRICS_WINDOW, type StepResult, Trainer } from '../core/trainer';
import { loadDataset } from './datasets';
import type { BackendInfo, FromWorker, MetricPoint, ModelInfo, ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/** Metrics go out at most this often, so the page redraws a few times a second, not per step. */
const POST_EVERY_MS = 150;
/** Test accuracy is measured on this many test samples (balanced by class), at most this often… */
const EVAL_SAMPLES = 2000;
const EVAL_EVERY_MS = 2500;
/** …and no more than a tenth of the time: on a slow device an evaluation can take seconds. */
const EVAL_SHARE = 0.1;
/** The decision boundary (2-D sets): at most this often, and at most a tenth of the time, like the evaluation. */
const BOUNDARY_EVERY_MS = 1000;
/** Training points drawn under the boundary. */
const BOUNDARY_POINTS = 600;

const post = (message: FromWorker) => self.postMessage(message);

let config: RunConfig | null = null;
let backend: Backend | null = null;
let backendChoice: BackendChoice | null = null;
let trainer: Trainer | null = null;
let running = false;
/** Steps taken by models before the last rebuild: the charts' step axis goes on across rebuilds. */
let stepOffset = 0;
let pending: MetricPoint[] = [];
let lastPost = 0;
let stepsSincePost = 0;
let lastEval = 0;
let lastEvalMs = 0;

async function createBackend(choice: BackendChoice, fallbackReason?: string): Promise<{ backend: Backend; info: BackendInfo }> {
  if (choice === 'cpu') return { backend: new CpuBackend(), info: { name: 'cpu', label: 'CPU · chosen in Backend' } };
  if (fallbackReason) return { backend: new CpuBackend(), info: { name: 'cpu', label: `CPU · ${fallbackReason}` } };
  try {
    if (!('gpu' in navigator) || !navigator.gpu) throw new WebGpuUnavailableError('this browser has no navigator.gpu');
    const gpuBackend = await WebGpuBackend.create({ gpu: navigator.gpu, shaders: bundledShaders() });
    return { backend: gpuBackend, info: { name: 'webgpu', label: gpuBackend.description } };
  } catch (error) {
    const reason = error instanceof WebGpuUnavailableError ? error.message : `WebGPU failed: ${(error as Error).message}`;
    return { backend: new CpuBackend(), info: { name: 'cpu', label: `CPU · ${reason}` } };
  }
}

async function build(next: RunConfig, fallbackReason?: string): Promise<void> {
  if (trainer) {
    stepOffset += trainer.stepCount;
    trainer.destroy();
    trainer = null;
  }
  if (!backend || backendChoice !== next.backend || fallbackReason) {
    backend?.destroy();
    const made = await createBackend(next.backend, fallbackReason);
    backend = made.backend;
    backendChoice = next.backend;
    post({ type: 'backend', info: made.info });
  }
  const baseUrl = new URL(import.meta.env.BASE_URL, self.location.origin).href;
  const dataset = await loadDataset(next, baseUrl, (loaded, total) => post({ type: 'loading', what: 'Fashion-MNIST', loaded, total }));
  trainer = new Trainer(backend, dataset, next);
  config = next;
  const shapes = trainer.model.layers.map((l) => [l.fanIn, l.fanOut] as [number, number]);
  let points: ModelInfo['points'];
  boundaryGrid = null;
  if (dataset.inputDim === 2) {
    const { train } = dataset;
    const every = Math.max(1, Math.floor(train.count / BOUNDARY_POINTS));
    const picked = Array.from({ length: Math.ceil(train.count / every) }, (_, i) => i * every);
    const xy = Float32Array.from(picked.flatMap((i) => [train.features[2 * i] * train.featureScale, train.features[2 * i + 1] * train.featureScale]));
    points = { xy, labels: Uint8Array.from(picked, (i) => train.labels[i]), numClasses: dataset.numClasses };
    boundaryGrid = gridFor(xy, trainer.model.layers);
    boundaryCells = gridPoints(boundaryGrid);
  }
  post({ type: 'model', info: { shapes, stepsPerEpoch: trainer.stepsPerEpoch, datasetName: dataset.name, points } });
  lastBoundary = 0;
  await drawBoundary();
}

async function configure(next: RunConfig): Promise<void> {
  const change = config ? classifyChange(config, next) : 'rebuild';
  if (change === 'none') return;
  if (change === 'rebuild' || !trainer) return build(next);
  trainer.setHyperParams({ lambda: next.lambda, lr: next.lr, batchSize: next.batchSize });
  if (change === 're-initialise') trainer.reinitialize({ init: next.init, sigma: next.sigma });
  config = next;
}

function toPoint(r: StepResult): MetricPoint {
  const h = trainer!.hyperParams;
  return {
    step: stepOffset + r.step,
    epoch: r.epoch,
    loss: r.loss,
    l2: r.l2,
    trainAcc: r.trainAcc,
    gradNorms: r.gradNorms,
    lambda: h.lambda,
    lr: h.lr,
    batchSize: r.batchSize,
  };
}

function flush(force: boolean): void {
  const now = performance.now();
  if (!force && now - lastPost < POST_EVERY_MS) return;
  if (pending.length > 0) {
    const seconds = Math.max(1e-3, (now - lastPost) / 1000);
    post({ type: 'metrics', points: pending, stepsPerSecond: lastPost > 0 ? stepsSincePost / seconds : 0 });
  }
  pending = [];
  stepsSincePost = 0;
  lastPost = now;
}

async function evaluate(): Promise<void> {
  if (!trainer) return;
  const started = performance.now();
  const result = await trainer.evaluate('test', EVAL_SAMPLES);
  lastEval = performance.now();
  lastEvalMs = lastEval - started;
  post({ type: 'evaluation', step: stepOffset + trainer.stepCount, testAcc: result.accuracy, testLoss: result.loss, count: result.count });
}

let boundaryGrid: Grid | null = null;
let boundaryCells: Float64Array = new Float64Array(0);
let lastBoundary = 0;
let lastBoundaryMs = 0;

/** Posts the class predicted over the 2-D grid, from the current parameters (read back once). */
async function drawBoundary(): Promise<void> {
  if (!trainer || !boundaryGrid) return;
  const started = performance.now();
  const params = await trainer.backend.read(trainer.model.params);
  const classes = predictClasses(params, trainer.model.layers, trainer.model.activation, boundaryCells);
  lastBoundary = performance.now();
  lastBoundaryMs = lastBoundary - started;
  post({ type: 'boundary', boundary: { step: stepOffset + trainer.stepCount, grid: boundaryGrid, classes } });
}

/** Whether a periodic task (evaluation, boundary) that last ran at `last` and took `tookMs` is due. */
function due(last: number, tookMs: number, everyMs: number): boolean {
  return performance.now() - last > Math.max(everyMs, tookMs / EVAL_SHARE);
}

/** Steps per read-back while running: about POST_EVERY_MS of work, so slow devices stay responsive. */
let window = 1;

async function trainSome(count: number): Promise<void> {
  if (!trainer) return;
  let results: StepResult[];
  const started = performance.now();
  try {
    results = await trainer.steps(count);
  } catch (error) {
    // a failed read-back can come before the device's lost promise settles: give it a moment
    if (backend instanceof WebGpuBackend && !backend.lostReason) await Promise.race([backend.device.lost, new Promise((r) => setTimeout(r, 1000))]);
    if (backend instanceof WebGpuBackend && backend.lostReason) {
      // a lost device: carry on on the CPU from a rebuilt model, the charts stay
      await build(config!, `WebGPU ${backend.lostReason}`);
      return;
    }
    throw error;
  }
  const msPerStep = (performance.now() - started) / results.length;
  window = Math.max(1, Math.min(METRICS_WINDOW, Math.round(POST_EVERY_MS / Math.max(msPerStep, 1e-3))));
  for (const result of results) {
    if (result.diverged) {
      running = false;
      flush(true);
      post({ type: 'diverged', step: stepOffset + result.diverged.step, reason: result.diverged.reason });
      post({ type: 'running', running: false });
      return;
    }
    pending.push(toPoint(result));
    stepsSincePost += 1;
  }
  flush(!running);
  if (!running || due(lastEval, lastEvalMs, EVAL_EVERY_MS)) {
    flush(true);
    await evaluate();
  }
  if (boundaryGrid && (!running || due(lastBoundary, lastBoundaryMs, BOUNDARY_EVERY_MS))) {
    await drawBoundary();
  }
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'configure':
      await configure(message.config);
      if (running) lastEval = performance.now(); // give the new settings a moment before measuring
      break;
    case 'play':
      if (!trainer) break;
      running = true;
      lastPost = performance.now();
      stepsSincePost = 0;
      post({ type: 'running', running: true });
      break;
    case 'pause':
      if (running) {
        running = false;
        flush(true);
        post({ type: 'running', running: false });
        await evaluate();
        await drawBoundary();
      }
      break;
    case 'step':
      if (!running) await trainSome(1);
      break;
    case 'reset':
      running = false;
      if (trainer) trainer.destroy();
      trainer = null;
      stepOffset = 0;
      pending = [];
      post({ type: 'running', running: false });
      post({ type: 'reset' });
      if (config) await build(config);
      break;
  }
}

/** A macrotask boundary without setTimeout's 4 ms clamp, so messages get in between CPU steps. */
const yieldChannel = new MessageChannel();
let resumeAfterYield: (() => void) | null = null;
yieldChannel.port1.onmessage = () => resumeAfterYield?.();

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    resumeAfterYield = resolve;
    yieldChannel.port2.postMessage(null);
  });
}

const queue: ToWorker[] = [];
let pumping = false;

async function pump(): Promise<void> {
  pumping = true;
  try {
    for (;;) {
      const message = queue.shift();
      if (message) {
        await handle(message);
        continue;
      }
      if (running && trainer) {
        await trainSome(window);
        await yieldToEvents();
        continue;
      }
      break;
    }
  } catch (error) {
    running = false;
    post({ type: 'running', running: false });
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    pumping = false;
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  queue.push(event.data);
  if (!pumping) void pump();
};
