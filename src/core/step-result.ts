// A training step's result, read from its metrics row: the loss, L2 term, accuracy and per-layer norms, and whether it diverged.
import type { MetricsSums } from './metrics-row';

export interface Divergence {
  /** 1-based step whose loss or gradient was not finite; its update was not applied. */
  step: number;
  reason: string;
}

export interface StepResult {
  /** 1-based count of steps taken, this one included. */
  step: number;
  /** 0-based epoch this step belongs to. */
  epoch: number;
  /** True when this step used the last batch of its epoch. */
  epochEnd: boolean;
  batchSize: number;
  /** Mean cross-entropy of the batch (the data loss L). */
  loss: number;
  /** (λ/2) Σ ‖W_l‖², with the λ of this step. */
  l2: number;
  /** Fraction of the batch classified correctly. */
  trainAcc: number;
  /** ‖∂J/∂W_l‖_F for layer 1 … output layer. */
  gradNorms: number[];
  /** ‖W_l‖_F for layer 1 … output layer, as the step found them (whatever λ is). */
  weightNorms: number[];
  /** Set when this step's numbers were not finite: the parameters were left as before it. */
  diverged?: Divergence;
}

/** The result of step `step` (1-based), from its row's sums, with the λ and batch size it ran with. */
export function stepResult(sums: MetricsSums, at: { step: number; n: number; lambda: number; epoch: number; epochEnd: boolean }): StepResult {
  const { step, n, lambda, epoch, epochEnd } = at;
  const result: StepResult = {
    step,
    epoch,
    epochEnd,
    batchSize: n,
    loss: sums.loss,
    l2: (lambda / 2) * sums.weightSq.reduce((a, b) => a + b, 0),
    trainAcc: sums.correct / n,
    gradNorms: sums.gradSq.map(Math.sqrt),
    weightNorms: sums.weightSq.map(Math.sqrt),
  };
  const reason = divergenceReason(result);
  if (reason) result.diverged = { step, reason };
  return result;
}

/** Names the first number of a step that is NaN or infinite, or returns null if all are finite. */
export function divergenceReason(r: Pick<StepResult, 'loss' | 'l2' | 'gradNorms'>): string | null {
  if (!Number.isFinite(r.loss)) return `the loss is ${r.loss}`;
  if (!Number.isFinite(r.l2)) return `the L2 term is ${r.l2}`;
  const layer = r.gradNorms.findIndex((g) => !Number.isFinite(g));
  if (layer >= 0) return `the gradient norm of layer ${layer + 1} is ${r.gradNorms[layer]}`;
  return null;
}
