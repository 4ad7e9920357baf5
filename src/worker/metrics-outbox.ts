// The session's outgoing metrics: steps gathered and posted a few times a second (not per step), with the steps per second since the last post.
import type { FromWorker, MetricPoint } from './protocol';

/** Metrics go out at most this often, so the page redraws a few times a second, not per step. */
export const POST_EVERY_MS = 150;

export class MetricsOutbox {
  private pending: MetricPoint[] = [];
  private lastPost = 0;
  private stepsSincePost = 0;

  constructor(private readonly host: { post(message: FromWorker): void; now(): number }) {}

  add(point: MetricPoint): void {
    this.pending.push(point);
    this.stepsSincePost += 1;
  }

  /** Training (re)starts: the rate is counted from now. */
  restartClock(): void {
    this.lastPost = this.host.now();
    this.stepsSincePost = 0;
  }

  /** Drops what was not posted (the run starts afresh). */
  clear(): void {
    this.pending = [];
  }

  /** Posts the pending points, at most every POST_EVERY_MS unless forced. */
  post(force: boolean): void {
    const now = this.host.now();
    if (!force && now - this.lastPost < POST_EVERY_MS) return;
    if (this.pending.length > 0) {
      const seconds = Math.max(1e-3, (now - this.lastPost) / 1000);
      this.host.post({ type: 'metrics', points: this.pending, stepsPerSecond: this.lastPost > 0 ? this.stepsSincePost / seconds : 0 });
    }
    this.pending = [];
    this.stepsSincePost = 0;
    this.lastPost = now;
  }
}
