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
 * `SHAPE_MISMATCH` for shapes that disagree with the accumulator; `NON_FINITE` for NaN or ±Infinity in the chunk.
 * Validation happens before any update, so on error the accumulator is unchanged.
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
 * downstream report rank and tolerance for that reason.
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
 * differ; `NON_FINITE` when either holds NaN or ±Infinity.
 * @example
 * ```ts
 * const total = mergeGram(shardA, shardB); // same sums as one pass over both shards' rows
 * ```
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
  for (let i = 0; i < dim; i++) {
    for (let index = i * dim + i; index < (i + 1) * dim; index++) merged.gram[index] = a.gram[index] + b.gram[index];
  }
  for (let index = 0; index < merged.cross.length; index++) merged.cross[index] = a.cross[index] + b.cross[index];
  for (let index = 0; index < merged.targetGram.length; index++) {
    merged.targetGram[index] = a.targetGram[index] + b.targetGram[index];
  }
  merged.count = a.count + b.count;
  return merged;
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
