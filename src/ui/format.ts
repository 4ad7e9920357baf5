// format.ts: how the page writes a measured number: three significant digits, scientific notation below 1e-3 and from 1e4, overflow in words.

/** 0.0123 → "0.0123", 12345 → "1.23e+4", 1.5e-11 → "1.5e-11", 1e-4 → "1e-4", NaN → "NaN", ∞ → "overflowed". */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return 'overflowed';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(Number(value.toPrecision(3)));
  return value.toExponential(2).replace(/\.?0+e/, 'e');
}

/** A layer index as the book writes it: 1 → "⁽¹⁾", 'l' → "⁽ˡ⁾". */
export function layerIndex(l: number | string): string {
  const superscript: Record<string, string> = { l: 'ˡ', '+': '⁺', '-': '⁻' };
  for (const [d, c] of [...'⁰¹²³⁴⁵⁶⁷⁸⁹'].entries()) superscript[String(d)] = c;
  return `⁽${[...String(l)].map((c) => superscript[c] ?? c).join('')}⁾`;
}

/** 0.371 → "37.1%". */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
