/**
 * Independent reference routes for the kernel tests: textbook triple loops with no blocking, tiling or packing,
 * conversions to ml-matrix, and an assertion on lattn's error contract.
 */
import { Matrix as MlMatrix } from 'ml-matrix';
import { expect } from 'vitest';
import { isLattnError, type LattnErrorCode } from '../errors.js';
import type { MatrixView } from '../internal/packed-product.js';
import type { Matrix } from '../matrix.js';

export { stackRows } from '../testing/index.js';

/** The whole row-major `(rows, cols)` array `data` as a kernel view (offset 0, stride `cols`). */
export function viewOf(data: Float64Array, rows: number, cols: number): MatrixView {
  return { data, offset: 0, stride: cols, rows, cols };
}

/** `A · B` by the definition, `C[i][j] = Σ_k A[i][k] B[k][j]`, summed in index order. */
export function naiveMatmul(a: Matrix, b: Matrix): Matrix {
  const data = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let sum = 0;
      for (let k = 0; k < a.cols; k++) sum += a.data[i * a.cols + k] * b.data[k * b.cols + j];
      data[i * b.cols + j] = sum;
    }
  }
  return { rows: a.rows, cols: b.cols, data };
}

/** `AᵀA` by the definition, `G[i][j] = Σ_r A[r][i] A[r][j]`. */
export function naiveGram(a: Matrix): Matrix {
  const n = a.cols;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let r = 0; r < a.rows; r++) sum += a.data[r * n + i] * a.data[r * n + j];
      data[i * n + j] = sum;
    }
  }
  return { rows: n, cols: n, data };
}

/** A copy of a lattn matrix as an ml-matrix `Matrix`. */
export function toMl(a: Matrix): MlMatrix {
  return MlMatrix.from1DArray(a.rows, a.cols, a.data);
}

/** A copy of an ml-matrix `Matrix` as a lattn matrix. */
export function fromMl(a: MlMatrix): Matrix {
  return { rows: a.rows, cols: a.columns, data: Float64Array.from(a.to1DArray()) };
}

/**
 * Asserts that `run` throws a `LattnError` with `code` whose message contains every one of `parts`: the kernel
 * tests' form, which does not name the function (other tests use `expectLattnError` of `@lattn/core/testing`).
 *
 * @returns The message, for further checks.
 */
export function expectLattnError(run: () => unknown, code: LattnErrorCode, parts: readonly string[] = []): string {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isLattnError(caught), `expected a LattnError, got ${String(caught)}`).toBe(true);
  const error = caught as { code: string; message: string };
  expect(error.code).toBe(code);
  for (const part of parts) expect(error.message).toContain(part);
  return error.message;
}
