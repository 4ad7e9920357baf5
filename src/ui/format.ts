// format.ts: the page's one rule for writing a measured number: scientific notation below 1e-3 and from 1e4, trailing zeros dropped, overflow in words, accuracy as a percentage; counts in full.

import { currentStrings } from './i18n';

/**
 * `digits` significant digits (3 unless a figure needs more, as the status line's loss does):
 * 0.0123 → "0.0123", 12345 → "1.23e+4", 1.5e-11 → "1.5e-11", 1e-4 → "1e-4", NaN or ∞ → "overflowed" (in the page's language).
 */
export function formatNumber(value: number, digits = 3): string {
  // a diverged model's numbers overflow to ±∞, and their differences to NaN: said in words, never "NaN"
  if (!Number.isFinite(value)) return currentStrings().numbers.overflowed;
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(digits)); // 9999 at three digits is 1e+4: decide on the rounded value
  const magnitude = Math.abs(rounded);
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(rounded);
  return value.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

/** A layer index as the book writes it: 1 → "⁽¹⁾", 'l' → "⁽ˡ⁾". */
export function layerIndex(l: number | string): string {
  const superscript: Record<string, string> = { l: 'ˡ', '+': '⁺', '-': '⁻' };
  for (const [d, c] of [...'⁰¹²³⁴⁵⁶⁷⁸⁹'].entries()) superscript[String(d)] = c;
  return `⁽${[...String(l)].map((c) => superscript[c] ?? c).join('')}⁾`;
}

/** A count, not a measurement: every digit, in groups of three (66,114,563 parameters). */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/** 0.371 → "37.1%" (a share or an accuracy: always a percentage). */
export function formatShare(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : formatNumber(share);
}

/** Tick labels of a linear axis by the same rule, at the precision the ticks need (0.25, 1.5e-4). */
export function formatTicks(values: number[], increment?: number): string[] {
  // enough digits that neighbouring ticks differ (2.295, 2.3, 2.305 on a loss plateau), at least three
  const largest = Math.max(0, ...values.filter((v) => v != null && Number.isFinite(v)).map(Math.abs));
  const needed = increment && increment > 0 && largest > 0 ? Math.ceil(Math.log10(largest / increment)) + 1 : 3;
  const digits = Math.min(12, Math.max(3, needed));
  return values.map((v) => (v == null ? '' : formatNumber(v, digits)));
}
