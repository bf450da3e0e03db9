import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRows, zeros } from './matrix.js';
import { largestMagnitude, rescaleExponent, scaleByPowerOfTwo, timesPowerOfTwo } from './scale-by-power-of-two.js';
import { expectLattnError } from './testing/index.js';

/** The sign, biased exponent and fraction fields of a float64, read off its bits (the independent route). */
function fields(x: number): { sign: bigint; exponent: number; fraction: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  return { sign: bits >> 63n, exponent: Number((bits >> 52n) & 0x7ffn), fraction: bits & ((1n << 52n) - 1n) };
}

/** Normal float64 values of either sign. */
const normal = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => Math.abs(x) >= 2 ** -1022);

describe('timesPowerOfTwo', () => {
  it('adds the exponent to the binary exponent field and keeps sign and fraction, whenever the result is normal', () => {
    fc.assert(
      fc.property(normal, fc.integer({ min: -2100, max: 2100 }), (x, e) => {
        const before = fields(x);
        fc.pre(before.exponent + e >= 1 && before.exponent + e <= 2046);
        const after = fields(timesPowerOfTwo(x, e));
        expect(after).toEqual({ sign: before.sign, exponent: before.exponent + e, fraction: before.fraction });
      }),
      { numRuns: 2000, seed: 1 },
    );
  });

  it('reaches scales where 2^e itself is not a float64: 1e-300 · 2^2000 and 1e300 · 2^-2000', () => {
    expect(timesPowerOfTwo(2 ** -1000, 2000)).toBe(2 ** 1000);
    expect(timesPowerOfTwo(1e-300, 2000)).toBe(1e-300 * 2 ** 1000 * 2 ** 1000);
    expect(timesPowerOfTwo(2 ** 1000, -2000)).toBe(2 ** -1000);
    expect(timesPowerOfTwo(timesPowerOfTwo(1e300, -2000), 2000)).toBe(1e300);
  });

  it('overflows to ±Infinity and underflows to ±0 with the sign kept, also for exponents near 2^53', () => {
    expect(timesPowerOfTwo(1.5, 1024)).toBe(Number.POSITIVE_INFINITY);
    expect(timesPowerOfTwo(-1, 5000)).toBe(Number.NEGATIVE_INFINITY);
    expect(timesPowerOfTwo(Number.MIN_VALUE, Number.MAX_SAFE_INTEGER)).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(timesPowerOfTwo(-Number.MAX_VALUE, -Number.MAX_SAFE_INTEGER), -0)).toBe(true);
    expect(timesPowerOfTwo(1, -1074)).toBe(Number.MIN_VALUE);
    expect(timesPowerOfTwo(1, -1076)).toBe(0);
  });

  it('keeps NaN, ±Infinity and ±0 as they are', () => {
    expect(timesPowerOfTwo(Number.NaN, 3)).toBeNaN();
    expect(timesPowerOfTwo(Number.NEGATIVE_INFINITY, -3000)).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(timesPowerOfTwo(-0, 10), -0)).toBe(true);
  });

  it('throws INVALID_ARGUMENT for an exponent that is not a safe integer or an x that is not a number', () => {
    expectLattnError(() => timesPowerOfTwo(1, 0.5), 'INVALID_ARGUMENT', 'timesPowerOfTwo', ['exponent', '0.5']);
    expectLattnError(() => timesPowerOfTwo(1, 2 ** 53), 'INVALID_ARGUMENT', 'timesPowerOfTwo', ['exponent']);
    expectLattnError(() => timesPowerOfTwo('1' as never, 1), 'INVALID_ARGUMENT', 'timesPowerOfTwo', ['x', "'1'"]);
  });
});

describe('scaleByPowerOfTwo', () => {
  it('scales every entry exactly into a fresh matrix and scales back to the same bits', () => {
    const a = fromRows([
      [1e-160, -3, 0],
      [7e150, Number.NaN, Number.NEGATIVE_INFINITY],
    ]);
    const copy = a.data.slice();
    const down = scaleByPowerOfTwo(a, -400);
    expect(down.data).not.toBe(a.data);
    expect(Array.from(a.data)).toEqual(Array.from(copy));
    expect(Array.from(down.data)).toEqual(Array.from(a.data, (x) => timesPowerOfTwo(x, -400)));
    expect(Array.from(scaleByPowerOfTwo(down, 400).data)).toEqual(Array.from(a.data));
    expect(scaleByPowerOfTwo(a, 0).data).not.toBe(a.data);
  });

  it('throws INVALID_ARGUMENT for a non-matrix or a fractional exponent', () => {
    expectLattnError(() => scaleByPowerOfTwo([[1]] as never, 1), 'INVALID_ARGUMENT', 'scaleByPowerOfTwo', ['a']);
    expectLattnError(() => scaleByPowerOfTwo(zeros(1, 1), 1.5), 'INVALID_ARGUMENT', 'scaleByPowerOfTwo', [
      'exponent',
      '1.5',
    ]);
  });
});

describe('rescaleExponent', () => {
  it('leaves zero and magnitudes that round to 2^±32 or inside alone', () => {
    for (const largest of [0, 1, 2 ** 32, 2 ** 32.49, 2 ** -32.49, 1e-9, 1e9]) expect(rescaleExponent(largest)).toBe(0);
  });

  it('gives round(log2 largest) beyond, so that largest / 2^e is within [2^-0.5, 2^0.5]', () => {
    expect(rescaleExponent(2 ** 32.51)).toBe(33);
    expect(rescaleExponent(2 ** -32.51)).toBe(-33);
    expect(rescaleExponent(1e150)).toBe(498);
    expect(rescaleExponent(1e-150)).toBe(-498);
    expect(rescaleExponent(Number.MAX_VALUE)).toBe(1024);
    expect(rescaleExponent(Number.MIN_VALUE)).toBe(-1074);
    for (const largest of [3e40, 1e-77, 5e200]) {
      const ratio = timesPowerOfTwo(largest, -rescaleExponent(largest));
      expect(ratio).toBeGreaterThanOrEqual(Math.SQRT1_2);
      expect(ratio).toBeLessThanOrEqual(Math.SQRT2);
    }
  });

  it('throws INVALID_ARGUMENT for a negative, NaN or infinite magnitude', () => {
    for (const largest of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectLattnError(() => rescaleExponent(largest), 'INVALID_ARGUMENT', 'rescaleExponent', ['largest']);
    }
  });
});

describe('largestMagnitude', () => {
  it('returns the largest |x| of an array or typed array, 0 when empty, skipping NaN', () => {
    expect(largestMagnitude([1, -7, 3])).toBe(7);
    expect(largestMagnitude(new Float64Array([Number.NaN, -2, Number.NaN]))).toBe(2);
    expect(largestMagnitude(new Float32Array(0))).toBe(0);
    expect(largestMagnitude([1, Number.NEGATIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
  });

  it('throws INVALID_ARGUMENT for data that is not an array', () => {
    expectLattnError(() => largestMagnitude(null as never), 'INVALID_ARGUMENT', 'largestMagnitude', ['null']);
    expectLattnError(() => largestMagnitude(zeros(1, 1) as never), 'INVALID_ARGUMENT', 'largestMagnitude', ['data']);
  });
});
