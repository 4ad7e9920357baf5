// A pool of GPU buffers keyed by size and usage, so freed tensors and staging buffers are reused.

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly all = new Set<GPUBuffer>();
  private bytesAllocated = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly counters: { buffersCreated: number },
  ) {}

  /** A buffer of at least `bytes` (rounded up to 256) with exactly `usage`. */
  acquire(bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = Math.ceil(bytes / 256) * 256;
    const key = `${size}:${usage}`;
    const reused = this.free.get(key)?.pop();
    if (reused) return reused;
    const buffer = this.device.createBuffer({ size, usage });
    this.counters.buffersCreated += 1;
    this.bytesAllocated += size;
    this.all.add(buffer);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const key = `${buffer.size}:${buffer.usage}`;
    const list = this.free.get(key) ?? [];
    if (list.includes(buffer)) throw new Error('buffer released twice');
    list.push(buffer);
    this.free.set(key, list);
  }

  /** Bytes of every buffer this pool has created (in use or free). */
  get bytes(): number {
    return this.bytesAllocated;
  }

  destroy(): void {
    for (const buffer of this.all) buffer.destroy();
    this.all.clear();
    this.free.clear();
  }
}
