// The packed GPU benchmark (npm run pack:gpu-bench): under 60 MiB, every file the bundle reads at run time in place, and gpu-bench.sh refusing clearly.
//
// Packs into a temporary folder first (5 s here: stripping and gzipping Node), or checks the folder
// named by GPU_BENCH_PACKED (e.g. GPU_BENCH_PACKED=dist-gpu-bench after npm run pack:gpu-bench).
// Where SwiftShader is installed it also runs the packed benchmark once on it (4 s here; GPU_BENCH_RUN=0 skips).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMIT_BYTES, pack, runtimeFiles } from '../scripts/pack-gpu-bench';
import { SWIFTSHADER_ICD } from '../src/backends/webgpu/node-webgpu';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gpu-bench-test-'));
const given = process.env.GPU_BENCH_PACKED;
const dir = given ? resolve(ROOT, given) : join(scratch, 'packed');

function filesUnder(base: string, sub = ''): string[] {
  return readdirSync(join(base, sub)).flatMap((name) => {
    const path = posix.join(sub, name);
    return statSync(join(base, path)).isDirectory() ? filesUnder(base, path) : [path];
  });
}

/** Runs the packed script with a bare environment: no node on PATH's first entries, no Vulkan variables. */
function runScript(args: string[], env: Record<string, string>, folder = dir) {
  const result = spawnSync('bash', [join(folder, 'gpu-bench.sh'), ...args], {
    env: { PATH: '/usr/bin:/bin', HOME: scratch, TMPDIR: scratch, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

beforeAll(async () => {
  if (!given) await pack(dir, process.execPath);
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed folder', () => {
  it(`is under ${LIMIT_BYTES / 1024 / 1024} MiB, Node and Dawn included`, () => {
    const total = filesUnder(dir).reduce((sum, path) => sum + statSync(join(dir, path)).size, 0);
    expect(total).toBeLessThan(LIMIT_BYTES);
  });

  it('holds the script, the bundle, both binaries and every data file at its mirrored path', () => {
    const files = new Set(filesUnder(dir));
    const needed = ['gpu-bench.sh', 'bench.mjs', 'probe.mjs', 'node.gz', 'dawn.node.gz', 'package.json', 'SHA256SUMS', 'manifest.json', ...runtimeFiles()];
    expect(needed.filter((f) => !files.has(f))).toEqual([]);
    expect(runtimeFiles()).toContain('shaders/matmul.wgsl');
    expect(runtimeFiles()).toContain('src/backends/cpu/kernels/gemm-relaxed-shared.wasm');
    expect(runtimeFiles()).toContain('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
    expect(statSync(join(dir, 'gpu-bench.sh')).mode & 0o111).not.toBe(0);
    // gemm-helper.js is started by worker_threads and uses top-level await: it must load as an ES module
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type).toBe('module');
    for (const file of runtimeFiles()) expect(readFileSync(join(dir, file)).equals(readFileSync(join(ROOT, file))), file).toBe(true);
    const summed = readFileSync(join(dir, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.slice(66));
    expect(new Set(summed)).toEqual(new Set([...files].filter((f) => !['SHA256SUMS', 'manifest.json', 'gpu-bench.log', 'bench-results.json'].includes(f))));
  });

  it('has a Node that runs and a Dawn that is the one in node_modules', () => {
    const node = join(scratch, 'node');
    writeFileSync(node, gunzipSync(readFileSync(join(dir, 'node.gz'))), { mode: 0o755 });
    const run = spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe(process.version);
    const dawn = gunzipSync(readFileSync(join(dir, 'dawn.node.gz')));
    expect(dawn.equals(readFileSync(join(ROOT, 'node_modules/webgpu/dist/linux-x64/dawn.node')))).toBe(true);
  });

  it('bundles every package: the chunks import only Node built-ins and each other', () => {
    const chunks = filesUnder(dir).filter((f) => f.endsWith('.mjs'));
    const statements = /^(?:import|export)\b[^;]*?from "([^"]+)";|^import "([^"]+)";|\bimport\("([^"]+)"\)/gm;
    const specifiers = chunks.flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(statements)].map((m) => m[1] ?? m[2] ?? m[3]));
    expect(specifiers).toContain('node:fs');
    const builtin = (s: string) => s.startsWith('node:') || builtinModules.includes(s);
    expect(specifiers.filter((s) => !s.startsWith('./') && !builtin(s))).toEqual([]);
    // CommonJS require()s left to run time: built-ins, and node-fetch's optional `encoding`, required in a
    // try and not installed in node_modules either
    const required = chunks.flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/__require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect(required).toContain('worker_threads');
    expect(required.filter((s) => !builtin(s))).toEqual(['encoding']);
  });

  it('resolves every import.meta.url-relative path of the bundle to a file or folder in it', () => {
    const chunks = filesUnder(dir).filter((f) => f.endsWith('.mjs'));
    const text = chunks.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    // the packer's mirror: new URL("<path>", new URL("<module's repository path>", import.meta.url).href)
    const uses = [...text.matchAll(/new URL\("([^"]+)", new URL\("([^"]+)", import\.meta\.url\)\.href\)/g)].map((m) => posix.join(posix.dirname(m[2]), m[1]));
    expect(uses).toEqual(
      expect.arrayContaining([
        'shaders/',
        'node_modules/@tensorflow/tfjs-backend-wasm/dist/',
        'src/backends/cpu/kernels/gemm-relaxed-shared.wasm',
        'src/backends/cpu/gemm-helper.js',
        'bench-results.json',
      ]),
    );
    const missing = uses.filter((path) => path !== 'bench-results.json' && !existsSync(join(dir, path)));
    expect(missing).toEqual([]);
    // nothing reads import.meta.url unmirrored but the bundler's own createRequire
    const bare = text.split('\n').filter((line) => line.includes('import.meta.url') && !/new URL\("[^"]+", import\.meta\.url\)/.test(line));
    expect(bare.map((line) => line.trim())).toEqual([expect.stringMatching(/createRequire\(import\.meta\.url\)/)]);
    expect(text).toContain('require(process.env.GPU_BENCH_DAWN_NODE || join(');
  });
});

describe('gpu-bench.sh', () => {
  it('prints its usage for --help', () => {
    const { status, out } = runScript(['--help'], {});
    expect(status).toBe(0);
    expect(out).toMatch(/usage: gpu-bench\.sh \[benchmark flags\]/);
    expect(out).toMatch(/GPU_BENCH_VK_ICD/);
  });

  it('fails clearly, before unpacking anything, where no Vulkan driver is installed', () => {
    const empty = mkdtempSync(join(scratch, 'icd-'));
    const { status, out } = runScript(['--only', 'softmax-step'], { GPU_BENCH_ICD_SEARCH: empty });
    expect(status).toBe(2);
    expect(out).toContain(`gpu-bench: error: no Vulkan driver: no driver manifest (*.json) in ${empty}`);
    expect(out).toMatch(/NVIDIA_DRIVER_CAPABILITIES/);
    expect(out).not.toMatch(/^node: /m);
  });

  it('refuses a driver override that names no file', () => {
    const { status, out } = runScript([], { GPU_BENCH_VK_ICD: join(scratch, 'missing_icd.json') });
    expect(status).toBe(2);
    expect(out).toContain(`GPU_BENCH_VK_ICD names ${join(scratch, 'missing_icd.json')}, which is not a readable file`);
  });

  it('fails clearly when the driver named gives Dawn no adapter', () => {
    const icd = join(scratch, 'broken_icd.json');
    writeFileSync(icd, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: join(scratch, 'libnone.so'), api_version: '1.3.0' } }));
    const { status, out } = runScript(['--rounds', '1'], { GPU_BENCH_VK_ICD: icd });
    expect(out).toMatch(/^node: .*\/gpu-bench-bin\.\w+\/node v\d+/m); // the packed Node, unpacked in TMPDIR
    expect(out).toMatch(/^adapter: none/m);
    expect(out).toContain('gpu-bench: error: Dawn found no WebGPU adapter');
    expect(status).toBe(2);
    expect(readdirSync(scratch).filter((name) => name.startsWith('gpu-bench-bin.'))).toEqual([]); // cleaned up
  });

  it.runIf(existsSync(SWIFTSHADER_ICD))("refuses a software adapter found by the loader's own search", () => {
    const { status, out } = runScript([], { VK_ICD_FILENAMES: SWIFTSHADER_ICD });
    expect(out).toMatch(/^adapter: vendor="google" architecture="swiftshader"/m);
    expect(out).toContain("gpu-bench: error: Dawn's adapter is a software one");
    expect(status).toBe(3);
  });

  it('refuses a folder with a file missing', () => {
    const partial = join(scratch, 'partial');
    cpSync(dir, partial, { recursive: true, filter: (source) => !source.endsWith('dawn.node.gz') });
    const { status, out } = runScript([], {}, partial);
    expect(status).toBe(2);
    expect(out).toContain('is not a whole packed folder (dawn.node.gz missing)');
  });

  it.runIf(process.env.GPU_BENCH_RUN !== '0' && existsSync(SWIFTSHADER_ICD))(
    'runs the benchmark on SwiftShader with the packed Node and writes bench-results.json beside itself',
    () => {
      const { status, out } = runScript(['--only', 'softmax-step', '--rounds', '1', '--impls', 'cpu,webgpu,jax-js-wasm', '--memory-workload', 'none'], {
        GPU_BENCH_VK_ICD: SWIFTSHADER_ICD,
      });
      expect(out).toMatch(/^node: .*gpu-bench-bin.*\/node v/m);
      expect(out).toMatch(/^softmax-step\s+webgpu\s/m);
      expect(status).toBe(0);
      const results = JSON.parse(readFileSync(join(dir, 'bench-results.json'), 'utf8')) as { machine: string; measurements: { impl: string }[] };
      expect(results.measurements.map((m) => m.impl)).toEqual(['cpu', 'webgpu', 'jax-js-wasm']);
      expect(results.machine).toMatch(/WebAssembly relaxed SIMD/); // the CPU backend found its kernels
    },
    120_000,
  );
});
