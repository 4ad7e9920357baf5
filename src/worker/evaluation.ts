// evaluation.ts: one evaluation of the run for the page: test and training loss, the confusion matrix and mistakes, inside the network, and the first layer's weights as images.
import { confusionMatrix, worstMistakes } from '../core/confusion';
import type { Inside } from '../core/inspection';
import { unitSpread, unitWeights } from '../core/layer-stats';
import type { Checkpoint, Trainer } from '../core/trainer';
import type { FromWorker } from './protocol';

/** Loss and accuracy are measured on this many test and training samples (balanced by class). */
export const EVAL_SAMPLES = 2000;
/** Misclassified test examples sent with each evaluation, and the side of an image data set's pictures. */
const MISTAKES_SHOWN = 12;
export const IMAGE_SIDE = 28;
/** First-layer units drawn as images (a softmax regression's ten classes are all drawn). */
const UNITS_DRAWN = 16;

export type EvaluationMessage = Extract<FromWorker, { type: 'evaluation' }>;

/**
 * Evaluates the trainer's model at `step`. `inside` is what Trainer.inspect() saw at the last
 * training step (it must be read before this, which overwrites the workspace). With a checkpoint,
 * the forward passes go op by op (Trainer.evaluate), each split counted on its own.
 */
export async function evaluateRun(trainer: Trainer, step: number, inside: Inside | null, checkpoint?: Checkpoint): Promise<EvaluationMessage> {
  // the training set too, not its batches: with few examples, the gap between the two is overfitting
  const { predictions, ...test } = await trainer.evaluate('test', EVAL_SAMPLES, { predictions: true, checkpoint });
  const q = trainer.dataset.numClasses;
  const confusion = confusionMatrix(predictions!.labels, predictions!.probabilities, q);
  const image = trainer.dataset.inputDim === IMAGE_SIDE * IMAGE_SIDE;
  const mistakes = worstMistakes(predictions!.labels, predictions!.probabilities, q, MISTAKES_SHOWN).map((m) => {
    const { features, count } = trainer.dataset.test;
    const dim = features.length / count;
    return image && features instanceof Uint8Array ? { ...m, pixels: features.slice(m.index * dim, (m.index + 1) * dim) } : m;
  });
  const train = await trainer.evaluate('train', EVAL_SAMPLES, { checkpoint });
  const params = await trainer.backend.read(trainer.model.params);
  const layers = trainer.model.layers;
  const spread = layers.map((layer) => unitSpread(params, layer));
  const weightImages = image ? unitWeights(params, layers[0], layers.length === 1 ? q : UNITS_DRAWN) : null;
  return {
    type: 'evaluation',
    step,
    test,
    train,
    unitSpread: spread,
    inside,
    confusion,
    mistakes,
    weightImages,
  };
}
