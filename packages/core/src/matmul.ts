/**
 * Matrix product `A · B`, cache-blocked and register-tiled.
 *
 * @see docs/decisions/0005-hand-written-kernels.md
 */

import { LattnError } from './errors.js';
import { allocate } from './internal/allocate.js';
import { transposeInto } from './internal/blocked-copy.js';
import { addTransposedProduct } from './internal/packed-product.js';
import { type Matrix, shapeOf } from './matrix.js';
import { checkMatrix } from './validate.js';

/**
 * The matrix product `C = A · B`, `C[i][j] = Σ_k A[i][k] · B[k][j]`.
 *
 * @param a - `(m, k)` matrix with finite entries.
 * @param b - `(k, n)` matrix with finite entries.
 * @returns A fresh `(m, n)` matrix. When `k = 0` it is all zeros.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `a.cols !== b.rows`; `INVALID_ARGUMENT` when an argument is
 * not a matrix; `NON_FINITE` for NaN or ±Infinity; `TOO_LARGE` when the result cannot be allocated.
 * @example
 * ```ts
 * toRows(matmul(fromRows([[1, 2], [3, 4]]), fromRows([[5], [6]]))); // [[17], [39]]
 * ```
 *
 * Notes: `2 · m · n · k` floating-point operations in float64. `A` is first transposed (an O(mk) copy), then
 * both operands are packed into panels and multiplied by a 3 × 3 register-tiled micro-kernel over slabs of 256
 * terms, so each entry is a sum of 256-term partial sums taken in index order. The rounding error of each entry
 * is bounded by the usual `k · ε · Σ_k |A[i][k]| · |B[k][j]|`.
 * @see docs/decisions/0005-hand-written-kernels.md
 */
export function matmul(a: Matrix, b: Matrix): Matrix {
  checkMatrix('matmul', 'a', a);
  checkMatrix('matmul', 'b', b);
  if (a.cols !== b.rows) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `matmul: inner dimensions differ. Expected b to have ${a.cols} rows to match a ${shapeOf(a)}; received b ${shapeOf(b)}.`,
      { details: { a: [a.rows, a.cols], b: [b.rows, b.cols] } },
    );
  }
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const data = allocate('matmul', `the (${m}, ${n}) product`, m * n);
  if (m === 0 || n === 0 || k === 0) return { rows: m, cols: n, data };
  // A · B = (Aᵀ)ᵀ · B: with Aᵀ stored row-major, both operands are packed by contiguous row reads.
  const aT = allocate('matmul', `the (${k}, ${m}) transpose of a`, k * m);
  transposeInto(a.data, m, k, aT);
  addTransposedProduct(
    { data: aT, offset: 0, stride: m, rows: k, cols: m },
    { data: b.data, offset: 0, stride: n, rows: k, cols: n },
    { data, offset: 0, stride: n, rows: m, cols: n },
    1,
    false,
  );
  return { rows: m, cols: n, data };
}
