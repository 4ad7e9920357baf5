// The GPU timer: timestamps at the start and end of every compute pass, summed into GPU milliseconds (for the benchmark).
import type { BufferPool } from './buffer-pool';
import type { Recorder } from './recorder';

/** Passes one timing covers: a query set holds at most 4,096 timestamps. */
const CAPACITY = 2048;

export class GpuTimer {
  private readonly querySet: GPUQuerySet;
  private passes = 0;

  /** Starts timing every compute pass the recorder opens; null when the device has no `timestamp-query`. */
  static start(recorder: Recorder, pool: BufferPool): GpuTimer | null {
    if (!recorder.device.features.has('timestamp-query')) return null;
    recorder.flush();
    const timer = new GpuTimer(recorder, pool);
    recorder.passWrites = () => timer.passWrites();
    return timer;
  }

  private constructor(
    private readonly recorder: Recorder,
    private readonly pool: BufferPool,
  ) {
    this.querySet = recorder.device.createQuerySet({ type: 'timestamp', count: 2 * CAPACITY });
  }

  private passWrites(): GPUComputePassDescriptor | undefined {
    if (this.passes >= CAPACITY) return undefined;
    const i = this.passes++;
    return { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } };
  }

  /** Stops timing: total GPU milliseconds of the passes since start. */
  async stop(): Promise<number> {
    this.recorder.passWrites = null;
    const bytes = Math.max(16, 16 * this.passes);
    const resolved = this.pool.acquire(bytes, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
    const staging = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    if (this.passes > 0) {
      const encoder = this.recorder.commands();
      encoder.resolveQuerySet(this.querySet, 0, 2 * this.passes, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16 * this.passes);
    }
    this.recorder.flush();
    this.pool.release(resolved);
    await staging.mapAsync(GPUMapMode.READ);
    const stamps = new BigInt64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    this.pool.release(staging);
    this.querySet.destroy();
    let nanoseconds = 0n;
    for (let i = 0; i < this.passes; i++) {
      const span = stamps[2 * i + 1] - stamps[2 * i];
      if (span > 0n) nanoseconds += span;
    }
    return Number(nanoseconds) / 1e6;
  }
}
