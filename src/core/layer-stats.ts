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
