// pack-gpu-bench.ts (`npm run pack:gpu-bench`): packs the Node benchmark into one folder that runs on a Linux x86-64 GPU machine with no Node and no network.
//
// The folder (dist-gpu-bench/ unless --out says otherwise) mirrors the repository's layout for the
// files the benchmark reads at run time, with the bundle at its root:
//   gpu-bench.sh          the run script (scripts/gpu-bench.sh): checks the driver, unpacks the binaries, runs
//   node.gz               this machine's Node binary, stripped of its debug symbols, gzipped
//   dawn.node.gz          node_modules/webgpu/dist/linux-x64/dawn.node (Dawn), gzipped
//   bench.mjs probe.mjs chunk-*.mjs   src/bench/node.ts and scripts/gpu-bench-probe.ts, bundled by rolldown
//   package.json          {"type":"module"}: gemm-helper.js is loaded by worker_threads as an ES module
//   shaders/*.wgsl                                   loadShadersFromDisk()
//   src/backends/cpu/kernels/*.wasm, gemm-helper.js  the CPU backend's SIMD kernels and helper thread
//   node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm   setWasmPaths in src/bench/node.ts
//   lib/libvulkan.so.1    this machine's Vulkan loader, used only where the GPU machine has none
//   SHA256SUMS, manifest.json
//
// Every `import.meta.url` in a bundled module is replaced by the URL its source file would have in
// that mirror (`new URL('src/backends/cpu/simd-kernels.ts', import.meta.url).href`, the chunk being at
// the root), so each `new URL('./kernels/…', import.meta.url)` and `../../../shaders/` resolves as it
// does in the repository, with no source changed. CommonJS modules that read __dirname (tfjs-backend-wasm's
// Emscripten loader) get it defined the same way. The webgpu package's index.js takes dawn.node from
// GPU_BENCH_DAWN_NODE when it is set (gpu-bench.sh unpacks it next to Node): gzipped, Dawn is 7.0 MiB
// instead of 20.5: the folder is 44 MiB, where with Dawn as it is it came to 57.6 MiB of the 60 allowed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'rolldown';
import { SHADER_FILES } from '../src/backends/webgpu/kernels';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
/** The folder must stay under this, Node included. */
export const LIMIT_BYTES = 60 * 1024 * 1024;
const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
const DAWN = 'node_modules/webgpu/dist/linux-x64/dawn.node';
/** The webgpu package's index.js computes dawn.node's path in this statement; the bundle reads GPU_BENCH_DAWN_NODE first. */
const DAWN_PATH = 'const dawnNodePath = ';

/** Repository files copied into the folder at the same relative path. */
export function runtimeFiles(root = ROOT): string[] {
  const list = (dir: string, pattern: RegExp) =>
    readdirSync(join(root, dir))
      .filter((name) => pattern.test(name))
      .sort()
      .map((name) => `${dir}/${name}`);
  const shaders = SHADER_FILES.map((name) => `shaders/${name}.wgsl`);
  const kernels = list('src/backends/cpu/kernels', /\.wasm$/);
  if (kernels.length === 0) throw new Error('src/backends/cpu/kernels/*.wasm missing: run `npm run kernels` first');
  return [...shaders, ...kernels, 'src/backends/cpu/gemm-helper.js', ...list('node_modules/@tensorflow/tfjs-backend-wasm/dist', /\.wasm$/)];
}

