// histogram.ts: the layout of one histogram row (bins, non-finite counts, range, moments, saturation) and the binning rule every backend follows.
//
// A row summarises the finite values of a tensor: HISTOGRAM_BINS equal bins over [lo, hi), where
// hi = R is the smallest power of two ≥ max|v| (clamped to 2^±RANGE_EXPONENT_LIMIT) and lo is −R when
// some value is negative, else 0. Powers of two make the bin width exact, so a value on a bin edge
// lands in the same bin on every backend: bin = clamp(floor((v − lo) · scale), 0, BINS − 1), with
// v − lo rounded to float32 and scale = BINS / (hi − lo) a power of two. The moments are sums over
// finite values of v/hi and (v/hi)² (scaling by a power of two is exact, and the sums cannot overflow
// float32 whatever the values); `saturated` counts finite values with |v − center| > threshold (float32).

/** Bins of a histogram (a power of two; histogram.wgsl's HIST_BINS). */
export const HISTOGRAM_BINS = 32;
/** Slots of a histogram row after the bins (histogram.wgsl's HIST_* slots). */
export const HISTOGRAM_SLOT = {
  negativeInfinity: HISTOGRAM_BINS,
  positiveInfinity: HISTOGRAM_BINS + 1,
  nan: HISTOGRAM_BINS + 2,
  lo: HISTOGRAM_BINS + 3,
  hi: HISTOGRAM_BINS + 4,
  /** Σ v/hi over the finite values. */
  sum: HISTOGRAM_BINS + 5,
  /** Σ (v/hi)² over the finite values. */
  sumSquares: HISTOGRAM_BINS + 6,
  saturated: HISTOGRAM_BINS + 7,
} as const;
/** Floats in one histogram row (histogram.wgsl's HIST_WIDTH). */
export const HISTOGRAM_WIDTH = HISTOGRAM_BINS + 8;
/** The range's exponent stays within ±this, so the scale and the range are normal float32 numbers. */
export const RANGE_EXPONENT_LIMIT = 100;

/** Which finite values count as saturated: |v − center| > threshold. */
export interface SaturationRule {
  center: number;
  threshold: number;
}

/** The exponent e of R = 2^e, the smallest power of two ≥ maxAbs (maxAbs a float32), clamped. */
export function rangeExponent(maxAbs: number): number {
  if (maxAbs === 0) return -RANGE_EXPONENT_LIMIT;
  let e = Math.ceil(Math.log2(maxAbs));
  // log2 of a float32 near a power of two can round: settle e exactly
  while (2 ** e < maxAbs) e += 1;
  while (e > -RANGE_EXPONENT_LIMIT && 2 ** (e - 1) >= maxAbs) e -= 1;
  return Math.min(RANGE_EXPONENT_LIMIT, Math.max(-RANGE_EXPONENT_LIMIT, e)) + 0; // never −0
}

/** lo, hi and the exact scale BINS / (hi − lo) for values with this largest magnitude and sign. */
export function histogramRange(maxAbs: number, anyNegative: boolean): { lo: number; hi: number; scale: number } {
  const e = rangeExponent(maxAbs);
  const hi = 2 ** e;
  const lo = anyNegative ? -hi : 0;
  return { lo, hi, scale: 2 ** (Math.log2(HISTOGRAM_BINS) - e - (anyNegative ? 1 : 0)) };
}

/** The bin of a finite float32 value: floor(fround(v − lo) · scale), clamped to the bins. */
export function binOf(v: number, lo: number, scale: number): number {
  const bin = Math.floor(Math.fround(v - lo) * scale);
  return Math.min(HISTOGRAM_BINS - 1, Math.max(0, bin));
}

/** One histogram row read back. */
export interface Histogram {
  /** Counts of finite values per bin over [lo, hi). */
  counts: number[];
  lo: number;
  hi: number;
  negativeInfinity: number;
  positiveInfinity: number;
  nan: number;
  /** Finite values. */
  finite: number;
  mean: number;
  /** Standard deviation of the finite values. */
  spread: number;
  /** √(Σ v²) over the finite values: the Frobenius norm when every value is finite. */
  norm: number;
  saturated: number;
}

/** Reads row `row` of a histogram tensor's values. */
export function readHistogram(values: ArrayLike<number>, row: number): Histogram {
  const at = (slot: number) => values[row * HISTOGRAM_WIDTH + slot];
  const counts = Array.from({ length: HISTOGRAM_BINS }, (_, b) => at(b));
  const finite = counts.reduce((a, b) => a + b, 0);
  const hi = at(HISTOGRAM_SLOT.hi);
  // the row holds the moments of v/hi: scaled back here, in float64
  const sum = at(HISTOGRAM_SLOT.sum) * hi;
  const sumSquares = at(HISTOGRAM_SLOT.sumSquares) * hi * hi;
  const mean = finite > 0 ? sum / finite : 0;
  return {
    counts,
    lo: at(HISTOGRAM_SLOT.lo),
    hi: at(HISTOGRAM_SLOT.hi),
    negativeInfinity: at(HISTOGRAM_SLOT.negativeInfinity),
    positiveInfinity: at(HISTOGRAM_SLOT.positiveInfinity),
    nan: at(HISTOGRAM_SLOT.nan),
    finite,
    mean,
    spread: finite > 0 ? Math.sqrt(Math.max(0, sumSquares / finite - mean * mean)) : 0,
    norm: Math.sqrt(sumSquares),
    saturated: at(HISTOGRAM_SLOT.saturated),
  };
}

/**
 * The specification in plain loops: the row for `values` (float32 or float64 storage; binned as
 * float32), moments summed in float64.
 */
export function histogramRow(values: ArrayLike<number>, rule: SaturationRule): Float64Array {
  const row = new Float64Array(HISTOGRAM_WIDTH);
  const center = Math.fround(rule.center);
  const threshold = Math.fround(rule.threshold);
  let maxAbs = 0;
  let anyNegative = false;
  for (let i = 0; i < values.length; i++) {
    const v = Math.fround(values[i]);
    if (Number.isNaN(v)) row[HISTOGRAM_SLOT.nan] += 1;
    else if (v === Infinity) row[HISTOGRAM_SLOT.positiveInfinity] += 1;
    else if (v === -Infinity) row[HISTOGRAM_SLOT.negativeInfinity] += 1;
    else {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      if (v < 0) anyNegative = true;
      if (Math.abs(Math.fround(v - center)) > threshold) row[HISTOGRAM_SLOT.saturated] += 1;
    }
  }
  const { lo, hi, scale } = histogramRange(maxAbs, anyNegative);
  row[HISTOGRAM_SLOT.lo] = lo;
  row[HISTOGRAM_SLOT.hi] = hi;
  for (let i = 0; i < values.length; i++) {
    const v = Math.fround(values[i]);
    if (!Number.isFinite(v)) continue;
    row[binOf(v, lo, scale)] += 1;
    row[HISTOGRAM_SLOT.sum] += v / hi;
    row[HISTOGRAM_SLOT.sumSquares] += (v / hi) ** 2;
  }
  return row;
}
