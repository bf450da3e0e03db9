/**
 * The Gram matrix `AᵀA`, SYRK-style: one triangle computed by the packed kernel, then mirrored.
 *
 * @see docs/decisions/0005-hand-written-kernels.md
 */
import { allocate } from './internal/allocate.js';
import { mirrorUpper } from './internal/blocked-copy.js';
import { addTransposedProduct, type MatrixView } from './internal/packed-product.js';
import type { Matrix } from './matrix.js';
import { checkMatrix } from './validate.js';

/**
 * The Gram matrix `G = AᵀA`, `G[i][j] = Σ_r A[r][i] · A[r][j]`: the sum of the outer products of `a`'s rows.
 *
 * @param a - `(rows, cols)` matrix with finite entries, one observation per row.
 * @returns A fresh `(cols, cols)` symmetric matrix; `G[i][j]` and `G[j][i]` are bitwise equal. All zeros when
 * `a` has no rows.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `a` is not a matrix; `NON_FINITE` for NaN or ±Infinity;
 * `TOO_LARGE` when the result cannot be allocated.
 * @example
 * ```ts
 * toRows(gram(fromRows([[1, 2], [3, 4]]))); // [[10, 14], [14, 20]]
 * ```
 *
 * Notes: `rows · cols · (cols + 1)` floating-point operations, half of `matmul(transpose(a), a)`, because only
 * the upper triangle is computed (by the same packed 3 × 3 kernel as {@link matmul}) and then copied onto the
 * lower one. For data that arrive in chunks use {@link accumulateGram}, which keeps the same triangle.
 * @see docs/decisions/0005-hand-written-kernels.md
 */
export function gram(a: Matrix): Matrix {
  checkMatrix('gram', 'a', a);
  const dim = a.cols;
  const data = allocate('gram', `the (${dim}, ${dim}) Gram matrix`, dim * dim);
  const view: MatrixView = { data: a.data, offset: 0, stride: dim, rows: a.rows, cols: dim };
  addTransposedProduct(view, view, { data, offset: 0, stride: dim, rows: dim, cols: dim }, 1, true);
  mirrorUpper(data, dim);
  return { rows: dim, cols: dim, data };
}
