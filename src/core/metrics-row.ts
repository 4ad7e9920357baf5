// The metrics row of one step, in one place: where each partial sum sits, which slots guard an update, how the host adds them up.
//
// A row is laid out as
//   [scale·Σ loss, Σ correct] per 32-row block of the batch (LOSS_BLOCKS pairs, sized for the largest batch), then
//   per layer, [Σ W², Σ dW²] per 32×32 tile of its parameters [W; b] (the bias line adds nothing),
// and the host sums the pairs. The fused layer ops write these pairs (the CPU backend through the
// helpers below, matmul.wgsl by the same arithmetic, with TILE checked against PARTIAL_TILE);
// a training step's updates are guarded by the previous step's row being finite.
import { SETTINGS } from './settings';

/** Side of the output tiles (and of the batch's row blocks) that own one partial sum: matmul.wgsl's TILE. */
export const PARTIAL_TILE = 32;

/** Row blocks of a batch that own one loss pair; sized for the largest batch allowed. */
export const LOSS_BLOCKS = Math.ceil(SETTINGS.batchSize.max / PARTIAL_TILE);

/** Tiles (or row blocks) across `count` rows or columns. */
export function tilesAcross(count: number): number {
  return Math.ceil(count / PARTIAL_TILE);
}

/** Partial-sum tiles of a (rows, cols) output: the metrics slots it takes are twice this. */
export function partialTiles(rows: number, cols: number): number {
  return tilesAcross(rows) * tilesAcross(cols);
}

/** The tile that output (row, col) of a `cols`-wide output adds into: tileRow · tilesAcross(cols) + tileCol. */
export function tileOf(row: number, col: number, cols: number): number {
  return Math.floor(row / PARTIAL_TILE) * tilesAcross(cols) + Math.floor(col / PARTIAL_TILE);
}

/** Slot of the first value of pair `index` from `slot` (the second follows it). */
export function pairSlot(slot: number, index: number): number {
  return slot + 2 * index;
}

export interface MetricsLayout {
  /** First slot of the loss pairs. */
  loss: number;
  /** First slot of each layer's tile pairs. */
  layerSlot: number[];
  /** Tiles of each layer. */
  layerTiles: number[];
  /** Slots in a row. */
  width: number;
}

/** The row of a model with these layers. */
export function metricsLayout(layers: readonly { fanIn: number; fanOut: number }[]): MetricsLayout {
  const layerSlot: number[] = [];
  const layerTiles: number[] = [];
  let next = pairSlot(0, LOSS_BLOCKS);
  for (const { fanIn, fanOut } of layers) {
    const tiles = partialTiles(fanIn + 1, fanOut);
    layerSlot.push(next);
    layerTiles.push(tiles);
    next = pairSlot(next, tiles);
  }
  return { loss: 0, layerSlot, layerTiles, width: next };
}

/** First slot of row `step` of a window of rows. */
export function rowStart(step: number, layout: MetricsLayout): number {
  return step * layout.width;
}

/** The slots that guard a step's updates: row `guardRow` whole (the step before it), or none when it is null. */
export function rowGuard(guardRow: number | null, layout: MetricsLayout): { guardStart: number; guardCount: number } {
  return guardRow === null ? { guardStart: 0, guardCount: 0 } : { guardStart: rowStart(guardRow, layout), guardCount: layout.width };
}

export interface MetricsSums {
  /** scale·Σ loss (the mean loss when scale is 1/n). */
  loss: number;
  correct: number;
  /** ‖W_l‖² per layer. */
  weightSq: number[];
  /** ‖dW_l‖² per layer. */
  gradSq: number[];
}

/** Sums of one row of a batch of n: the loss pairs of its row blocks, the tile pairs of each layer. */
export function readMetricsRow(row: ArrayLike<number>, layout: MetricsLayout, n: number): MetricsSums {
  let loss = 0;
  let correct = 0;
  for (let block = 0; block < tilesAcross(n); block++) {
    loss += row[pairSlot(layout.loss, block)];
    correct += row[pairSlot(layout.loss, block) + 1];
  }
  const weightSq: number[] = [];
  const gradSq: number[] = [];
  for (const [l, slot] of layout.layerSlot.entries()) {
    let w = 0;
    let g = 0;
    for (let t = 0; t < layout.layerTiles[l]; t++) {
      w += row[pairSlot(slot, t)];
      g += row[pairSlot(slot, t) + 1];
    }
    weightSq.push(w);
    gradSq.push(g);
  }
  return { loss, correct, weightSq, gradSq };
}
