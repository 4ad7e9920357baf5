// Columnar history of every step, kept outside React: charts subscribe and redraw on animation frames.
import type { FromWorker, MetricPoint } from '../worker/protocol';

export interface Marker {
  step: number;
  label: string;
}

export class MetricsBuffer {
  steps: number[] = [];
  loss: number[] = [];
  l2: number[] = [];
  /** Test accuracy at the steps it was measured; null in between (the chart spans the gaps). */
  testAcc: (number | null)[] = [];
  /** gradNorms[l][i]: ‖dW_{l+1}‖ at steps[i]; null where the model of that step had fewer layers. */
  gradNorms: (number | null)[][] = [];
  markers: Marker[] = [];
  latest: MetricPoint | null = null;
  private listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records what a worker message adds to the history (metrics, a test evaluation, a reset); other messages change nothing. */
  receive(message: FromWorker): void {
    if (message.type === 'metrics') this.append(message.points);
    else if (message.type === 'evaluation') this.setTestAccuracy(message.step, message.testAcc);
    else if (message.type === 'reset') this.clear();
  }

  append(points: MetricPoint[]): void {
    for (const p of points) {
      const previous = this.latest;
      if (previous && (previous.lambda !== p.lambda || previous.lr !== p.lr)) {
        const parts = [];
        if (previous.lambda !== p.lambda) parts.push(`λ ${p.lambda}`);
        if (previous.lr !== p.lr) parts.push(`lr ${p.lr}`);
        this.markers.push({ step: p.step, label: parts.join(', ') });
      }
      this.steps.push(p.step);
      this.loss.push(p.loss);
      this.l2.push(p.l2);
      this.testAcc.push(null);
      while (this.gradNorms.length < p.gradNorms.length) this.gradNorms.push(this.steps.slice(0, -1).map(() => null));
      for (const [l, series] of this.gradNorms.entries()) series.push(l < p.gradNorms.length ? p.gradNorms[l] : null);
      this.latest = p;
    }
    this.notify();
  }

  /** Marks a batch-size change (the points carry the size actually used, which a short last batch also changes). */
  markBatchSize(step: number, batchSize: number): void {
    this.markers.push({ step, label: `batch ${batchSize}` });
    this.notify();
  }

  markAt(step: number, label: string): void {
    this.markers.push({ step, label });
    this.notify();
  }

  setTestAccuracy(step: number, accuracy: number): void {
    const i = this.steps.lastIndexOf(step);
    if (i >= 0) {
      this.testAcc[i] = accuracy;
      this.notify();
    }
  }

  clear(): void {
    this.steps = [];
    this.loss = [];
    this.l2 = [];
    this.testAcc = [];
    this.gradNorms = [];
    this.markers = [];
    this.latest = null;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

export const metrics = new MetricsBuffer();
