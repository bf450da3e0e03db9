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

/** The scaled working copy of {@link symmetricCopy}. */
export interface SymmetricCopy {
  /** `(n, n)` row-major: the full symmetric matrix defined by the lower triangle of `a`, times `scale`. */
  readonly data: Float64Array;
  /** The Frobenius norm of `data`. */
  readonly frobenius: number;
  /**
   * The power of four the entries were multiplied by (exactly) so that the largest is near 1: every residual and
   * Rayleigh quotient is computed in these units, where squares neither overflow nor underflow, and divided by
   * `scale` on the way out. An even power of two commutes with every operation used, square roots included, so
   * results are bitwise those of the unscaled computation wherever that one stays in range.
   */
  readonly scale: number;
}

/**
 * The full symmetric matrix defined by the lower triangle of `a`, scaled by a power of four so that its largest entry
 * is near 1, and its Frobenius norm.
 */
export function symmetricCopy(fn: string, a: Matrix): SymmetricCopy {
  const n = a.rows;
  const scale = evenScale(a.data);
  const data = allocate(fn, `the (${n}, ${n}) symmetric copy`, n * n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const value = a.data[i * n + j] * scale;
      data[i * n + j] = value;
      data[j * n + i] = value;
      largest = Math.max(largest, Math.abs(value));
    }
  }
  let sum = 0;
  if (largest > 0) for (let i = 0; i < data.length; i++) sum += (data[i] / largest) ** 2;
  return { data, frobenius: largest * Math.sqrt(sum), scale };
}

/** A power of four near `1 / max|data|` (within the float64 range), or 1 for all-zero data. */
function evenScale(data: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < data.length; i++) largest = Math.max(largest, Math.abs(data[i]));
  if (largest === 0) return 1;
  return 4 ** Math.min(511, Math.max(-511, -Math.round(Math.log2(largest) / 2)));
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

/**
 * The smallest (`which = 'min'`) or largest eigenpair of the `(n, n)` symmetric working copy `s` by the dense
 * eigensolver, with its residual (all in the units of `s`).
 */
export function denseExtreme(
  fn: string,
  s: Float64Array,
  n: number,
  which: 'min' | 'max',
): { readonly value: number; readonly vector: Float64Array; readonly residual: number; readonly iterations: number } {
  const { values, vectors, iterations } = symmetricEigen(fn, { rows: n, cols: n, data: s }, true);
  const column = which === 'min' ? 0 : n - 1;
  const vector = new Float64Array(n);
  if (vectors !== undefined) for (let i = 0; i < n; i++) vector[i] = vectors[i * n + column];
  const value = values[column];
  return { value, vector, residual: residualNorm(s, n, vector, value), iterations };
}

/** The `NOT_CONVERGED` error of the Lanczos routes. */
export function notConverged(fn: string, tolerance: number, residual: number, steps: number): LattnError {
  return new LattnError(
    'NOT_CONVERGED',
    `${fn}: the Lanczos iteration did not converge. Expected a residual <= ${tolerance} within ${steps} steps; received ${Number.isFinite(residual) ? residual : 'no candidate'} (raise maxIterations or rtol, or use eigh).`,
    { details: { steps, tolerance, residual } },
  );
}
