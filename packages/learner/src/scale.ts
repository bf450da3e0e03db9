/**
 * Exact power-of-two rescaling: the fit of data divided by powers of two is the fit of the data times a power of
 * two, bit for bit, wherever neither over- nor underflows — so tokens at 1e±150, whose features (`~‖z‖³`) and Gram
 * (`~‖z‖⁶`) leave float64, are fitted in scaled units and the weights scaled back. Internal.
 */
import { type Dataset, LattnError, type Matrix } from '@lattn/core';

/** Magnitudes inside `[2⁻³², 2³²]` are left alone: degree-6 moments of them stay far inside float64. */
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

/** The largest `|x|` over several matrices. */
export function largestOf(matrices: readonly Matrix[]): number {
  let largest = 0;
  for (const matrix of matrices) largest = Math.max(largest, largestMagnitude(matrix.data));
  return largest;
}

/**
 * The exponent `e` by which to divide data whose largest magnitude is `largest`: `0` when `largest` is zero or
 * inside `[2⁻³², 2³²]`, else the `e` (even when `even` is set, so that square roots scale exactly) that brings it
 * near 1.
 */
export function rescaleExponent(largest: number, even = false): number {
  return largest === 0 ? 0 : exponentFor(Math.log2(largest), even);
}

/** {@link rescaleExponent} of a magnitude given by its base-2 logarithm (for magnitudes beyond float64). */
export function exponentFor(log2Magnitude: number, even = false): number {
  const exponent = even ? 2 * Math.round(log2Magnitude / 2) : Math.round(log2Magnitude);
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

/** A fresh matrix `m · 2ᵉ` (the matrix itself when `e = 0`). */
export function scaleMatrix(m: Matrix, exponent: number): Matrix {
  if (exponent === 0) return m;
  return { rows: m.rows, cols: m.cols, data: m.data.map((x) => timesPowerOfTwo(x, exponent)) };
}

/** A dataset with tokens divided by `2^tokenExponent` and targets by `2^targetExponent` (itself when both are 0). */
export function scaleDataset(dataset: Dataset, tokenExponent: number, targetExponent: number): Dataset {
  if (tokenExponent === 0 && targetExponent === 0) return dataset;
  return {
    inputs: dataset.inputs.map((z) => scaleMatrix(z, -tokenExponent)),
    targets: dataset.targets.map((y) => scaleMatrix(y, -targetExponent)),
    mode: dataset.mode,
  };
}

/**
 * `w · 2ᵉ`, the folded weights in the data's own units, or `NON_FINITE` naming `fn` when they leave the float64
 * range; `origin.what` says what set their scale (for example tokens at 1e150 with targets near 1 need weights near
 * 1e-450, since the weights scale as targets / tokens³).
 */
export function unscaleWeights(
  fn: string,
  weights: Matrix,
  exponent: number,
  origin: { readonly what: string },
): Matrix {
  if (exponent === 0) return weights;
  const largest = largestMagnitude(weights.data);
  const magnitude = timesPowerOfTwo(largest, exponent);
  if (largest > 0 && (magnitude === Number.POSITIVE_INFINITY || magnitude < 2 ** -1022)) {
    const log10 = (Math.log2(largest) + exponent) * Math.log10(2);
    throw new LattnError(
      'NON_FINITE',
      `${fn}: the fitted weights leave the float64 range. Expected weights of magnitude between 2.2e-308 and 1.8e308; received weights of order 1e${Math.round(log10)}, set by ${origin.what}. Rescale the data.`,
      { details: { log10Magnitude: log10 } },
    );
  }
  return scaleMatrix(weights, exponent);
}
