// The WebGPU backend: tensors live in GPU buffers, ops are WGSL dispatches recorded into one command buffer per flush.
import {
  type ActivationKind,
  type Backend,
  checkLinear,
  checkSameShape,
  type DataTensor,
  type Gathered,
  type IndexTensor,
  inputShape,
  isGathered,
  type LabelTensor,
  type LayerInput,
  MAX_FUSED_CLASSES,
  type MatmulOptions,
  matmulInnerDim,
  PARTIAL_TILE,
  type SgdStep,
  SLICE_ALIGN,
  type Tensor,
} from '../../core/backend';
import { BufferPool } from './buffer-pool';
import {
  ACTIVATION_CODES,
  KERNELS,
  type KernelName,
  type ParamField,
  packParams,
  parseParamsStruct,
  SHADER_FILES,
  type ShaderFile,
  type ShaderSources,
} from './kernels';

class GpuTensor implements Tensor {
  constructor(
    readonly rows: number,
    readonly cols: number,
    /** Storage: exchanged with another tensor's by swap(). */
    public buffer: GPUBuffer,
    /** Rows the storage holds; a view has rows ≤ capacityRows. */
    readonly capacityRows: number,
    /** Where the storage starts in the buffer (slices), a multiple of 256 bytes. */
    public byteOffset = 0,
  ) {}

  /** Bytes bound for this tensor: its whole storage. */
  get bindingSize(): number {
    return Math.max(4, this.capacityRows * this.cols * 4);
  }
}

class GpuData implements DataTensor {
  constructor(
    readonly count: number,
    readonly cols: number,
    readonly features: GPUBuffer,
    readonly labels: GPUBuffer,
    /** 1: u8 features packed four to a word; 0: f32. */
    readonly packed: number,
    readonly scale: number,
  ) {}
}

class GpuIndices implements IndexTensor {
  constructor(
    readonly length: number,
    readonly buffer: GPUBuffer,
  ) {}
}

class GpuLabels implements LabelTensor {
  constructor(
    readonly length: number,
    readonly buffer: GPUBuffer,
  ) {}
}

interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  fields: readonly ParamField[];
  file: ShaderFile;
}

/** Bytes per uniform slot: WebGPU's minUniformBufferOffsetAlignment is at most 256. */
const UNIFORM_SLOT = 256;
/** Slots per flush before the recorder flushes on its own (a 64-layer step needs ~900). */
const UNIFORM_SLOTS = 4096;
const MAX_WORKGROUPS = 65535;
/** Outputs at most this wide take the narrow matmul (matmul_narrow's NARROW_N). */
const NARROW_COLUMNS = 16;

