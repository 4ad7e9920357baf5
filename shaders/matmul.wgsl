// matmul.wgsl: out (M, N) = op(a) (M, K) · op(b) (K, N) with named epilogues and loaders; 8×8 blocks a thread read from storage, plus a narrow-N path.
// The CPU reference backend's matmul and linear* ops are the specification. Transposes are read by indexing.
// With AUGMENT, op(a) gains a column of ones at index K − 1 (transA = 0) or a row of ones at
// index M − 1 (transA = 1): a layer's parameters P = [W; b] then multiply [H | 1] in one pass.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  lda: u32, // columns of a as stored
  ldb: u32, // columns of b as stored
  slot: u32, // first metrics slot written by the PARAMETER_GRADIENT, SOFTMAX_CROSS_ENTROPY and SGD_STEP epilogues
  tilesX: u32, // 32-column tiles across N (the partial index of PARAMETER_GRADIENT and SGD_STEP)
  lambda: f32, // PARAMETER_GRADIENT and SGD_STEP: + λ·W
  lr: f32, // SGD_STEP: P − lr·G
  guardStart: u32, // SGD_STEP: metrics[guardStart, guardStart + guardCount) must be finite to write
  guardCount: u32,
  scale: f32, // SOFTMAX_CROSS_ENTROPY: 1/n
  start: u32, // gathered: first position in order
  dataCols: u32, // gathered: features per sample
  dataScale: f32, // gathered: features × dataScale (1/255 for pixels)
}

// Named variants. The host sets the overrides below by these names (read from this file, as the
// Params struct is), so a number here is never written twice.

// Epilogues: what happens to each sum before it is stored.
const EPILOGUE_STORE: u32 = 0u; // out = acc
const EPILOGUE_ACTIVATION: u32 = 1u; // out = φ(acc)
const EPILOGUE_ACTIVATION_BACKWARD: u32 = 2u; // out = acc · φ'(h), h = aux
const EPILOGUE_PARAMETER_GRADIENT: u32 = 3u; // out = acc + λ·W (W = aux, not the bias line), and the tile's Σ W², Σ dW²
const EPILOGUE_SOFTMAX_CROSS_ENTROPY: u32 = 4u; // out = (softmax(acc) − onehot)·scale, and the block's loss and correct count
const EPILOGUE_SGD_STEP: u32 = 5u; // out = P − lr·(PARAMETER_GRADIENT's value), only when the guard is finite

// Loaders of op(a).
const LOAD_A_STORED: u32 = 0u; // a tensor, `a`
const LOAD_A_GATHERED_F32: u32 = 1u; // a batch of the uploaded split: rows order[start …] of `features`, f32 bits
const LOAD_A_GATHERED_U8: u32 = 2u; // the same with u8 features four to a word

// Activations φ (core/activations.ts holds the same in float64).
const ACTIVATION_RELU: u32 = 0u;
const ACTIVATION_SIGMOID: u32 = 1u;
const ACTIVATION_TANH: u32 = 2u;
const ACTIVATION_IDENTITY: u32 = 3u;

// Specialisation: each combination is its own pipeline (cached by the backend), so the branches
// below are settled when the pipeline is compiled, not evaluated per element.
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override AUGMENT: bool = false; // op(a) gains a ones column (or row, with TRANS_A)
override LOAD_A: u32 = LOAD_A_STORED;
override LABELS_GATHERED: bool = false; // labels are the split's (u8 packed), at order[start + row]
override EPILOGUE: u32 = EPILOGUE_STORE;
override ACTIVATION: u32 = ACTIVATION_IDENTITY;
// k in steps of four (fewer loads and loop trips, about twice the code to compile) or one at a time:
// the host takes steps of four for the large products
override QUADS: bool = true;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>; // ACTIVATION_BACKWARD: H (M, N); PARAMETER_GRADIENT and SGD_STEP: P (M, N)
@group(0) @binding(5) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(6) var<storage, read> labels: array<u32>; // one a row, or u8 packed when gathered
@group(0) @binding(7) var<storage, read> features: array<u32>;
@group(0) @binding(8) var<storage, read> order: array<u32>;

