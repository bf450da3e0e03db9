/**
 * Exact power-of-two rescaling, so that outputs of the degree-3 model stay right when tokens or weights are at
 * extreme scales (1e±150): a computation on `x · 2⁻ᵉ` is the computation on `x` times a power of two, bit for bit,
 * wherever neither over- nor underflows. Internal.
 */

/**
 * Magnitudes inside `[2⁻³², 2³²]` are left alone (exponent 0): there, products of a few of them (features are cubic,
 * the model has two weight factors) cannot leave float64, and ordinary data keep their exact code path.
 */
const SAFE_EXPONENT = 32;

/** The largest `|x|` over `data`. */
export function largestMagnitude(data: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < data.length; i++) {
    const value = Math.abs(data[i]);
    if (value > largest) largest = value;
  }
  return largest;
}

/**
 * The exponent `e` by which to divide data whose largest magnitude is `largest`: `0` when `largest` is zero or
 * inside `[2⁻³², 2³²]`, else the `e` that brings it near 1.
 */
export function rescaleExponent(largest: number): number {
  if (largest === 0) return 0;
  const exponent = Math.round(Math.log2(largest));
  return Math.abs(exponent) <= SAFE_EXPONENT ? 0 : exponent;
}

/** `x · 2ᵉ` for any integer `e` (split so that no factor over- or underflows on its own); exact unless the result is. */
export function timesPowerOfTwo(x: number, exponent: number): number {
  let value = x;
  let e = exponent;
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

/** A fresh copy of `data` divided by `2ᵉ` (the array itself when `e = 0`). */
export function dividedByPowerOfTwo(data: Float64Array, exponent: number): Float64Array {
  if (exponent === 0) return data;
  return data.map((x) => timesPowerOfTwo(x, -exponent));
}