/** Rewrites import.meta.url (and a CommonJS module's __dirname) to the module's place in the mirrored layout. */
export function mirrorMetaUrl(root = ROOT, seen: string[] = []): Plugin {
  return {
    name: 'gpu-bench-mirror-meta-url',
    transform(code, id) {
      if (!id.startsWith(`${root}${sep}`)) return null;
      const rel = relative(root, id).split(sep).join('/');
      const here = `new URL(${JSON.stringify(rel)}, import.meta.url)`;
      let out = code;
      if (out.includes('import.meta.url')) {
        out = out.replaceAll('import.meta.url', `${here}.href`);
        seen.push(`${rel} (import.meta.url)`);
      }
      if (/\b__dirname\b/.test(out) && !/\b(const|let|var)\s+__dirname\b/.test(out) && /\brequire\s*\(/.test(out)) {
        out = `var __filename = require('node:url').fileURLToPath(${here}); var __dirname = require('node:path').dirname(__filename);\n${out}`;
        seen.push(`${rel} (__dirname)`);
      }
      if (rel === 'node_modules/webgpu/index.js') {
        const found = out.split(DAWN_PATH).length - 1;
        if (found !== 1)
          throw new Error(`node_modules/webgpu/index.js: expected one \`${DAWN_PATH}\`, found ${found}; see how this webgpu version finds dawn.node`);
        out = out.replace(DAWN_PATH, `${DAWN_PATH}process.env.GPU_BENCH_DAWN_NODE || `);
        seen.push(`${rel} (dawn.node from GPU_BENCH_DAWN_NODE)`);
      }
      return out === code ? null : { code: out, map: null };
    },
  };
}

async function bundle(out: string): Promise<string[]> {
  const rewritten: string[] = [];
  const result = await build({
    input: { bench: join(ROOT, 'src/bench/node.ts'), probe: join(ROOT, 'scripts/gpu-bench-probe.ts') },
    platform: 'node',
    plugins: [mirrorMetaUrl(ROOT, rewritten)],
    output: { dir: out, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: 'chunk-[hash].mjs' },
    write: true,
  });
  if (!rewritten.some((r) => r.includes('GPU_BENCH_DAWN_NODE')))
    throw new Error('the bundle has no node_modules/webgpu/index.js to take dawn.node from GPU_BENCH_DAWN_NODE');
  const sizes = result.output.map((o) => (o.type === 'chunk' ? o.code.length : 0));
  log(`bundled ${result.output.length} files, ${mib(sizes.reduce((a, b) => a + b, 0))}; import.meta.url/__dirname mirrored in ${rewritten.join(', ')}`);
  return rewritten;
}

/** This Node, stripped of debug symbols where `strip` exists (86 MB instead of 99 here), gzipped. */
function packNode(nodePath: string, out: string): { version: string; stripped: boolean; bytes: number } {
  const version = execFileSync(nodePath, ['--version'], { encoding: 'utf8' }).trim();
  const head = readFileSync(nodePath).subarray(0, 20);
  if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head.readUInt16LE(18) !== 62) throw new Error(`${nodePath} is not an x86-64 ELF binary`);
  let source = nodePath;
  let stripped = false;
  const tmp = join(tmpdir(), `gpu-bench-node-${process.pid}`);
  try {
    execFileSync('strip', ['-o', tmp, nodePath], { stdio: 'pipe' });
    if (execFileSync(tmp, ['--version'], { encoding: 'utf8' }).trim() !== version) throw new Error('stripped node differs');
    source = tmp;
    stripped = true;
  } catch (error) {
    log(`not stripping node (${(error as Error).message.split('\n')[0]}); packing it as it is`);
  }
  const bytes = gzipTo(source, join(out, 'node.gz'));
  if (stripped) rmSync(tmp, { force: true });
  return { version, stripped, bytes };
}

/**
 * gzip, not xz: xz packs Node in 22 MB instead of 33 but is missing from many bare systems, and
 * gzip is everywhere. Level 6: level 9 saved 0.1 MiB of Node for 5 s more here.
 */
function gzipTo(source: string, target: string): number {
  const packed = gzipSync(readFileSync(source), { level: 6 });
  writeFileSync(target, packed);
  return packed.length;
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path).split(sep).join('/')];
  });
}

const log = (line: string) => process.stderr.write(`pack:gpu-bench: ${line}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

export async function pack(out: string, nodePath: string): Promise<{ totalBytes: number; files: { path: string; bytes: number }[] }> {
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const rewritten = await bundle(out);
  for (const file of runtimeFiles()) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(out, file));
  }
  if (existsSync(VULKAN_LOADER)) {
    mkdirSync(join(out, 'lib'), { recursive: true });
    copyFileSync(realpathSync(VULKAN_LOADER), join(out, 'lib/libvulkan.so.1'));
  } else log(`${VULKAN_LOADER} not found: the folder carries no fallback Vulkan loader`);
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  copyFileSync(join(ROOT, 'scripts/gpu-bench.sh'), join(out, 'gpu-bench.sh'));
  chmodSync(join(out, 'gpu-bench.sh'), 0o755);
  const node = packNode(nodePath, out);
  log(`node ${node.version} from ${nodePath}${node.stripped ? ', stripped' : ''}: node.gz ${mib(node.bytes)}`);
  const dawnBytes = gzipTo(join(ROOT, DAWN), join(out, 'dawn.node.gz'));
  log(`${DAWN} (${mib(statSync(join(ROOT, DAWN)).size)}): dawn.node.gz ${mib(dawnBytes)}`);

  const paths = filesUnder(out).sort();
  const files = paths.map((path) => ({ path, bytes: statSync(join(out, path)).size }));
  const sums = paths.map(
    (path) =>
      `${createHash('sha256')
        .update(readFileSync(join(out, path)))
        .digest('hex')}  ${path}`,
  );
  writeFileSync(join(out, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  const manifest = {
    what: 'Gradient Lab GPU benchmark, packed by npm run pack:gpu-bench; run ./gpu-bench.sh',
    node: node.version,
    nodeStripped: node.stripped,
    packedFrom: execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    packedAt: new Date().toISOString(),
    mirrored: rewritten,
    files,
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const totalBytes = filesUnder(out).reduce((sum, path) => sum + statSync(join(out, path)).size, 0);
  log(`${out}: ${files.length + 2} files, ${mib(totalBytes)} (limit ${mib(LIMIT_BYTES)}), in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (totalBytes >= LIMIT_BYTES) throw new Error(`${out} is ${mib(totalBytes)}, over the ${mib(LIMIT_BYTES)} limit`);
  return { totalBytes, files };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
  };
  pack(arg('out', join(ROOT, 'dist-gpu-bench')), arg('node', process.execPath)).catch((error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
