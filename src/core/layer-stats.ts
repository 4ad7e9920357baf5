// Statistics of a model's stored parameters, on the host: how far apart the units of a layer are (0 when they are all the same unit).

/** A layer's block P = [W; b] (fanIn + 1, fanOut) at `offset` in the parameters. */
export interface StoredBlock {
  fanIn: number;
  fanOut: number;
  offset: number;
}

/** max over units j and rows i (the bias row too) of |P[i, j] − P[i, 0]|: how far the layer's units are from its first. */
export function unitSpread(params: ArrayLike<number>, layer: StoredBlock): number {
  let spread = 0;
  for (let i = 0; i <= layer.fanIn; i++) {
    const row = layer.offset + i * layer.fanOut;
    for (let j = 1; j < layer.fanOut; j++) spread = Math.max(spread, Math.abs(params[row + j] - params[row]));
  }
  return spread;
}

/** The incoming weights of units 0 … count−1 of a layer (column j of W, fanIn values each), e.g. to draw as images. */
export function unitWeights(params: ArrayLike<number>, layer: StoredBlock, count: number): Float32Array[] {
  return Array.from({ length: Math.min(count, layer.fanOut) }, (_, j) => {
    const column = new Float32Array(layer.fanIn);
    for (let i = 0; i < layer.fanIn; i++) column[i] = params[layer.offset + i * layer.fanOut + j];
    return column;
  });
}
