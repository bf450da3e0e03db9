/**
 * The Gram matrix `AᵀA`, SYRK-style: one triangle computed by the packed kernel, then mirrored.
 *
 * @see docs/decisions/0005-hand-written-kernels.md
 */
import { LattnError } from './errors.js';
import { allocate } from './internal/allocate.js';
import { gramInto } from './internal/packed-product.js';
import { describe, type Matrix } from './matrix.js';
import { checkFinite, checkKnownKeys, checkMatrix } from './validate.js';

/** Options of {@link gram}. */
export interface GramOptions {
  /**
   * Threads to compute with, counting the calling one. In Node, the rows of the result are shared among worker
   * threads that run the WASM kernel on the same memory (started on first use and kept; they never keep the process
   * alive). `'auto'` uses every core, at most 8, from `rows · cols² = 5e7` floating-point operations (about 3 ms on
   * one core) on, and one thread below. A browser, a worker thread, or a runtime without WASM SIMD computes on the
   * calling thread whatever is asked.
   * @defaultValue `'auto'`
   */
  readonly workers?: number | 'auto';
}

/**
 * The Gram matrix `G = AᵀA`, `G[i][j] = Σ_r A[r][i] · A[r][j]`: the sum of the outer products of `a`'s rows.
 *
 * @param a - `(rows, cols)` matrix with finite entries, one observation per row.
 * @param options - The number of threads; see {@link GramOptions}.
 * @returns A fresh `(cols, cols)` symmetric matrix; `G[i][j]` and `G[j][i]` are bitwise equal. All zeros when
 * `a` has no rows.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `a` is not a matrix, for an unknown option or a `workers` that
 * is neither `'auto'` nor a positive integer; `NON_FINITE` for NaN or ±Infinity; `TOO_LARGE` when the result cannot
 * be allocated.
 * @example
 * ```ts
 * toRows(gram(fromRows([[1, 2], [3, 4]]))); // [[10, 14], [14, 20]]
 * ```
 *
 * Notes: `rows · cols · (cols + 1)` floating-point operations, half of `matmul(transpose(a), a)`, because only
 * the upper triangle is computed (by the same packed kernel as {@link matmul}) and then copied onto the lower one.
 * The result is the same bitwise on any number of threads: every entry is summed by the same operations in the same
 * order whichever thread computes it. For data that arrive in chunks use {@link accumulateGram}, which keeps the
 * same triangle.
 * @see docs/decisions/0007-wasm-simd-kernels.md
 */
export function gram(a: Matrix, options?: GramOptions): Matrix {
  checkMatrix('gram', 'a', a, { finite: false }); // the kernel checks finiteness as it packs `a`
  checkKnownKeys('gram', 'options', options, ['workers']);
  const workers = readWorkers('gram', options?.workers);
  const dim = a.cols;
  const data = allocate('gram', `the (${dim}, ${dim}) Gram matrix`, dim * dim);
  if (!gramInto({ data: a.data, offset: 0, stride: dim, rows: a.rows, cols: dim }, data, workers)) {
    checkFinite('gram', 'a', a.data, dim); // a holds a NaN or ±Infinity: throws NON_FINITE naming the first one
  }
  return { rows: dim, cols: dim, data };
}

/** `'auto'` or a positive integer, the `workers` option. */
function readWorkers(fn: string, workers: unknown): number | 'auto' {
  if (workers === undefined || workers === 'auto') return 'auto';
  if (typeof workers !== 'number' || !Number.isSafeInteger(workers) || workers < 1) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.workers must be 'auto' or a positive integer. Expected 'auto' or an integer >= 1; received ${describe(workers)}.`,
      { details: { argument: 'options.workers', received: describe(workers) } },
    );
  }
  return workers;
}
