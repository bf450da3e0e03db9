/**
 * Internals shared by every certificate function: boundary checks of a streaming Gram accumulator, the feature
 * second moment `Λ = G / count` (docs/math/identifiability.md §1), the default tolerance (§3), and number
 * formatting for human-readable reasons.
 */
import {
  checkInteger,
  checkNumber,
  cholesky,
  describe,
  eigh,
  type GramAccumulator,
  isLattnError,
  LattnError,
  type Matrix,
  maxEigenvalue,
  minEigenvalue,
} from '@lattn/core';
import { featureDim, MAX_ARRAY_ENTRIES } from '@lattn/feature-map';

/** Machine epsilon of float64, `2⁻⁵²`. */
export const EPSILON: number = Number.EPSILON;

/** The safety factor of the default tolerance: `rtol = DEFAULT_RTOL_FACTOR · D · ε` (§3 of the math note). */
export const DEFAULT_RTOL_FACTOR = 100;

/**
 * The default relative tolerance for a feature dimension `D`: `100 · D · ε`. Eigenvalues of `Λ` at or below
 * `rtol · λ_max` are treated as zero.
 */
export function defaultRtol(dim: number): number {
  return DEFAULT_RTOL_FACTOR * dim * EPSILON;
}

/** Reads an optional `rtol` option: a finite number in `[0, 1)`, or the default for `dim`. */
export function readRtol(fn: string, value: unknown, dim: number): number {
  if (value === undefined) return defaultRtol(dim);
  return checkNumber(fn, 'options.rtol', value, { min: 0, max: 1 - EPSILON });
}

/** Reads an optional boolean option. */
export function readBoolean(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be a boolean. Expected true or false; received ${describe(value)}.`,
    );
  }
  return value;
}

/** Reads an optional callback option (such as `onProgress`). */
export function readCallback<T>(fn: string, name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be a function. Expected a function; received ${describe(value)}.`,
    );
  }
  return value;
}

/**
 * Validates a {@link GramAccumulator} received at a public boundary — well formed, within the size limit
 * ({@link checkGramSize}), finite upper triangle ({@link checkGramFinite}) — and returns the model dimension `d`
 * whose feature dimension it has. `modelDim`, when given, must agree with the accumulator's dimension.
 */
export function checkAccumulator(fn: string, name: string, value: unknown, modelDim?: number): number {
  const d = checkAccumulatorShape(fn, name, value, modelDim);
  const accumulator = value as GramAccumulator;
  checkGramSize(fn, accumulator.dim);
  checkGramFinite(fn, name, accumulator);
  return d;
}

function checkAccumulatorShape(fn: string, name: string, value: unknown, modelDim?: number): number {
  const record = value as Partial<GramAccumulator> | null;
  if (
    typeof value !== 'object' ||
    record === null ||
    !Number.isSafeInteger(record.dim) ||
    (record.dim as number) < 1 ||
    !Number.isSafeInteger(record.count) ||
    (record.count as number) < 0 ||
    !(record.gram instanceof Float64Array) ||
    record.gram.length !== (record.dim as number) * (record.dim as number)
  ) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} is not a Gram accumulator. Expected { dim, count, gram: Float64Array of length dim² } from accumulateFeatureMoments; received ${describe(value)}.`,
    );
  }
  const dim = record.dim as number;
  if (modelDim !== undefined) {
    checkInteger(fn, 'options.modelDim', modelDim, { min: 1 });
    if (featureDim(modelDim) !== dim) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `${fn}: ${name} does not hold features of the given model dimension. Expected dim featureDim(${modelDim}) = ${featureDim(modelDim)}; received dim ${dim}.`,
        { details: { argument: name, expected: featureDim(modelDim), received: dim } },
      );
    }
    return modelDim;
  }
  let d = 1;
  while (featureDim(d) < dim) d++;
  if (featureDim(d) !== dim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: ${name} has a dimension that is no folded feature dimension. Expected d·d(d+1)/2 (1, 6, 18, 40, 75, …); received ${dim}.`,
      { details: { argument: name, received: dim } },
    );
  }
  return d;
}

/**
 * Throws `TOO_LARGE` naming `fn` when the `(D, D)` second moment (and the eigendecomposition working copies made
 * from it) would exceed feature-map's `MAX_ARRAY_ENTRIES` (2 GiB: `D <= 16384`, `modelDim <= 31`).
 */
export function checkGramSize(fn: string, dim: number): void {
  if (dim * dim <= MAX_ARRAY_ENTRIES) return;
  throw new LattnError(
    'TOO_LARGE',
    `${fn}: the (${dim}, ${dim}) feature second moment would need ${dim * dim} float64 entries (${Number(((dim * dim * 8) / 2 ** 30).toPrecision(3))} GiB). Expected at most ${MAX_ARRAY_ENTRIES} entries (2 GiB; featureDim <= 16384, modelDim <= 31); received featureDim ${dim}.`,
    { details: { featureDim: dim, limit: MAX_ARRAY_ENTRIES } },
  );
}