// SGD_STEP's guard: the bits of a NaN or ±Inf found in it (0 when all finite). A guarded kernel
// then writes nothing to `out` and this value in place of each partial, so the step after it sees
// it in turn: once a step diverges, no later step of the window moves the parameters.
var<workgroup> poison: atomic<u32>;
var<private> poisonBits: u32;

// NaN and ±Inf are the values whose exponent bits are all ones (a bit test: x != x can be folded away)
fn nonFinite(bits: u32) -> bool {
  return (bits & 0x7f800000u) == 0x7f800000u;
}

// every thread of the workgroup calls this (it has barriers); `threads` is the workgroup's size
fn checkGuard(thread: u32, threads: u32) -> u32 {
  if (thread == 0u) { atomicStore(&poison, 0u); }
  workgroupBarrier();
  for (var g = params.guardStart + thread; g < params.guardStart + params.guardCount; g += threads) {
    let bits = bitcast<u32>(metrics[g]);
    if (nonFinite(bits)) { atomicStore(&poison, bits); }
  }
  return workgroupUniformLoad(&poison);
}

// a partial sum as written: the guard's non-finite value instead when the guard stopped the update
fn partial(sum: f32) -> f32 {
  return select(sum, bitcast<f32>(poisonBits), poisonBits != 0u);
}

// false when SGD_STEP's guard holds the write back
fn storing() -> bool {
  return poisonBits == 0u;
}

fn byteAt(words: u32, index: u32) -> u32 {
  return (words >> (8u * (index % 4u))) & 0xffu;
}

// feature f of the batch's r-th sample, read straight from the uploaded split
fn gatheredValue(r: u32, f: u32) -> f32 {
  let at = order[params.start + r] * params.dataCols + f;
  if (LOAD_A == LOAD_A_GATHERED_U8) { return f32(byteAt(features[at / 4u], at)) * params.dataScale; }
  return bitcast<f32>(features[at]) * params.dataScale;
}

fn labelOf(row: u32) -> u32 {
  if (LABELS_GATHERED) {
    let sample = order[params.start + row];
    return byteAt(labels[sample / 4u], sample);
  }
  return labels[row];
}

// op(a)[row, k], zero outside the matrix so partial tiles add nothing, one on the augmented line
fn loadA(row: u32, k: u32) -> f32 {
  if (row >= params.M || k >= params.K) { return 0.0; }
  if (TRANS_A) {
    if (AUGMENT && row == params.M - 1u) { return 1.0; }
    if (LOAD_A != LOAD_A_STORED) { return gatheredValue(k, row); }
    return a[k * params.lda + row];
  }
  if (AUGMENT && k == params.K - 1u) { return 1.0; }
  if (LOAD_A != LOAD_A_STORED) { return gatheredValue(row, k); }
  return a[row * params.lda + k];
}

// op(b)[k, col], zero outside the matrix
fn loadB(k: u32, col: u32) -> f32 {
  if (k >= params.K || col >= params.N) { return 0.0; }
  if (TRANS_B) { return b[col * params.ldb + k]; }
  return b[k * params.ldb + col];
}

// φ(z) of the pipeline's ACTIVATION
fn activate(z: f32) -> f32 {
  switch ACTIVATION {
    case ACTIVATION_RELU: { return max(z, 0.0); }
    case ACTIVATION_SIGMOID: { return 1.0 / (1.0 + exp(-z)); }
    case ACTIVATION_TANH: { return tanh(clamp(z, -15.0, 15.0)); } // tanh of a large argument is NaN on some drivers
    default: { return z; }
  }
}

