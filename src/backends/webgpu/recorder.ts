// The WebGPU device and its command recording: one encoder and compute pass per flush, uniforms in slots, cached pipelines and bind groups.
import { KERNELS, type KernelName, type ParamField, packParams, parseParamsStruct, type ShaderFile, type ShaderSources } from './kernels';

/** Bytes per uniform slot: WebGPU's minUniformBufferOffsetAlignment is at most 256. */
export const UNIFORM_SLOT = 256;
/** Slots per flush before the recorder flushes on its own (a 64-layer step needs ~900). */
const UNIFORM_SLOTS = 4096;
const MAX_WORKGROUPS = 65535;

/** Counts of GPU work, for tests and the benchmark: what a step costs. */
export interface GpuCounters {
  submits: number;
  dispatches: number;
  buffersCreated: number;
  bindGroupsCreated: number;
  pipelinesCreated: number;
  mapAsync: number;
}

/** A storage binding: a range of a buffer. */
export interface BoundRange {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  fields: readonly ParamField[];
  file: ShaderFile;
}

export class Recorder {
  readonly counters: GpuCounters = { submits: 0, dispatches: 0, buffersCreated: 0, bindGroupsCreated: 0, pipelinesCreated: 0, mapAsync: 0 };
  /** Set when the device is lost; every later call throws with it. */
  lostReason: string | null = null;
  /** Timestamp writes for each new compute pass, while the GPU timer runs. */
  passWrites: (() => GPUComputePassDescriptor | undefined) | null = null;

  private readonly pipelines = new Map<string, Pipeline>();
  private readonly layouts = new Map<KernelName, GPUBindGroupLayout>();
  private readonly modules = new Map<ShaderFile, GPUShaderModule>();
  private readonly paramFields = new Map<ShaderFile, ParamField[]>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  private readonly uniformBuffer: GPUBuffer;
  private readonly uniformStaging = new ArrayBuffer(UNIFORM_SLOT * UNIFORM_SLOTS);
  private readonly uniformView = new DataView(this.uniformStaging);
  private uniformSlotsUsed = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private firstError: string | null = null;