/**
 * Throws `NON_FINITE` naming `fn` when the maintained upper triangle of an accumulator's Gram holds NaN or ±Infinity
 * (for example moments of tokens beyond about `1e50`, whose degree-6 sums overflow).
 */
export function checkGramFinite(fn: string, name: string, accumulator: GramAccumulator): void {
  const { dim, gram } = accumulator;
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const value = gram[i * dim + j];
      if (value - value !== 0) {
        throw new LattnError(
          'NON_FINITE',
          `${fn}: ${name}.gram contains a non-finite value at entry (${i}, ${j}). Expected finite sums (for tokens beyond about 1e50, accumulate them divided by a common power of two); received ${value}.`,
          { details: { argument: `${name}.gram`, row: i, col: j, value: String(value) } },
        );
      }
    }
  }
}

/**
 * `Λ = G / count` as a fresh, full symmetric `(D, D)` matrix, read from the maintained upper triangle of the
 * accumulator's Gram. With `count = 0` the result is the zero matrix.
 */
export function secondMoment(accumulator: GramAccumulator): Matrix {
  const dim = accumulator.dim;
  const scale = accumulator.count > 0 ? 1 / accumulator.count : 0;
  const gram = accumulator.gram;
  const data = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const value = gram[i * dim + j] * scale;
      data[i * dim + j] = value;
      data[j * dim + i] = value;
    }
  }
  return { rows: dim, cols: dim, data };
}

/** The cheap spectral test of the certificate: the extreme eigenvalues and the verdict they give. */
export interface Extremes {
  /** `λ_min(Λ)`; `0` when it was not computed because `count < D` (then `Λ` is singular). */
  readonly lambdaMin: number;
  /** `λ_max(Λ)`. */
  readonly lambdaMax: number;
  /** `rtol · λ_max`. */
  readonly tolerance: number;
  /** `λ_min > tolerance` (and `λ_max > 0`). */
  readonly identifiable: boolean;
  /** Whether `λ_min` was computed (it is skipped when `count < D`). */
  readonly computed: boolean;
}

/**
 * `λ_min` and `λ_max` of `Λ` by core's cheap routines (no full eigendecomposition), and the verdict
 * `λ_min > rtol · λ_max`, confirmed by a successful Cholesky factorisation of `Λ − tolerance · I` (which proves, up to
 * its backward error, that every eigenvalue exceeds the tolerance). When `count < D` the rank is at most `count`,
 * so `λ_min` is not computed. If a Lanczos routine does not converge (tight clusters), `eigh` decides instead.
 */
export function extremes(lambda: Matrix, count: number, rtol: number): Extremes {
  const dim = lambda.rows;
  const lambdaMax = count > 0 ? Math.max(0, extreme(lambda, 'max')) : 0;
  const tolerance = rtol * lambdaMax;
  if (count < dim || lambdaMax === 0) {
    return { lambdaMin: 0, lambdaMax, tolerance, identifiable: false, computed: false };
  }
  const lambdaMin = extreme(lambda, 'min');
  const identifiable = lambdaMin > tolerance && exceedsEverywhere(lambda, tolerance);
  return { lambdaMin, lambdaMax, tolerance, identifiable, computed: true };
}

/** An extreme eigenvalue by Lanczos, or by `eigh` when Lanczos reports `NOT_CONVERGED`. */
function extreme(a: Matrix, which: 'min' | 'max'): number {
  try {
    return (which === 'min' ? minEigenvalue(a) : maxEigenvalue(a)).value;
  } catch (error) {
    if (!isLattnError(error) || error.code !== 'NOT_CONVERGED') throw error;
    const values = eigh(a, { vectors: false }).values;
    return which === 'min' ? values[0] : values[values.length - 1];
  }
}

/** Whether `A − shift · I` has a complete Cholesky factorisation (every pivot positive): `λ_min(A) > shift`. */
export function exceedsEverywhere(a: Matrix, shift: number): boolean {
  const n = a.rows;
  const data = a.data.slice();
  for (let i = 0; i < n; i++) data[i * n + i] -= shift;
  return cholesky({ rows: n, cols: n, data }, { rtol: 0 }).positiveDefinite;
}

/** A number with three significant digits, for messages: `0.00213`, `3.14e-13`, `Infinity`. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  return String(Number(value.toPrecision(digits)));
}

/** `count` followed by `singular` or `plural`: `1 direction`, `3 directions`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
