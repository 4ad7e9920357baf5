// The CLI and `npm run data` against damaged copies of the Fashion-MNIST files (GRADIENT_LAB_DATA_DIR): rebuilt, or one line and exit 1, never a stack trace.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFashionMnist } from '../src/cli/fashion-mnist-files';
import { crc32Hex, FASHION_MNIST_FILE_BYTES, MANIFEST_FILE, parseManifest } from '../src/core/data/data-files';

const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const script = (name: string) => fileURLToPath(new URL(`../src/cli/${name}`, import.meta.url));

let root = '';
let pristine = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'gradient-lab-data-'));
  pristine = join(root, 'pristine');
  buildFashionMnist(pristine);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh copy of the built files, to damage. */
function copy(name: string): string {
  const dir = join(root, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

function run(file: 'train.ts' | 'fashion-mnist-files.ts', dir: string, args: string[] = []) {
  const started = performance.now();
  const result = spawnSync(tsx, [script(file), ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, GRADIENT_LAB_DATA_DIR: dir } });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** The file is whole again: the size the layout gives and the CRC-32 its manifest lists. */
function expectWhole(dir: string, name: keyof typeof FASHION_MNIST_FILE_BYTES): void {
  const bytes = new Uint8Array(readFileSync(join(dir, name)));
  const manifest = parseManifest(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  expect(bytes.length).toBe(FASHION_MNIST_FILE_BYTES[name]);
  expect(crc32Hex(bytes)).toBe(manifest?.files[name].crc32);
  expect(crc32Hex(bytes)).toBe(crc32Hex(new Uint8Array(readFileSync(join(pristine, name)))));
}

const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s{4}at /m);

describe('npm run train with damaged data files', () => {
  it('a truncated train-images.u8 is named, rebuilt, and the run trains (exit 0)', () => {
    const dir = copy('truncated');
    truncateSync(join(dir, 'train-images.u8'), 1000);
    const result = run('train.ts', dir, ['--steps', '1']);
    console.log(`train with a truncated train-images.u8, rebuild included: ${result.seconds.toFixed(1)} s`);
    expect(result.stderr).toContain(`train-images.u8 is damaged: truncated to 1000 of 47040000 bytes; rebuilding the Fashion-MNIST files in ${dir}`);
    noStackTrace(result.stderr);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim()).steps).toBe(1);
    expectWhole(dir, 'train-images.u8');
  });

  it('one corrupted byte in train-labels.u8 is caught by its CRC-32 and rebuilt (exit 0)', () => {
    const dir = copy('corrupted');
    const labels = readFileSync(join(dir, 'train-labels.u8'));
    labels[31_337] = (labels[31_337] + 1) % 10; // still a class: only the checksum can tell
    writeFileSync(join(dir, 'train-labels.u8'), labels);
    const result = run('train.ts', dir, ['--steps', '1']);
    expect(result.stderr).toMatch(
      /^train-labels\.u8 is damaged: its CRC-32 is [0-9a-f]{8}, the manifest says [0-9a-f]{8} \(corrupted bytes\); rebuilding the Fashion-MNIST files in /m,
    );
    noStackTrace(result.stderr);
    expect(result.status).toBe(0);
    expectWhole(dir, 'train-labels.u8');
  });

  it('when rebuilding is impossible: exit 1, one line naming the file and npm run data -- --force', () => {
    // (a) the data folder cannot be made: its parent is a file
    writeFileSync(join(root, 'a-file'), 'not a folder');
    const nowhere = run('train.ts', join(root, 'a-file', 'data'), ['--steps', '1']);
    expect(nowhere.status).toBe(1);
    expect(nowhere.stdout).toBe('');
    noStackTrace(nowhere.stderr);
    expect(nowhere.stderr.trim().split('\n').pop()).toMatch(
      /^error: train-images\.u8 is missing from .*a-file\/data\. Rebuilding it failed \(ENOTDIR: .*\); fix that, then run npm run data -- --force\.$/,
    );
    // (b) a damaged train-images.u8 that cannot be replaced: a folder stands in its place
    const dir = copy('unreplaceable');
    rmSync(join(dir, 'train-images.u8'));
    mkdirSync(join(dir, 'train-images.u8'));
    const stuck = run('train.ts', dir, ['--steps', '1']);
    expect(stuck.status).toBe(1);
    noStackTrace(stuck.stderr);
    expect(stuck.stderr).toMatch(/^train-images\.u8 in .* cannot be read \(EISDIR.*\); rebuilding the Fashion-MNIST files in /m);
    expect(stuck.stderr.trim().split('\n').pop()).toMatch(
      /^error: train-images\.u8 in .* cannot be read .*Rebuilding it failed \(EISDIR.*\); fix that, then run npm run data -- --force\.$/,
    );
  });
});

describe('npm run data', () => {
  it('checks whole files and rebuilds a damaged one, not only a missing one', () => {
    const dir = copy('data-command');
    const checked = run('fashion-mnist-files.ts', dir);
    expect(checked.status).toBe(0);
    expect(checked.stderr.trim()).toBe(`Fashion-MNIST binaries in ${dir} checked: sizes and CRC-32 as in manifest.json`);
    truncateSync(join(dir, 'test-labels.u8'), 9999);
    const rebuilt = run('fashion-mnist-files.ts', dir);
    console.log(`npm run data rebuilding a truncated test-labels.u8: ${rebuilt.seconds.toFixed(1)} s`);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stderr).toContain(`test-labels.u8 is damaged: truncated to 9999 of 10000 bytes; rebuilding the Fashion-MNIST files in ${dir}`);
    expectWhole(dir, 'test-labels.u8');
    // a folder without a manifest (built before manifests existed) is rebuilt so that its checksums can be checked
    rmSync(join(dir, MANIFEST_FILE));
    const unlisted = run('fashion-mnist-files.ts', dir);
    expect(unlisted.status).toBe(0);
    expect(unlisted.stderr).toContain('manifest.json is missing from');
    expectWhole(dir, 'train-images.u8');
  });
});
