// WebGPU tensors and memory: GPU buffers from the pool, uploads, splits and orders, and read-back through staging buffers.
import type { DataTensor, IndexTensor, LabelTensor, Tensor } from '../../core/backend';
import { SLICE_ALIGN } from '../../core/backend';
import { BufferPool } from './buffer-pool';
import type { BoundRange, Recorder } from './recorder';

export class GpuTensor implements Tensor {
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

  /** The binding of this tensor: its whole storage. */
  get bound(): BoundRange {
    return { buffer: this.buffer, offset: this.byteOffset, size: Math.max(4, this.capacityRows * this.cols * 4) };
  }
}

export class GpuData implements DataTensor {
  constructor(
    readonly count: number,
    readonly cols: number,
    /** Stored features per sample: cols, rounded up to a multiple of four for u8 (the shader reads whole words). */
    readonly stride: number,
    readonly features: GPUBuffer,
    readonly labels: GPUBuffer,
    /** u8 features packed four to a word (else f32). */
    readonly packed: boolean,
    readonly scale: number,
  ) {}
}

export class GpuIndices implements IndexTensor {
  constructor(
    readonly length: number,
    readonly buffer: GPUBuffer,
  ) {}
}

export class GpuLabels implements LabelTensor {
  constructor(
    readonly length: number,
    readonly buffer: GPUBuffer,
  ) {}
}

/** A whole buffer as a binding. */
export function whole(buffer: GPUBuffer): BoundRange {
  return { buffer, offset: 0, size: buffer.size };
}

function storageUsage(): GPUBufferUsageFlags {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
}

/**
 * Tensors and their memory. Queue writes happen before the next submit, so every write flushes
 * what is recorded first: the order of writes and ops is the order they were called in.
 */
export class GpuMemory {
  readonly pool: BufferPool;
  /** Bound where a kernel's binding is unused by the op (every binding of a layout needs a buffer). */
  readonly dummyRead: BoundRange;
  readonly dummyWrite: BoundRange;

  constructor(private readonly recorder: Recorder) {
    this.pool = new BufferPool(recorder.device, recorder.counters);
    this.dummyRead = whole(this.pool.acquire(256, storageUsage()));
    this.dummyWrite = whole(this.pool.acquire(256, storageUsage()));
  }

  private get queue(): GPUQueue {
    return this.recorder.device.queue;
  }

  /** Bytes of every GPU buffer held (pooled tensors, staging, uniforms). */
  get bytesAllocated(): number {
    return this.pool.bytes + this.recorder.uniformBytes;
  }

  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor {
    const t = new GpuTensor(rows, cols, this.pool.acquire(Math.max(4, rows * cols * 4), storageUsage()), rows);
    if (data) this.write(t, data);
    else this.recorder.commands().clearBuffer(t.buffer);
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

  slice(t: Tensor, offset: number, rows: number, cols: number): Tensor {
    const parent = t as GpuTensor;
    if (offset % SLICE_ALIGN !== 0) throw new Error(`slice offset ${offset} is not a multiple of ${SLICE_ALIGN}`);
    if (offset + rows * cols > parent.capacityRows * parent.cols) throw new Error(`slice (${rows}, ${cols}) at ${offset} exceeds storage`);
    return new GpuTensor(rows, cols, parent.buffer, rows, parent.byteOffset + offset * 4);
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.rows * t.cols) throw new Error(`write of ${data.length} values into a (${t.rows}, ${t.cols}) tensor`);
    this.recorder.flush();
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const target = t as GpuTensor;
    this.queue.writeBuffer(target.buffer, target.byteOffset, values.buffer, values.byteOffset, values.byteLength);
  }

  writeLabels(t: LabelTensor, data: ArrayLike<number>): void {
    this.recorder.flush();
    const values = data instanceof Uint32Array ? data : Uint32Array.from(data);
    this.queue.writeBuffer((t as GpuLabels).buffer, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  /** Copies the tensor to a staging buffer after what is recorded, submits, and maps it. */
  async read(t: Tensor): Promise<Float32Array> {
    this.recorder.throwIfBroken();
    const source = t as GpuTensor;
    const bytes = Math.max(4, t.rows * t.cols * 4);
    const staging = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    this.recorder.commands().copyBufferToBuffer(source.buffer, source.byteOffset, staging, 0, bytes);
    this.recorder.flush();
    this.recorder.counters.mapAsync += 1;
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const result = new Float32Array(staging.getMappedRange(0, bytes).slice(0, t.rows * t.cols * 4));
    staging.unmap();
    this.pool.release(staging);
    this.recorder.throwIfBroken();
    return result;
  }

  swap(a: GpuTensor, b: GpuTensor): void {
    if (a.capacityRows !== b.capacityRows) throw new Error('swap: the tensors hold different storage sizes');
    [a.buffer, b.buffer] = [b.buffer, a.buffer];
    [a.byteOffset, b.byteOffset] = [b.byteOffset, a.byteOffset];
  }

  free(t: Tensor): void {
    this.recorder.flush();
    this.pool.release((t as GpuTensor).buffer);
  }

  dataset(features: Uint8Array | Float32Array, scale: number, labels: Uint8Array, cols: number): DataTensor {
    if (features.length !== labels.length * cols) throw new Error(`dataset: ${features.length} features for ${labels.length} samples of ${cols}`);
    this.recorder.flush();
    const packed = features instanceof Uint8Array;
    const stride = packed ? Math.ceil(cols / 4) * 4 : cols;
    let featureBytes = new Uint8Array(features.buffer, features.byteOffset, features.byteLength);
    if (stride !== cols) {
      // each sample padded with zeros to whole words
      const padded = new Uint8Array(labels.length * stride);
      for (let s = 0; s < labels.length; s++) padded.set(featureBytes.subarray(s * cols, (s + 1) * cols), s * stride);
      featureBytes = padded;
    }
    return new GpuData(labels.length, cols, stride, this.upload(featureBytes), this.upload(labels), packed, packed ? scale : 1);
  }

  /** Bytes into a new storage buffer, the last word padded with zeros. */
  private upload(bytes: Uint8Array): GPUBuffer {
    const buffer = this.pool.acquire(Math.max(4, Math.ceil(bytes.byteLength / 4) * 4), storageUsage());
    const whole = bytes.byteLength - (bytes.byteLength % 4);
    if (whole > 0) this.queue.writeBuffer(buffer, 0, bytes.buffer, bytes.byteOffset, whole);
    if (whole < bytes.byteLength) {
      const tail = new Uint8Array(4);
      tail.set(bytes.subarray(whole));
      this.queue.writeBuffer(buffer, whole, tail);
    }
    return buffer;
  }

  indices(values: Uint32Array): IndexTensor {
    const t = new GpuIndices(values.length, this.pool.acquire(Math.max(4, values.byteLength), storageUsage()));
    this.writeIndices(t, values);
    return t;
  }

  writeIndices(t: IndexTensor, values: Uint32Array): void {
    this.recorder.flush();
    this.queue.writeBuffer((t as GpuIndices).buffer, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  release(t: DataTensor | IndexTensor | LabelTensor): void {
    this.recorder.flush();
    if (t instanceof GpuData) {
      this.pool.release(t.features);
      this.pool.release(t.labels);
    } else {
      this.pool.release((t as GpuIndices | GpuLabels).buffer);
    }
  }

  destroy(): void {
    this.recorder.flush();
    this.pool.destroy();
  }
}