// φ'(z) from h = φ(z) alone: ReLU's z > 0 is h > 0
fn derivativeFromOutput(h: f32) -> f32 {
  switch ACTIVATION {
    case ACTIVATION_RELU: { return select(0.0, 1.0, h > 0.0); }
    case ACTIVATION_SIGMOID: { return h * (1.0 - h); }
    case ACTIVATION_TANH: { return 1.0 - h * h; }
    default: { return 1.0; }
  }
}

// Every epilogue but SOFTMAX_CROSS_ENTROPY for one output: the stored value, and its share of ‖W‖² and ‖dW‖²
struct Finished {
  value: f32,
  weightSq: f32,
  gradSq: f32,
}

fn finish(row: u32, col: u32, acc: f32) -> Finished {
  var result = Finished(acc, 0.0, 0.0);
  let at = row * params.N + col;
  switch EPILOGUE {
    case EPILOGUE_ACTIVATION: { result.value = activate(acc); }
    case EPILOGUE_ACTIVATION_BACKWARD: { result.value = acc * derivativeFromOutput(aux[at]); }
    case EPILOGUE_PARAMETER_GRADIENT: {
      // the bias line (the last row) is not decayed and not in the norms
      if (row + 1u < params.M) {
        let w = aux[at];
        result.value = acc + params.lambda * w;
        result.weightSq = w * w;
        result.gradSq = result.value * result.value;
      }
    }
    case EPILOGUE_SGD_STEP: {
      let w = aux[at];
      var g = acc;
      if (row + 1u < params.M) {
        g = acc + params.lambda * w;
        result.weightSq = w * w;
        result.gradSq = g * g;
      }
      result.value = w - params.lr * g;
    }
    default: {}
  }
  return result;
}

// ---- register-tiled: a workgroup of 16 threads computes a 32×32 block of out, each thread an 8×8 block ----
// Each thread reads its operands straight from storage: no workgroup tiles, so no barrier in the
// product. Software adapters (SwiftShader) run a shader with barriers as coroutines, and there a
// load costs far more than a multiply-add: a thread's 8×8 block takes 64 loads for 256 of them
// (a 4×4 block 32 for 64). Only the epilogues that sum a tile (PARAMETER_GRADIENT, SGD_STEP) meet
// once at the end, and SGD_STEP once at the start for its guard. Blocks are 4×4 matrices, k in
// steps of four: C += A·B with A's column q four rows at k + q and B's column j one column over
// k … k + 3 (software adapters keep neither loops unrolled nor private arrays in registers, so the
// steps are written out). Nothing is checked in the loop: rows past op(a)'s stored ones read a row
// that is stored (or the next line, or the binding's last element), columns past N the last
// column, and those sums are never stored; op(a)'s ones row (AUGMENT with TRANS_A) is selected
// in after the loads. u8 features are read four to a word: the host pads each sample to a multiple of four.

const TILE: u32 = 32u; // core/metrics-row.ts's PARTIAL_TILE: the backend checks they agree
var<workgroup> tileSums: array<vec2<f32>, 16>; // each thread's (‖W‖², ‖dW‖²) shares, summed by thread 0

// the four u8 features of one word, scaled
fn unpackBytes(word: u32) -> vec4<f32> {
  return vec4<f32>((vec4<u32>(word) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu)) * params.dataScale;
}

// op(a)[row, k] without checks and without the augmented line (the fast path's edges)
fn storedA(row: u32, k: u32) -> f32 {
  var r = row;
  var c = k;
  if (TRANS_A) {
    r = k;
    c = row;
  }
  if (LOAD_A == LOAD_A_STORED) { return a[r * params.lda + c]; }
  let at = order[params.start + r] * params.dataCols + c;
  if (LOAD_A == LOAD_A_GATHERED_U8) { return f32(byteAt(features[at / 4u], at)) * params.dataScale; }
  return bitcast<f32>(features[at]) * params.dataScale;
}

