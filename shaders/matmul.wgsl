// matmul.wgsl: out (M, N) = op(a) (M, K) · op(b) (K, N), transposes by indexing, 16×16 workgroup tiles.
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

const TILE: u32 = 16u;
var<workgroup> tileA: array<array<f32, 16>, 16>;
var<workgroup> tileB: array<array<f32, 16>, 16>;

// op(a)[row, col], zero outside the matrix so partial tiles add nothing
fn loadA(row: u32, col: u32) -> f32 {
  if (row >= params.M || col >= params.K) { return 0.0; }
  if (params.transA == 1u) { return a[col * params.lda + row]; }
  return a[row * params.lda + col];
}

// op(b)[row, col], zero outside the matrix
fn loadB(row: u32, col: u32) -> f32 {
  if (row >= params.K || col >= params.N) { return 0.0; }
  if (params.transB == 1u) { return b[col * params.ldb + row]; }
  return b[row * params.ldb + col];
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.y * TILE + lid.y;
  let col = wid.x * TILE + lid.x;
  var sum = 0.0;
  for (var t = 0u; t < params.K; t += TILE) {
    tileA[lid.y][lid.x] = loadA(row, t + lid.x);
    tileB[lid.y][lid.x] = loadB(t + lid.y, col);
    workgroupBarrier();
    for (var p = 0u; p < TILE; p++) {
      sum += tileA[lid.y][p] * tileB[p][lid.x];
    }
    workgroupBarrier();
  }
  if (row < params.M && col < params.N) {
    out[row * params.N + col] = sum;
  }
}
