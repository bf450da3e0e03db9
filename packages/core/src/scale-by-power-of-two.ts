/**
 * Exact power-of-two rescaling. Multiplying by `2ᵉ` changes only the exponent of a float64, so a computation on
 * `x · 2⁻ᵉ` is the computation on `x` times a power of two, bit for bit, wherever nothing over- or underflows: the
 * learner, the certificate and the forward pass divide data at extreme scales (1e±150) by a power of two, compute,
 * and scale the result back.
 */
import { LattnError } from './errors.js';
import { describe, type Matrix } from './matrix.js';
import { checkInteger, checkMatrix, checkNumber } from './validate.js';

/**
 * Magnitudes inside `[2⁻³², 2³²]` are left alone (exponent 0): products of a few of them (degree-6 moments of tokens,
 * say) stay far inside float64, and ordinary data keep their exact code path.
 */
const SAFE_EXPONENT = 32;

/**
 * Beyond this, `x · 2ᵉ` is `±Infinity` or `±0` for every finite `x` (whose binary exponents lie in `[−1074, 1023]`),
 * so larger exponents are clamped to it: the result is the same and the split loop stays short.
 */
const EXPONENT_LIMIT = 2200;

/**
 * The largest absolute value over `data`.
 *
 * @param data - Numbers (a `Float64Array`, a `Matrix`'s `data`, or an array), of any length.
 * @returns `max |x|`, `0` for empty data; NaN entries are skipped and `±Infinity` gives `Infinity`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `data` is not an array or typed array.
 * @example
 * ```ts
 * largestMagnitude(fromRows([[1, -3], [2, 0]]).data); // 3
 * ```
 */
export function largestMagnitude(data: ArrayLike<number>): number {
  if (!Array.isArray(data) && !(ArrayBuffer.isView(data) && !(data instanceof DataView))) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `largestMagnitude: data must be an array of numbers. Expected an array or a typed array; received ${describe(data)}.`,
    );
  }
  let largest = 0;
  for (let i = 0; i < data.length; i++) {
    const value = Math.abs(data[i]);
    if (value > largest) largest = value;
  }
  return largest;
}

/**
 * The exponent `e` by which to divide data whose largest magnitude is `largest`, so that `largest / 2ᵉ` is near 1:
 * `round(log₂ largest)`, or `0` when `largest` is zero or inside `[2⁻³², 2³²]` (ordinary data are not touched).
 *
 * @param largest - The largest magnitude of the data, as from {@link largestMagnitude}; finite and `>= 0`.
 * @returns An integer in `[−1074, 1024]`: `0`, or an `e` with `|e| > 32`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `largest` is negative, NaN or infinite.
 * @example
 * ```ts
 * rescaleExponent(1e150); // 498, since 1e150 ≈ 2^498.3
 * rescaleExponent(1e6); // 0
 * ```
 */
export function rescaleExponent(largest: number): number {
  checkNumber('rescaleExponent', 'largest', largest, { min: 0 });
  if (largest === 0) return 0;
  const exponent = Math.round(Math.log2(largest));
  return Math.abs(exponent) <= SAFE_EXPONENT ? 0 : exponent;
}

/**
 * `x · 2ᵉ` for any integer `e`, exactly unless the result over- or underflows (then `±Infinity`, or the correctly
 * rounded subnormal or `±0`). The power of two is applied in steps of at most `2¹⁰⁰⁰`, so `2ᵉ` itself never leaves
 * float64.
 *
 * @param x - Any number; NaN and `±Infinity` stay as they are.
 * @param exponent - A safe integer.
 * @returns `x · 2^exponent`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `x` is not a number or `exponent` is not a safe integer.
 * @example
 * ```ts
 * timesPowerOfTwo(3, -2); // 0.75
 * timesPowerOfTwo(1e-300, 2000); // 1.1481e+302, where 2 ** 2000 alone is Infinity
 * ```
 *
 * Notes: when an intermediate step underflows (results below `2⁻¹⁰²²` reached with `|e| > 1000`), the subnormal
 * result may be rounded twice.
 */
export function timesPowerOfTwo(x: number, exponent: number): number {
  if (typeof x !== 'number') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `timesPowerOfTwo: x must be a number. Expected a number; received ${describe(x)}.`,
    );
  }
  if (!Number.isSafeInteger(exponent)) checkInteger('timesPowerOfTwo', 'exponent', exponent);
  return scaled(x, exponent);
}

/**
 * The matrix `A · 2ᵉ`, entry by entry with {@link timesPowerOfTwo}: exact unless an entry over- or underflows.
 *
 * @param a - A `(rows, cols)` matrix; non-finite entries stay as they are.
 * @param exponent - A safe integer; negative to divide.
 * @returns A fresh `(rows, cols)` matrix.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `a` is not a matrix or `exponent` is not a safe integer.
 * @example
 * ```ts
 * const e = rescaleExponent(largestMagnitude(z.data));
 * const unit = scaleByPowerOfTwo(z, -e); // largest entry near 1; scaleByPowerOfTwo(unit, e) is z again, bit for bit
 * ```
 */
export function scaleByPowerOfTwo(a: Matrix, exponent: number): Matrix {
  checkMatrix('scaleByPowerOfTwo', 'a', a, { finite: false });
  checkInteger('scaleByPowerOfTwo', 'exponent', exponent);
  return { rows: a.rows, cols: a.cols, data: a.data.map((x) => scaled(x, exponent)) };
}

/** `x · 2ᵉ` without validation. */
function scaled(x: number, exponent: number): number {
  let value = x;
  let e = Math.max(-EXPONENT_LIMIT, Math.min(EXPONENT_LIMIT, exponent));
  while (e > 1000) {
    value *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    value *= 2 ** -1000;
    e += 1000;
  }
  return value * 2 ** e;
}
