// wasm-tiles.ts: gemm's 4×4 register tile as a WebAssembly SIMD function (f64x2), encoded here byte by byte.
//
// The function computes `count` tiles of one row strip: for t < count,
//   C[t][r][c] = Σ_p A[p][r] · B[t][p][c]   (p = 0 … k−1 in order, r, c < 4)
// over strips packed as float64 (A: k × 4, then each B strip: k × 4, back to back), with a multiply
// then an add per term, never fused: exactly the sums of gemm.ts's JavaScript tile, two lanes at a
// time. It is built without a toolchain: the module is a few hundred bytes written out below.

/** Byte offsets the JavaScript side uses: a strip of A, the B strips, the output tiles. */
export interface WasmTiles {
  readonly memory: WebAssembly.Memory;
  /** tiles(aByte, bByte, cByte, k, count): count 4×4 tiles of float64 written from cByte on. */
  readonly tiles: (a: number, b: number, c: number, k: number, count: number) => void;
}

// ---- the few encodings the module needs ----
const uleb = (value: number): number[] => {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
};
const sleb = (value: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Eqz: [0x45],
  i32LtU: [0x49],
  f64Load: (offset: number) => [0x2b, 3, ...uleb(offset)],
  v128Load: (offset: number) => [0xfd, ...uleb(0), 4, ...uleb(offset)],
  v128Store: (offset: number) => [0xfd, ...uleb(11), 4, ...uleb(offset)],
  v128Zero: [0xfd, ...uleb(12), ...new Array(16).fill(0)],
  f64x2Splat: [0xfd, ...uleb(20)],
  f64x2Add: [0xfd, ...uleb(240)],
  f64x2Mul: [0xfd, ...uleb(242)],
};

// locals: parameters 0 a, 1 b, 2 c, 3 k, 4 count; then i32 5 ap, 6 bp, 7 bEnd; v128 8 … 15 the sums
// (row r: 8 + 2r holds columns 0–1, 9 + 2r columns 2–3), 16 b01, 17 b23, 18 the splat of A[p][r]
const [A, B, C, K, COUNT, AP, BP, B_END] = [0, 1, 2, 3, 4, 5, 6, 7];
const SUM = 8;
const [B01, B23, SPLAT] = [16, 17, 18];
const STRIDE = 32; // bytes per p in a packed strip: four float64

function body(): number[] {
  const code: number[] = [];
  const emit = (...parts: (number | number[])[]) => {
    for (const part of parts) {
      if (Array.isArray(part)) code.push(...part);
      else code.push(part);
    }
  };
  emit(op.block, op.loop); // $done, $tiles
  emit(op.get(COUNT), op.i32Eqz, op.brIf(1));
  for (let i = 0; i < 8; i++) emit(op.v128Zero, op.set(SUM + i));
  emit(op.get(A), op.set(AP), op.get(B), op.set(BP));
  emit(op.get(B), op.get(K), op.i32(STRIDE), op.i32Mul, op.i32Add, op.set(B_END));
  emit(op.loop); // $k: runs at least once (k ≥ 1 is the caller's promise)
  emit(op.get(BP), op.v128Load(0), op.set(B01), op.get(BP), op.v128Load(16), op.set(B23));
  for (let r = 0; r < 4; r++) {
    emit(op.get(AP), op.f64Load(8 * r), op.f64x2Splat, op.set(SPLAT));
    emit(op.get(SUM + 2 * r), op.get(SPLAT), op.get(B01), op.f64x2Mul, op.f64x2Add, op.set(SUM + 2 * r));
    emit(op.get(SUM + 2 * r + 1), op.get(SPLAT), op.get(B23), op.f64x2Mul, op.f64x2Add, op.set(SUM + 2 * r + 1));
  }
  emit(op.get(AP), op.i32(STRIDE), op.i32Add, op.set(AP));
  emit(op.get(BP), op.i32(STRIDE), op.i32Add, op.tee(BP), op.get(B_END), op.i32LtU, op.brIf(0));
  emit(op.end); // $k
  for (let i = 0; i < 8; i++) emit(op.get(C), op.get(SUM + i), op.v128Store(16 * i));
  emit(op.get(C), op.i32(128), op.i32Add, op.set(C));
  emit(op.get(B_END), op.set(B)); // the next B strip follows this one
  emit(op.get(COUNT), op.i32(1), op.i32Sub, op.set(COUNT));
  emit(op.br(0), op.end, op.end); // $tiles, $done
  emit(op.end); // the function
  const locals = vector([
    [...uleb(3), I32],
    [...uleb(11), V128],
  ]);
  return [...locals, ...code];
}

/** The module's bytes: memory imported as env.memory, one export `tiles`. */
export function wasmTilesModule(): Uint8Array<ArrayBuffer> {
  const fn = body();
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0]])), // (i32 ×5) → ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])), // memory, min 1 page
    ...section(3, vector([uleb(0)])),
    ...section(7, vector([[...name('tiles'), 0x00, ...uleb(0)]])),
    ...section(10, vector([[...uleb(fn.length), ...fn]])),
  ]);
}

/** The compiled function and its memory, or null where WebAssembly SIMD is missing. */
export function loadWasmTiles(): WasmTiles | null {
  if (typeof WebAssembly === 'undefined') return null;
  const bytes = wasmTilesModule();
  if (!WebAssembly.validate(bytes)) return null;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return { memory, tiles: instance.exports.tiles as WasmTiles['tiles'] };
}
