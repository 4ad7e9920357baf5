// reduce.wgsl: a whole tensor summed (or summed in squares) into one metrics slot, and column sums.

struct Params {
  size: u32, // elements of x (sum_into)
  rows: u32, // rows of x (column_sums)
  cols: u32, // columns of x (column_sums)
  slot: u32, // index in out that receives the sum
  squares: u32, // 1: sum of x², 0: sum of x
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

const THREADS: u32 = 256u;
var<workgroup> partial: array<f32, 256>;

// out[slot] = scale · Σ x (or Σ x²): one workgroup strides over x, then a tree in workgroup memory
@compute @workgroup_size(256)
fn sum_into(@builtin(local_invocation_id) lid: vec3<u32>) {
  var sum = 0.0;
  for (var i = lid.x; i < params.size; i += THREADS) {
    let v = x[i];
    sum += select(v, v * v, params.squares == 1u);
  }
  partial[lid.x] = sum;
  workgroupBarrier();
  for (var stride = THREADS / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      partial[lid.x] += partial[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    out[params.slot] = params.scale * partial[0];
  }
}

// backward of the bias add: out (1, cols) = Σ_i x[i, :]
@compute @workgroup_size(64)
fn column_sums(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= params.cols) { return; }
  var sum = 0.0;
  for (var i = 0u; i < params.rows; i++) {
    sum += x[i * params.cols + j];
  }
  out[j] = sum;
}
