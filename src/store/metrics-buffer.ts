// Columnar history of the run's steps, kept outside React within a memory budget (older steps thinned); charts subscribe and redraw from a bounded view of it.
import { type LayerSignals, signalsOf } from '../core/inspection';
import type { EvaluationSummary, FromWorker, MetricPoint } from '../worker/protocol';

export interface Marker {
  step: number;
  label: string;
}

/**
 * Values the history may hold (every series' entries together: about 20 MB as JavaScript numbers).
 * Past it, the older half of the steps is thinned to every other one, so the recent steps keep full
 * resolution and a run of any length or depth stays within the budget.
 */
export const HISTORY_BUDGET = 1_000_000;
/** Steps kept at full resolution whatever the depth (the budget allowing). */
const MIN_STEPS_KEPT = 2000;

/** The series a chart draws (the buffer itself, or a thinned view of it). */
export type MetricsSeries = Pick<
  MetricsBuffer,
  'steps' | 'loss' | 'l2' | 'testAcc' | 'testLoss' | 'trainLoss' | 'trainAcc' | 'weightNorms' | 'gradNorms' | 'updateRatio' | 'markers' | 'signals' | 'latest'
>;

export class MetricsBuffer {
  steps: number[] = [];
  /** Batch loss and the L2 term per step; null at a break between two models' weights. */
  loss: (number | null)[] = [];
  l2: (number | null)[] = [];
  /**
   * Evaluations at the steps they were made: undefined at the steps in between (uPlot joins the
   * points across them), null at a break (new weights, an overflowed evaluation: a gap in the line).
   */
  testAcc: (number | null | undefined)[] = [];
  testLoss: (number | null | undefined)[] = [];
  /** Loss and accuracy over the training set (not a batch of it). */
  trainLoss: (number | null | undefined)[] = [];
  trainAcc: (number | null | undefined)[] = [];
  /** weightNorms[l][i]: ‖W_{l+1}‖ at steps[i], as gradNorms. */
  weightNorms: (number | null)[][] = [];
  /** gradNorms[l][i]: ‖dW_{l+1}‖ at steps[i]; null where the model of that step had fewer layers. */
  gradNorms: (number | null)[][] = [];
  /** updateRatio[l][i]: lr·‖∂J/∂W_{l+1}‖ / ‖W_{l+1}‖ at steps[i], the relative size of that step's update. */
  updateRatio: (number | null)[][] = [];
  markers: Marker[] = [];
  /** The signal through depth at the latest evaluation (activation RMS forward, ‖∂J/∂z‖ backward). */
  signals: LayerSignals | null = null;
  latest: MetricPoint | null = null;
  /** Counts changes: a view made at one version serves until the next. */
  private version = 0;
  private view: { version: number; most: number; series: MetricsSeries } | null = null;
  private listeners = new Set<() => void>();

  /** Values held now: every series' entries. */
  get size(): number {
    return this.steps.length * (8 + this.gradNorms.length + this.weightNorms.length + this.updateRatio.length);
  }

  /**
   * The series with at most about `most` steps: every k-th step, and every step that carries an
   * evaluation or a break, and the last. The buffer itself when it is short enough (no copy).
   */
  drawn(most: number): MetricsSeries {
    if (this.steps.length <= most) return this;
    if (this.view && this.view.version === this.version && this.view.most === most) return this.view.series;
    const every = Math.ceil(this.steps.length / most);
    const series = this.select((i, n) => i % every === 0 || i === n - 1 || this.special(i));
    this.view = { version: this.version, most, series: { ...series, markers: this.markers, signals: this.signals, latest: this.latest } };
    return this.view.series;
  }

  /** Steps that a thinning keeps: an evaluation's, or a break's. */
  private special(i: number): boolean {
    return this.loss[i] === null || this.testLoss[i] !== undefined || this.trainLoss[i] !== undefined;
  }

  /** The step series at the indices `keep` picks. */
  private select(keep: (i: number, n: number) => boolean): Omit<MetricsSeries, 'markers' | 'signals' | 'latest'> {
    const n = this.steps.length;
    const picked: number[] = [];
    for (let i = 0; i < n; i++) if (keep(i, n)) picked.push(i);
    const take = <T>(values: T[]) => picked.map((i) => values[i]);
    return {
      steps: take(this.steps),
      loss: take(this.loss),
      l2: take(this.l2),
      testAcc: take(this.testAcc),
      testLoss: take(this.testLoss),
      trainLoss: take(this.trainLoss),
      trainAcc: take(this.trainAcc),
      weightNorms: this.weightNorms.map(take),
      gradNorms: this.gradNorms.map(take),
      updateRatio: this.updateRatio.map(take),
    };
  }

