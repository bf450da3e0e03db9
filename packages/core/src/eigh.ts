/**
 * Eigendecomposition of a real symmetric matrix, `A = Q·diag(λ)·Qᵀ` (numpy's `eigh`).
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */

import { checkFlag } from './internal/options.js';
import { checkSymmetric, DEFAULT_SYMMETRY_RTOL, symmetricEigen } from './internal/symmetric.js';
import type { Matrix } from './matrix.js';
import { checkKnownKeys } from './validate.js';

/** Options of {@link eigh}. */
export interface EighOptions {
  /**
   * Whether to compute the eigenvectors. Values only is several times faster for large matrices.
   * @defaultValue `true`
   */
  readonly vectors?: boolean;
  /**
   * Largest accepted asymmetry, relative to the largest entry: the input is rejected unless
   * `max|a_ij − a_ji| <= symmetryRtol · max|a_ij|`. Only the lower triangle is used for the computation.
   * @defaultValue `√ε ≈ 1.49e-8` (half the float64 digits: larger asymmetry is a bug, not roundoff)
   */
  readonly symmetryRtol?: number;
}

/** The result of {@link eigh}. */
export interface EighResult {
  /** The `n` eigenvalues in ascending order. */
  readonly values: Float64Array;
  /**
   * `(n, n)` matrix whose column `i` is a unit eigenvector of `values[i]`; the columns are orthonormal. Present
   * when `options.vectors` is `true`. Signs (and bases of repeated eigenvalues) are arbitrary but deterministic.
   */
  readonly vectors?: Matrix;
  /**
   * QL sweeps used: on the whole tridiagonal matrix when only values are computed (about 2 per eigenvalue, capped at
   * `30·n`), on the blocks of at most 32 rows at the bottom of divide and conquer when vectors are computed.
   */
  readonly iterations: number;
  /** The symmetry tolerance applied. */
  readonly symmetryRtol: number;
}

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix.
 *
 * Householder reduction to tridiagonal form (the rank-2 update and the next matrix–vector product share one pass over
 * memory), then, for eigenvalues only, the implicit QL iteration with Wilkinson shifts (`O(n²)`), or, with
 * eigenvectors, divide and conquer (Cuppen; Gu–Eisenstat) followed by the blocked back-transformation — the
 * algorithms of LAPACK's `dsyevd`, which numpy's `eigh` calls, hand-written for row-major `Float64Array`s. About
 * `4n³/3` flops for values and `4n³/3 + 2n³ + (up to) 4n³/3` with vectors; clustered or repeated eigenvalues make
 * divide and conquer cheaper.
 *
 * **Symmetry convention:** the lower triangle (`a[i][j]`, `j <= i`) defines the matrix; the upper triangle is only
 * compared with it (see {@link EighOptions.symmetryRtol}).
 *
 * **Numerical notes:** backward stable: the computed pairs are exact for `A + E` with `‖E‖₂ ≈ p(n)·ε·‖A‖₂`, so
 * every eigenvalue has an absolute error of a small multiple of `ε·‖A‖₂` (small eigenvalues of ill-conditioned
 * matrices lose relative accuracy accordingly), residuals `‖A·q − λ·q‖` are of that order, and the eigenvectors
 * are orthonormal to a few `n·ε`. An eigenvector is only as well determined as the gap separating its eigenvalue
 * from the rest. The matrix is scaled by a power of two first, so entries from about `1e-300` to `1e300` are safe.
 *
 * @param a - A symmetric `(n, n)` matrix with finite entries; `n = 0` gives empty results.
 * @param options - See {@link EighOptions}.
 * @returns The ascending `values`, the `vectors` when requested, the sweep count and the tolerance used.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `a` is not square; `INVALID_ARGUMENT` when `a` is not a matrix,
 * is not symmetric, or an option is unknown or invalid; `NON_FINITE` for NaN or ±Infinity; `NOT_CONVERGED` when QL
 * needs more than `30·n` sweeps (not seen in practice); `TOO_LARGE` when the `(n, n)` working arrays cannot be
 * allocated.
 * @example
 * ```ts
 * const { values, vectors } = eigh(fromRows([[2, 1], [1, 2]]));
 * // values: Float64Array [1, 3]
 * // vectors: columns ±[0.7071, -0.7071] and ±[0.7071, 0.7071]
 * ```
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
export function eigh(a: Matrix, options: EighOptions = {}): EighResult {
  checkKnownKeys('eigh', 'options', options, ['vectors', 'symmetryRtol']);
  const wantVectors = checkFlag('eigh', 'vectors', options.vectors, true);
  const symmetryRtol = options.symmetryRtol ?? DEFAULT_SYMMETRY_RTOL;
  const matrix = checkSymmetric('eigh', 'a', a, symmetryRtol);
  const n = matrix.rows;
  const { values, vectors, iterations } = symmetricEigen('eigh', matrix, wantVectors);
  if (vectors === undefined) return { values, iterations, symmetryRtol };
  return { values, vectors: { rows: n, cols: n, data: vectors }, iterations, symmetryRtol };
}
