/**
 * Thin singular value decomposition, `A = U·diag(s)·Vᵀ`.
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */

import { checkFlag } from './internal/options.js';
import { thinSvd } from './internal/thin-svd.js';
import type { Matrix } from './matrix.js';
import { checkKnownKeys, checkMatrix } from './validate.js';

/** Options of {@link svd}. */
export interface SvdOptions {
  /**
   * Whether to compute the singular vectors `u` and `v`. Values only is several times faster.
   * @defaultValue `true`
   */
  readonly vectors?: boolean;
}

/** The result of {@link svd}, with `k = min(m, n)`. */
export interface SvdResult {
  /** `(m, k)` matrix with orthonormal columns: the left singular vectors. Present when `options.vectors` is `true`. */
  readonly u?: Matrix;
  /** The `k` singular values, non-negative and descending. */
  readonly s: Float64Array;
  /** `(n, k)` matrix with orthonormal columns: the right singular vectors. Present when `options.vectors` is `true`. */
  readonly v?: Matrix;
  /** Bidiagonal QR steps used (about 2 per singular value; capped at `30·k`). */
  readonly iterations: number;
}

/**
 * The thin singular value decomposition `A = U·diag(s)·Vᵀ` of any real matrix.
 *
 * Golub–Kahan Householder bidiagonalisation, then the implicitly shifted bidiagonal QR iteration of Golub and
 * Kahan (LINPACK `dsvdc` organisation), hand-written on row-major `Float64Array`s. A wide matrix (`m < n`) is
 * decomposed through its transpose.
 *
 * **Numerical notes:** backward stable: the computed factors are exact for `A + E` with `‖E‖₂ ≈ p(k)·ε·‖A‖₂`,
 * so each singular value has an absolute error of a small multiple of `ε·σ₁` (a singular value near `σ₁/10⁸` keeps
 * about 8 correct digits; one below `ε·σ₁` is noise). `U·diag(s)·Vᵀ` reproduces `A` and `UᵀU`, `VᵀV` equal the
 * identity to a few `k·ε`. Singular vectors are determined only up to sign, and up to rotation within repeated
 * singular values. The data are scaled by a power of two first, so entries from about `1e-300` to `1e300` are safe.
 *
 * @param a - An `(m, n)` matrix with finite entries; `m` or `n` may be `0` (then `k = 0`).
 * @param options - See {@link SvdOptions}.
 * @returns `u` `(m, k)`, `s` `(k)` and `v` `(n, k)` (vectors only when requested), and the step count.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `a` is not a matrix or an option is unknown or invalid;
 * `NON_FINITE` for NaN or ±Infinity; `NOT_CONVERGED` when the QR iteration needs more than `30·k` steps (not seen
 * in practice); `TOO_LARGE` when the working arrays cannot be allocated.
 * @example
 * ```ts
 * const { u, s, v } = svd(fromRows([[3, 0], [4, 5]]));
 * // s: Float64Array [6.7082, 2.2361]  (√45 and √5)
 * ```
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
export function svd(a: Matrix, options: SvdOptions = {}): SvdResult {
  checkKnownKeys('svd', 'options', options, ['vectors']);
  const wantVectors = checkFlag('svd', 'vectors', options.vectors, true);
  const matrix = checkMatrix('svd', 'a', a);
  const { u, s, v, iterations } = thinSvd('svd', matrix, wantVectors);
  if (u === undefined || v === undefined) return { s, iterations };
  const k = s.length;
  return { u: { rows: matrix.rows, cols: k, data: u }, s, v: { rows: matrix.cols, cols: k, data: v }, iterations };
}
