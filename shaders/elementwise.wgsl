// elementwise.wgsl: bias add, activation forward/backward and axpy, one thread per element.
// Activation kinds: 0 ReLU, 1 sigmoid, 2 tanh, 3 identity (the order of ACTIVATION_CODES in TS).

struct Params {
  size: u32, // elements of out
  cols: u32, // columns of out (for the bias broadcast)
  kind: u32, // activation
  alpha: f32, // axpy scale
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;

fn activate(kind: u32, z: f32) -> f32 {
  switch kind {
    case 0u: { return max(z, 0.0); }
    case 1u: { return 1.0 / (1.0 + exp(-z)); }
    // tanh of a large argument is NaN on some drivers (exp overflow inside); |z| ≥ 15 is ±1 in f32
    case 2u: { return tanh(clamp(z, -15.0, 15.0)); }
    default: { return z; }
  }
}

// φ'(z), written with h = φ(z) where that is the usual form
fn derivative(kind: u32, z: f32, h: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, 1.0, z > 0.0); }
    case 1u: { return h * (1.0 - h); }
    case 2u: { return 1.0 - h * h; }
    default: { return 1.0; }
  }
}

// out (n, h) += a (1, h) on every row
@compute @workgroup_size(256)
fn add_bias(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.size) { return; }
  out[i] += a[i % params.cols];
}

// out = φ(a)
@compute @workgroup_size(256)
fn activation_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.size) { return; }
  out[i] = activate(params.kind, a[i]);
}

// backward of h = φ(z): out (dH on entry, dZ on return) ⊙= φ'(z = a, h = b)
@compute @workgroup_size(256)
fn activation_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.size) { return; }
  out[i] *= derivative(params.kind, a[i], b[i]);
}

// out += alpha · a
@compute @workgroup_size(256)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.size) { return; }
  out[i] += params.alpha * a[i];
}
