// sgd.wgsl: param −= lr · grad, skipped whole when any guard value (this readback window's metrics so far) is NaN or ±Inf.

struct Params {
  size: u32,
  guardStart: u32,
  guardCount: u32,
  lr: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read> guard: array<f32>;

var<workgroup> bad: atomic<u32>;

// NaN and ±Inf are the values whose exponent bits are all ones (a bit test: x != x can be folded away)
fn isFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(256)
fn sgd_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // the workgroup checks the guard together, a stride of 256 per thread, before anyone writes
  if (lid == 0u) { atomicStore(&bad, 0u); }
  workgroupBarrier();
  for (var g = params.guardStart + lid; g < params.guardStart + params.guardCount; g += 256u) {
    if (!isFinite(guard[g])) { atomicStore(&bad, 1u); }
  }
  let skip = workgroupUniformLoad(&bad);
  let i = gid.x;
  if (skip != 0u || i >= params.size) { return; }
  param[i] -= params.lr * grad[i];
}
