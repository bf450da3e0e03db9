/**
 * Minimum-norm least squares through the SVD.
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */

import { allocate } from './internal/allocate.js';
import { rankCutoff, rankTolerances } from './internal/rank-tolerance.js';
import { thinSvd } from './internal/thin-svd.js';
import { matmul } from './matmul.js';
import type { Matrix } from './matrix.js';
import type { RankOptions } from './matrix-rank.js';
import { checkKnownKeys, checkMatrix } from './validate.js';

/** The result of {@link lstsq}. */
export interface LstsqResult {
  /** `(n, k)` minimum-norm least-squares solution `X = V_r·diag(1/σ)·U_rᵀ·B`. */
  readonly solution: Matrix;
  /** `‖A·x_j − b_j‖₂` for each of the `k` columns, computed from the returned solution. */
  readonly residualNorms: Float64Array;
  /** Numerical rank `r`: singular values strictly above `threshold`. */
  readonly rank: number;
  /** All `min(m, n)` singular values of `A`, descending. */
  readonly singularValues: Float64Array;
  /** The relative tolerance applied. */
  readonly rtol: number;
  /** The absolute tolerance applied. */
  readonly atol: number;
  /** `max(atol, rtol · σ₁)`: singular values at or below it were treated as zero. */
  readonly threshold: number;
}

/**
 * Solves `min ‖A·X − B‖_F`, returning the solution of minimum norm (numpy's `lstsq`).
 *
 * With `A = U·diag(σ)·Vᵀ` and `r` the number of singular values above `max(atol, rtol·σ₁)`, the solution is
 * `X = Σ_{i<r} v_i·(u_iᵀ·B)/σ_i`. It lies in the row space of `A`, orthogonal to the (numerical) null space, so it is
 * the shortest of all minimisers; directions with `σ <= threshold` are dropped rather than amplified.
 *
 * **Numerical notes:** the SVD route is backward stable and does not square the condition number (the normal
 * equations do). With full rank the relative error of `X` is about `κ(A)·ε` for consistent systems and `κ(A)²·ε`
 * when the residual is large, `κ = σ₁/σ_r`. Raising `rtol` trades fit for stability when `A` is nearly rank
 * deficient; the returned `rank`, `singularValues` and `threshold` show what was cut.
 *
 * @param a - `(m, n)` matrix with finite entries.
 * @param b - `(m, k)` right-hand sides with finite entries, one per column.
 * @param options - Singular-value cut-off; see {@link RankOptions}.
 * @returns The solution, the residual norms, the rank, the singular values and the tolerances applied.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `b.rows !== a.rows`; `INVALID_ARGUMENT` when an argument is not a
 * matrix or an option is unknown or negative; `NON_FINITE` for NaN or ±Infinity; `NOT_CONVERGED` if the SVD fails;
 * `TOO_LARGE` when the working arrays cannot be allocated.
 * @example
 * ```ts
 * // Fit y = c0 + c1·t through (0, 1), (1, 3), (2, 5).
 * const { solution } = lstsq(fromRows([[1, 0], [1, 1], [1, 2]]), fromRows([[1], [3], [5]]));
 * // toRows(solution): [[1], [2]]
 * ```
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
export function lstsq(a: Matrix, b: Matrix, options: RankOptions = {}): LstsqResult {
  checkKnownKeys('lstsq', 'options', options, ['rtol', 'atol']);
  const matrix = checkMatrix('lstsq', 'a', a);
  const rhs = checkMatrix('lstsq', 'b', b, { rows: matrix.rows });
  const m = matrix.rows;
  const n = matrix.cols;
  const tolerances = rankTolerances('lstsq', options, m, n);
  const { u, s, v } = thinSvd('lstsq', matrix, true);
  const { threshold, rank } = rankCutoff(s, tolerances);
  const k = rhs.cols;
  const width = s.length;
  // C = diag(1/σ)·U_rᵀ·B, (rank, k), accumulated row by row of U and B.
  const c = new Float64Array(rank * k);
  if (u !== undefined) {
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < rank; p++) {
        const factor = u[i * width + p];
        for (let j = 0; j < k; j++) c[p * k + j] += factor * rhs.data[i * k + j];
      }
    }
  }
  for (let p = 0; p < rank; p++) for (let j = 0; j < k; j++) c[p * k + j] /= s[p];
  // X = V_r·C, (n, k).
  const x = allocate('lstsq', `the (${n}, ${k}) solution`, n * k);
  if (v !== undefined) {
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < rank; p++) {
        const factor = v[i * width + p];
        for (let j = 0; j < k; j++) x[i * k + j] += factor * c[p * k + j];
      }
    }
  }
  const solution: Matrix = { rows: n, cols: k, data: x };
  const fitted = matmul(matrix, solution);
  return {
    solution,
    residualNorms: columnNorms(fitted.data, rhs.data, m, k),
    rank,
    singularValues: s,
    rtol: tolerances.rtol,
    atol: tolerances.atol,
    threshold,
  };
}

/** `‖f_j − b_j‖₂` per column of two `(m, k)` row-major arrays, scaled so the squares cannot overflow. */
function columnNorms(f: Float64Array, b: Float64Array, m: number, k: number): Float64Array {
  const largest = new Float64Array(k);
  for (let i = 0; i < m * k; i++) largest[i % k] = Math.max(largest[i % k], Math.abs(f[i] - b[i]));
  const sums = new Float64Array(k);
  for (let i = 0; i < m * k; i++) {
    const j = i % k;
    if (largest[j] > 0) sums[j] += ((f[i] - b[i]) / largest[j]) ** 2;
  }
  for (let j = 0; j < k; j++) sums[j] = largest[j] * Math.sqrt(sums[j]);
  return sums;
}
