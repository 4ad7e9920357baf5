// The training worker's host for a TrainingSession (session.ts), with the browser's backends, data and events; loaded by training-worker.ts.
/// <reference lib="webworker" />
import { CpuBackend } from '../backends/cpu/cpu-backend';
import { bundledShaders } from '../backends/webgpu/browser-shaders';
import { WebGpuBackend, WebGpuUnavailableError } from '../backends/webgpu/webgpu-backend';
import type { Backend } from '../core/backend';
import type { BackendChoice } from '../core/settings';
import { loadDataset } from './datasets';
import type { BackendInfo, FromWorker, ToWorker } from './protocol';
import { TrainingSession } from './session';

declare const self: DedicatedWorkerGlobalScope;

/** The CPU backend, its label saying why it was taken and how it runs (SIMD, threads). */
function cpu(reason: string): { backend: Backend; info: BackendInfo } {
  const backend = new CpuBackend();
  return { backend, info: { name: 'cpu', label: `CPU · ${reason} · ${backend.execution}` } };
}

async function makeBackend(choice: BackendChoice, fallbackReason?: string): Promise<{ backend: Backend; info: BackendInfo }> {
  if (choice === 'cpu') return cpu('chosen in Backend');
  if (fallbackReason) return cpu(fallbackReason);
  try {
    if (!('gpu' in navigator) || !navigator.gpu) throw new WebGpuUnavailableError('this browser has no navigator.gpu');
    const gpuBackend = await WebGpuBackend.create({ gpu: navigator.gpu, shaders: bundledShaders() });
    if (choice === 'auto' && gpuBackend.software) {
      // a software adapter is WebGPU on the CPU, several times slower than the CPU path itself
      gpuBackend.destroy();
      return cpu(`faster here than WebGPU (software adapter: ${gpuBackend.adapterName})`);
    }
    return { backend: gpuBackend, info: { name: 'webgpu', label: gpuBackend.description } };
  } catch (error) {
    const reason = error instanceof WebGpuUnavailableError ? error.message : `WebGPU failed: ${(error as Error).message}`;
    return cpu(reason);
  }
}

/** A macrotask boundary without setTimeout's 4 ms clamp, so messages get in between CPU steps. */
const yieldChannel = new MessageChannel();
let resumeAfterYield: (() => void) | null = null;
yieldChannel.port1.onmessage = () => resumeAfterYield?.();

const session = new TrainingSession({
  post: (message) => self.postMessage(message),
  makeBackend,
  loadDataset: (config, progress) => loadDataset(config, new URL(import.meta.env.BASE_URL, self.location.origin).href, progress),
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  yieldToEvents: () =>
    new Promise((resolve) => {
      resumeAfterYield = resolve;
      yieldChannel.port2.postMessage(null);
    }),
});

self.onmessage = (event: MessageEvent<ToWorker>) => session.receive(event.data);

// an error the session did not catch is said once, as a notice, and kept from the page's console as unhandled
const said = new Set<string>();
function report(error: unknown): void {
  const message = `the training worker hit an error: ${error instanceof Error ? error.message : String(error)}`;
  if (said.has(message)) return;
  said.add(message);
  self.postMessage({ type: 'error', message } satisfies FromWorker);
}
self.addEventListener('error', (event) => {
  event.preventDefault();
  report(event.error ?? event.message);
});
self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  report(event.reason);
});
