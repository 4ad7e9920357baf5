// How far results are from what they should be, as a share of what a stated tolerance allows: the tests' one measure.
import { expect } from 'vitest';

/** Largest |got − want| / (atol + rtol·|bound|) over all entries (a NaN where the other has none: Infinity); ≤ 1 passes. */
export function worstRatio(got: ArrayLike<number>, want: ArrayLike<number>, tol: { atol: number; rtol: number }, bound: ArrayLike<number> = want): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(got[i]) !== Number.isNaN(want[i])) return Number.POSITIVE_INFINITY;
    const allowed = tol.atol + tol.rtol * Math.abs(bound[i]);
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / allowed);
  }
  return worst;
}
