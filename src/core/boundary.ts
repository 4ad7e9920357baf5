// boundary.ts: the class a model predicts over a grid of the plane, for 2-D data sets, computed on the host from its parameters.
import { activate } from './activations';
import type { Activation } from './settings';

/** A size × size grid of cell centres over [xMin, xMax] × [yMin, yMax]; row 0 is the top (yMax). */
export interface Grid {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  size: number;
}

/** The layers as the model stores them: P = [W; b] of (fanIn + 1, fanOut) at `offset` in one array. */
export interface StoredLayer {
  fanIn: number;
  fanOut: number;
  offset: number;
}

/** Multiply-adds one boundary may cost: the grid shrinks for big models (never below 16 × 16). */
export const BOUNDARY_BUDGET = 30e6;

/** Multiply-adds of one point's forward pass through the layers. */
function multiplyAddsPerPoint(layers: readonly StoredLayer[]): number {
  return layers.reduce((sum, l) => sum + l.fanIn * l.fanOut, 0);
}

/** Multiply-adds past which no boundary is drawn at all: even the smallest grid would hold the worker for seconds. */
export const BOUNDARY_LIMIT = 10 * BOUNDARY_BUDGET;

/** Whether a model's boundary can be predicted on the smallest grid (16 × 16) within BOUNDARY_LIMIT. */
export function boundaryAffordable(layers: readonly StoredLayer[]): boolean {
  return 16 * 16 * multiplyAddsPerPoint(layers) <= BOUNDARY_LIMIT;
}

/** The data's extent with a margin of `pad` of its span on each side, and a grid side that fits the budget. */
export function gridFor(features: ArrayLike<number>, layers: readonly StoredLayer[], pad = 0.1): Grid {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i + 1 < features.length; i += 2) {
    xMin = Math.min(xMin, features[i]);
    xMax = Math.max(xMax, features[i]);
    yMin = Math.min(yMin, features[i + 1]);
    yMax = Math.max(yMax, features[i + 1]);
  }
  if (!Number.isFinite(xMin)) [xMin, xMax, yMin, yMax] = [-1, 1, -1, 1];
  const [dx, dy] = [Math.max(xMax - xMin, 1e-6) * pad, Math.max(yMax - yMin, 1e-6) * pad];
  const perPoint = multiplyAddsPerPoint(layers);
  const size = Math.max(16, Math.min(64, Math.floor(Math.sqrt(BOUNDARY_BUDGET / Math.max(perPoint, 1)))));
  return { xMin: xMin - dx, xMax: xMax + dx, yMin: yMin - dy, yMax: yMax + dy, size };
}

/** The cell centres of a grid, row by row from the top: (x, y) pairs. */
export function gridPoints(grid: Grid): Float64Array {
  const { xMin, xMax, yMin, yMax, size } = grid;
  const points = new Float64Array(size * size * 2);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const at = 2 * (row * size + col);
      points[at] = xMin + ((col + 0.5) / size) * (xMax - xMin);
      points[at + 1] = yMax - ((row + 0.5) / size) * (yMax - yMin);
    }
  }
  return points;
}

/**
 * For every point (rows of `inputs`, fanIn of the first layer wide): the class the model predicts,
 * the argmax of the logits [H | 1]·P of the last layer after φ([H | 1]·P) through the others, and
 * its confidence in it, the largest softmax probability, from 1/q (no idea) to 1 (certain).
 */
export function predict(
  params: ArrayLike<number>,
  layers: readonly StoredLayer[],
  activation: Activation,
  inputs: Float64Array,
): { classes: Uint8Array; confidence: Float32Array } {
  const count = inputs.length / layers[0].fanIn;
  let h: Float64Array = inputs;
  layers.forEach((layer, l) => {
    const { fanIn, fanOut, offset } = layer;
    const out = new Float64Array(count * fanOut);
    const last = l === layers.length - 1;
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < fanOut; j++) {
        let z = 0; // H·W, then + b: the CPU backend's order, so float64 gives its numbers exactly
        for (let p = 0; p < fanIn; p++) z += h[i * fanIn + p] * params[offset + p * fanOut + j];
        z += params[offset + fanIn * fanOut + j];
        out[i * fanOut + j] = last ? z : activate(activation, z);
      }
    }
    h = out;
  });
  const classes = layers[layers.length - 1].fanOut;
  const predicted = new Uint8Array(count);
  const confidence = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (h[i * classes + c] > h[i * classes + best]) best = c;
    predicted[i] = best;
    let sum = 0; // Σ exp(o − max): the best class's probability is 1 / sum
    for (let c = 0; c < classes; c++) sum += Math.exp(h[i * classes + c] - h[i * classes + best]);
    confidence[i] = 1 / sum;
  }
  return { classes: predicted, confidence };
}
