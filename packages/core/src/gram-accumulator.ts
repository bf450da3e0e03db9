/**
 * The streaming second moment (SPEC §3, step 1): `Σ x xᵀ`, `Σ x yᵀ`, `Σ y yᵀ` and the row count, accumulated
 * chunk by chunk so that no caller ever materialises the full `(N, D)` matrix. Accumulators are plain records of
 * numbers and `Float64Array`s, so shards computed in workers cross `postMessage` and merge by addition.
 *
 * @see docs/decisions/0005-hand-written-kernels.md
 */
import { LattnError } from './errors.js';
import { allocate } from './internal/allocate.js';
import { mirrorUpper } from './internal/blocked-copy.js';
import { addTransposedProduct, type MatrixView } from './internal/packed-product.js';
import { describe, type Matrix } from './matrix.js';
import { largestMagnitude } from './scale-by-power-of-two.js';
import { checkFinite, checkInteger, checkKnownKeys, checkMatrix } from './validate.js';

/**
 * Running sums over a stream of rows `x` (length `dim`) with optional targets `y` (length `targetDim`).
 *
 * It is a plain record: it survives `structuredClone` and `postMessage`, and {@link mergeGram} adds two of them.
 * {@link accumulateGram} is the one operation in lattn that updates its argument in place.
 */
export interface GramAccumulator {
  /** `D`, the length of each row. */
  readonly dim: number;
  /** `dOut`, the length of each target row; `0` when the accumulator has no targets. */
  readonly targetDim: number;
  /** Rows accumulated so far. */
  count: number;
  /**
   * `(dim, dim)` row-major `Σ x xᵀ`. Only the upper triangle (`i <= j`, index `i · dim + j`) is maintained; the
   * strictly lower triangle is never read by lattn and stays zero unless a caller writes to it. Use
   * {@link gramMoments} for the full symmetric matrix.
   */
  readonly gram: Float64Array;
  /** `(dim, targetDim)` row-major `Σ x yᵀ`. */
  readonly cross: Float64Array;
  /** `(targetDim, targetDim)` row-major `Σ y yᵀ`, full and symmetric. */
  readonly targetGram: Float64Array;
}

/** Options of {@link createGramAccumulator}. */
export interface GramAccumulatorOptions {
  /**
   * Length of each target row; `0` for an accumulator of rows only.
   * @defaultValue `0`
   */
  readonly targetDim?: number;
}

/** The moments held by a {@link GramAccumulator}, as fresh full matrices. */
export interface GramMoments {
  /** Rows accumulated. */
  readonly count: number;
  /** `(dim, dim)` full symmetric `Σ x xᵀ`. */
  readonly gram: Matrix;
  /** `(dim, targetDim)` `Σ x yᵀ`. */
  readonly cross: Matrix;
  /** `(targetDim, targetDim)` `Σ y yᵀ`. */
  readonly targetGram: Matrix;
}

/**
 * Creates an empty accumulator (all sums zero, `count = 0`).
 *
 * @param dim - `D`, the length of the rows to accumulate (an integer >= 0).
 * @param options - `targetDim` for accumulating targets too; see {@link GramAccumulatorOptions}.
 * @returns A fresh accumulator.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for a bad size or an unknown option; `TOO_LARGE` when the
 * `(dim, dim)` array cannot be allocated (the message states its size).
 * @example
 * ```ts
 * const accumulator = createGramAccumulator(3, { targetDim: 1 });
 * accumulator.gram.length; // 9
 * ```
 *
 * Notes: memory is `8 · (dim² + dim · targetDim + targetDim²)` bytes, independent of how many rows are fed.
 */
export function createGramAccumulator(dim: number, options?: GramAccumulatorOptions): GramAccumulator {
  checkInteger('createGramAccumulator', 'dim', dim, { min: 0 });
  checkKnownKeys('createGramAccumulator', 'options', options, ['targetDim']);
  const targetDim = checkInteger('createGramAccumulator', 'options.targetDim', options?.targetDim ?? 0, { min: 0 });
  return {
    dim,
    targetDim,
    count: 0,
    gram: allocate('createGramAccumulator', `the (${dim}, ${dim}) Gram matrix`, dim * dim),
    cross: allocate('createGramAccumulator', `the (${dim}, ${targetDim}) cross moment`, dim * targetDim),
    targetGram: allocate('createGramAccumulator', `the (${targetDim}, ${targetDim}) target moment`, targetDim ** 2),
  };
}

