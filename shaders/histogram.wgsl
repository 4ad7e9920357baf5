// histogram.wgsl: one row of core/histogram.ts for a tensor, by one workgroup: bins, non-finite counts, range, moments and saturation.
// The CPU reference (core/histogram.ts, histogramRow) is the specification: bin counts and the
// non-finite and saturated counts equal it exactly; the moments are float32 sums (tree-reduced) of
// v / hi, exact scalings by a power of two, so that they cannot overflow whatever the values.
// NaN and ±Inf are told by their bits: WGSL lets a compiler assume floats are finite.

struct Params {
  count: u32, // values of x
  row: u32, // row of out written
  center: f32, // saturated: |v − center| > threshold
  threshold: f32,
}

const HIST_BINS: u32 = 32u; // core/histogram.ts HISTOGRAM_BINS (a power of two)
const HIST_LOG2_BINS: i32 = 5;
const HIST_WIDTH: u32 = 40u; // core/histogram.ts HISTOGRAM_WIDTH
const RANGE_EXPONENT_LIMIT: i32 = 100;
const WG: u32 = 256u;

// Slots after the bins (core/histogram.ts HISTOGRAM_SLOT).
const SLOT_NEGATIVE_INFINITY: u32 = 0u;
const SLOT_POSITIVE_INFINITY: u32 = 1u;
const SLOT_NAN: u32 = 2u;
const SLOT_SATURATED: u32 = 3u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

var<workgroup> bins: array<atomic<u32>, HIST_BINS>;
var<workgroup> specials: array<atomic<u32>, 4>; // −Inf, +Inf, NaN, saturated
var<workgroup> largest: array<u32, WG>; // bits of max |v| (finite bits order as their values)
var<workgroup> negative: array<u32, WG>;
var<workgroup> sums: array<f32, WG>; // Σ v/hi
var<workgroup> squares: array<f32, WG>; // Σ (v/hi)²

fn finiteBits(bits: u32) -> bool {
  return (bits & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(256)
fn histogram(@builtin(local_invocation_index) t: u32) {
  if (t < HIST_BINS) {
    atomicStore(&bins[t], 0u);
  }
  if (t < 4u) {
    atomicStore(&specials[t], 0u);
  }
  workgroupBarrier();

  var top = 0u;
  var anyNegative = 0u;
  var saturated = 0u;
  for (var i = t; i < params.count; i += WG) {
    let v = x[i];
    let bits = bitcast<u32>(v);
    let magnitude = bits & 0x7fffffffu;
    if (!finiteBits(bits)) {
      if (magnitude > 0x7f800000u) {
        atomicAdd(&specials[SLOT_NAN], 1u);
      } else if ((bits >> 31u) == 1u) {
        atomicAdd(&specials[SLOT_NEGATIVE_INFINITY], 1u);
      } else {
        atomicAdd(&specials[SLOT_POSITIVE_INFINITY], 1u);
      }
      continue;
    }
    top = max(top, magnitude);
    if ((bits >> 31u) == 1u && magnitude != 0u) {
      anyNegative = 1u;
    }
    if (abs(v - params.center) > params.threshold) {
      saturated += 1u;
    }
  }
  atomicAdd(&specials[SLOT_SATURATED], saturated);
  largest[t] = top;
  negative[t] = anyNegative;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (t < stride) {
      largest[t] = max(largest[t], largest[t + stride]);
      negative[t] = max(negative[t], negative[t + stride]);
    }
    workgroupBarrier();
  }

  // R = 2^e, the smallest power of two ≥ max |v|, from the bits of max |v|
  let maxBits = largest[0];
  var e = -RANGE_EXPONENT_LIMIT;
  if (maxBits != 0u) {
    e = i32(maxBits >> 23u) - 127;
    if ((maxBits & 0x7fffffu) != 0u) {
      e += 1;
    }
  }
  e = clamp(e, -RANGE_EXPONENT_LIMIT, RANGE_EXPONENT_LIMIT);
  let hi = bitcast<f32>(u32(e + 127) << 23u);
  let lo = select(0.0, -hi, negative[0] == 1u);
  let scaleExponent = HIST_LOG2_BINS - e - i32(negative[0]);
  let scale = bitcast<f32>(u32(scaleExponent + 127) << 23u);
  let inverseHi = bitcast<f32>(u32(127 - e) << 23u);
  var sum = 0.0;
  var sumSquares = 0.0;
  for (var i = t; i < params.count; i += WG) {
    let v = x[i];
    if (finiteBits(bitcast<u32>(v))) {
      let bin = clamp(i32(floor((v - lo) * scale)), 0, i32(HIST_BINS) - 1);
      atomicAdd(&bins[bin], 1u);
      let u = v * inverseHi; // |u| ≤ 1 (or 2^27 beyond the range's limit)
      sum += u;
      sumSquares += u * u;
    }
  }
  workgroupBarrier(); // every thread has read largest[0] and negative[0]
  sums[t] = sum;
  squares[t] = sumSquares;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (t < stride) {
      sums[t] += sums[t + stride];
      squares[t] += squares[t + stride];
    }
    workgroupBarrier();
  }

  let base = params.row * HIST_WIDTH;
  if (t < HIST_BINS) {
    out[base + t] = f32(atomicLoad(&bins[t]));
  }
  if (t < 3u) {
    out[base + HIST_BINS + t] = f32(atomicLoad(&specials[t]));
  }
  if (t == 0u) {
    out[base + HIST_BINS + 3u] = lo;
    out[base + HIST_BINS + 4u] = hi;
    out[base + HIST_BINS + 5u] = sums[0];
    out[base + HIST_BINS + 6u] = squares[0];
    out[base + HIST_BINS + 7u] = f32(atomicLoad(&specials[SLOT_SATURATED]));
  }
}
