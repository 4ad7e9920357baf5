// build-kernels.ts (`npm run kernels`): assembles the CPU backend's WebAssembly kernels from their WAT source with wabt.
//
// Each src/backends/cpu/kernels/NAME.wat becomes four modules beside it, from the one source:
//   NAME-relaxed-shared.wasm  relaxed-SIMD fused multiply-add, shared memory (threads)
//   NAME-relaxed.wasm         relaxed-SIMD fused multiply-add, unshared memory
//   NAME-plain-shared.wasm    each f32x4.relaxed_madd spelled f32x4.mul then f32x4.add, shared memory
//   NAME-plain.wasm           the same, unshared memory
// The outputs are build products (git ignores them); they are rebuilt when the source or this
// script is newer. `npm install`, `npm run dev`, `npm run build`, the tests and the benchmark run it.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const DIR = fileURLToPath(new URL('../src/backends/cpu/kernels/', import.meta.url));
const FEATURES = { simd: true, relaxed_simd: true, threads: true };

/** (f32x4.relaxed_madd X Y Z), each operand one local.get, as (f32x4.add (f32x4.mul X Y) Z). */
const MADD = /\(f32x4\.relaxed_madd (\(local\.get \$\w+\)) (\(local\.get \$\w+\)) (\(local\.get \$\w+\))\)/g;
const SHARED = /\(memory (\d+) (\d+) shared\)/;

export const VARIANTS = {
  'relaxed-shared': (wat: string) => wat,
  relaxed: (wat: string) => wat.replace(SHARED, '(memory $1 $2)'),
  'plain-shared': (wat: string) => wat.replace(MADD, '(f32x4.add (f32x4.mul $1 $2) $3)'),
  plain: (wat: string) => wat.replace(MADD, '(f32x4.add (f32x4.mul $1 $2) $3)').replace(SHARED, '(memory $1 $2)'),
} as const;

const mtime = (path: string) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

async function main(): Promise<void> {
  const assembler = await wabt();
  const scriptTime = mtime(fileURLToPath(import.meta.url));
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.wat'))) {
    const source = readFileSync(DIR + file, 'utf8');
    const newest = Math.max(mtime(DIR + file), scriptTime);
    const base = file.slice(0, -'.wat'.length);
    for (const [variant, rewrite] of Object.entries(VARIANTS)) {
      const out = `${DIR}${base}-${variant}.wasm`;
      if (mtime(out) > newest) continue;
      const text = rewrite(source);
      if (variant.startsWith('plain') && /\(\w+\.relaxed_/.test(text)) throw new Error(`${file}: a relaxed op is left in the ${variant} module`);
      if (!variant.endsWith('shared') && text.includes(' shared)')) throw new Error(`${file}: the ${variant} module still imports shared memory`);
      const module = assembler.parseWat(file, text, FEATURES);
      // wabt.js's validate takes the features too (its typings omit the argument)
      (module as unknown as { validate(features: typeof FEATURES): void }).validate(FEATURES);
      const { buffer } = module.toBinary({ log: false, write_debug_names: true });
      module.destroy();
      writeFileSync(out, buffer);
      process.stderr.write(`kernels: ${base}-${variant}.wasm (${buffer.length} bytes)\n`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`kernels: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