/**
 * Adds a chunk of rows (and their targets) to an accumulator, in place: `gram += XᵀX` (upper triangle),
 * `cross += XᵀY`, `targetGram += YᵀY`, `count += n`. This is the one documented in-place operation of lattn;
 * `rows` and `targets` are not modified.
 *
 * @param accumulator - Made by {@link createGramAccumulator} or {@link mergeGram} (or a `structuredClone` of one).
 * @param rows - `(n, dim)` chunk with finite entries; `n` may be 0.
 * @param targets - `(n, targetDim)` targets of the same rows; required when `accumulator.targetDim > 0`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for a malformed accumulator or a missing `targets`;
 * `SHAPE_MISMATCH` for shapes that disagree with the accumulator; `NON_FINITE` for NaN or ±Infinity in the chunk,
 * or when finite rows (or targets) would make a sum overflow: a diagonal entry of `gram` (or `targetGram`) beyond
 * `2¹⁰²³`, half the float64 range. Validation happens before any update, so on error the accumulator is unchanged.
 * @example
 * ```ts
 * const accumulator = createGramAccumulator(2);
 * accumulateGram(accumulator, fromRows([[1, 2]]));
 * accumulateGram(accumulator, fromRows([[3, 4]]));
 * toRows(gramMoments(accumulator).gram); // [[10, 14], [14, 20]]
 * ```
 *
 * Notes: the chunk's `n · dim · (dim + 1)` operations run in the packed 3 × 3 kernel of {@link gram}. Summing
 * chunks in a different order or split changes the result only by rounding (float64 addition is not
 * associative). The normal equations built from these sums square the condition number of the data; solvers
 * downstream report rank and tolerance for that reason. Overflow is ruled out before the update from the diagonal
 * alone (`n · dim` operations, no pass over the `(dim, dim)` sums): a diagonal below `2¹⁰²³` bounds every entry
 * and every partial sum (Cauchy–Schwarz), so entries up to about `9e153 / sqrt(rows so far)` are accepted; divide
 * larger data by a power of two (`scaleByPowerOfTwo`), which scales every sum exactly.
 * @see docs/decisions/0005-hand-written-kernels.md
 */
