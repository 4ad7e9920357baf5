// matmul.wgsl: out (M, N) = op(a) (M, K) · op(b) (K, N) with fused epilogues; register-tiled, plus a narrow-N path.
// The CPU backend's matmul and linear* ops are the specification. Transposes are read by indexing.
// With augment = 1, op(a) gains a column of ones at index K − 1 (transA = 0) or a row of ones at
// index M − 1 (transA = 1): a layer's parameters P = [W; b] then multiply [H | 1] in one pass.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  transA: u32,
  transB: u32,
  lda: u32, // columns of a as stored
  ldb: u32, // columns of b as stored
  augment: u32,
  epilogue: u32, // 0 store, 1 activation, 2 activation backward, 3 parameter gradient, 4 softmax cross-entropy
  kind: u32, // activation (elementwise.wgsl's codes)
  slot: u32, // first metrics slot written by epilogues 3 and 4
  tilesX: u32, // 64-column tiles across N (epilogue 3's partial index)
  lambda: f32, // epilogue 3: + λ·W
  scale: f32, // epilogue 4: 1/n
  gathered: u32, // 1: a is a batch of the uploaded split: rows order[start …] of `features`
  start: u32, // first position in order
  dataCols: u32, // features per sample
  packed: u32, // 1: u8 features four to a word, 0: f32 bits
  dataScale: f32, // features × dataScale (1/255 for pixels)
  labelsGathered: u32, // 1: labels are the split's (u8 packed), at order[start + row]
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>; // epilogue 2: H (M, N); epilogue 3: P (M, N)
@group(0) @binding(5) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(6) var<storage, read> labels: array<u32>; // one a row, or u8 packed when gathered
@group(0) @binding(7) var<storage, read> features: array<u32>;
@group(0) @binding(8) var<storage, read> order: array<u32>;

fn byteAt(words: u32, index: u32) -> u32 {
  return (words >> (8u * (index % 4u))) & 0xffu;
}

// feature f of the batch's r-th sample, read straight from the uploaded split
fn gatheredValue(r: u32, f: u32) -> f32 {
  let at = order[params.start + r] * params.dataCols + f;
  if (params.packed == 1u) { return f32(byteAt(features[at / 4u], at)) * params.dataScale; }
  return bitcast<f32>(features[at]) * params.dataScale;
}

fn labelOf(row: u32) -> u32 {
  if (params.labelsGathered == 1u) {
    let sample = order[params.start + row];
    return byteAt(labels[sample / 4u], sample);
  }
  return labels[row];
}

// op(a)[row, k], zero outside the matrix so partial tiles add nothing, one on the augmented line
fn loadA(row: u32, k: u32) -> f32 {
  if (row >= params.M || k >= params.K) { return 0.0; }
  if (params.transA == 1u) {
    if (params.augment == 1u && row == params.M - 1u) { return 1.0; }
    if (params.gathered == 1u) { return gatheredValue(k, row); }
    return a[k * params.lda + row];
  }
  if (params.augment == 1u && k == params.K - 1u) { return 1.0; }
  if (params.gathered == 1u) { return gatheredValue(row, k); }
  return a[row * params.lda + k];
}

// op(b)[k, col], zero outside the matrix
fn loadB(k: u32, col: u32) -> f32 {
  if (k >= params.K || col >= params.N) { return 0.0; }
  if (params.transB == 1u) { return b[col * params.ldb + k]; }
  return b[k * params.ldb + col];
}

fn activate(kind: u32, z: f32) -> f32 {
  switch kind {
    case 0u: { return max(z, 0.0); }
    case 1u: { return 1.0 / (1.0 + exp(-z)); }
    case 2u: { return tanh(clamp(z, -15.0, 15.0)); } // tanh of a large argument is NaN on some drivers
    default: { return z; }
  }
}

// φ'(z) from h = φ(z) alone: ReLU's z > 0 is h > 0
fn derivativeFromOutput(kind: u32, h: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, 1.0, h > 0.0); }
    case 1u: { return h * (1.0 - h); }
    case 2u: { return 1.0 - h * h; }
    default: { return 1.0; }
  }
}

// Epilogues 1–3 for one output: the stored value, and (epilogue 3) its share of ‖W‖² and ‖dW‖²
struct Finished {
  value: f32,
  weightSq: f32,
  gradSq: f32,
}

fn finish(row: u32, col: u32, acc: f32) -> Finished {
  var result = Finished(acc, 0.0, 0.0);
  let at = row * params.N + col;
  switch params.epilogue {
    case 1u: { result.value = activate(params.kind, acc); }
    case 2u: { result.value = acc * derivativeFromOutput(params.kind, aux[at]); }
    case 3u: {
      // the bias line (the last row) is not decayed and not in the norms
      if (row + 1u < params.M) {
        let w = aux[at];
        result.value = acc + params.lambda * w;
        result.weightSq = w * w;
        result.gradSq = result.value * result.value;
      }
    }
    default: {}
  }
  return result;
}

// ---- register-tiled: a 16×16 workgroup computes a 64×64 block, each thread 4×4 outputs ----
// Thread (x, y) owns rows y + 16i and columns x + 16j (i, j < 4): neighbouring threads write
// neighbouring addresses. Tiles of op(a) (64×16) and op(b) (16×64) are staged in workgroup memory.

