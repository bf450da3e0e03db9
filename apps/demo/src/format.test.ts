import { describe, expect, it } from 'vitest';
import { formatNumber, formatPercent, formatPowerOfTen, formatScientific, formatSeconds } from './format.js';

describe('formatScientific', () => {
  it('writes mantissa and superscript exponent with the requested significant digits', () => {
    expect(formatScientific(0.053339637898265596)).toBe('5.33 × 10⁻²');
    expect(formatScientific(2743.888722293844)).toBe('2.74 × 10³');
    expect(formatScientific(-2.810914321446911e-15, 2)).toBe('−2.8 × 10⁻¹⁵');
  });

  it('omits the power for exponent zero and keeps zero, infinities and NaN readable', () => {
    expect(formatScientific(4.5)).toBe('4.50');
    expect(formatScientific(0)).toBe('0');
    expect(formatScientific(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatScientific(Number.NEGATIVE_INFINITY)).toBe('−∞');
    expect(formatScientific(Number.NaN)).toBe('NaN');
  });
});

describe('formatPowerOfTen', () => {
  it('writes a power of ten with a superscript exponent, sign included', () => {
    expect(formatPowerOfTen(-28)).toBe('10⁻²⁸');
    expect(formatPowerOfTen(0)).toBe('10⁰');
    expect(formatPowerOfTen(5)).toBe('10⁵');
  });
});

describe('formatNumber', () => {
  it('uses plain decimals between 1e-3 and 1e4 and scientific notation outside', () => {
    expect(formatNumber(0.125)).toBe('0.125');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(-0.5)).toBe('−0.5');
    expect(formatNumber(3.2e-8)).toBe('3.20 × 10⁻⁸');
    expect(formatNumber(12345)).toBe('1.23 × 10⁴');
    expect(formatNumber(0)).toBe('0');
  });
});

describe('formatPercent and formatSeconds', () => {
  it('rounds percentages to one decimal', () => {
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(0.97512)).toBe('97.5 %');
    expect(formatPercent(0)).toBe('0 %');
  });

  it('shows milliseconds below a second and seconds above', () => {
    expect(formatSeconds(0.2134)).toBe('213 ms');
    expect(formatSeconds(3.5)).toBe('3.50 s');
  });
});
