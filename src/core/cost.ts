// What a training step costs: the model's parameters and floating-point operations from the settings, and the time that makes on a backend.
import { FASHION_MNIST } from './data/fashion-mnist';
import { classCount } from './data/synthetic';
import { type DatasetName, hiddenWidths, type ModelConfig } from './settings';

/** Input features and classes of a data set. */
export function datasetShape(dataset: DatasetName): { inputDim: number; numClasses: number } {
  if (dataset === 'fashion-mnist') return { inputDim: FASHION_MNIST.inputDim, numClasses: FASHION_MNIST.numClasses };
  return { inputDim: 2, numClasses: classCount(dataset, undefined) };
}

/** Per layer fan-in × fan-out, input layer first. */
export function layerShapes(config: ModelConfig & { dataset: DatasetName }): [number, number][] {
  const { inputDim, numClasses } = datasetShape(config.dataset);
  const widths = [inputDim, ...hiddenWidths(config), numClasses];
  return widths.slice(1).map((out, l) => [widths[l], out]);
}

/** Weights and biases. */
export function parameterCount(shapes: readonly (readonly [number, number])[]): number {
  return shapes.reduce((sum, [fanIn, fanOut]) => sum + (fanIn + 1) * fanOut, 0);
}

/**
 * Floating-point operations of one training step on `batch` samples: 2 per parameter and sample
 * forward, 4 backward (the input gradient and the parameter gradient), the update besides.
 */
export function stepFlops(shapes: readonly (readonly [number, number])[], batch: number): number {
  return 6 * batch * parameterCount(shapes);
}

/**
 * Rates assumed before one is measured on this machine, in FLOP/s: the CPU path on one core, and
 * a modest GPU (a software adapter is far slower, which the first measured step shows).
 */
export const ASSUMED_RATE = { cpu: 4e9, webgpu: 20e9 } as const;

/** A step that takes longer than this (ms) is worth a word before the model is built. */
export const SLOW_STEP_MS = 3000;