// op(a) at rows row … row + 3 and k … k + 3: column q holds the four rows at k + q. Not
// transposed, `lines` is per row the start of its stored line (row · lda, or the first feature of
// its sample); gathered and transposed, `samples` is the first feature of samples k … k + 3.
fn quadA(row: u32, k: u32, lines: vec4<u32>, samples: vec4<u32>) -> mat4x4<f32> {
  if (LOAD_A == LOAD_A_GATHERED_U8 && !TRANS_A) {
    // one word holds a sample's four features k … k + 3 (k % 4 == 0, the stride a multiple of four)
    let w = (lines + vec4<u32>(k)) / 4u;
    return transpose(mat4x4<f32>(unpackBytes(features[w.x]), unpackBytes(features[w.y]), unpackBytes(features[w.z]), unpackBytes(features[w.w])));
  }
  if (LOAD_A == LOAD_A_GATHERED_U8) {
    // one word holds features row … row + 3 of a sample (row % 4 == 0)
    let w = (samples + vec4<u32>(row)) / 4u;
    return mat4x4<f32>(unpackBytes(features[w.x]), unpackBytes(features[w.y]), unpackBytes(features[w.z]), unpackBytes(features[w.w]));
  }
  if (LOAD_A == LOAD_A_STORED && !TRANS_A) {
    let p = lines + vec4<u32>(k);
    return transpose(mat4x4<f32>(
      vec4<f32>(a[p.x], a[p.x + 1u], a[p.x + 2u], a[p.x + 3u]),
      vec4<f32>(a[p.y], a[p.y + 1u], a[p.y + 2u], a[p.y + 3u]),
      vec4<f32>(a[p.z], a[p.z + 1u], a[p.z + 2u], a[p.z + 3u]),
      vec4<f32>(a[p.w], a[p.w + 1u], a[p.w + 2u], a[p.w + 3u]),
    ));
  }
  if (LOAD_A == LOAD_A_STORED) {
    let p = k * params.lda + row;
    let l = params.lda;
    return mat4x4<f32>(
      vec4<f32>(a[p], a[p + 1u], a[p + 2u], a[p + 3u]),
      vec4<f32>(a[p + l], a[p + l + 1u], a[p + l + 2u], a[p + l + 3u]),
      vec4<f32>(a[p + 2u * l], a[p + 2u * l + 1u], a[p + 2u * l + 2u], a[p + 2u * l + 3u]),
      vec4<f32>(a[p + 3u * l], a[p + 3u * l + 1u], a[p + 3u * l + 2u], a[p + 3u * l + 3u]),
    );
  }
  return mat4x4<f32>(lineA(row, k, lines), lineA(row, k + 1u, lines), lineA(row, k + 2u, lines), lineA(row, k + 3u, lines));
}

// op(a) at rows row … row + 3 and one k
fn lineA(row: u32, k: u32, lines: vec4<u32>) -> vec4<f32> {
  if (LOAD_A == LOAD_A_STORED && !TRANS_A) {
    let p = lines + vec4<u32>(k);
    return vec4<f32>(a[p.x], a[p.y], a[p.z], a[p.w]);
  }
  if (LOAD_A == LOAD_A_GATHERED_U8 && !TRANS_A) {
    let at = lines + vec4<u32>(k);
    let w = vec4<u32>(features[at.x / 4u], features[at.y / 4u], features[at.z / 4u], features[at.w / 4u]);
    return vec4<f32>((w >> (8u * (at % 4u))) & vec4<u32>(0xffu)) * params.dataScale;
  }
  if (LOAD_A == LOAD_A_GATHERED_U8) {
    return unpackBytes(features[(order[params.start + k] * params.dataCols + row) / 4u]);
  }
  if (LOAD_A == LOAD_A_STORED) {
    let p = k * params.lda + row;
    return vec4<f32>(a[p], a[p + 1u], a[p + 2u], a[p + 3u]);
  }
  return vec4<f32>(storedA(row, k), storedA(row + 1u, k), storedA(row + 2u, k), storedA(row + 3u, k));
}

