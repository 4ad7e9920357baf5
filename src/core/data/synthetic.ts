// Small synthetic 2-D classification sets (spiral, blobs, circles, XOR), each seeded with a noise level.
import { checkChoice, checkNumber } from '../errors';
import { Rng } from '../rng';
import { checkSetting } from '../settings';
import type { Dataset, Split } from './dataset';

export const SYNTHETIC_NAMES = ['spiral', 'blobs', 'circles', 'xor'] as const;
export type SyntheticName = (typeof SYNTHETIC_NAMES)[number];

export interface SyntheticOptions {
  seed: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise: number;
  /** Classes, for spiral and blobs (circles and XOR have 2). */
  classes?: number;
  trainCount?: number;
  testCount?: number;
}

type PointSampler = (rng: Rng, label: number, classes: number, noise: number) => [number, number];

const samplers: Record<SyntheticName, PointSampler> = {
  // Arm `label` of a k-armed spiral: radius grows with t, angle turns with t.
  spiral(rng, label, classes, noise) {
    const t = rng.uniform();
    const angle = (2 * Math.PI * label) / classes + 4 * t + noise * rng.normal();
    return [t * Math.cos(angle), t * Math.sin(angle)];
  },
  // Gaussian blob around a centre on the unit circle.
  blobs(rng, label, classes, noise) {
    const angle = (2 * Math.PI * label) / classes;
    return [Math.cos(angle) + noise * rng.normal(), Math.sin(angle) + noise * rng.normal()];
  },
  // Class 0 inside radius 0.5, class 1 on a ring at radius 1.
  circles(rng, label, _classes, noise) {
    const radius = label === 0 ? 0.5 * Math.sqrt(rng.uniform()) : 0.8 + 0.2 * rng.uniform();
    const angle = 2 * Math.PI * rng.uniform();
    return [radius * Math.cos(angle) + noise * rng.normal(), radius * Math.sin(angle) + noise * rng.normal()];
  },
  // Quadrants: label = sign(x) xor sign(y).
  xor(rng, label, _classes, noise) {
    const sx = rng.uniform() < 0.5 ? -1 : 1;
    const sy = label === 0 ? sx : -sx;
    return [sx * (0.1 + 0.9 * rng.uniform()) + noise * rng.normal(), sy * (0.1 + 0.9 * rng.uniform()) + noise * rng.normal()];
  },
};

/** Classes of a synthetic set: circles and xor have two, the others `requested` (3 unless asked). */
export function classCount(name: SyntheticName, requested: number | undefined): number {
  if (name === 'circles' || name === 'xor') return 2;
  return checkNumber('classes', requested ?? 3, 2, 10, { integer: true });
}

function makeSplit(name: SyntheticName, count: number, classes: number, noise: number, rng: Rng): Split {
  const features = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    const [x, y] = samplers[name](rng, label, classes, noise);
    features[2 * i] = x;
    features[2 * i + 1] = y;
    labels[i] = label;
  }
  return { count, features, featureScale: 1, labels };
}

export function makeSynthetic(name: SyntheticName, options: SyntheticOptions): Dataset {
  checkChoice('dataset', name, SYNTHETIC_NAMES);
  const noise = checkSetting('noise', options.noise);
  const classes = classCount(name, options.classes);
  const trainCount = checkNumber('trainCount', options.trainCount ?? 1200, classes, 1_000_000, { integer: true });
  const testCount = checkNumber('testCount', options.testCount ?? 300, classes, 1_000_000, { integer: true });
  const rng = new Rng(options.seed);
  const trainRng = rng.fork();
  const testRng = rng.fork();
  return {
    name,
    inputDim: 2,
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
    train: makeSplit(name, trainCount, classes, noise, trainRng),
    test: makeSplit(name, testCount, classes, noise, testRng),
  };
}
