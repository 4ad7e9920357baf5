// matmul.wgsl: out (M, N) = op(a) (M, K) · op(b) (K, N) with named epilogues and loaders; register-tiled with vec4s, plus a narrow-N path.
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

// ---- register-tiled: an 8×8 workgroup computes a 32×32 block, each thread a 4×4 block ----
// Thread (x, y) owns rows 4y … 4y+3 and columns 4x … 4x+3, held as four vec4 accumulators and
// updated with vec4 FMAs, written out by hand: software adapters (SwiftShader's JIT) keep neither
// loops unrolled nor private arrays in registers, and run this several times faster.

const TILE: u32 = 32u; // core/metrics-row.ts's PARTIAL_TILE: the backend checks they agree
var<workgroup> tileA: array<f32, 1024>; // [k][row]: tileA[k * TILE + row]; reused for the epilogue's sums
var<workgroup> tileB: array<vec4<f32>, 256>; // [k][col / 4]: tileB[k * 8 + col / 4]

@compute @workgroup_size(8, 8)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let thread = lid.y * 8u + lid.x;
  if (EPILOGUE == EPILOGUE_SGD_STEP) { poisonBits = checkGuard(thread, 64u); }
  let rowBase = wid.y * TILE;
  let colBase = wid.x * TILE;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  // op(a)'s rows and k that are stored (the augmented line is not)
  var aRows = params.M;
  var aK = params.K;
  if (AUGMENT) {
    if (TRANS_A) { aRows -= 1u; } else { aK -= 1u; }
  }
  for (var t = 0u; t < params.K; t += TILE) {
    if (LOAD_A == LOAD_A_GATHERED_U8 && params.dataCols % 4u == 0u) {
      loadGatheredTile(thread, rowBase, t);
    } else if (LOAD_A == LOAD_A_STORED && rowBase + TILE <= aRows && t + TILE <= aK) {
      loadInteriorTileA(thread, rowBase, t);
    } else {
      for (var e = 0u; e < 16u; e++) {
        let idx = thread * 16u + e; // 0 … 1023
        // walk the stored matrix along its contiguous dimension
        var r = idx / TILE;
        var ka = idx % TILE;
        if (TRANS_A) { r = idx % TILE; ka = idx / TILE; }
        tileA[ka * TILE + r] = loadA(rowBase + r, t + ka);
      }
    }
    if (!TRANS_B && t + TILE <= params.K && colBase + TILE <= params.N) {
      // a thread's four slots are 16 consecutive values of one row of b
      let src = (t + thread / 2u) * params.ldb + colBase + (thread % 2u) * 16u;
      tileB[thread * 4u] = vec4<f32>(b[src], b[src + 1u], b[src + 2u], b[src + 3u]);
      tileB[thread * 4u + 1u] = vec4<f32>(b[src + 4u], b[src + 5u], b[src + 6u], b[src + 7u]);
      tileB[thread * 4u + 2u] = vec4<f32>(b[src + 8u], b[src + 9u], b[src + 10u], b[src + 11u]);
      tileB[thread * 4u + 3u] = vec4<f32>(b[src + 12u], b[src + 13u], b[src + 14u], b[src + 15u]);
    } else {
      for (var e = 0u; e < 4u; e++) {
        let slot = thread * 4u + e; // 0 … 255
        let kb = t + slot / 8u;
        let c = colBase + (slot % 8u) * 4u;
        tileB[slot] = vec4<f32>(loadB(kb, c), loadB(kb, c + 1u), loadB(kb, c + 2u), loadB(kb, c + 3u));
      }
    }
    workgroupBarrier();
    for (var k = 0u; k < TILE; k++) {
      let bv = tileB[k * 8u + lid.x];
      let ak = k * TILE + lid.y * 4u;
      acc0 = fma(vec4<f32>(tileA[ak]), bv, acc0);
      acc1 = fma(vec4<f32>(tileA[ak + 1u]), bv, acc1);
      acc2 = fma(vec4<f32>(tileA[ak + 2u]), bv, acc2);
      acc3 = fma(vec4<f32>(tileA[ak + 3u]), bv, acc3);
    }
    workgroupBarrier();
  }
  let row = rowBase + lid.y * 4u;
  let col = colBase + lid.x * 4u;
  var sums = storeRow(row, col, acc0);
  sums += storeRow(row + 1u, col, acc1);
  sums += storeRow(row + 2u, col, acc2);
  sums += storeRow(row + 3u, col, acc3);
  if (EPILOGUE == EPILOGUE_PARAMETER_GRADIENT || EPILOGUE == EPILOGUE_SGD_STEP) {
    // this tile's ‖W‖² and ‖dW‖²: metrics[slot + 2·tile], metrics[slot + 2·tile + 1]
    tileA[thread] = sums.x;
    tileA[64u + thread] = sums.y;
    workgroupBarrier();
    for (var stride = 32u; stride > 0u; stride /= 2u) {
      if (thread < stride) {
        tileA[thread] += tileA[thread + stride];
        tileA[64u + thread] += tileA[64u + thread + stride];
      }
      workgroupBarrier();
    }
    if (thread == 0u) {
      let tile = wid.y * params.tilesX + wid.x;
      metrics[params.slot + 2u * tile] = partial(tileA[0]);
      metrics[params.slot + 2u * tile + 1u] = partial(tileA[64]);
    }
  }
}

