// softmax_xent.wgsl: fused, numerically stable softmax + cross-entropy forward and its gradient, a row per thread.
// loss_i = logsumexp(o_i) − o_i[y_i] (never log(softmax)); dO = (softmax(o) − onehot(y)) · gradScale.

struct Params {
  rows: u32,
  cols: u32, // classes q
  gradScale: f32, // 1/n for the mean loss
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> dO: array<f32>; // (n, q)
@group(0) @binding(2) var<storage, read_write> rowLoss: array<f32>; // (n)
@group(0) @binding(3) var<storage, read_write> rowCorrect: array<f32>; // (n)
@group(0) @binding(4) var<storage, read> logits: array<f32>; // (n, q)
@group(0) @binding(5) var<storage, read> labels: array<u32>; // (n)

@compute @workgroup_size(64)
fn softmax_cross_entropy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.rows) { return; }
  let q = params.cols;
  let row = i * q;
  var maxLogit = logits[row];
  var argmax = 0u;
  for (var j = 1u; j < q; j++) {
    if (logits[row + j] > maxLogit) {
      maxLogit = logits[row + j];
      argmax = j;
    }
  }
  var sumExp = 0.0;
  for (var j = 0u; j < q; j++) {
    sumExp += exp(logits[row + j] - maxLogit);
  }
  let label = labels[i];
  // (max − o_y) first: both are large and close, their difference is exact before the log is added
  rowLoss[i] = (maxLogit - logits[row + label]) + log(sumExp);
  rowCorrect[i] = select(0.0, 1.0, argmax == label);
  for (var j = 0u; j < q; j++) {
    let p = exp(logits[row + j] - maxLogit) / sumExp;
    dO[row + j] = (p - select(0.0, 1.0, j == label)) * params.gradScale;
  }
}
