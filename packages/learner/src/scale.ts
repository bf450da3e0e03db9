/**
 * Exact power-of-two rescaling: the fit of data divided by powers of two is the fit of the data times a power of
 * two, bit for bit, wherever neither over- nor underflows — so tokens at 1e±150, whose features (`~‖z‖³`) and Gram
 * (`~‖z‖⁶`) leave float64, are fitted in scaled units and the weights scaled back. Internal.
 */
import {
  type Dataset,
  LattnError,
  largestMagnitude,
  type Matrix,
  scaleByPowerOfTwo,
  timesPowerOfTwo,
} from '@lattn/core';

// fit.ts takes core's scaling primitives from here, with the learner's own helpers below.
export { largestMagnitude, rescaleExponent, timesPowerOfTwo } from '@lattn/core';

/** The largest `|x|` over several matrices. */
export function largestOf(matrices: readonly Matrix[]): number {
  let largest = 0;
  for (const matrix of matrices) largest = Math.max(largest, largestMagnitude(matrix.data));
  return largest;
}

/**
 * `rescaleExponent` of core for a magnitude given by its base-2 logarithm (for magnitudes beyond float64): `0`
 * inside `[2⁻³², 2³²]`, else the nearest integer (even when `even` is set, so that square roots scale exactly).
 */
export function exponentFor(log2Magnitude: number, even = false): number {
  const exponent = even ? 2 * Math.round(log2Magnitude / 2) : Math.round(log2Magnitude);
  return Math.abs(exponent) <= 32 ? 0 : exponent;
}

/** `m · 2ᵉ`: a fresh matrix, or `m` itself when `e = 0` (so that ordinary data are not copied). */
export function scaleMatrix(m: Matrix, exponent: number): Matrix {
  return exponent === 0 ? m : scaleByPowerOfTwo(m, exponent);
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
