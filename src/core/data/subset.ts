// Fewer training examples: a subset of a split balanced by class and fixed by the seed, so that a small set overfits the same way every run.
import { Rng } from '../rng';
import type { Dataset, Split } from './dataset';

/**
 * The first `count` samples of a seeded shuffle, taken class by class in turn, so that the classes
 * differ by at most one sample (or all of a class when it has fewer). The samples keep their
 * stored order. `count` at least the split's size returns the split itself.
 */
export function balancedSubset(split: Split, count: number, numClasses: number, seed: number): Split {
  if (count >= split.count) return split;
  const rng = new Rng(seed);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < split.count; i++) byClass[split.labels[i]].push(i);
  const queues = byClass.map((indices) => Array.from(rng.shuffle(Uint32Array.from(indices))));
  const picked: number[] = [];
  for (let round = 0; picked.length < count; round++) {
    for (const queue of queues) {
      if (round < queue.length && picked.length < count) picked.push(queue[round]);
    }
  }
  picked.sort((a, b) => a - b);
  const dim = split.features.length / split.count;
  const features = new (split.features.constructor as { new (n: number): Uint8Array | Float32Array })(count * dim);
  const labels = new Uint8Array(count);
  for (const [r, i] of picked.entries()) {
    features.set(split.features.subarray(i * dim, (i + 1) * dim), r * dim);
    labels[r] = split.labels[i];
  }
  return { count, features, featureScale: split.featureScale, labels };
}

/** The data set with at most `count` training examples (the test split stays whole). */
export function withTrainingExamples(dataset: Dataset, count: number, seed: number): Dataset {
  const train = balancedSubset(dataset.train, count, dataset.numClasses, seed);
  return train === dataset.train ? dataset : { ...dataset, train };
}