  constructor(
    readonly device: GPUDevice,
    private readonly shaders: ShaderSources,
  ) {
    this.uniformBuffer = device.createBuffer({ size: UNIFORM_SLOT * UNIFORM_SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.addEventListener('uncapturederror', (event) => {
      this.firstError ??= (event as GPUUncapturedErrorEvent).error.message;
    });
    void device.lost.then((info) => {
      this.lostReason = `device lost (${info.reason}): ${info.message}`;
    });
  }

  /** Bytes of the uniform buffer. */
  get uniformBytes(): number {
    return this.uniformBuffer.size;
  }

  /** The Params fields of a shader file, parsed once. */
  fields(file: ShaderFile): readonly ParamField[] {
    let fields = this.paramFields.get(file);
    if (!fields) {
      fields = parseParamsStruct(this.shaders[file], file);
      if (fields.length * 4 > UNIFORM_SLOT) throw new Error(`${file}.wgsl Params takes ${fields.length * 4} bytes, more than a uniform slot's ${UNIFORM_SLOT}`);
      this.paramFields.set(file, fields);
    }
    return fields;
  }

  /** Records one dispatch of `kernel` in the pipeline specialised by `constants`. */
  dispatch(
    kernel: KernelName,
    params: Record<string, number>,
    bindings: BoundRange[],
    groupsX: number,
    groupsY = 1,
    constants: Record<string, number> = {},
  ): void {
    this.throwIfBroken();
    if (groupsX === 0 || groupsY === 0) return;
    if (groupsX > MAX_WORKGROUPS || groupsY > MAX_WORKGROUPS)
      throw new Error(`${kernel}: ${groupsX} × ${groupsY} workgroups exceed ${MAX_WORKGROUPS} a dimension`);
    const pipe = this.pipeline(kernel, constants);
    if (this.uniformSlotsUsed === UNIFORM_SLOTS) this.flush();
    const encoder = this.ensureEncoder();
    const slot = this.uniformSlotsUsed++;
    packParams(pipe.fields, params, this.uniformView, slot * UNIFORM_SLOT, pipe.file);
    this.pass ??= encoder.beginComputePass(this.passWrites?.());
    this.pass.setPipeline(pipe.pipeline);
    this.pass.setBindGroup(0, this.bindGroup(kernel, pipe, bindings), [slot * UNIFORM_SLOT]);
    this.pass.dispatchWorkgroups(groupsX, groupsY);
    this.counters.dispatches += 1;
  }

  /** The encoder outside a compute pass, for copies and clears recorded in order with the dispatches. */
  commands(): GPUCommandEncoder {
    const encoder = this.ensureEncoder();
    this.pass?.end();
    this.pass = null;
    return encoder;
  }

  /** Submits what is recorded (one command buffer), with the uniforms it uses. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    if (this.uniformSlotsUsed > 0) this.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniformStaging, 0, this.uniformSlotsUsed * UNIFORM_SLOT);
    this.device.queue.submit([this.encoder.finish()]);
    this.counters.submits += 1;
    this.encoder = null;
    this.uniformSlotsUsed = 0;
  }

  throwIfBroken(): void {
    if (this.lostReason) throw new Error(`WebGPU ${this.lostReason}`);
    if (this.firstError) throw new Error(`WebGPU validation error: ${this.firstError}`);
  }

  destroy(): void {
    this.flush();
    this.uniformBuffer.destroy();
    this.bindGroups.clear();
    this.device.destroy();
  }

  private ensureEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  /** Bind groups are cached by kernel and buffer ranges; views share their parent's bind group. */
  private bindGroup(kernel: KernelName, pipe: Pipeline, buffers: BoundRange[]): GPUBindGroup {
    const key = `${kernel}:${buffers.map((b) => `${this.bufferId(b.buffer)}@${b.offset}+${b.size}`).join(',')}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      group = this.device.createBindGroup({
        layout: pipe.layout,
        entries: [
          { binding: 0, resource: { buffer: this.uniformBuffer, size: UNIFORM_SLOT } },
          ...buffers.map((b, i) => ({ binding: i + 1, resource: { buffer: b.buffer, offset: b.offset, size: b.size } })),
        ],
      });
      this.counters.bindGroupsCreated += 1;
      this.bindGroups.set(key, group);
    }
    return group;
  }

  private bufferId(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(buffer, id);
    }
    return id;
  }

  /**
   * Pipelines are created once per kernel and specialisation (override constants), with an explicit
   * layout shared by every specialisation of a kernel (so bind groups serve them all).
   */
  private pipeline(kernel: KernelName, constants: Record<string, number>): Pipeline {
    const names = Object.keys(constants).sort();
    const key = `${kernel}|${names.map((n) => `${n}=${constants[n]}`).join(',')}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const spec = KERNELS[kernel];
    const layout = this.bindGroupLayout(kernel);
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: this.shaderModule(spec.file), entryPoint: spec.entry, constants },
    });
    const entry: Pipeline = { pipeline, layout, fields: this.fields(spec.file), file: spec.file };
    this.counters.pipelinesCreated += 1;
    this.pipelines.set(key, entry);
    return entry;
  }

  private bindGroupLayout(kernel: KernelName): GPUBindGroupLayout {
    let layout = this.layouts.get(kernel);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: kernel,
        entries: [
          { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
          ...KERNELS[kernel].storage.map((access, i) => ({
            binding: i + 1,
            visibility: GPUShaderStage.COMPUTE,
            buffer: { type: access === 'rw' ? ('storage' as const) : ('read-only-storage' as const) },
          })),
        ],
      });
      this.layouts.set(kernel, layout);
    }
    return layout;
  }

  private shaderModule(file: ShaderFile): GPUShaderModule {
    let module = this.modules.get(file);
    if (!module) {
      module = this.device.createShaderModule({ label: `${file}.wgsl`, code: this.shaders[file] });
      this.modules.set(file, module);
    }
    return module;
  }
}
