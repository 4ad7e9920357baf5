// The WebGPU backend, a facade over its roles: the recorder (device, commands), memory (tensors, read-back), layer kernels, the GPU timer.
import type { Backend, DataTensor, Gathered, IndexTensor, LabelTensor, LayerInput, SgdStep, Tensor } from '../../core/backend';
import { HISTOGRAM_BINS, HISTOGRAM_WIDTH, type SaturationRule } from '../../core/histogram';
import type { Activation } from '../../core/settings';
import { checkHistogramRow, checkSameShape, type MatmulOptions } from '../shape-checks';
import { GpuTimer } from './gpu-timer';
import { MatmulNames, parseConstants, SHADER_FILES, type ShaderSources } from './kernels';
import { LayerKernels } from './layer-kernels';
import { GpuMemory, type GpuTensor } from './memory';
import { type GpuCounters, Recorder } from './recorder';

export type { GpuCounters };

export interface WebGpuBackendOptions {
  /** `navigator.gpu` in a browser, `create([])` from the `webgpu` package in Node. */
  gpu: GPU;
  shaders: ShaderSources;
  powerPreference?: GPUPowerPreference;
}

/** Thrown by create() when WebGPU cannot run; `reason` is for the status line. */
export class WebGpuUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`WebGPU unavailable: ${reason}`);
    this.name = 'WebGpuUnavailableError';
  }
}

