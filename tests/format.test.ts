// The page's one rule for numbers (src/ui/format.ts): scientific notation below 1e-3 and from 1e4, no trailing zeros, overflow in words, accuracy as a percentage.
import { describe, expect, it } from 'vitest';
import { formatNumber, formatShare, formatTicks, layerIndex } from '../src/ui/format';

describe('formatNumber', () => {
  it('writes plain numbers from 1e-3 up to 1e4, three significant digits', () => {
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(0.0123456)).toBe('0.0123');
    expect(formatNumber(2.302585)).toBe('2.3');
    expect(formatNumber(9990)).toBe('9990');
    expect(formatNumber(9999)).toBe('1e+4'); // rounded first: never "10000"
    expect(formatNumber(-0.5)).toBe('-0.5');
    expect(formatNumber(0)).toBe('0');
  });

  it('goes to scientific notation below 1e-3 and from 1e4, never rounding a small norm to 0', () => {
    expect(formatNumber(1.5e-11)).toBe('1.5e-11');
    expect(formatNumber(1.567e-11)).toBe('1.57e-11');
    expect(formatNumber(0.000999)).toBe('9.99e-4');
    expect(formatNumber(1e-4)).toBe('1e-4');
    expect(formatNumber(10000)).toBe('1e+4');
    expect(formatNumber(111197920.127)).toBe('1.11e+8');
    expect(formatNumber(-3.1e-7)).toBe('-3.1e-7');
  });

  it('keeps more digits where a figure asks for them, by the same notation rule', () => {
    expect(formatNumber(2.302585093, 6)).toBe('2.30259');
    expect(formatNumber(1.5671e-11, 4)).toBe('1.567e-11');
    expect(formatNumber(111197920.127, 4)).toBe('1.112e+8');
  });

  it('says overflow in words, never "Infinity"', () => {
    expect(formatNumber(Infinity)).toBe('overflowed');
    expect(formatNumber(-Infinity)).toBe('overflowed');
    expect(formatNumber(Number.NaN)).toBe('overflowed'); // a diverged model's NaN is an overflow, never shown as "NaN"
  });
});

describe('shares, ticks and layer indices', () => {
  it('writes accuracy and shares as percentages', () => {
    expect(formatShare(0.1)).toBe('10.0%');
    expect(formatShare(0.9876)).toBe('98.8%');
    expect(formatShare(1)).toBe('100.0%');
  });

  it('labels ticks by the same rule', () => {
    expect(formatTicks([1e-9, 0.01, 1, 100, 1e5])).toEqual(['1e-9', '0.01', '1', '100', '1e+5']);
  });

  it('gives close ticks enough digits to tell them apart (a loss plateau at ln 10)', () => {
    expect(formatTicks([2.295, 2.3, 2.305], 0.005)).toEqual(['2.295', '2.3', '2.305']);
    expect(formatTicks([0, 0.5, 1, 1.5], 0.5)).toEqual(['0', '0.5', '1', '1.5']);
    expect(formatTicks([10000, 10001, 10002], 1)).toEqual(['1e+4', '1.0001e+4', '1.0002e+4']);
  });

  it('writes layer indices as the book does', () => {
    expect(layerIndex(1)).toBe('⁽¹⁾');
    expect(layerIndex(10)).toBe('⁽¹⁰⁾');
    expect(layerIndex('l')).toBe('⁽ˡ⁾');
  });
});
