/**
 * Test helpers shared by every lattn package: the one way to compare numbers in a test, and the one way to check
 * the error contract.
 *
 * Closeness is numpy's `allclose` rule applied entry by entry: `|actual − expected| <= atol + rtol · |expected|`;
 * NaN and ±Infinity match only the identical value.
 * A failure throws an `Error` naming the first failing `(i, j)` entry, both values, the tolerance, and the largest
 * relative error overall, so any test runner reports it.
 *
 * Rejections are checked by {@link expectLattnError} (code, function name, the house message template, fragments);
 * {@link matrixArgumentRejections} builds the hostile-input rows every matrix argument must reject.
 * {@link stackRows} stacks per-sequence features or targets for reference routes.
 *
 * @packageDocumentation
 */
import type { Matrix } from '../matrix.js';

export type { MatrixArgument, MatrixArgumentRejectionOptions, Rejection } from './rejections.js';
export { expectLattnError, matrixArgumentRejections, withEntry } from './rejections.js';
export { stackRows } from './stack-rows.js';

/** Tolerances of {@link expectMatrixClose} and {@link expectVectorClose}. */
export interface CloseOptions {
  /**
   * Relative tolerance.
   * @defaultValue `1e-10`
   */
  readonly rtol?: number;
  /**
   * Absolute tolerance.
   * @defaultValue `0`
   */
  readonly atol?: number;
  /**
   * Compare against the largest `|expected|` entry instead of each entry's own magnitude:
   * `|actual − expected| <= atol + rtol · max|expected|`. Use it for "matches to 1e-9 relative" claims about a
   * whole array whose entries cross zero.
   * @defaultValue `false`
   */
  readonly relativeToMax?: boolean;
  /**
   * A label for the failure message.
   * @defaultValue `'matrix'` or `'vector'`
   */
  readonly label?: string;
}

/**
 * Asserts that two matrices have the same shape and entries within tolerance.
 *
 * @param actual - The computed matrix, or nested rows.
 * @param expected - The reference matrix, or nested rows.
 * @param options - Tolerances; see {@link CloseOptions}.
 * @throws Error describing the shape mismatch or the first entry out of tolerance.
 * @example
 * ```ts
 * expectMatrixClose(matmul(a, identity(a.cols)), a, { rtol: 1e-14 });
 * ```
 */
export function expectMatrixClose(
  actual: Matrix | readonly (readonly number[])[],
  expected: Matrix | readonly (readonly number[])[],
  options: CloseOptions = {},
): void {
  const a = asMatrix(actual);
  const e = asMatrix(expected);
  const label = options.label ?? 'matrix';
  if (a.rows !== e.rows || a.cols !== e.cols) {
    throw new Error(`${label}: shape (${a.rows}, ${a.cols}) differs from expected (${e.rows}, ${e.cols})`);
  }
  compare(a.data, e.data, a.cols, options, label);
}

/**
 * Asserts that two vectors have the same length and entries within tolerance.
 *
 * @param actual - The computed vector.
 * @param expected - The reference vector.
 * @param options - Tolerances; see {@link CloseOptions}.
 * @throws Error describing the length mismatch or the first entry out of tolerance.
 * @example
 * ```ts
 * expectVectorClose(eigenvalues, [1, 2, 3], { rtol: 1e-12 });
 * ```
 */
export function expectVectorClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: CloseOptions = {},
): void {
  const label = options.label ?? 'vector';
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} differs from expected ${expected.length}`);
  }
  compare(actual, expected, 0, options, label);
}

function asMatrix(value: Matrix | readonly (readonly number[])[]): {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
} {
  if (!Array.isArray(value)) return value as Matrix;
  const rows = value as readonly (readonly number[])[];
  const cols = rows.length > 0 ? rows[0].length : 0;
  return { rows: rows.length, cols, data: rows.flat() };
}

function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  cols: number,
  options: CloseOptions,
  label: string,
): void {
  const rtol = options.rtol ?? 1e-10;
  const atol = options.atol ?? 0;
  let scale = 0;
  if (options.relativeToMax) {
    for (let i = 0; i < expected.length; i++)
      if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  }
  let worst = 0;
  let firstBad = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const magnitude = options.relativeToMax ? scale : Math.abs(e);
    const error = Math.abs(a - e);
    // NaN and ±Infinity match only themselves: no tolerance makes Infinity "close" to anything else.
    const finite = Number.isFinite(a) && Number.isFinite(e);
    if (!Object.is(a, e) && !(finite && error <= atol + rtol * magnitude)) {
      if (firstBad < 0) firstBad = i;
      const relative = finite && magnitude > 0 ? error / magnitude : Number.POSITIVE_INFINITY;
      if (!(relative <= worst)) worst = relative;
    }
  }
  if (firstBad >= 0) {
    const where = cols > 0 ? `(${Math.floor(firstBad / cols)}, ${firstBad % cols})` : `[${firstBad}]`;
    throw new Error(
      `${label}: entry ${where} is ${actual[firstBad]}, expected ${expected[firstBad]} ` +
        `(rtol ${rtol}, atol ${atol}${options.relativeToMax ? ', relative to max|expected|' : ''}); ` +
        `worst relative error ${worst.toExponential(3)}`,
    );
  }
}
