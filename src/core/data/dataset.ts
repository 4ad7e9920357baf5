// The dataset shape every loader produces: splits the trainer uploads once (Backend.dataset) and the first layer reads batches from.

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