// op(b) at k … k + 3 and the columns cols (in range): column j holds column cols[j] over k … k + 3
fn quadB(k: u32, cols: vec4<u32>) -> mat4x4<f32> {
  let l = params.ldb;
  if (TRANS_B) {
    let p = cols * l + vec4<u32>(k);
    return mat4x4<f32>(
      vec4<f32>(b[p.x], b[p.x + 1u], b[p.x + 2u], b[p.x + 3u]),
      vec4<f32>(b[p.y], b[p.y + 1u], b[p.y + 2u], b[p.y + 3u]),
      vec4<f32>(b[p.z], b[p.z + 1u], b[p.z + 2u], b[p.z + 3u]),
      vec4<f32>(b[p.w], b[p.w + 1u], b[p.w + 2u], b[p.w + 3u]),
    );
  }
  let p = vec4<u32>(k * l) + cols;
  return transpose(mat4x4<f32>(
    vec4<f32>(b[p.x], b[p.y], b[p.z], b[p.w]),
    vec4<f32>(b[p.x + l], b[p.y + l], b[p.z + l], b[p.w + l]),
    vec4<f32>(b[p.x + 2u * l], b[p.y + 2u * l], b[p.z + 2u * l], b[p.w + 2u * l]),
    vec4<f32>(b[p.x + 3u * l], b[p.y + 3u * l], b[p.z + 3u * l], b[p.w + 3u * l]),
  ));
}

// op(b) at one k and the columns cols (in range)
fn lineB(k: u32, cols: vec4<u32>) -> vec4<f32> {
  var p = vec4<u32>(k * params.ldb) + cols;
  if (TRANS_B) { p = cols * params.ldb + vec4<u32>(k); }
  return vec4<f32>(b[p.x], b[p.y], b[p.z], b[p.w]);
}

// k of op(a) that are stored: the ones column (AUGMENT without TRANS_A) is not
fn storedKOfA() -> u32 {
  if (AUGMENT && !TRANS_A) { return params.K - 1u; }
  return params.K;
}

// x · yᵀ as columns: column j is x · y[j]
fn outer(x: vec4<f32>, y: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(x * y.x, x * y.y, x * y.z, x * y.w);
}

// columns col … col + 3, those past N reading the last column (their sums are never stored)
fn columnsFrom(col: u32) -> vec4<u32> {
  return min(vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.N - 1u));
}

// per row of rows row … row + 3 (not transposed), where its stored line starts; rows past M read row M − 1
fn linesOf(row: u32) -> vec4<u32> {
  let rows = min(vec4<u32>(row) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.M - 1u));
  if (LOAD_A == LOAD_A_STORED) { return rows * params.lda; }
  let s = vec4<u32>(params.start) + rows;
  return vec4<u32>(order[s.x], order[s.y], order[s.z], order[s.w]) * params.dataCols;
}

// the first feature of samples k … k + 3, when op(a) is gathered u8 and transposed (else unused)
fn samplesAt(k: u32) -> vec4<u32> {
  if (LOAD_A != LOAD_A_GATHERED_U8 || !TRANS_A) { return vec4<u32>(0u); }
  let s = params.start + k;
  return vec4<u32>(order[s], order[s + 1u], order[s + 2u], order[s + 3u]) * params.dataCols;
}

// which of rows row … row + 3 is op(a)'s ones row (AUGMENT with TRANS_A), which the loads read as any other
fn onesAt(row: u32) -> vec4<bool> {
  if (!(AUGMENT && TRANS_A)) { return vec4<bool>(false); }
  return vec4<u32>(row) + vec4<u32>(0u, 1u, 2u, 3u) == vec4<u32>(params.M - 1u);
}

// op(a)'s rows at one k with the ones row put in
fn lineWithOnes(x: vec4<f32>, ones: vec4<bool>) -> vec4<f32> {
  if (!(AUGMENT && TRANS_A)) { return x; }
  return select(x, vec4<f32>(1.0), ones);
}

