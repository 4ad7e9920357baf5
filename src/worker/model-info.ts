// What the session tells the page of a model and its steps: the model's shapes and data (for a 2-D set the points drawn under the boundary and the grid it is predicted on), and each step as a MetricPoint.
import { boundaryAffordable, type Grid, gridFor, gridPoints } from '../core/boundary';
import type { Dataset } from '../core/data/dataset';
import type { Layer } from '../core/model';
import type { HyperParams } from '../core/settings';
import type { StepResult } from '../core/step-result';
import type { Trainer } from '../core/trainer';
import { IMAGE_SIDE } from './evaluation';
import type { MetricPoint, ModelInfo } from './protocol';

/** Training points drawn under the boundary (and half as many test points). */
const BOUNDARY_POINTS = 600;

/** For a 2-D data set: the points to draw and the grid to predict on (null for a model too costly to predict over it); null for any other set. */
export function boundaryPoints(
  dataset: Dataset,
  layers: readonly Layer[],
): { points: NonNullable<ModelInfo['points']>; boundary: { grid: Grid; cells: Float64Array } | null } | null {
  if (dataset.inputDim !== 2) return null;
  const sample = (split: Dataset['train'], most: number) => {
    const every = Math.max(1, Math.floor(split.count / most));
    const picked = Array.from({ length: Math.ceil(split.count / every) }, (_, i) => i * every);
    const xy = Float32Array.from(picked.flatMap((i) => [split.features[2 * i] * split.featureScale, split.features[2 * i + 1] * split.featureScale]));
    return { xy, labels: Uint8Array.from(picked, (i) => split.labels[i]) };
  };
  const train = sample(dataset.train, BOUNDARY_POINTS);
  const test = sample(dataset.test, BOUNDARY_POINTS / 2);
  const grid = gridFor(Float32Array.from([...train.xy, ...test.xy]), layers);
  const predicted = boundaryAffordable(layers);
  const points = { xy: train.xy, labels: train.labels, testXy: test.xy, testLabels: test.labels, numClasses: dataset.numClasses, grid, predicted };
  return { points, boundary: predicted ? { grid, cells: gridPoints(grid) } : null };
}

/** The model message's content for a trainer, and the boundary's grid to predict on (null: none). */
export function modelInfo(trainer: Trainer): { info: ModelInfo; boundary: { grid: Grid; cells: Float64Array } | null } {
  const dataset = trainer.dataset;
  const shapes = trainer.model.layers.map((l) => [l.fanIn, l.fanOut] as [number, number]);
  const drawn = boundaryPoints(dataset, trainer.model.layers);
  const imageSide = dataset.inputDim === IMAGE_SIDE * IMAGE_SIDE ? IMAGE_SIDE : null;
  return {
    info: { shapes, stepsPerEpoch: trainer.stepsPerEpoch, datasetName: dataset.name, classNames: [...dataset.classNames], imageSide, points: drawn?.points },
    boundary: drawn?.boundary ?? null,
  };
}

/** A step as the charts need it: numbered from `offset` on (the run's steps before this model), with the hyper-parameters it ran with. */
export function metricPoint(r: StepResult, offset: number, h: HyperParams): MetricPoint {
  const { epoch, loss, l2, trainAcc, gradNorms, weightNorms, batchSize } = r;
  return { step: offset + r.step, epoch, loss, l2, trainAcc, gradNorms, weightNorms, lambda: h.lambda, lr: h.lr, batchSize };
}