  /** Keeps the history within HISTORY_BUDGET: the older half of the steps thinned to every other one (breaks kept). */
  private keepWithinBudget(): void {
    if (this.size <= HISTORY_BUDGET || this.steps.length <= MIN_STEPS_KEPT) return;
    const n = this.steps.length;
    const older = Math.floor(n / 2);
    const keep: number[] = [];
    // breaks always stay; evaluations in the older half are thinned to every other one too (else a long run's would outgrow the budget)
    let evaluations = 0;
    for (let i = 0; i < n; i++) {
      const evaluation = this.testLoss[i] !== undefined || this.trainLoss[i] !== undefined;
      const keptEvaluation = evaluation && evaluations++ % 2 === 0;
      if (i >= older || this.loss[i] === null || (evaluation ? keptEvaluation : i % 2 === 0)) keep.push(i);
    }
    // in place, series by series: no second copy of the history at any moment
    const compact = <T>(values: T[]) => {
      for (let w = 0; w < keep.length; w++) values[w] = values[keep[w]];
      values.length = keep.length;
    };
    for (const values of [this.steps, this.loss, this.l2, this.testAcc, this.testLoss, this.trainLoss, this.trainAcc]) compact<unknown>(values);
    for (const perLayer of [this.weightNorms, this.gradNorms, this.updateRatio]) for (const values of perLayer) compact(values);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records what a worker message adds to the history (metrics, an evaluation, new weights, a reset); other messages change nothing. */
  receive(message: FromWorker): void {
    if (message.type === 'metrics') this.append(message.points);
    else if (message.type === 'evaluation') {
      this.signals = message.inside ? signalsOf(message.inside) : null;
      this.setEvaluation(message.step, message.test, message.train);
    } else if (message.type === 'newWeights') this.markNewWeights(message.step, message.label);
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
      for (const series of [this.testAcc, this.testLoss, this.trainLoss, this.trainAcc]) series.push(undefined);
      extendPerLayer(this.weightNorms, p.weightNorms, this.steps.length);
      extendPerLayer(this.gradNorms, p.gradNorms, this.steps.length);
      extendPerLayer(
        this.updateRatio,
        p.gradNorms.map((g, l) => (p.lr * g) / p.weightNorms[l]),
        this.steps.length,
      );
      this.latest = p;
    }
    this.keepWithinBudget();
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

  /**
   * Marks new weights (a re-initialisation or a rebuild) at `step`: the lines of the step-by-step
   * series break there instead of joining the old model to the new one.
   */
  markNewWeights(step: number, label: string): void {
    if (this.steps.length > 0 && this.steps[this.steps.length - 1] < step - 0.5) {
      this.steps.push(step - 0.5);
      for (const series of [this.loss, this.l2, this.testAcc, this.testLoss, this.trainLoss, this.trainAcc]) series.push(null);
      for (const perLayer of [this.gradNorms, this.weightNorms, this.updateRatio]) for (const series of perLayer) series.push(null);
    }
    this.markAt(step, label);
  }

  /** An evaluation after `step`: test and training loss and accuracy at that step. */
  setEvaluation(step: number, test: EvaluationSummary, train: EvaluationSummary): void {
    const i = this.steps.lastIndexOf(step);
    if (i >= 0) {
      // an evaluation of a diverged model can overflow: a gap in the chart, never "NaN" in its legend
      const finite = (v: number) => (Number.isFinite(v) ? v : null);
      this.testAcc[i] = finite(test.accuracy);
      this.testLoss[i] = finite(test.loss);
      this.trainAcc[i] = finite(train.accuracy);
      this.trainLoss[i] = finite(train.loss);
      this.notify();
    }
  }

  clear(): void {
    this.steps = [];
    this.loss = [];
    this.l2 = [];
    this.testAcc = [];
    this.testLoss = [];
    this.trainLoss = [];
    this.trainAcc = [];
    this.weightNorms = [];
    this.updateRatio = [];
    this.signals = null;
    this.gradNorms = [];
    this.markers = [];
    this.latest = null;
    this.notify();
  }

  private notify(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}

export const metrics = new MetricsBuffer();

/** Appends one step's per-layer values to per-layer series of `length` − 1 earlier steps; a new layer's series starts with nulls. */
function extendPerLayer(series: (number | null)[][], values: readonly number[], length: number): void {
  while (series.length < values.length) series.push(new Array<number | null>(length - 1).fill(null));
  for (const [l, column] of series.entries()) column.push(l < values.length ? values[l] : null);
}
