// The dataset shape every loader produces, and the batch gather the trainer uses.

/** One split: `count` samples of `inputDim` features, row-major, plus a class index each. */
export interface Split {
  readonly count: number;
  /** Raw features; multiplied by `featureScale` when gathered (u8 pixels × 1/255). */
  readonly features: Float32Array | Uint8Array;
  readonly featureScale: number;
  readonly labels: Uint8Array;
}

export interface Dataset {
  readonly name: string;
  readonly inputDim: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly train: Split;
  readonly test: Split;
}

/**
 * Copies samples order[start .. start+n) of `split` into x (n, inputDim) and y (n).
 * x and y may be longer than needed; only the first n rows are written.
 */
export function gatherBatch(
  x: Float32Array,
  y: Uint32Array,
  split: Split,
  inputDim: number,
  order: ArrayLike<number>,
  start: number,
  n: number,
): void {
  const { features, featureScale, labels } = split;
  for (let r = 0; r < n; r++) {
    const sample = order[start + r];
    const from = sample * inputDim;
    const to = r * inputDim;
    for (let c = 0; c < inputDim; c++) x[to + c] = features[from + c] * featureScale;
    y[r] = labels[sample];
  }
}

/** Checks that a split's arrays agree with its count and the dataset's shape. */
export function checkSplit(name: string, split: Split, inputDim: number, numClasses: number): void {
  if (split.features.length !== split.count * inputDim) {
    throw new Error(`${name}: ${split.features.length} feature values for ${split.count} samples of ${inputDim}`);
  }
  if (split.labels.length !== split.count) {
    throw new Error(`${name}: ${split.labels.length} labels for ${split.count} samples`);
  }
  for (let i = 0; i < split.count; i++) {
    if (split.labels[i] >= numClasses) throw new Error(`${name}: label ${split.labels[i]} at ${i} is not below ${numClasses}`);
  }
}