export function accumulateGram(accumulator: GramAccumulator, rows: Matrix, targets?: Matrix): void {
  const fn = 'accumulateGram';
  checkAccumulator(fn, 'accumulator', accumulator, false);
  const { dim, targetDim } = accumulator;
  checkMatrix(fn, 'rows', rows, { cols: dim });
  if (targets === undefined && targetDim > 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: targets are missing. Expected a (${rows.rows}, ${targetDim}) matrix because the accumulator has targetDim ${targetDim}; received undefined.`,
    );
  }
  if (targets !== undefined) checkMatrix(fn, 'targets', targets, { rows: rows.rows, cols: targetDim });
  checkSumsOfSquares(fn, 'gram', accumulator.gram, rows, 'rows');
  if (targets !== undefined) checkSumsOfSquares(fn, 'targetGram', accumulator.targetGram, targets, 'targets');

  const n = rows.rows;
  const x: MatrixView = { data: rows.data, offset: 0, stride: dim, rows: n, cols: dim };
  addTransposedProduct(x, x, { data: accumulator.gram, offset: 0, stride: dim, rows: dim, cols: dim }, 1, true);
  if (targets !== undefined && targetDim > 0) {
    const y: MatrixView = { data: targets.data, offset: 0, stride: targetDim, rows: n, cols: targetDim };
    const crossView = { data: accumulator.cross, offset: 0, stride: targetDim, rows: dim, cols: targetDim };
    addTransposedProduct(x, y, crossView, 1, false);
    const targetView = { data: accumulator.targetGram, offset: 0, stride: targetDim, rows: targetDim, cols: targetDim };
    addTransposedProduct(y, y, targetView, 1, false);
  }
  accumulator.count += n;
}

/**
 * The sum of two accumulators, as a new accumulator: how shards computed in workers (or on other machines) are
 * combined. Neither argument is modified.
 *
 * @param a - An accumulator.
 * @param b - An accumulator with the same `dim` and `targetDim`.
 * @returns A fresh accumulator with `count = a.count + b.count` and every sum added entry by entry (the lower
 * triangle of `gram` is left zero).
 * @throws {@link LattnError} `INVALID_ARGUMENT` for a malformed accumulator; `SHAPE_MISMATCH` when the sizes
 * differ; `NON_FINITE` when either holds NaN or ±Infinity, or when a sum of two finite entries overflows (the
 * message names the entry and both addends).
 * @example
 * ```ts
 * const total = mergeGram(shardA, shardB); // same sums as one pass over both shards' rows
 * ```
 *
 * Notes: every sum is checked as it is formed, in the same pass, so a merge never returns a non-finite moment.
 */
export function mergeGram(a: GramAccumulator, b: GramAccumulator): GramAccumulator {
  checkAccumulator('mergeGram', 'a', a, true);
  checkAccumulator('mergeGram', 'b', b, true);
  if (a.dim !== b.dim || a.targetDim !== b.targetDim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `mergeGram: the accumulators have different sizes. Expected b to have dim ${a.dim} and targetDim ${a.targetDim}; received dim ${b.dim} and targetDim ${b.targetDim}.`,
      { details: { a: [a.dim, a.targetDim], b: [b.dim, b.targetDim] } },
    );
  }
  const merged = createGramAccumulator(a.dim, { targetDim: a.targetDim });
  const dim = a.dim;
  for (let i = 0; i < dim; i++) addChecked('gram', a.gram, b.gram, merged.gram, i * dim + i, (i + 1) * dim, dim);
  addChecked('cross', a.cross, b.cross, merged.cross, 0, merged.cross.length, a.targetDim);
  addChecked('targetGram', a.targetGram, b.targetGram, merged.targetGram, 0, merged.targetGram.length, a.targetDim);
  merged.count = a.count + b.count;
  return merged;
}

/**
 * `sum[k] = a[k] + b[k]` for `k` in `[from, to)`, throwing `NON_FINITE` naming `mergeGram` and the `(row, col)`
 * entry (of a row-major array with `cols` columns) at the first sum that overflows.
 */
function addChecked(
  name: string,
  a: Float64Array,
  b: Float64Array,
  sum: Float64Array,
  from: number,
  to: number,
  cols: number,
): void {
  for (let index = from; index < to; index++) {
    const value = a[index] + b[index];
    sum[index] = value;
    if (value - value !== 0) {
      const at = `(${Math.floor(index / cols)}, ${index % cols})`;
      throw new LattnError(
        'NON_FINITE',
        `mergeGram: the sum of the accumulators overflows float64 at ${name} entry ${at}. Expected finite sums (divide the data of both by a power of two, which scales every sum exactly); received a.${name} ${a[index]} + b.${name} ${b[index]} = ${value}.`,
        { details: { argument: name, index, a: a[index], b: b[index] } },
      );
    }
  }
}

/**
 * The largest diagonal entry `Σ x_i²` that {@link accumulateGram} (and feature-map's `accumulateFeatureMoments`)
 * accepts: `2¹⁰²³`, half the float64 range. The sums are Gram matrices, positive semi-definite, so by
 * Cauchy–Schwarz every entry, and every partial sum over any subset of the rows, obeys
 * `|Σ_S x_i x_j| <= sqrt(Σ_S x_i² · Σ_S x_j²) <= sqrt(G_ii G_jj)`: with the diagonal below `2¹⁰²³`, no entry and no
 * intermediate sum can overflow however a kernel groups the additions (rounding adds a relative `n · ε`, far from
 * the factor 2 of headroom), and a cross moment `Σ x_i y_o` is bounded by `sqrt(G_ii · Σ y_o²)` in the same way. A
 * finite diagonal alone would not do: at the edge of the range (`G_ii` near `1.8e308`) rounding can push an
 * off-diagonal partial sum over. Checking the diagonal costs `n · dim` operations, against the update's `n · dim²`.
 */
export const MOMENT_LIMIT: number = 2 ** 1023;

/**
 * Throws `NON_FINITE` naming `fn` when adding the chunk `x` `(n, k)` would take a diagonal entry of the `(k, k)`
 * running sum `sums` beyond {@link MOMENT_LIMIT} (or when a square of a finite entry overflows); changes nothing.
 * Internal.
 */
export function checkSumsOfSquares(fn: string, name: string, sums: Float64Array, x: Matrix, argument: string): void {
  const cols = x.cols;
  const totals = new Float64Array(cols);
  for (let i = 0; i < cols; i++) totals[i] = sums[i * cols + i];
  for (let r = 0; r < x.rows; r++) {
    for (let i = 0; i < cols; i++) {
      const value = x.data[r * cols + i];
      totals[i] += value * value;
    }
  }
  checkDiagonalTotals(fn, name, totals, argument, largestMagnitude(x.data));
}

/**
 * Throws `NON_FINITE` naming `fn` when an entry of `totals` — the diagonal of `accumulator.<name>` after a chunk
 * whose entries reach `largest` in magnitude — is beyond {@link MOMENT_LIMIT}. Internal.
 */
export function checkDiagonalTotals(
  fn: string,
  name: string,
  totals: Float64Array,
  argument: string,
  largest: number,
): void {
  for (let i = 0; i < totals.length; i++) {
    if (totals[i] <= MOMENT_LIMIT) continue;
    throw new LattnError(
      'NON_FINITE',
      `${fn}: the sums of squares of ${argument} overflow float64 at accumulator.${name} entry (${i}, ${i}). Expected every diagonal entry Σ x_i² at most 2^1023 ≈ 8.99e307 (so that no sum can overflow; divide the ${argument} by a power of two, which scales every sum exactly); received ${totals[i]} after adding ${argument} as large as ${largest}.`,
      { details: { argument, entry: i, total: totals[i], largest } },
    );
  }
}

/**
 * The accumulated moments as fresh full matrices, ready for a solver.
 *
 * @param accumulator - Any accumulator.
 * @returns `count`, the full symmetric `(dim, dim)` `gram` (its upper triangle mirrored), the `(dim, targetDim)`
 * `cross` and the `(targetDim, targetDim)` `targetGram`; none shares memory with the accumulator.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for a malformed accumulator; `NON_FINITE` when it holds NaN or
 * ±Infinity.
 * @example
 * ```ts
 * const { count, gram, cross } = gramMoments(accumulator);
 * ```
 */
export function gramMoments(accumulator: GramAccumulator): GramMoments {
  checkAccumulator('gramMoments', 'accumulator', accumulator, true);
  const { dim, targetDim } = accumulator;
  const gramData = Float64Array.from(accumulator.gram);
  mirrorUpper(gramData, dim);
  return {
    count: accumulator.count,
    gram: { rows: dim, cols: dim, data: gramData },
    cross: { rows: dim, cols: targetDim, data: Float64Array.from(accumulator.cross) },
    targetGram: { rows: targetDim, cols: targetDim, data: Float64Array.from(accumulator.targetGram) },
  };
}

/**
 * Checks that `value` is a well-formed accumulator: integer sizes, a non-negative integer count, and arrays of
 * the lengths the sizes imply; with `finite`, also that the upper triangle of `gram` and every other sum are
 * finite.
 */
export function checkAccumulator(fn: string, name: string, value: unknown, finite: boolean): void {
  const record = value as Partial<GramAccumulator> | null;
  const ok =
    typeof value === 'object' &&
    record !== null &&
    Number.isSafeInteger(record.dim) &&
    Number.isSafeInteger(record.targetDim) &&
    Number.isSafeInteger(record.count) &&
    (record.dim as number) >= 0 &&
    (record.targetDim as number) >= 0 &&
    (record.count as number) >= 0 &&
    record.gram instanceof Float64Array &&
    record.cross instanceof Float64Array &&
    record.targetGram instanceof Float64Array &&
    record.gram.length === (record.dim as number) ** 2 &&
    record.cross.length === (record.dim as number) * (record.targetDim as number) &&
    record.targetGram.length === (record.targetDim as number) ** 2;
  if (!ok) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} is not a Gram accumulator. Expected { dim, targetDim, count, gram, cross, targetGram } as made by createGramAccumulator; received ${describe(value)}.`,
    );
  }
  if (!finite) return;
  const accumulator = value as GramAccumulator;
  const dim = accumulator.dim;
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const entry = accumulator.gram[i * dim + j];
      if (entry - entry !== 0) {
        throw new LattnError(
          'NON_FINITE',
          `${fn}: ${name}.gram contains a non-finite value at entry (${i}, ${j}). Expected finite numbers; received ${entry}.`,
          { details: { argument: `${name}.gram`, index: i * dim + j, value: String(entry) } },
        );
      }
    }
  }
  checkFinite(fn, `${name}.cross`, accumulator.cross, accumulator.targetDim);
  checkFinite(fn, `${name}.targetGram`, accumulator.targetGram, accumulator.targetDim);
}
