// matmul.wgsl: out (M, N) = op(a) (M, K) · op(b) (K, N), transposes by indexing; register-tiled, plus a narrow-N path.
// The CPU backend's matmul is the specification; transA/transB read a and b transposed in place.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  transA: u32,
  transB: u32,
  lda: u32, // columns of a as stored
  ldb: u32, // columns of b as stored
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;

// op(a)[row, k], zero outside the matrix so partial tiles add nothing
fn loadA(row: u32, k: u32) -> f32 {
  if (row >= params.M || k >= params.K) { return 0.0; }
  if (params.transA == 1u) { return a[k * params.lda + row]; }
  return a[row * params.lda + k];
}

// op(b)[k, col], zero outside the matrix
fn loadB(k: u32, col: u32) -> f32 {
  if (k >= params.K || col >= params.N) { return 0.0; }
  if (params.transB == 1u) { return b[col * params.ldb + k]; }
  return b[k * params.ldb + col];
}

// ---- register-tiled: a 16×16 workgroup computes a 64×64 block, each thread 4×4 outputs ----
// Thread (x, y) owns rows y + 16i and columns x + 16j (i, j < 4): neighbouring threads write
// neighbouring addresses. Tiles of op(a) (64×16) and op(b) (16×64) are staged in workgroup memory.

const BM: u32 = 64u;
const BN: u32 = 64u;
const BK: u32 = 16u;
var<workgroup> tileA: array<f32, 1024>; // [k][row]: tileA[k * BM + row]
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
  for (var i = 0u; i < 4u; i++) {
    let row = rowBase + lid.y + 16u * i;
    for (var j = 0u; j < 4u; j++) {
      let col = colBase + lid.x + 16u * j;
      if (row < params.M && col < params.N) {
        out[row * params.N + col] = acc[i * 4u + j];
      }
    }
  }
}

// ---- narrow outputs (N ≤ 16, such as 10 classes): a thread per output row, all N columns ----
// op(b) is staged 64 rows of k at a time; each thread streams its own row of op(a).

const NARROW_K: u32 = 64u;
const NARROW_N: u32 = 16u;
var<workgroup> tileNarrow: array<f32, 1024>; // [k][col]: tileNarrow[k * NARROW_N + col]

@compute @workgroup_size(64)
fn matmul_narrow(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x * 64u + lid.x;
  var acc: array<f32, 16>;
  for (var t = 0u; t < params.K; t += NARROW_K) {
    for (var e = 0u; e < 16u; e++) {
      let idx = lid.x * 16u + e; // 0 … 1023
      let k = idx / NARROW_N;
      let c = idx % NARROW_N;
      tileNarrow[idx] = loadB(t + k, c);
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
  if (row < params.M) {
    for (var j = 0u; j < params.N; j++) {
      out[row * params.N + j] = acc[j];
    }
  }
}
