/**
 * Moore–Penrose pseudoinverse through the SVD.
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */

import { allocate } from './internal/allocate.js';
import { rankCutoff, rankTolerances } from './internal/rank-tolerance.js';
import { thinSvd } from './internal/thin-svd.js';
import type { Matrix } from './matrix.js';
import type { RankOptions } from './matrix-rank.js';
import { checkKnownKeys, checkMatrix } from './validate.js';

/** The result of {@link pinv}. */
export interface PinvResult {
  /** `(n, m)` pseudoinverse `A⁺ = V_r·diag(1/σ)·U_rᵀ`. */
  readonly inverse: Matrix;
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
 * The Moore–Penrose pseudoinverse `A⁺` (numpy's `pinv`), with an explicit singular-value cut-off.
 *
 * `A⁺ = Σ_{i<r} v_i·u_iᵀ/σ_i` over the `r` singular values above `max(atol, rtol·σ₁)`. It satisfies the four
 * Penrose conditions for the rank-`r` truncation of `A`; `A⁺·b` is the minimum-norm least-squares solution (prefer
 * {@link lstsq} for solving: it does not form `A⁺`).
 *
 * **Numerical notes:** entries of `A⁺` are as large as `1/σ_r`, and their absolute error is about
 * `ε·σ₁/σ_r²`; singular values just above the threshold therefore dominate the error. Raise `rtol` to drop them.
 *
 * @param a - `(m, n)` matrix with finite entries (`m` or `n` may be `0`).
 * @param options - Singular-value cut-off; see {@link RankOptions}.
 * @returns The `(n, m)` pseudoinverse, the rank, the singular values and the tolerances applied.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `a` is not a matrix or an option is unknown or negative;
 * `NON_FINITE` for NaN or ±Infinity; `NOT_CONVERGED` if the SVD fails to converge;
 * `TOO_LARGE` when the working arrays cannot be allocated.
 * @example
 * ```ts
 * toRows(pinv(fromRows([[1, 0], [0, 0]])).inverse); // [[1, 0], [0, 0]]
 * ```
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
export function pinv(a: Matrix, options: RankOptions = {}): PinvResult {
  checkKnownKeys('pinv', 'options', options, ['rtol', 'atol']);
  const matrix = checkMatrix('pinv', 'a', a);
  const m = matrix.rows;
  const n = matrix.cols;
  const tolerances = rankTolerances('pinv', options, m, n);
  const { u, s, v } = thinSvd('pinv', matrix, true);
  const { threshold, rank } = rankCutoff(s, tolerances);
  const width = s.length;
  const inverse = allocate('pinv', `the (${n}, ${m}) pseudoinverse`, n * m);
  if (u !== undefined && v !== undefined) {
    // Row i of A⁺ is Σ_p (v_ip/σ_p)·u_pᵀ: scale row i of V_r, then combine rows of U_rᵀ = columns of U_r.
    const scaled = new Float64Array(rank);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < rank; p++) scaled[p] = v[i * width + p] / s[p];
      const o = i * m;
      for (let j = 0; j < m; j++) {
        let sum = 0;
        for (let p = 0; p < rank; p++) sum += scaled[p] * u[j * width + p];
        inverse[o + j] = sum;
      }
    }
  }
  return {
    inverse: { rows: n, cols: m, data: inverse },
    rank,
    singularValues: s,
    rtol: tolerances.rtol,
    atol: tolerances.atol,
    threshold,
  };
}
