// Data files checked before use: CRC-32, the manifest the converter writes, and the one error that says what is wrong and what to run.
import { FASHION_MNIST } from './fashion-mnist';

export type FashionMnistFile = (typeof FASHION_MNIST.files)[keyof typeof FASHION_MNIST.files];

const { inputDim, numClasses, trainPerClass, testPerClass, files } = FASHION_MNIST;

/** The size each binary must have, from the layout alone: a file is checked for size even without a manifest. */
export const FASHION_MNIST_FILE_BYTES: Readonly<Record<FashionMnistFile, number>> = {
  [files.trainImages]: trainPerClass * numClasses * inputDim,
  [files.trainLabels]: trainPerClass * numClasses,
  [files.testImages]: testPerClass * numClasses * inputDim,
  [files.testLabels]: testPerClass * numClasses,
};

/** The manifest's name, next to the binaries. */
export const MANIFEST_FILE = 'manifest.json';

/** The commands that build the files, as the messages name them. */
export const DATA_COMMANDS = { build: 'npm run data', rebuild: 'npm run data -- --force' } as const;

const MANIFEST_FORMAT = 'gradient-lab data manifest 1';

/** manifest.json: for each binary its byte size and CRC-32 (8 lowercase hex digits). */
export interface DataManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly checksum: 'crc32';
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly crc32: string }>>;
}

const CRC_TABLE = (() => {
  // slicing by 4: table k maps a byte to its CRC shifted through k further zero bytes
  const table = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) table[k * 256 + n] = (table[(k - 1) * 256 + n] >>> 8) ^ table[table[(k - 1) * 256 + n] & 0xff];
  }
  return table;
})();

/**
 * CRC-32 (IEEE 802.3, as zip and PNG use it) of `bytes`. Pass the CRC of the bytes before to
 * continue it: crc32(b, crc32(a)) === crc32(a followed by b).
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = CRC_TABLE;
  let c = ~previous >>> 0;
  let i = 0;
  const whole = bytes.length - (bytes.length % 4);
  for (; i < whole; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export const crc32Hex = (bytes: Uint8Array): string => crc32(bytes).toString(16).padStart(8, '0');

export function makeManifest(binaries: Readonly<Record<string, Uint8Array>>): DataManifest {
  const entries = Object.entries(binaries).map(([name, bytes]) => [name, { bytes: bytes.length, crc32: crc32Hex(bytes) }] as const);
  return { format: MANIFEST_FORMAT, checksum: 'crc32', files: Object.fromEntries(entries) };
}

/** The manifest from its text, or null when it is not one (missing, an HTML page, cut short, another format). */
export function parseManifest(text: string): DataManifest | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const manifest = data as DataManifest | null;
  if (manifest?.format !== MANIFEST_FORMAT || manifest.checksum !== 'crc32' || typeof manifest.files !== 'object' || manifest.files === null) return null;
  const valid = Object.values(manifest.files).every((e) => Number.isInteger(e?.bytes) && typeof e.crc32 === 'string' && /^[0-9a-f]{8}$/.test(e.crc32));
  return valid ? manifest : null;
}

export type DataProblem = 'missing' | 'damaged' | 'unreachable';

export interface DataFileFinding {
  readonly problem: DataProblem;
  readonly file: string;
  /** What is wrong, naming the file, without advice: "train-images.u8 is damaged: truncated to 1000 of 47040000 bytes". */
  readonly finding: string;
  /** For a damaged file of the wrong size. */
  readonly actual?: number;
  readonly expected?: number;
  /** For a damaged file of the right size: its CRC-32 and the manifest's. */
  readonly checksum?: { readonly actual: string; readonly expected: string };
}

const ADVICE: Record<DataProblem, string> = {
  missing: `Run ${DATA_COMMANDS.build} to build the Fashion-MNIST files.`,
  damaged: `Run ${DATA_COMMANDS.rebuild} to rebuild the Fashion-MNIST files.`,
  unreachable: 'Check that the server (npm run dev or npm run preview) is still running, then reload the page.',
};

/** A data file that cannot be used; the message names the file, what is wrong, and the command that fixes it. */
export class DataFileError extends Error implements DataFileFinding {
  readonly problem: DataProblem;
  readonly file: string;
  readonly finding: string;
  readonly actual?: number;
  readonly expected?: number;
  readonly checksum?: { readonly actual: string; readonly expected: string };

  constructor(finding: DataFileFinding, advice = ADVICE[finding.problem]) {
    super(`${finding.finding}. ${advice}`);
    this.name = 'DataFileError';
    this.problem = finding.problem;
    this.file = finding.file;
    this.finding = finding.finding;
    this.actual = finding.actual;
    this.expected = finding.expected;
    this.checksum = finding.checksum;
  }
}

/** Whether a content type is a web page's: what a dev server sends for a file it does not have. */
export const isHtmlType = (contentType: string | null | undefined): boolean => !!contentType && /^\s*text\/html\b/i.test(contentType);

/** Whether bytes start like a web page (`<!doctype html>`, `<html>`), after an optional BOM and white space. */
export function startsLikeHtml(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
  return bytes[i] === 0x3c;
}

/**
 * What is wrong with one binary's bytes, or null when they are right: the size the layout gives,
 * then the manifest's CRC-32 where the manifest lists the file at that size. A web page in place
 * of the file (by its content type, or by bytes that start with `<` and fail the checks) means the
 * file is missing on the server.
 */
export function checkDataFile(file: FashionMnistFile, bytes: Uint8Array, manifest: DataManifest | null, contentType?: string | null): DataFileFinding | null {
  if (isHtmlType(contentType)) return missingAsHtml(file);
  const expected = FASHION_MNIST_FILE_BYTES[file];
  const listed = manifest?.files[file];
  let wrong: DataFileFinding | null = null;
  if (bytes.length !== expected) {
    const how =
      bytes.length < expected ? `truncated to ${bytes.length} of ${expected} bytes` : `${bytes.length} bytes, ${bytes.length - expected} more than ${expected}`;
    wrong = { problem: 'damaged', file, finding: `${file} is damaged: ${how}`, actual: bytes.length, expected };
  } else if (listed && listed.bytes === expected) {
    const actual = crc32Hex(bytes);
    if (actual !== listed.crc32) {
      const finding = `${file} is damaged: its CRC-32 is ${actual}, the manifest says ${listed.crc32} (corrupted bytes)`;
      wrong = { problem: 'damaged', file, finding, checksum: { actual, expected: listed.crc32 } };
    }
  }
  // a label or image file may start with the byte '<' (60) too: only bytes that fail the checks count as a page
  if (wrong && startsLikeHtml(bytes)) return missingAsHtml(file);
  return wrong;
}

const missingAsHtml = (file: string): DataFileFinding => ({
  problem: 'missing',
  file,
  finding: `${file} is missing: a web page came in its place (what a server answers for a file it does not have)`,
});