// A thread's 16 loads of a gathered u8 tile are 16 consecutive features of one sample: one order
// lookup and four word reads instead of sixteen of each (loadA per element is the fallback at the
// edges: past the last sample, or a run that reaches the ones column).
fn loadGatheredTile(thread: u32, rowBase: u32, t: u32) {
  let first = thread * 16u;
  var sample = 0u; // batch row
  var feature = 0u; // first of the 16 features
  var batchRows = params.M;
  if (TRANS_A) {
    sample = t + first / TILE;
    feature = rowBase + first % TILE;
    batchRows = params.K;
  } else {
    sample = rowBase + first / TILE;
    feature = t + first % TILE;
  }
  if (sample >= batchRows || feature + 16u > params.dataCols) {
    for (var e = 0u; e < 16u; e++) {
      let idx = first + e;
      var r = idx / TILE;
      var ka = idx % TILE;
      if (TRANS_A) { r = idx % TILE; ka = idx / TILE; }
      tileA[ka * TILE + r] = loadA(rowBase + r, t + ka);
    }
    return;
  }
  let word0 = (order[params.start + sample] * params.dataCols + feature) / 4u;
  // element e goes to tileA[dst + e·step]: [k = sample][row = feature] with TRANS_A, else [k = feature][row = sample]
  var dst = first;
  var step = 1u;
  if (!TRANS_A) {
    dst = (first % TILE) * TILE + first / TILE;
    step = TILE;
  }
  storeBytes(features[word0], dst, step);
  storeBytes(features[word0 + 1u], dst + 4u * step, step);
  storeBytes(features[word0 + 2u], dst + 8u * step, step);
  storeBytes(features[word0 + 3u], dst + 12u * step, step);
}

// four u8 features of one word, scaled, to tileA[dst + i·step]
fn storeBytes(word: u32, dst: u32, step: u32) {
  let v = vec4<f32>((vec4<u32>(word) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu)) * params.dataScale;
  tileA[dst] = v.x;
  tileA[dst + step] = v.y;
  tileA[dst + 2u * step] = v.z;
  tileA[dst + 3u * step] = v.w;
}

// A tile of op(a) that lies inside the stored matrix: a thread's 16 loads are 16 consecutive
// values of one stored row, without bounds checks.
fn loadInteriorTileA(thread: u32, rowBase: u32, t: u32) {
  let line = thread / 2u; // the stored row: op(a)'s row (or k, with TRANS_A)
  let first = (thread % 2u) * 16u; // the first of the 16 along it
  if (TRANS_A) {
    let src = (t + line) * params.lda + rowBase + first;
    let dst = line * TILE + first; // [k = line][row = first + e]
    for (var e = 0u; e < 16u; e++) { tileA[dst + e] = a[src + e]; }
  } else {
    let src = (rowBase + line) * params.lda + t + first;
    let dst = first * TILE + line; // [k = first + e][row = line]
    for (var e = 0u; e < 16u; e++) { tileA[dst + e * TILE] = a[src + e]; }
  }
}