// op(a) at rows row … row + 3 and one k, with the ones row and the ones column (k = K − 1) put in
fn lineAt(row: u32, k: u32, lines: vec4<u32>, ones: vec4<bool>) -> vec4<f32> {
  let x = lineWithOnes(lineA(row, k, lines), ones);
  if (AUGMENT && !TRANS_A) { return select(x, vec4<f32>(1.0), k == params.K - 1u); }
  return x;
}

// a quadA with the ones row put in
fn quadWithOnes(m: mat4x4<f32>, ones: vec4<bool>) -> mat4x4<f32> {
  if (!(AUGMENT && TRANS_A)) { return m; }
  return mat4x4<f32>(select(m[0], vec4<f32>(1.0), ones), select(m[1], vec4<f32>(1.0), ones), select(m[2], vec4<f32>(1.0), ones), select(m[3], vec4<f32>(1.0), ones));
}

// A thread's 8×8 block as four 4×4 ones: rows 0 … 3 or 4 … 7 (the first digit), columns 0 … 3 or 4 … 7
struct Block {
  c00: mat4x4<f32>,
  c01: mat4x4<f32>,
  c10: mat4x4<f32>,
  c11: mat4x4<f32>,
}

// the block of op(a) · op(b) at rows row … row + 7 and the columns cols0, cols1 (in range)
fn blockOf(row: u32, cols0: vec4<u32>, cols1: vec4<u32>) -> Block {
  var lines0 = vec4<u32>(0u);
  var lines1 = vec4<u32>(0u);
  if (!TRANS_A) {
    lines0 = linesOf(row);
    lines1 = linesOf(row + 4u);
  }
  let kEnd = storedKOfA();
  var k4 = 0u;
  var c00 = mat4x4<f32>();
  var c01 = mat4x4<f32>();
  var c10 = mat4x4<f32>();
  var c11 = mat4x4<f32>();
  let ones0 = onesAt(row);
  let ones1 = onesAt(row + 4u);
  if (QUADS) {
    k4 = kEnd & ~3u;
    for (var k = 0u; k < k4; k += 4u) {
      let samples = samplesAt(k);
      let a0 = quadWithOnes(quadA(row, k, lines0, samples), ones0);
      let a1 = quadWithOnes(quadA(row + 4u, k, lines1, samples), ones1);
      let b0 = quadB(k, cols0);
      let b1 = quadB(k, cols1);
      c00 += a0 * b0;
      c01 += a0 * b1;
      c10 += a1 * b0;
      c11 += a1 * b1;
    }
  }
  // the rest one k at a time, with op(a)'s ones column (AUGMENT without TRANS_A) at k = K − 1
  for (var k = k4; k < params.K; k++) {
    let x0 = lineAt(row, k, lines0, ones0);
    let x1 = lineAt(row + 4u, k, lines1, ones1);
    let y0 = lineB(k, cols0);
    let y1 = lineB(k, cols1);
    c00 += outer(x0, y0);
    c01 += outer(x0, y1);
    c10 += outer(x1, y0);
    c11 += outer(x1, y1);
  }
  return Block(c00, c01, c10, c11);
}

@compute @workgroup_size(16)
fn matmul(@builtin(local_invocation_index) thread: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (EPILOGUE == EPILOGUE_SGD_STEP) { poisonBits = checkGuard(thread, 16u); }
  let row = wid.y * TILE + (thread / 4u) * 8u;
  let col = wid.x * TILE + (thread % 4u) * 8u;
  let c = blockOf(row, columnsFrom(col), columnsFrom(col + 4u));
  // one copy of the epilogue for the four blocks (less code to compile)
  let blocks = array<mat4x4<f32>, 4>(c.c00, c.c01, c.c10, c.c11);
  var sums = vec2<f32>(0.0);
  for (var q = 0u; q < 4u; q++) {
    sums += storeBlock(row + 4u * (q / 2u), col + 4u * (q % 2u), blocks[q]);
  }
  if (EPILOGUE == EPILOGUE_PARAMETER_GRADIENT || EPILOGUE == EPILOGUE_SGD_STEP) {
    // this tile's ‖W‖² and ‖dW‖²: metrics[slot + 2·tile], metrics[slot + 2·tile + 1]
    tileSums[thread] = sums;
    workgroupBarrier();
    if (thread == 0u) {
      var total = vec2<f32>(0.0);
      for (var t = 0u; t < 16u; t++) { total += tileSums[t]; }
      let tile = wid.y * params.tilesX + wid.x;
      metrics[params.slot + 2u * tile] = partial(total.x);
      metrics[params.slot + 2u * tile + 1u] = partial(total.y);
    }
  }
}

