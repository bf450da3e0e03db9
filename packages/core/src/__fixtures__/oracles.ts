/**
 * Independent reference routes for the kernel tests: textbook triple loops with no blocking, tiling or packing,
 * conversions to ml-matrix, and an assertion on lattn's error contract.
 */
import { Matrix as MlMatrix } from 'ml-matrix';
import { expect } from 'vitest';
import { isLattnError, type LattnErrorCode } from '../errors.js';
import type { Matrix } from '../matrix.js';

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

/** Rows stacked on top of each other: `[a; b; …]`. */
export function stackRows(parts: readonly Matrix[], cols: number): Matrix {
  const rows = parts.reduce((total, part) => total + part.rows, 0);
  const data = new Float64Array(rows * cols);
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return { rows, cols, data };
}

/** A copy of a lattn matrix as an ml-matrix `Matrix`. */
export function toMl(a: Matrix): MlMatrix {
  const out = new MlMatrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.set(i, j, a.data[i * a.cols + j]);
  return out;
}

/** A copy of an ml-matrix `Matrix` as a lattn matrix. */
export function fromMl(a: MlMatrix): Matrix {
  const data = new Float64Array(a.rows * a.columns);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) data[i * a.columns + j] = a.get(i, j);
  return { rows: a.rows, cols: a.columns, data };
}

/**
 * Asserts that `run` throws a `LattnError` with `code` whose message contains every one of `parts`.
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