// Finishes and stores up to four outputs of one row; returns their (‖W‖², ‖dW‖²) shares.
fn storeRow(row: u32, col: u32, acc: vec4<f32>) -> vec2<f32> {
  var sums = vec2<f32>(0.0);
  if (row >= params.M) { return sums; }
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.N) {
      let done = finish(row, col + j, acc[j]);
      if (storing()) { out[row * params.N + col + j] = done.value; }
      sums += vec2<f32>(done.weightSq, done.gradSq);
    }
  }
  return sums;
}

// ---- narrow outputs (N ≤ NARROW_N, such as 10 classes): a thread per output row, all N columns ----
// op(b) is staged 64 rows of k at a time as vec4s; each thread streams its own row of op(a) into
// four vec4 accumulators. SOFTMAX_CROSS_ENTROPY is the fused loss of the row's logits:
// dO = (softmax − onehot)·scale into out, and per 32-row block the scaled loss sum and the
// correct count into the metrics.

const NARROW_N: u32 = 16u; // the widest narrow output (four vec4 accumulators); core/backend.ts's MAX_FUSED_CLASSES
const NARROW_K: u32 = 64u;
var<workgroup> tileNarrow: array<vec4<f32>, 256>; // [k][col / 4]: tileNarrow[k * 4 + col / 4]
var<workgroup> sumsNarrow: array<vec2<f32>, 32>;

@compute @workgroup_size(32)
fn matmul_narrow(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x * TILE + lid.x;
  if (EPILOGUE == EPILOGUE_SGD_STEP) { poisonBits = checkGuard(lid.x, 32u); }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var t = 0u; t < params.K; t += NARROW_K) {
    for (var e = 0u; e < 8u; e++) {
      let slot = lid.x * 8u + e; // 0 … 255
      let k = t + slot / 4u;
      let c = (slot % 4u) * 4u;
      tileNarrow[slot] = vec4<f32>(loadB(k, c), loadB(k, c + 1u), loadB(k, c + 2u), loadB(k, c + 3u));
    }
    workgroupBarrier();
    let kEnd = min(NARROW_K, params.K - t);
    for (var k = 0u; k < kEnd; k++) {
      let av = vec4<f32>(loadA(row, t + k));
      acc0 = fma(av, tileNarrow[k * 4u], acc0);
      acc1 = fma(av, tileNarrow[k * 4u + 1u], acc1);
      acc2 = fma(av, tileNarrow[k * 4u + 2u], acc2);
      acc3 = fma(av, tileNarrow[k * 4u + 3u], acc3);
    }
    workgroupBarrier();
  }
  var sums = vec2<f32>(0.0, 0.0);
  if (row < params.M) {
    var logits = array<f32, NARROW_N>(
      acc0.x, acc0.y, acc0.z, acc0.w, acc1.x, acc1.y, acc1.z, acc1.w,
      acc2.x, acc2.y, acc2.z, acc2.w, acc3.x, acc3.y, acc3.z, acc3.w,
    );
    if (EPILOGUE == EPILOGUE_SOFTMAX_CROSS_ENTROPY) {
      sums = softmaxCrossEntropy(row, &logits);
    } else {
      for (var j = 0u; j < params.N; j++) {
        let done = finish(row, j, logits[j]);
        if (storing()) { out[row * params.N + j] = done.value; }
        sums += vec2<f32>(done.weightSq, done.gradSq);
      }
    }
  }
  if (EPILOGUE == EPILOGUE_PARAMETER_GRADIENT || EPILOGUE == EPILOGUE_SOFTMAX_CROSS_ENTROPY || EPILOGUE == EPILOGUE_SGD_STEP) {
    sumsNarrow[lid.x] = sums;
    workgroupBarrier();
    for (var stride = 16u; stride > 0u; stride /= 2u) {
      if (lid.x < stride) { sumsNarrow[lid.x] += sumsNarrow[lid.x + stride]; }
      workgroupBarrier();
    }
    if (lid.x == 0u) {
      metrics[params.slot + 2u * wid.x] = partial(sumsNarrow[0].x);
      metrics[params.slot + 2u * wid.x + 1u] = partial(sumsNarrow[0].y);
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