// Finishes and stores a 4×4 block at rows row … row + 3, columns col … col + 3; returns its (‖W‖², ‖dW‖²) shares.
fn storeBlock(row: u32, col: u32, block: mat4x4<f32>) -> vec2<f32> {
  var sums = vec2<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.N) {
      for (var i = 0u; i < 4u; i++) {
        if (row + i < params.M) {
          let done = finish(row + i, col + j, block[j][i]);
          if (storing()) { out[(row + i) * params.N + col + j] = done.value; }
          sums += vec2<f32>(done.weightSq, done.gradSq);
        }
      }
    }
  }
  return sums;
}

// ---- narrow outputs (N ≤ NARROW_N, such as 10 classes): a thread per 8 rows, all N columns ----
// The same blocks, NARROW_GROUPS groups of four columns (the host sets ceil(N / 4)), four threads
// a 32-row block, k one at a time (these products are small: steps of four would triple the time
// to compile, ~300 ms a pipeline on SwiftShader, for a millisecond a step). SOFTMAX_CROSS_ENTROPY is the fused loss of each row's logits: dO = (softmax −
// onehot)·scale into out, and per 32-row block the scaled loss sum and the correct count into the
// metrics.

const NARROW_N: u32 = 16u; // the widest narrow output (four groups of four); core/backend.ts's MAX_FUSED_CLASSES
override NARROW_GROUPS: u32 = 4u;
var<workgroup> sumsNarrow: array<vec2<f32>, 4>;

// A thread's 8 rows by up to 16 columns: g<h><group>, rows 4h … 4h + 3, columns 4·group … 4·group + 3
struct Narrow {
  g00: mat4x4<f32>,
  g01: mat4x4<f32>,
  g02: mat4x4<f32>,
  g03: mat4x4<f32>,
  g10: mat4x4<f32>,
  g11: mat4x4<f32>,
  g12: mat4x4<f32>,
  g13: mat4x4<f32>,
}

fn narrowOf(row: u32) -> Narrow {
  var lines0 = vec4<u32>(0u);
  var lines1 = vec4<u32>(0u);
  if (!TRANS_A) {
    lines0 = linesOf(row);
    lines1 = linesOf(row + 4u);
  }
  var c = Narrow(mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>());
  let ones0 = onesAt(row);
  let ones1 = onesAt(row + 4u);
  for (var k = 0u; k < params.K; k++) {
    narrowAdd(&c, lineAt(row, k, lines0, ones0), lineAt(row + 4u, k, lines1, ones1), k);
  }
  return c;
}

// c += outer(x0 | x1, op(b)'s row k) over the groups
fn narrowAdd(c: ptr<function, Narrow>, x0: vec4<f32>, x1: vec4<f32>, k: u32) {
  let y0 = lineB(k, columnsFrom(0u));
  (*c).g00 += outer(x0, y0);
  (*c).g10 += outer(x1, y0);
  if (NARROW_GROUPS > 1u) {
    let y1 = lineB(k, columnsFrom(4u));
    (*c).g01 += outer(x0, y1);
    (*c).g11 += outer(x1, y1);
  }
  if (NARROW_GROUPS > 2u) {
    let y2 = lineB(k, columnsFrom(8u));
    (*c).g02 += outer(x0, y2);
    (*c).g12 += outer(x1, y2);
  }
  if (NARROW_GROUPS > 3u) {
    let y3 = lineB(k, columnsFrom(12u));
    (*c).g03 += outer(x0, y3);
    (*c).g13 += outer(x1, y3);
  }
}