const BM: u32 = 64u;
const BN: u32 = 64u;
const BK: u32 = 16u;
var<workgroup> tileA: array<f32, 1024>; // [k][row]: tileA[k * BM + row]; reused for the epilogue's sums
var<workgroup> tileB: array<f32, 1024>; // [k][col]: tileB[k * BN + col]

@compute @workgroup_size(16, 16)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let thread = lid.y * 16u + lid.x;
  let rowBase = wid.y * BM;
  let colBase = wid.x * BN;
  var acc: array<f32, 16>;
  for (var t = 0u; t < params.K; t += BK) {
    for (var e = 0u; e < 4u; e++) {
      let idx = thread * 4u + e; // 0 … 1023
      // walk the stored matrix along its contiguous dimension
      var r = idx / BK;
      var ka = idx % BK;
      if (params.transA == 1u) { r = idx % BM; ka = idx / BM; }
      tileA[ka * BM + r] = loadA(rowBase + r, t + ka);
      var kb = idx / BN;
      var c = idx % BN;
      if (params.transB == 1u) { kb = idx % BK; c = idx / BK; }
      tileB[kb * BN + c] = loadB(t + kb, colBase + c);
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { av[i] = tileA[k * BM + lid.y + 16u * i]; }
      for (var j = 0u; j < 4u; j++) { bv[j] = tileB[k * BN + lid.x + 16u * j]; }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          acc[i * 4u + j] += av[i] * bv[j];
        }
      }
    }
    workgroupBarrier();
  }
  var weightSq = 0.0;
  var gradSq = 0.0;
  for (var i = 0u; i < 4u; i++) {
    let row = rowBase + lid.y + 16u * i;
    for (var j = 0u; j < 4u; j++) {
      let col = colBase + lid.x + 16u * j;
      if (row < params.M && col < params.N) {
        let done = finish(row, col, acc[i * 4u + j]);
        out[row * params.N + col] = done.value;
        weightSq += done.weightSq;
        gradSq += done.gradSq;
      }
    }
  }
  if (params.epilogue == 3u) {
    // this tile's ‖W‖² and ‖dW‖²: metrics[slot + 2·tile], metrics[slot + 2·tile + 1]
    tileA[thread] = weightSq;
    tileB[thread] = gradSq;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride /= 2u) {
      if (thread < stride) {
        tileA[thread] += tileA[thread + stride];
        tileB[thread] += tileB[thread + stride];
      }
      workgroupBarrier();
    }
    if (thread == 0u) {
      let tile = wid.y * params.tilesX + wid.x;
      metrics[params.slot + 2u * tile] = tileA[0];
      metrics[params.slot + 2u * tile + 1u] = tileB[0];
    }
  }
}

// ---- narrow outputs (N ≤ 16, such as 10 classes): a thread per output row, all N columns ----
// op(b) is staged 64 rows of k at a time; each thread streams its own row of op(a). Epilogue 4
// is the fused softmax cross-entropy of the row's logits: dO = (softmax − onehot)·scale into out,
// and per 64-row block the scaled loss sum and the correct count into the metrics.

const NARROW_K: u32 = 64u;
const NARROW_N: u32 = 16u;
var<workgroup> tileNarrow: array<f32, 1024>; // [k][col]: tileNarrow[k * NARROW_N + col]
var<workgroup> sumsNarrow: array<vec2<f32>, 64>;

@compute @workgroup_size(64)
fn matmul_narrow(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x * 64u + lid.x;
  var acc: array<f32, 16>;
  for (var t = 0u; t < params.K; t += NARROW_K) {
    for (var e = 0u; e < 16u; e++) {
      let idx = lid.x * 16u + e; // 0 … 1023
      tileNarrow[idx] = loadB(t + idx / NARROW_N, idx % NARROW_N);
    }
    workgroupBarrier();
    let kEnd = min(NARROW_K, params.K - t);
    for (var k = 0u; k < kEnd; k++) {
      let av = loadA(row, t + k);
      for (var j = 0u; j < NARROW_N; j++) {
        acc[j] += av * tileNarrow[k * NARROW_N + j];
      }
    }
    workgroupBarrier();
  }
  var sums = vec2<f32>(0.0, 0.0);
  if (row < params.M) {
    if (params.epilogue == 4u) {
      sums = softmaxCrossEntropy(row, &acc);
    } else {
      for (var j = 0u; j < params.N; j++) {
        let done = finish(row, j, acc[j]);
        out[row * params.N + j] = done.value;
        sums += vec2<f32>(done.weightSq, done.gradSq);
      }
    }
  }
  if (params.epilogue >= 3u) {
    sumsNarrow[lid.x] = sums;
    workgroupBarrier();
    for (var stride = 32u; stride > 0u; stride /= 2u) {
      if (lid.x < stride) { sumsNarrow[lid.x] += sumsNarrow[lid.x + stride]; }
      workgroupBarrier();
    }
    if (lid.x == 0u) {
      metrics[params.slot + 2u * wid.x] = sumsNarrow[0].x;
      metrics[params.slot + 2u * wid.x + 1u] = sumsNarrow[0].y;
    }
  }
}

// loss_i = (max − o_y) + log Σ exp(o − max); returns (loss_i · scale, correct_i); writes the row of dO
fn softmaxCrossEntropy(row: u32, logits: ptr<function, array<f32, 16>>) -> vec2<f32> {
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
