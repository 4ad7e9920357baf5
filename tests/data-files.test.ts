// Data files checked: CRC-32 on known vectors, the manifest, and bytes classified as missing, damaged or unreachable with the command that fixes them.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkDataFile,
  crc32,
  DataFileError,
  FASHION_MNIST_FILE_BYTES,
  type FashionMnistFile,
  makeManifest,
  parseManifest,
  startsLikeHtml,
} from '../src/core/data/data-files';
import { DEFAULT_RUN } from '../src/core/settings';
import { loadDataset } from '../src/worker/datasets';

const ascii = (text: string) => new TextEncoder().encode(text);
const HTML = ascii('<!doctype html>\n<html lang="en"><head><title>Gradient Lab</title></head><body><div id="root"></div></body></html>\n');

describe('CRC-32', () => {
  it('gives the published check values', () => {
    expect(crc32(ascii(''))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it("agrees with zlib's on every length up to 64 and on a megabyte, and continues across pieces", () => {
    const bytes = new Uint8Array(1 << 20);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    for (let n = 0; n <= 64; n++) expect(crc32(bytes.subarray(0, n))).toBe(zlibCrc32(bytes.subarray(0, n)));
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    expect(crc32(bytes.subarray(777), crc32(bytes.subarray(0, 777)))).toBe(crc32(bytes));
  });
});

describe('expected sizes and the manifest', () => {
  it('follow from the layout: 60,000 and 10,000 images of 784 bytes, one label byte each', () => {
    expect(FASHION_MNIST_FILE_BYTES).toEqual({
      'train-images.u8': 47_040_000,
      'train-labels.u8': 60_000,
      'test-images.u8': 7_840_000,
      'test-labels.u8': 10_000,
    });
  });

  it('round-trips through JSON and refuses what is not a manifest', () => {
    const manifest = makeManifest({ 'test-labels.u8': ascii('123456789') });
    expect(manifest.files['test-labels.u8']).toEqual({ bytes: 9, crc32: 'cbf43926' });
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
    const text = JSON.stringify(manifest);
    expect(parseManifest(new TextDecoder().decode(HTML))).toBeNull();
    expect(parseManifest(text.slice(0, text.length - 5))).toBeNull();
    expect(parseManifest(JSON.stringify({ ...manifest, format: 'other 2' }))).toBeNull();
    expect(parseManifest(JSON.stringify({ ...manifest, files: { 'test-labels.u8': { bytes: 9, crc32: 'CBF4392' } } }))).toBeNull();
    expect(parseManifest('null')).toBeNull();
  });
});

/** A right-sized file for `name`: labels 0–9 in turn, pixels from a little generator. */
function goodBytes(name: FashionMnistFile): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(FASHION_MNIST_FILE_BYTES[name]);
  if (name.endsWith('labels.u8')) for (let i = 0; i < bytes.length; i++) bytes[i] = i % 10;
  else for (let i = 0; i < bytes.length; i += 97) bytes[i] = (i * 31) & 0xff;
  return bytes;
}

describe('checkDataFile tells missing from damaged, and the message says what to run', () => {
  const labels = goodBytes('train-labels.u8');
  const manifest = makeManifest({ 'train-labels.u8': labels });
  const error = (name: FashionMnistFile, bytes: Uint8Array, contentType?: string) => {
    const finding = checkDataFile(name, bytes, manifest, contentType);
    expect(finding).not.toBeNull();
    return new DataFileError(finding!);
  };

  it('accepts the right bytes, even a labels file that starts with the byte "<"', () => {
    expect(checkDataFile('train-labels.u8', labels, manifest, 'application/octet-stream')).toBeNull();
    const lessThan = labels.slice();
    lessThan[0] = 0x3c;
    expect(checkDataFile('train-labels.u8', lessThan, null)).toBeNull();
    expect(startsLikeHtml(lessThan)).toBe(true);
  });

  it('an HTML answer (by content type, or by bytes starting with <!doctype) is a missing file: npm run data', () => {
    for (const e of [
      error('train-images.u8', HTML, 'text/html; charset=utf-8'),
      error('train-images.u8', HTML),
      error('train-images.u8', ascii('\n  <html></html>')),
    ]) {
      expect(e.problem).toBe('missing');
      expect(e.file).toBe('train-images.u8');
      expect(e.message).toMatch(/^train-images\.u8 is missing: a web page came in its place .*Run npm run data to build the Fashion-MNIST files\.$/);
      expect(e.message).not.toMatch(/--force/);
    }
    // the content type says so even when the size happens to be right
    expect(error('train-labels.u8', labels, 'text/html').problem).toBe('missing');
  });

  it('a short file is damaged, with its size and the expected one: npm run data -- --force', () => {
    const e = error('train-images.u8', new Uint8Array(1000));
    expect(e).toMatchObject({ problem: 'damaged', file: 'train-images.u8', actual: 1000, expected: 47_040_000 });
    expect(e.message).toBe('train-images.u8 is damaged: truncated to 1000 of 47040000 bytes. Run npm run data -- --force to rebuild the Fashion-MNIST files.');
    const long = error('train-labels.u8', new Uint8Array(60_001));
    expect(long).toMatchObject({ problem: 'damaged', actual: 60_001, expected: 60_000 });
    expect(long.message).toMatch(/^train-labels\.u8 is damaged: 60001 bytes, 1 more than 60000\. Run npm run data -- --force/);
  });

  it('one corrupted byte is damaged by the manifest’s CRC-32, and passes the size check alone', () => {
    const corrupted = labels.slice();
    corrupted[12_345] ^= 0x01;
    const e = error('train-labels.u8', corrupted);
    expect(e.problem).toBe('damaged');
    expect(e.checksum).toEqual({ actual: crc32(corrupted).toString(16).padStart(8, '0'), expected: manifest.files['train-labels.u8'].crc32 });
    expect(e.message).toMatch(
      /^train-labels\.u8 is damaged: its CRC-32 is [0-9a-f]{8}, the manifest says [0-9a-f]{8} \(corrupted bytes\)\. Run npm run data -- --force/,
    );
    expect(checkDataFile('train-labels.u8', corrupted, null)).toBeNull();
    // a manifest that lists the file at another size is stale: the size from the layout decides
    expect(checkDataFile('train-labels.u8', corrupted, makeManifest({ 'train-labels.u8': new Uint8Array(5) }))).toBeNull();
  });
});

describe('the worker fetches and checks the files (fetch stubbed)', () => {
  type Answer = Response | 'network-error';
  /** Answers the four binaries with good bytes unless `answers` says otherwise, and their manifest (or 404 without one). */
  function serve(answers: Partial<Record<string, Answer>>, withManifest = true) {
    const names = Object.keys(FASHION_MNIST_FILE_BYTES) as FashionMnistFile[];
    const good = Object.fromEntries(names.map((name) => [name, goodBytes(name)]));
    const manifest = JSON.stringify(makeManifest(good));
    vi.stubGlobal('fetch', async (url: string) => {
      const name = url.split('/').pop()!;
      const answer = answers[name];
      if (answer === 'network-error') throw new TypeError('Failed to fetch');
      if (answer) return answer;
      if (name === 'manifest.json' && !withManifest) return new Response('Not Found', { status: 404 });
      if (name === 'manifest.json') return new Response(manifest, { headers: { 'content-type': 'application/json' } });
      return new Response(good[name], { headers: { 'content-type': 'application/octet-stream' } });
    });
  }
  const load = () => loadDataset({ ...DEFAULT_RUN, dataset: 'fashion-mnist' }, 'http://localhost/', () => {});
  const failure = async () => {
    const error = await load().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataFileError);
    return error as DataFileError;
  };
  afterEach(() => vi.unstubAllGlobals());

  it('an index.html answer (200, text/html) is missing, not "598 feature values"', async () => {
    serve({ 'train-images.u8': new Response(HTML, { headers: { 'content-type': 'text/html' } }) });
    const e = await failure();
    expect(e).toMatchObject({ problem: 'missing', file: 'train-images.u8' });
    expect(e.message).toMatch(/train-images\.u8 is missing.*Run npm run data to build/);
  });

  it('a 404 is missing', async () => {
    serve({ 'test-labels.u8': new Response('Not Found', { status: 404 }) });
    expect(await failure()).toMatchObject({ problem: 'missing', file: 'test-labels.u8', message: expect.stringMatching(/HTTP 404|404 Not Found/) });
  });

  it('truncated bytes are damaged, and so is a corrupted byte against the manifest', async () => {
    serve({ 'train-images.u8': new Response(new Uint8Array(1000)) });
    const e = await failure();
    expect(e).toMatchObject({ problem: 'damaged', file: 'train-images.u8', actual: 1000, expected: 47_040_000 });
    expect(e.message).toMatch(/npm run data -- --force/);
    const labels = goodBytes('train-labels.u8');
    labels[7] = 3;
    serve({ 'train-labels.u8': new Response(labels) });
    expect(await failure()).toMatchObject({ problem: 'damaged', file: 'train-labels.u8', checksum: expect.any(Object) });
  });

  it('a failed request is unreachable', async () => {
    serve({ 'test-images.u8': 'network-error' });
    const e = await failure();
    expect(e).toMatchObject({ problem: 'unreachable', file: 'test-images.u8' });
    expect(e.message).toMatch(/^test-images\.u8 could not be fetched \(Failed to fetch\)\. Check that the server/);
  });

  it('without a manifest the sizes are still checked, and right-sized files load', async () => {
    serve({ 'test-images.u8': new Response(new Uint8Array(7_840_000 - 784)) }, false);
    expect(await failure()).toMatchObject({ problem: 'damaged', file: 'test-images.u8', actual: 7_839_216 });
    serve({}, false);
    const data = await load();
    expect(data.train.count).toBe(60_000);
    expect(data.test.count).toBe(10_000);
  });
});
