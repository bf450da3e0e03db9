/**
 * Numerical rank from the singular values.
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */

import { rankCutoff, rankTolerances } from './internal/rank-tolerance.js';
import { thinSvd } from './internal/thin-svd.js';
import type { Matrix } from './matrix.js';
import { checkKnownKeys, checkMatrix } from './validate.js';

/** Tolerances of {@link matrixRank}, {@link lstsq} and {@link pinv}: `σ` counts as zero when `σ <= max(atol, rtol·σ₁)`. */
export interface RankOptions {
  /**
   * Relative tolerance, applied to the largest singular value `σ₁`.
   * @defaultValue `max(m, n) · ε` (numpy's default; `ε = 2⁻⁵² ≈ 2.2e-16`)
   */
  readonly rtol?: number;
  /**
   * Absolute tolerance, for when the scale of "zero" is known in advance.
   * @defaultValue `0`
   */
  readonly atol?: number;
}

/** The result of {@link matrixRank}. */
export interface MatrixRankResult {
  /** Number of singular values strictly above `threshold`. */
  readonly rank: number;
  /** All `min(m, n)` singular values, descending: the evidence for the rank. */
  readonly singularValues: Float64Array;
  /** The relative tolerance applied. */
  readonly rtol: number;
  /** The absolute tolerance applied. */
  readonly atol: number;
  /** `max(atol, rtol · σ₁)`, the cut-off actually used. */
  readonly threshold: number;
}

/**
 * The numerical rank of a matrix: the number of singular values above `max(atol, rtol·σ₁)`.
 *
 * **Numerical notes:** the singular values come from {@link svd} (values only) and carry absolute errors of a few
 * `ε·σ₁`, which is why the default `rtol = max(m, n)·ε` sits just above that noise. A rank decision is only
 * meaningful when the singular values show a clear gap around the threshold; inspect `singularValues` when in doubt.
 *
 * @param a - An `(m, n)` matrix with finite entries (`m` or `n` may be `0`: rank 0).
 * @param options - See {@link RankOptions}.
 * @returns The rank, the singular values, and the tolerances and threshold applied.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `a` is not a matrix or an option is unknown or negative;
 * `NON_FINITE` for NaN or ±Infinity; `NOT_CONVERGED` if the SVD fails to converge;
 * `TOO_LARGE` when the working copy cannot be allocated.
 * @example
 * ```ts
 * matrixRank(fromRows([[1, 2], [2, 4]])).rank; // 1
 * ```
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
export function matrixRank(a: Matrix, options: RankOptions = {}): MatrixRankResult {
  checkKnownKeys('matrixRank', 'options', options, ['rtol', 'atol']);
  const matrix = checkMatrix('matrixRank', 'a', a);
  const tolerances = rankTolerances('matrixRank', options, matrix.rows, matrix.cols);
  const { s } = thinSvd('matrixRank', matrix, false);
  const { threshold, rank } = rankCutoff(s, tolerances);
  return { rank, singularValues: s, rtol: tolerances.rtol, atol: tolerances.atol, threshold };
}
