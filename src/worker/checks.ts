// checks.ts: the page's "Check gradients" and "Compare backends", run on a copy of the live model (its parameters read back) so the run itself is untouched.
import { CpuBackend } from '../backends/cpu/cpu-backend';
import { ReferenceBackend } from '../backends/cpu/reference-backend';
import type { Backend } from '../core/backend';
import { type CheckBatch, checkGradients, compareBackends, type NetShape } from '../core/checks';
import type { Trainer } from '../core/trainer';
import type { CheckKind, CheckReport } from './protocol';
import type { SessionHost } from './session-host';

/** Samples of the check batches: few for the finite differences (ReLU kinks grow with the batch), a typical batch for the comparison. */
const GRADIENT_CHECK_SAMPLES = 8;
const COMPARISON_SAMPLES = 64;

/** The first `n` training examples as plain arrays (features scaled as the model reads them). */
function firstExamples(trainer: Trainer, n: number): CheckBatch {
  const { features, featureScale, labels, count } = trainer.dataset.train;
  const rows = Math.min(n, count);
  const d = trainer.dataset.inputDim;
  return { features: Float64Array.from(features.subarray(0, rows * d), (v) => v * featureScale), labels: labels.subarray(0, rows) };
}

function shapeOf(trainer: Trainer): NetShape {
  const model = trainer.model;
  return { inputDim: model.inputDim, hidden: model.hidden, numClasses: model.numClasses, activation: model.activation };
}

/**
 * Runs a check on the trainer's current parameters. `live` is the backend the run trains on; the
 * comparison pairs the CPU with WebGPU, using the live one where it is WebGPU and asking the host
 * for one otherwise (and giving it back after).
 */
export async function runCheck(kind: CheckKind, trainer: Trainer, live: Backend, host: Pick<SessionHost, 'makeBackend'>, step: number): Promise<CheckReport> {
  const params = await trainer.backend.read(trainer.model.params);
  const lambda = trainer.hyperParams.lambda;
  if (kind === 'gradients') {
    const batch = firstExamples(trainer, GRADIENT_CHECK_SAMPLES);
    const result = await checkGradients(new ReferenceBackend({ precision: 'f64' }), shapeOf(trainer), params, batch, lambda);
    return { kind, step, samples: batch.labels.length, result };
  }
  let gpu: Backend | null = live.name === 'webgpu' ? live : null;
  let made: Backend | null = null;
  if (!gpu) {
    const offered = await host.makeBackend('webgpu');
    if (offered.backend.name !== 'webgpu') {
      offered.backend.destroy();
      return { kind, step, unavailable: offered.info.label }; // the page says it in its language
    }
    gpu = made = offered.backend;
  }
  try {
    const batch = firstExamples(trainer, COMPARISON_SAMPLES);
    const cpu = new CpuBackend();
    const result = await compareBackends(cpu, gpu, shapeOf(trainer), params, batch, lambda);
    return { kind, step, samples: batch.labels.length, result, backends: [cpu.description, gpu.description] };
  } finally {
    made?.destroy();
  }
}

/** The report of a check asked for at `step`: the check's, or why it could not run (no model yet, or what failed). */
export async function checkReport(
  kind: CheckKind,
  trainer: Trainer | null,
  live: Backend | null,
  host: Pick<SessionHost, 'makeBackend'>,
  step: number,
): Promise<CheckReport> {
  if (!trainer || !live) return { kind, step, failed: 'there is no model yet' };
  try {
    return await runCheck(kind, trainer, live, host, step);
  } catch (error) {
    return { kind, step, failed: error instanceof Error ? error.message : String(error) };
  }
}
