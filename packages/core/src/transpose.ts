/**
 * Matrix transpose, cache-blocked.
 */
import { allocate } from './internal/allocate.js';
import { transposeInto } from './internal/blocked-copy.js';
import type { Matrix } from './matrix.js';
import { checkMatrix } from './validate.js';

/**
 * The transpose `Aᵀ` of a matrix.
 *
 * @param a - `(rows, cols)` matrix with finite entries.
 * @returns A fresh `(cols, rows)` matrix with entry `(j, i)` equal to `a`'s entry `(i, j)`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `a` is not a matrix; `NON_FINITE` for NaN or ±Infinity;
 * `TOO_LARGE` when the result cannot be allocated.
 * @example
 * ```ts
 * toRows(transpose(fromRows([[1, 2, 3], [4, 5, 6]]))); // [[1, 4], [2, 5], [3, 6]]
 * ```
 *
 * Notes: the copy runs in 32 × 32 blocks so that both the rows read and the columns written stay in cache; the
 * result is exact (no arithmetic).
 */
export function transpose(a: Matrix): Matrix {
  checkMatrix('transpose', 'a', a);
  const data = allocate('transpose', `the (${a.cols}, ${a.rows}) result`, a.rows * a.cols);
  transposeInto(a.data, a.rows, a.cols, data);
  return { rows: a.cols, cols: a.rows, data };
}