// row i (0 … 3) of m
fn rowOf(m: mat4x4<f32>, i: u32) -> vec4<f32> {
  return vec4<f32>(m[0][i], m[1][i], m[2][i], m[3][i]);
}

// the 16 sums of row i (0 … 7) of the thread's block
fn logitsOf(c: Narrow, i: u32) -> array<f32, NARROW_N> {
  var g0 = rowOf(c.g00, i % 4u);
  var g1 = rowOf(c.g01, i % 4u);
  var g2 = rowOf(c.g02, i % 4u);
  var g3 = rowOf(c.g03, i % 4u);
  if (i >= 4u) {
    g0 = rowOf(c.g10, i - 4u);
    g1 = rowOf(c.g11, i - 4u);
    g2 = rowOf(c.g12, i - 4u);
    g3 = rowOf(c.g13, i - 4u);
  }
  return array<f32, NARROW_N>(g0.x, g0.y, g0.z, g0.w, g1.x, g1.y, g1.z, g1.w, g2.x, g2.y, g2.z, g2.w, g3.x, g3.y, g3.z, g3.w);
}

@compute @workgroup_size(4)
fn matmul_narrow(@builtin(local_invocation_index) thread: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (EPILOGUE == EPILOGUE_SGD_STEP) { poisonBits = checkGuard(thread, 4u); }
  let row0 = wid.x * TILE + thread * 8u;
  let c = narrowOf(row0);
  var sums = vec2<f32>(0.0, 0.0);
  for (var i = 0u; i < 8u; i++) {
    let row = row0 + i;
    if (row < params.M) {
      var logits = logitsOf(c, i);
      if (EPILOGUE == EPILOGUE_SOFTMAX_CROSS_ENTROPY) {
        sums += softmaxCrossEntropy(row, &logits);
      } else {
        for (var j = 0u; j < params.N; j++) {
          let done = finish(row, j, logits[j]);
          if (storing()) { out[row * params.N + j] = done.value; }
          sums += vec2<f32>(done.weightSq, done.gradSq);
        }
      }
    }
  }
  if (EPILOGUE == EPILOGUE_PARAMETER_GRADIENT || EPILOGUE == EPILOGUE_SOFTMAX_CROSS_ENTROPY || EPILOGUE == EPILOGUE_SGD_STEP) {
    sumsNarrow[thread] = sums;
    workgroupBarrier();
    if (thread == 0u) {
      let total = sumsNarrow[0] + sumsNarrow[1] + sumsNarrow[2] + sumsNarrow[3];
      metrics[params.slot + 2u * wid.x] = partial(total.x);
      metrics[params.slot + 2u * wid.x + 1u] = partial(total.y);
    }
  }
}

// loss_i = (max − o_y) + log Σ exp(o − max); returns (loss_i · scale, correct_i); writes the row of dO
fn softmaxCrossEntropy(row: u32, logits: ptr<function, array<f32, NARROW_N>>) -> vec2<f32> {
  let q = params.N;
  var maxLogit = (*logits)[0];
  var argmax = 0u;
  for (var j = 1u; j < q; j++) {
    if ((*logits)[j] > maxLogit) {
      maxLogit = (*logits)[j];
      argmax = j;
    }
  }
  var sumExp = 0.0;
  for (var j = 0u; j < q; j++) { sumExp += exp((*logits)[j] - maxLogit); }
  let label = labelOf(row);
  for (var j = 0u; j < q; j++) {
    let p = exp((*logits)[j] - maxLogit) / sumExp;
    out[row * q + j] = (p - select(0.0, 1.0, j == label)) * params.scale;
  }
  let loss = (maxLogit - (*logits)[label]) + log(sumExp);
  return vec2<f32>(loss * params.scale, select(0.0, 1.0, argmax == label));
}