/** Counts of GPU work, for tests and the benchmark: what a step costs. */
export interface GpuCounters {
  submits: number;
  dispatches: number;
  buffersCreated: number;
  bindGroupsCreated: number;
  pipelinesCreated: number;
  mapAsync: number;
}

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

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly counters: GpuCounters = { submits: 0, dispatches: 0, buffersCreated: 0, bindGroupsCreated: 0, pipelinesCreated: 0, mapAsync: 0 };
  /** Set when the device is lost; every later call throws with it. */
  lostReason: string | null = null;

  private readonly pipelines = new Map<string, Pipeline>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  private readonly pool: BufferPool;
  private readonly uniformBuffer: GPUBuffer;
  private readonly uniformStaging = new ArrayBuffer(UNIFORM_SLOT * UNIFORM_SLOTS);
  private readonly uniformView = new DataView(this.uniformStaging);
  private uniformSlotsUsed = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private firstError: string | null = null;
  /** Bound where a kernel's binding is unused by the op (every binding of a layout needs a buffer). */
  private readonly dummyRead: GpuTensor;
  private readonly dummyWrite: GpuTensor;
  private readonly dummyLabels: GpuLabels;

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

  readonly description: string;

  constructor(
    readonly device: GPUDevice,
    info: GPUAdapterInfo | undefined,
    private readonly shaders: ShaderSources,
  ) {
    const name = [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(' ') || 'adapter';
    this.description = `WebGPU · ${name}`;
    this.pool = new BufferPool(device, this.counters);
    this.dummyRead = new GpuTensor(1, 64, this.pool.acquire(256, storageUsage()), 1);
    this.dummyWrite = new GpuTensor(1, 64, this.pool.acquire(256, storageUsage()), 1);
    this.dummyLabels = new GpuLabels(64, this.pool.acquire(256, storageUsage()));
    this.uniformBuffer = device.createBuffer({
      size: UNIFORM_SLOT * UNIFORM_SLOTS,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.addEventListener('uncapturederror', (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.firstError ??= message;
    });
    void device.lost.then((info) => {
      this.lostReason = `device lost (${info.reason}): ${info.message}`;
    });
    for (const file of SHADER_FILES) {
      if (typeof shaders[file] !== 'string') throw new Error(`shader ${file}.wgsl was not provided`);
    }
  }

  // ---- tensors ----

  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor {
    const bytes = Math.max(4, rows * cols * 4);
    const t = new GpuTensor(rows, cols, this.pool.acquire(bytes, storageUsage()), rows);
    if (data) this.write(t, data);
    else this.zero(t);
    return t;
  }

  labels(length: number): LabelTensor {
    return new GpuLabels(length, this.pool.acquire(Math.max(4, length * 4), storageUsage()));
  }

  view(t: Tensor, rows: number): Tensor {
    const parent = t as GpuTensor;
    if (rows > parent.capacityRows) throw new Error(`view of ${rows} rows exceeds the ${parent.capacityRows} allocated`);
    return new GpuTensor(rows, parent.cols, parent.buffer, parent.capacityRows, parent.byteOffset);
  }

  dataset(features: Uint8Array | Float32Array, scale: number, labels: Uint8Array, cols: number): DataTensor {
    if (features.length !== labels.length * cols) throw new Error(`dataset: ${features.length} features for ${labels.length} samples of ${cols}`);
    this.flush();
    const upload = (bytes: Uint8Array) => {
      const buffer = this.pool.acquire(Math.max(4, Math.ceil(bytes.byteLength / 4) * 4), storageUsage());
      const whole = bytes.byteLength - (bytes.byteLength % 4);
      if (whole > 0) this.device.queue.writeBuffer(buffer, 0, bytes.buffer, bytes.byteOffset, whole);
      if (whole < bytes.byteLength) {
        const tail = new Uint8Array(4);
        tail.set(bytes.subarray(whole));
        this.device.queue.writeBuffer(buffer, whole, tail);
      }
      return buffer;
    };
    const featureBytes = new Uint8Array(features.buffer, features.byteOffset, features.byteLength);
    const packed = features instanceof Uint8Array ? 1 : 0;
    return new GpuData(labels.length, cols, upload(featureBytes), upload(labels), packed, packed ? scale : 1);
  }

  indices(values: Uint32Array): IndexTensor {
    const t = new GpuIndices(values.length, this.pool.acquire(Math.max(4, values.byteLength), storageUsage()));
    this.writeIndices(t, values);
    return t;
  }

  writeIndices(t: IndexTensor, values: Uint32Array): void {
    this.flush();
    this.device.queue.writeBuffer((t as GpuIndices).buffer, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  release(t: DataTensor | IndexTensor): void {
    this.flush();
    if (t instanceof GpuData) {
      this.pool.release(t.features);
      this.pool.release(t.labels);
    } else {
      this.pool.release((t as GpuIndices).buffer);
    }
  }

  slice(t: Tensor, offset: number, rows: number, cols: number): Tensor {
    const parent = t as GpuTensor;
    if (offset % SLICE_ALIGN !== 0) throw new Error(`slice offset ${offset} is not a multiple of ${SLICE_ALIGN}`);
    if (offset + rows * cols > parent.capacityRows * parent.cols) throw new Error(`slice (${rows}, ${cols}) at ${offset} exceeds storage`);
    return new GpuTensor(rows, cols, parent.buffer, rows, parent.byteOffset + offset * 4);
  }

  free(t: Tensor): void {
    this.flush();
    this.pool.release((t as GpuTensor).buffer);
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.rows * t.cols) {
      throw new Error(`write of ${data.length} values into a (${t.rows}, ${t.cols}) tensor`);
    }
    // queue writes happen before the next submit: what is recorded so far must go first
    this.flush();
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    this.device.queue.writeBuffer((t as GpuTensor).buffer, (t as GpuTensor).byteOffset, values.buffer, values.byteOffset, values.byteLength);
  }

  writeLabels(t: LabelTensor, data: ArrayLike<number>): void {
    this.flush();
    const values = data instanceof Uint32Array ? data : Uint32Array.from(data);
    this.device.queue.writeBuffer((t as GpuLabels).buffer, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  async read(t: Tensor): Promise<Float32Array> {
    this.throwIfBroken();
    const bytes = t.rows * t.cols * 4;
    const staging = this.pool.acquire(Math.max(4, bytes), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    this.ensureEncoder();
    this.endPass();
    this.encoder!.copyBufferToBuffer((t as GpuTensor).buffer, (t as GpuTensor).byteOffset, staging, 0, Math.max(4, bytes));
    this.flush();
    this.counters.mapAsync += 1;
    await staging.mapAsync(GPUMapMode.READ, 0, Math.max(4, bytes));
    const result = new Float32Array(staging.getMappedRange(0, Math.max(4, bytes)).slice(0, bytes));
    staging.unmap();
    this.pool.release(staging);
    this.throwIfBroken();
    return result;
  }

  /** Bytes of every GPU buffer this backend holds (pooled tensors, staging, uniforms). */
  get bytesAllocated(): number {
    return this.pool.bytes + this.uniformBuffer.size;
  }

  /** True when the device can time passes (the adapter has `timestamp-query`). */
  get canTime(): boolean {
    return this.device.features.has('timestamp-query');
  }

  private timer: PassTimer | null = null;

  /** Starts timing every compute pass on the GPU (up to 2,048 passes); false when the device cannot. */
  startGpuTimer(): boolean {
    if (!this.canTime) return false;
    this.flush();
    this.timer = new PassTimer(this.device, this.pool);
    return true;
  }

  /** Stops the timer: total GPU milliseconds of the passes since startGpuTimer. */
  async stopGpuTimer(): Promise<number | null> {
    const timer = this.timer;
    if (!timer) return null;
    this.timer = null;
    this.ensureEncoder();
    this.endPass();
    const staging = timer.resolve(this.encoder!);
    this.flush();
    const ms = await timer.read(staging);
    timer.destroy();
    return ms;
  }

  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.uniformSlotsUsed > 0) {
      this.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniformStaging, 0, this.uniformSlotsUsed * UNIFORM_SLOT);
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.counters.submits += 1;
    this.encoder = null;
    this.uniformSlotsUsed = 0;
  }

  destroy(): void {
    this.flush();
    this.pool.destroy();
    this.uniformBuffer.destroy();
    this.bindGroups.clear();
    this.device.destroy();
  }

  // ---- ops: each checks shapes as the CPU backend does, then dispatches its kernel ----

  matmul(out: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
    const K = matmulInnerDim(out, a, b, options);
    this.runMatmul({ M: out.rows, N: out.cols, K, lda: a.cols, ldb: b.cols }, { TRANS_A: options.transA ? 1 : 0, TRANS_B: options.transB ? 1 : 0 }, out, a, b);
  }

  linearForward(h: Tensor, input: LayerInput, p: Tensor, kind: ActivationKind): void {
    const { rows, cols } = inputShape(input);
    checkLinear('linearForward', rows, cols, p, h.rows, h.cols);
    const shape = { M: h.rows, N: h.cols, K: cols + 1, lda: cols, ldb: p.cols };
    this.runMatmul(shape, { AUGMENT: 1, EPILOGUE: 1, KIND: ACTIVATION_CODES[kind] }, h, input, p);
  }

  linearForwardLoss(dO: Tensor, metrics: Tensor, slot: number, input: LayerInput, p: Tensor, y: LabelTensor | Gathered, scale: number): void {
    if (p.cols > MAX_FUSED_CLASSES) throw new Error(`linearForwardLoss: ${p.cols} classes is above ${MAX_FUSED_CLASSES}`);
    const { rows, cols } = inputShape(input);
    checkLinear('linearForwardLoss', rows, cols, p, dO.rows, dO.cols);
    if (isGathered(input) && isGathered(y) && (input.start !== y.start || input.order !== y.order)) {
      throw new Error('linearForwardLoss: a gathered input and gathered labels must be the same batch');
    }
    const shape = { M: dO.rows, N: dO.cols, K: cols + 1, lda: cols, ldb: p.cols, slot, scale };
    this.runMatmul(shape, { AUGMENT: 1, EPILOGUE: 4 }, dO, input, p, { metrics, labels: y });
  }

  linearBackwardInput(dInput: Tensor, dOut: Tensor, p: Tensor, h: Tensor, kind: ActivationKind): void {
    checkSameShape('linearBackwardInput', dInput, h);
    checkLinear('linearBackwardInput', h.rows, h.cols, p, dOut.rows, dOut.cols);
    // dOut (n, out) · Wᵀ: W's rows are p's first `in` rows, read transposed
    const shape = { M: dInput.rows, N: dInput.cols, K: dOut.cols, lda: dOut.cols, ldb: p.cols };
    this.runMatmul(shape, { TRANS_B: 1, EPILOGUE: 2, KIND: ACTIVATION_CODES[kind] }, dInput, dOut, p, { aux: h });
  }

  linearBackwardParams(g: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, lambda: number): void {
    checkSameShape('linearBackwardParams', g, p);
    const { rows, cols } = inputShape(input);
    checkLinear('linearBackwardParams', rows, cols, p, dOut.rows, dOut.cols);
    // [input | 1]ᵀ (in + 1, n) · dOut (n, out): the augmented line is op(a)'s last row
    const shape = { M: g.rows, N: g.cols, K: rows, lda: cols, ldb: dOut.cols, slot, tilesX: Math.ceil(g.cols / PARTIAL_TILE), lambda };
    this.runMatmul(shape, { TRANS_A: 1, AUGMENT: 1, EPILOGUE: 3 }, g, input, dOut, { aux: p, metrics });
  }

  linearUpdate(next: Tensor, metrics: Tensor, slot: number, input: LayerInput, dOut: Tensor, p: Tensor, step: SgdStep): void {
    const { lambda, lr, guardStart, guardCount } = step;
    checkSameShape('linearUpdate', next, p);
    const { rows, cols } = inputShape(input);
    checkLinear('linearUpdate', rows, cols, p, dOut.rows, dOut.cols);
    const [to, from] = [next as GpuTensor, p as GpuTensor];
    if (to.buffer === from.buffer && to.byteOffset === from.byteOffset) throw new Error('linearUpdate: next and p share storage');
    if (guardStart + guardCount > metrics.rows * metrics.cols) throw new Error(`linearUpdate: guard ${guardStart} + ${guardCount} is outside the metrics`);
    const shape = {
      M: next.rows,
      N: next.cols,
      K: rows,
      lda: cols,
      ldb: dOut.cols,
      slot,
      tilesX: Math.ceil(next.cols / PARTIAL_TILE),
      lambda,
      lr,
      guardStart,
      guardCount,
    };
    this.runMatmul(shape, { TRANS_A: 1, AUGMENT: 1, EPILOGUE: 5 }, next, input, dOut, { aux: p, metrics });
  }

  swap(a: Tensor, b: Tensor): void {
    checkSameShape('swap', a, b);
    const [x, y] = [a as GpuTensor, b as GpuTensor];
    if (x.capacityRows !== y.capacityRows) throw new Error('swap: the tensors hold different storage sizes');
    [x.buffer, y.buffer] = [y.buffer, x.buffer];
    [x.byteOffset, y.byteOffset] = [y.byteOffset, x.byteOffset];
  }

  /** One matmul dispatch: the narrow kernel for outputs up to 16 wide, else the 32×32-tiled one. */
  private runMatmul(
    given: Partial<Record<string, number>> & { M: number; N: number; K: number },
    specialisation: Record<string, number>,
    out: Tensor,
    a: LayerInput,
    b: Tensor,
    extra: { aux?: Tensor; metrics?: Tensor; labels?: LabelTensor | Gathered } = {},
  ): void {
    const defaults = { lda: 0, ldb: 0, slot: 0, tilesX: 1, lambda: 0, scale: 1, lr: 0, guardStart: 0, guardCount: 0 };
    let source = { start: 0, dataCols: 0, dataScale: 1 };
    const constants: Record<string, number> = { ...specialisation };
    let aBinding: Tensor = a as Tensor;
    let data: { features: Bound; labels: Bound; order: Bound } = {
      features: this.dummyRead,
      labels: this.dummyLabels,
      order: this.dummyRead,
    };
    const range = (buffer: GPUBuffer) => ({ buffer, size: buffer.size });
    const checkRows = (g: Gathered) => {
      if (g.start + g.rows > g.order.length) throw new Error(`gathered rows ${g.start} … ${g.start + g.rows} exceed the order's ${g.order.length}`);
    };
    if (isGathered(a)) {
      checkRows(a);
      const split = a.data as GpuData;
      source = { start: a.start, dataCols: split.cols, dataScale: split.scale };
      constants.GATHERED = 1;
      constants.PACKED = split.packed;
      aBinding = this.dummyRead;
      data = { ...data, features: range(split.features), order: range((a.order as GpuIndices).buffer) };
    }
    if (extra.labels && isGathered(extra.labels)) {
      checkRows(extra.labels);
      source = { ...source, start: extra.labels.start };
      constants.LABELS_GATHERED = 1;
      data = { ...data, labels: range((extra.labels.data as GpuData).labels), order: range((extra.labels.order as GpuIndices).buffer) };
    } else if (extra.labels) {
      data = { ...data, labels: extra.labels };
    }
    const params = { ...defaults, ...source, ...given };
    const bindings = [out, aBinding, b, extra.aux ?? this.dummyRead, extra.metrics ?? this.dummyWrite, data.labels, data.features, data.order];
    if (out.cols <= NARROW_COLUMNS) {
      this.dispatch('matmulNarrow', params as Record<string, number>, bindings, this.groups1d(out.rows, PARTIAL_TILE), 1, constants);
    } else {
      const [gx, gy] = [Math.ceil(out.cols / PARTIAL_TILE), Math.ceil(out.rows / PARTIAL_TILE)];
      this.dispatch('matmul', params as Record<string, number>, bindings, gx, gy, constants);
    }
  }

  addBias(z: Tensor, bias: Tensor): void {
    if (bias.cols !== z.cols) throw new Error(`addBias: bias has ${bias.cols} columns, z has ${z.cols}`);
    this.elementwise('addBias', z, [bias], 0, 0);
  }

  columnSums(db: Tensor, dz: Tensor): void {
    if (db.cols !== dz.cols) throw new Error(`columnSums: db has ${db.cols} columns, dz has ${dz.cols}`);
    const params = { size: 0, rows: dz.rows, cols: dz.cols, slot: 0, squares: 0, scale: 1 };
    this.dispatch('columnSums', params, [db, dz], Math.ceil(dz.cols / 64));
  }

  activationForward(h: Tensor, z: Tensor, kind: ActivationKind): void {
    checkSameShape('activationForward', h, z);
    this.elementwise('activationForward', h, [z], ACTIVATION_CODES[kind], 0);
  }

  activationBackward(dz: Tensor, z: Tensor, h: Tensor, kind: ActivationKind): void {
    checkSameShape('activationBackward', dz, z);
    checkSameShape('activationBackward', dz, h);
    this.elementwise('activationBackward', dz, [z, h], ACTIVATION_CODES[kind], 0);
  }

  softmaxCrossEntropy(dO: Tensor, rowLoss: Tensor, rowCorrect: Tensor, o: Tensor, y: LabelTensor, gradScale: number): void {
    checkSameShape('softmaxCrossEntropy', dO, o);
    const params = { rows: o.rows, cols: o.cols, gradScale };
    this.dispatch('softmaxCrossEntropy', params, [dO, rowLoss, rowCorrect, o, y], Math.ceil(o.rows / 64));
  }

  sumInto(out: Tensor, slot: number, x: Tensor, scale: number): void {
    this.reduce(out, slot, x, scale, 0);
  }

  sumSquaresInto(out: Tensor, slot: number, x: Tensor, scale: number): void {
    this.reduce(out, slot, x, scale, 1);
  }

  axpy(y: Tensor, x: Tensor, alpha: number): void {
    checkSameShape('axpy', y, x);
    this.elementwise('axpy', y, [x], 0, alpha);
  }

  sgdUpdate(param: Tensor, grad: Tensor, lr: number, guard: Tensor, guardStart: number, guardCount: number): void {
    checkSameShape('sgdUpdate', param, grad);
    const size = param.rows * param.cols;
    const params = { size, guardStart, guardCount, lr };
    this.dispatch('sgdUpdate', params, [param, grad, guard], this.groups1d(size, 256));
  }

  // ---- recording ----

  private elementwise(kernel: KernelName, out: Tensor, inputs: Tensor[], kind: number, alpha: number): void {
    const size = out.rows * out.cols;
    const params = { size, cols: out.cols, kind, alpha };
    this.dispatch(kernel, params, [out, ...inputs], this.groups1d(size, 256));
  }

  private reduce(out: Tensor, slot: number, x: Tensor, scale: number, squares: number): void {
    if (slot >= out.rows * out.cols) throw new Error(`slot ${slot} is outside a tensor of ${out.rows * out.cols}`);
    const params = { size: x.rows * x.cols, rows: x.rows, cols: x.cols, slot, squares, scale };
    this.dispatch('sumInto', params, [out, x], 1);
  }

  private groups1d(size: number, perGroup: number): number {
    const groups = Math.ceil(size / perGroup);
    if (groups > MAX_WORKGROUPS) throw new Error(`${size} elements need more than ${MAX_WORKGROUPS} workgroups`);
    return Math.max(1, groups);
  }

  private dispatch(
    kernel: KernelName,
    params: Record<string, number>,
    bindings: Bound[],
    groupsX: number,
    groupsY = 1,
    constants: Record<string, number> = {},
  ): void {
    this.throwIfBroken();
    if (groupsX === 0 || groupsY === 0) return;
    const pipe = this.pipeline(kernel, constants);
    if (this.uniformSlotsUsed === UNIFORM_SLOTS) this.flush();
    this.ensureEncoder();
    const slot = this.uniformSlotsUsed++;
    packParams(pipe.fields, params, this.uniformView, slot * UNIFORM_SLOT, pipe.file);
    const buffers = bindings.map((b): BoundRange => {
      if (b instanceof GpuTensor) return { buffer: b.buffer, offset: b.byteOffset, size: b.bindingSize };
      if (b instanceof GpuLabels) return { buffer: b.buffer, offset: 0, size: b.buffer.size };
      return { offset: 0, ...(b as { buffer: GPUBuffer; size: number }) };
    });
    if (!this.pass) this.pass = this.encoder!.beginComputePass(this.timer ? this.timer.passWrites() : undefined);
    this.pass.setPipeline(pipe.pipeline);
    this.pass.setBindGroup(0, this.bindGroup(kernel, pipe, buffers), [slot * UNIFORM_SLOT]);
    this.pass.dispatchWorkgroups(groupsX, groupsY);
    this.counters.dispatches += 1;
  }

  private ensureEncoder(): void {
    this.encoder ??= this.device.createCommandEncoder();
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Bind groups are cached by kernel and buffers; views share their parent's bind group. */
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
    const source = this.shaders[spec.file];
    const layout = this.bindGroupLayout(kernel);
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: this.shaderModule(spec.file, source), entryPoint: spec.entry, constants },
    });
    const entry: Pipeline = { pipeline, layout, fields: parseParamsStruct(source, spec.file), file: spec.file };
    this.counters.pipelinesCreated += 1;
    this.pipelines.set(key, entry);
    return entry;
  }

  private readonly layouts = new Map<KernelName, GPUBindGroupLayout>();

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

  private readonly modules = new Map<ShaderFile, GPUShaderModule>();

  private shaderModule(file: ShaderFile, code: string): GPUShaderModule {
    let module = this.modules.get(file);
    if (!module) {
      module = this.device.createShaderModule({ label: `${file}.wgsl`, code });
      this.modules.set(file, module);
    }
    return module;
  }

  private zero(t: GpuTensor): void {
    this.ensureEncoder();
    this.endPass();
    this.encoder!.clearBuffer(t.buffer);
  }

  private throwIfBroken(): void {
    if (this.lostReason) throw new Error(`WebGPU ${this.lostReason}`);
    if (this.firstError) throw new Error(`WebGPU validation error: ${this.firstError}`);
  }
}

/** What a binding can be: a tensor, labels, or a raw buffer range. */
type Bound = Tensor | LabelTensor | { buffer: GPUBuffer; size: number };

/** Timestamps at the start and end of each compute pass, for the benchmark's GPU time. */
class PassTimer {
  private static readonly CAPACITY = 2048; // passes: a query set holds at most 4,096 timestamps
  private readonly querySet: GPUQuerySet;
  private passes = 0;

  constructor(
    device: GPUDevice,
    private readonly pool: BufferPool,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * PassTimer.CAPACITY });
  }

  passWrites(): GPUComputePassDescriptor | undefined {
    if (this.passes >= PassTimer.CAPACITY) return undefined;
    const i = this.passes++;
    return { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } };
  }

  resolve(encoder: GPUCommandEncoder): GPUBuffer {
    const bytes = Math.max(16, 16 * this.passes);
    const resolved = this.pool.acquire(bytes, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
    const staging = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    if (this.passes > 0) {
      encoder.resolveQuerySet(this.querySet, 0, 2 * this.passes, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16 * this.passes);
    }
    this.pool.release(resolved);
    return staging;
  }

  async read(staging: GPUBuffer): Promise<number> {
    await staging.mapAsync(GPUMapMode.READ);
    const stamps = new BigInt64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    this.pool.release(staging);
    let nanoseconds = 0n;
    for (let i = 0; i < this.passes; i++) {
      const span = stamps[2 * i + 1] - stamps[2 * i];
      if (span > 0n) nanoseconds += span;
    }
    return Number(nanoseconds) / 1e6;
  }

  destroy(): void {
    this.querySet.destroy();
  }
}

interface BoundRange {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

function storageUsage(): GPUBufferUsageFlags {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
}
