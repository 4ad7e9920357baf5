// Data sets in the browser: Fashion-MNIST fetched from public/data with progress and checked, synthetic sets made in place.
import {
  checkDataFile,
  DataFileError,
  type DataManifest,
  FASHION_MNIST_FILE_BYTES,
  type FashionMnistFile,
  isHtmlType,
  MANIFEST_FILE,
  parseManifest,
} from '../core/data/data-files';
import type { Dataset } from '../core/data/dataset';
import { FASHION_MNIST, fashionMnistFromBytes } from '../core/data/fashion-mnist';
import { makeSynthetic } from '../core/data/synthetic';
import type { RunConfig } from '../core/settings';

export type ProgressFn = (loaded: number, total: number) => void;

let fashionCache: Promise<Dataset> | null = null;

interface Answer {
  readonly bytes: Uint8Array;
  readonly contentType: string | null;
}

/** A file's bytes as they stream in; a 404 is a missing file, a failed request or other status an unreachable one. */
async function fetchFile(url: string, file: string, onChunk: (bytes: number) => void): Promise<Answer> {
  const unreachable = (why: string) => new DataFileError({ problem: 'unreachable', file, finding: `${file} could not be fetched (${why})` });
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw unreachable((error as Error).message);
  }
  if (response.status === 404) throw new DataFileError({ problem: 'missing', file, finding: `${file} is missing: the server answered 404 Not Found` });
  if (!response.ok || !response.body) throw unreachable(`HTTP ${response.status}`);
  const parts: Uint8Array[] = [];
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      onChunk(value.length);
    }
  } catch (error) {
    throw unreachable(`the download broke off: ${(error as Error).message}`);
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes, contentType: response.headers.get('content-type') };
}

/** The manifest of sizes and checksums, or null when there is none to read (then the files are checked for size only). */
async function fetchManifest(url: string): Promise<DataManifest | null> {
  try {
    const response = await fetch(url);
    return response.ok && !isHtmlType(response.headers.get('content-type')) ? parseManifest(await response.text()) : null;
  } catch {
    return null;
  }
}

async function loadFashionMnist(baseUrl: string, progress: ProgressFn): Promise<Dataset> {
  const { files } = FASHION_MNIST;
  const total = Object.values(FASHION_MNIST_FILE_BYTES).reduce((sum, bytes) => sum + bytes, 0);
  let loaded = 0;
  const onChunk = (bytes: number) => {
    loaded += bytes;
    progress(loaded, total);
  };
  const url = (name: string) => new URL(`data/fashion-mnist/${name}`, baseUrl).href;
  const load = async (file: FashionMnistFile, manifest: Promise<DataManifest | null>) => {
    const { bytes, contentType } = await fetchFile(url(file), file, onChunk);
    const wrong = checkDataFile(file, bytes, await manifest, contentType);
    if (wrong) throw new DataFileError(wrong);
    return bytes;
  };
  const manifest = fetchManifest(url(MANIFEST_FILE));
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    load(files.trainImages, manifest),
    load(files.trainLabels, manifest),
    load(files.testImages, manifest),
    load(files.testLabels, manifest),
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