/** Names of adapters that run on the CPU, as their vendor, architecture or description gives them. */
const SOFTWARE_ADAPTERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** Whether an adapter runs on the CPU: it says so (isFallbackAdapter), or its name is a known software rasteriser's. */
export function isSoftwareAdapter(
  info: (Partial<Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'description' | 'device'>> & { isFallbackAdapter?: boolean }) | undefined,
): boolean {
  if (!info) return false;
  if (info.isFallbackAdapter) return true;
  return SOFTWARE_ADAPTERS.test([info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' '));
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly description: string;
  /** The adapter's name as it gives it: `google swiftshader`. */
  readonly adapterName: string;
  /**
   * The adapter runs on the CPU (SwiftShader, llvmpipe, WARP): there the CPU backend is faster (an
   * MLP step 2 a second against 36 on this project's two-core machine), so Auto takes the CPU.
   */
  readonly software: boolean;
  private readonly recorder: Recorder;
  private readonly memory: GpuMemory;
  private readonly kernels: LayerKernels;
  private timer: GpuTimer | null = null;

  static async create(options: WebGpuBackendOptions): Promise<WebGpuBackend> {
    if (!options.gpu) throw new WebGpuUnavailableError('navigator.gpu is missing');
    const adapter = await options.gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    if (!adapter) throw new WebGpuUnavailableError('no adapter');
    return WebGpuBackend.fromAdapter(adapter, options.shaders);
  }

  static async fromAdapter(adapter: GPUAdapter, shaders: ShaderSources): Promise<WebGpuBackend> {
    const device = await adapter.requestDevice({
      // GPU time for the benchmark, where the adapter offers it
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
      requiredLimits: {
        maxStorageBuffersPerShaderStage: Math.min(8, adapter.limits.maxStorageBuffersPerShaderStage),
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    return new WebGpuBackend(device, adapter.info, shaders);
  }

  constructor(device: GPUDevice, info: GPUAdapterInfo | undefined, shaders: ShaderSources) {
    for (const file of SHADER_FILES) {
      if (typeof shaders[file] !== 'string') throw new Error(`shader ${file}.wgsl was not provided`);
    }
    const name = [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(' ') || 'adapter';
    this.description = `WebGPU · ${name}`;
    this.adapterName = name;
    this.software = isSoftwareAdapter(info);
    this.recorder = new Recorder(device, shaders);
    this.memory = new GpuMemory(this.recorder);
    this.kernels = new LayerKernels(this.recorder, this.memory, new MatmulNames(shaders.matmul));
    const histogramConstants = parseConstants(shaders.histogram, 'histogram');
    for (const [shaderName, hostName, value] of [
      ['HIST_BINS', 'HISTOGRAM_BINS', HISTOGRAM_BINS],
      ['HIST_WIDTH', 'HISTOGRAM_WIDTH', HISTOGRAM_WIDTH],
    ] as const) {
      if (histogramConstants.get(shaderName) !== value) {
        throw new Error(`histogram.wgsl's ${shaderName} is ${histogramConstants.get(shaderName)} but ${hostName} is ${value}: they must agree`);
      }
    }
  }

  get device(): GPUDevice {
    return this.recorder.device;
  }

  /** What the backend has done so far: submits, dispatches, buffers, bind groups, pipelines, read-backs. */
  get counters(): GpuCounters {
    return this.recorder.counters;
  }

  /** Set when the device is lost; every later call throws with it. */
  get lostReason(): string | null {
    return this.recorder.lostReason;
  }

  /** Whether the device is lost; a failed read-back can come before the lost promise settles, so it waits a moment. */
  async isLost(): Promise<boolean> {
    if (!this.lostReason) await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 1000))]);
    return this.lostReason !== null;
  }

  /** Bytes of every GPU buffer this backend holds (pooled tensors, staging, uniforms). */
  get bytesAllocated(): number {
    return this.memory.bytesAllocated;
  }

  // ---- tensors and data (memory.ts) ----
  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor {
    return this.memory.tensor(rows, cols, data);
  }
  labels(length: number): LabelTensor {
    return this.memory.labels(length);
  }
  view(t: Tensor, rows: number): Tensor {
    return this.memory.view(t, rows);
  }
  slice(t: Tensor, offset: number, rows: number, cols: number): Tensor {
    return this.memory.slice(t, offset, rows, cols);
  }
  write(t: Tensor, data: ArrayLike<number>): void {
    this.memory.write(t, data);
  }
  writeLabels(t: LabelTensor, data: ArrayLike<number>): void {
    this.memory.writeLabels(t, data);
  }
  read(t: Tensor): Promise<Float32Array> {
    return this.memory.read(t);
  }
  swap(a: Tensor, b: Tensor): void {
    checkSameShape('swap', a, b);
    this.memory.swap(a as GpuTensor, b as GpuTensor);
  }
  free(t: Tensor): void {
    this.memory.free(t);
  }
  dataset(features: Uint8Array | Float32Array, scale: number, labels: Uint8Array, cols: number): DataTensor {
    return this.memory.dataset(features, scale, labels, cols);
  }
  indices(values: Uint32Array): IndexTensor {
    return this.memory.indices(values);
  }
  writeIndices(t: IndexTensor, values: Uint32Array): void {
    this.memory.writeIndices(t, values);
  }
  release(t: DataTensor | IndexTensor | LabelTensor): void {
    this.memory.release(t);
  }

  // ---- recording (recorder.ts) ----
  flush(): void {
    this.recorder.flush();
  }
  async settle(): Promise<void> {
    this.recorder.flush();
    await this.device.queue.onSubmittedWorkDone();
  }
  destroy(): void {
    this.memory.destroy();
    this.recorder.destroy();
  }

  // ---- ops (layer-kernels.ts) ----
  /** The bare product (the benchmark's matmul workloads; not part of the Backend contract). */
  matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
    this.kernels.matmul(out, a, b, options);
  }
  linearForward(h: Tensor, input: LayerInput, p: Tensor, kind: Activation): void {
    this.kernels.linearForward(h, input, p, kind);
  }
  linearForwardLoss(dO: Tensor, metrics: Tensor, slot: number, input: LayerInput, p: Tensor, y: LabelTensor | Gathered, scale: number): void {
    this.kernels.linearForwardLoss(dO, metrics, slot, input, p, y, scale);
  }
  linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: Activation): void {
    this.kernels.linearBackwardInput(dInput, dOut, p, h, kind);
  }
  linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void {
    this.kernels.linearBackwardParams(g, metrics, slot, input, dOut, p, lambda);
  }
  linearUpdate(next: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, step: SgdStep): void {
    this.kernels.linearUpdate(next, metrics, slot, input, dOut, p, step);
  }

  // ---- instruments (histogram.wgsl) ----
  histogram(out: Tensor, row: number, x: Tensor, rule: SaturationRule): void {
    checkHistogramRow(out, row);
    const params = { count: x.rows * x.cols, row, center: rule.center, threshold: rule.threshold };
    this.recorder.dispatch('histogram', params, [(out as GpuTensor).bound, (x as GpuTensor).bound], 1);
  }

  // ---- the GPU timer (gpu-timer.ts) ----
  /** True when the device can time passes (the adapter has `timestamp-query`). */
  get canTime(): boolean {
    return this.device.features.has('timestamp-query');
  }
  /** Starts timing every compute pass on the GPU (up to 2,048 passes); false when the device cannot. */
  startGpuTimer(): boolean {
    this.timer = GpuTimer.start(this.recorder, this.memory.pool);
    return this.timer !== null;
  }
  /** Stops the timer: total GPU milliseconds of the passes since startGpuTimer. */
  async stopGpuTimer(): Promise<number | null> {
    const timer = this.timer;
    this.timer = null;
    return timer ? timer.stop() : null;
  }
}
