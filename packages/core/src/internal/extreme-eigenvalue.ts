/**
 * Pieces shared by `minEigenvalue` and `maxEigenvalue`: option checks, the symmetric working copy, the dense path
 * for small matrices and the Rayleigh-quotient check of a candidate eigenvector. Internal.
 */
import { LattnError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { createRng } from '../rng.js';
import { checkInteger, checkKnownKeys, checkNumber } from '../validate.js';
import { allocate } from './allocate.js';
import { checkFlag } from './options.js';
import { checkSymmetric, DEFAULT_SYMMETRY_RTOL, symmetricEigen } from './symmetric.js';

/** Largest size solved by a dense eigendecomposition instead of Lanczos. */
export const DENSE_LIMIT = 64;

/** Validated settings of an extreme-eigenvalue call. */
export interface ExtremeSettings {
  readonly a: Matrix;
  readonly n: number;
  readonly wantVector: boolean;
  readonly rtol: number;
  readonly maxIterations: number;
  readonly seed: number;
  readonly symmetryRtol: number;
}

/** Validates the matrix (non-empty, square, finite, symmetric) and the options; fills in the defaults. */
export function extremeSettings(
  fn: string,
  a: unknown,
  options: {
    readonly vector?: boolean;
    readonly rtol?: number;
    readonly maxIterations?: number;
    readonly seed?: number;
    readonly symmetryRtol?: number;
  },
): ExtremeSettings {
  checkKnownKeys(fn, 'options', options, ['vector', 'rtol', 'maxIterations', 'seed', 'symmetryRtol']);
  const wantVector = checkFlag(fn, 'vector', options.vector, false);
  const symmetryRtol = options.symmetryRtol ?? DEFAULT_SYMMETRY_RTOL;
  const matrix = checkSymmetric(fn, 'a', a, symmetryRtol);
  const n = matrix.rows;
  if (n === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: a must not be empty. Expected an (n, n) matrix with n >= 1; received (0, 0).`,
      { details: { argument: 'a', received: [0, 0] } },
    );
  }
  const rtol =
    options.rtol === undefined ? n * 2 ** -52 : checkNumber(fn, 'rtol', options.rtol, { min: 0, exclusiveMin: true });
  const maxIterations =
    options.maxIterations === undefined
      ? Math.min(n, 300)
      : checkInteger(fn, 'maxIterations', options.maxIterations, { min: 1 });
  const seed = options.seed === undefined ? 0 : checkInteger(fn, 'seed', options.seed);
  return { a: matrix, n, wantVector, rtol, maxIterations, seed, symmetryRtol };
}

/** The full symmetric matrix defined by the lower triangle of `a`, and its Frobenius norm. */
export function symmetricCopy(fn: string, a: Matrix): { readonly data: Float64Array; readonly frobenius: number } {
  const n = a.rows;
  const data = allocate(fn, `the (${n}, ${n}) symmetric copy`, n * n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const value = a.data[i * n + j];
      data[i * n + j] = value;
      data[j * n + i] = value;
      largest = Math.max(largest, Math.abs(value));
    }
  }
  let sum = 0;
  if (largest > 0) for (let i = 0; i < data.length; i++) sum += (data[i] / largest) ** 2;
  return { data, frobenius: largest * Math.sqrt(sum) };
}

/** `y ← S·x` for the `(n, n)` row-major `s`. */
export function multiply(s: Float64Array, n: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * n;
    let acc0 = 0;
    let acc1 = 0;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      acc0 += s[o + j] * x[j];
      acc1 += s[o + j + 1] * x[j + 1];
    }
    if (j < n) acc0 += s[o + j] * x[j];
    y[i] = acc0 + acc1;
  }
}

/** The Rayleigh quotient `θ = xᵀSx` of a unit vector and its residual `‖S·x − θ·x‖₂`. */
export function rayleigh(
  s: Float64Array,
  n: number,
  x: Float64Array,
): { readonly value: number; readonly residual: number } {
  const product = new Float64Array(n);
  multiply(s, n, x, product);
  let value = 0;
  for (let i = 0; i < n; i++) value += x[i] * product[i];
  return { value, residual: distance(product, x, value) };
}

/** `‖S·x − λ·x‖₂`. */
export function residualNorm(s: Float64Array, n: number, x: Float64Array, lambda: number): number {
  const product = new Float64Array(n);
  multiply(s, n, x, product);
  return distance(product, x, lambda);
}

function distance(product: Float64Array, x: Float64Array, lambda: number): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (product[i] - lambda * x[i]) ** 2;
  return Math.sqrt(sum);
}

/** A start vector of independent standard normal entries. */
export function startVector(n: number, seed: number): Float64Array {
  return createRng(seed).normalMatrix(1, n).data;
}

/** The smallest (`which = 'min'`) or largest eigenpair by the dense eigensolver, with its residual. */
export function denseExtreme(
  fn: string,
  settings: ExtremeSettings,
  which: 'min' | 'max',
): { readonly value: number; readonly vector: Float64Array; readonly residual: number; readonly iterations: number } {
  const { a, n } = settings;
  const { values, vectors, iterations } = symmetricEigen(fn, a, true);
  const column = which === 'min' ? 0 : n - 1;
  const vector = new Float64Array(n);
  if (vectors !== undefined) for (let i = 0; i < n; i++) vector[i] = vectors[i * n + column];
  const { data } = symmetricCopy(fn, a);
  const value = values[column];
  return { value, vector, residual: residualNorm(data, n, vector, value), iterations };
}

/** The `NOT_CONVERGED` error of the Lanczos routes. */
export function notConverged(fn: string, tolerance: number, residual: number, steps: number): LattnError {
  return new LattnError(
    'NOT_CONVERGED',
    `${fn}: the Lanczos iteration did not converge. Expected a residual <= ${tolerance} within ${steps} steps; received ${Number.isFinite(residual) ? residual : 'no candidate'} (raise maxIterations or rtol, or use eigh).`,
    { details: { steps, tolerance, residual } },
  );
}
