// Data sets in the browser: Fashion-MNIST fetched from public/data with progress, synthetic sets made in place.
import type { Dataset } from '../core/data/dataset';
import { FASHION_MNIST, fashionMnistFromBytes } from '../core/data/fashion-mnist';
import { makeSynthetic } from '../core/data/synthetic';
import type { RunConfig } from '../core/settings';

export type ProgressFn = (loaded: number, total: number) => void;

let fashionCache: Promise<Dataset> | null = null;

async function fetchBytes(url: string, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new Error(`could not load ${url}: HTTP ${response.status} (run npm run data to build the Fashion-MNIST files)`);
  }
  const parts: Uint8Array[] = [];
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    onChunk(value.length);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function loadFashionMnist(baseUrl: string, progress: ProgressFn): Promise<Dataset> {
  const { files, inputDim, trainPerClass, testPerClass, numClasses } = FASHION_MNIST;
  const train = trainPerClass * numClasses;
  const test = testPerClass * numClasses;
  const total = (train + test) * (inputDim + 1);
  let loaded = 0;
  const onChunk = (bytes: number) => {
    loaded += bytes;
    progress(loaded, total);
  };
  const url = (name: string) => new URL(`data/fashion-mnist/${name}`, baseUrl).href;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    fetchBytes(url(files.trainImages), onChunk),
    fetchBytes(url(files.trainLabels), onChunk),
    fetchBytes(url(files.testImages), onChunk),
    fetchBytes(url(files.testLabels), onChunk),
  ]);
  return fashionMnistFromBytes({ trainImages, trainLabels, testImages, testLabels });
}

/** The data set a run asks for; Fashion-MNIST is fetched once per worker. */
export async function loadDataset(config: RunConfig, baseUrl: string, progress: ProgressFn): Promise<Dataset> {
  if (config.dataset !== 'fashion-mnist') {
    return makeSynthetic(config.dataset, { seed: config.seed, noise: config.noise });
  }
  fashionCache ??= loadFashionMnist(baseUrl, progress).catch((error: unknown) => {
    fashionCache = null;
    throw error;
  });
  return fashionCache;
}
