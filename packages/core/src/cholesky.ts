/**
 * Cholesky factorisation `A = L Lᵀ` of a symmetric positive definite matrix, blocked and right-looking, and the
 * solve `L Lᵀ X = B` that uses it (SPEC §3, step 2).
 *
 * @see docs/decisions/0005-hand-written-kernels.md
 */
import { LattnError } from './errors.js';
import { allocate } from './internal/allocate.js';
import { transposeInto } from './internal/blocked-copy.js';
import { addTransposedProductJs } from './internal/packed-product.js';
import { layout, view, type WasmKernels, wasmKernels } from './internal/wasm/instance.js';
import { productScratch, wasmProduct } from './internal/wasm/product.js';
import { productThreads } from './internal/wasm/threads.js';
import { type Matrix, shapeOf } from './matrix.js';
import { checkFinite, checkKnownKeys, checkMatrix, checkNumber } from './validate.js';

/** Options of {@link cholesky}. */
export interface CholeskyOptions {
  /**
   * Relative pivot tolerance: the factorisation stops, reporting `positiveDefinite: false`, at the first pivot
   * `d_k <= atol + rtol · max_i a[i][i]`.
   * @defaultValue `n · ε` for an `(n, n)` input, with `ε = Number.EPSILON ≈ 2.2e-16`
   */
  readonly rtol?: number;
  /**
   * Absolute pivot tolerance, added to the relative one.
   * @defaultValue `0`
   */
  readonly atol?: number;
}

/** The result of {@link cholesky}. */
export interface CholeskyResult {
  /**
   * `(n, n)` lower-triangular `L` with positive diagonal and `L Lᵀ = A`. When `positiveDefinite` is `false` it
   * holds the first `failedAt` columns of the factor (a partial factorisation: `A − L Lᵀ` is zero outside its
   * trailing `(n − failedAt)` block) and zeros elsewhere.
   */
  readonly factor: Matrix;
  /** Whether every pivot exceeded the tolerance, that is whether `factor` is the complete Cholesky factor. */
  readonly positiveDefinite: boolean;
  /** The index `k` of the first rejected pivot; present only when `positiveDefinite` is `false`. */
  readonly failedAt?: number;
  /** The relative pivot tolerance applied. */
  readonly rtol: number;
  /** The absolute pivot tolerance applied. */
  readonly atol: number;
  /** The resulting pivot threshold `atol + rtol · max_i a[i][i]`: pivots at or below it are rejected. */
  readonly pivotThreshold: number;
}

/** Rows per block column: the in-block row operations cost `BLOCK · n² / 4`, the rest is the packed kernel. */
const BLOCK = 48;

/**
 * Factors a symmetric positive definite matrix as `A = L Lᵀ` with `L` lower triangular.
 *
 * Only the lower triangle of `a` (`i >= j`) is read; the strictly upper triangle is ignored (LAPACK's `'L'`
 * convention), so `a` is never checked for symmetry. Not being positive definite is a result
 * (`positiveDefinite: false` with the pivot index `failedAt`), not an exception: callers fall back to an eigen
 * route.
 *
 * @param a - `(n, n)` matrix with finite entries; its lower triangle defines the symmetric matrix.
 * @param options - Pivot tolerances; see {@link CholeskyOptions}.
 * @returns The factor, whether it is complete, the failing pivot and the tolerances used; see
 * {@link CholeskyResult}.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `a` is not square; `NON_FINITE` for NaN or ±Infinity anywhere
 * in `a`; `INVALID_ARGUMENT` for a malformed `a`, an unknown option or a negative tolerance; `TOO_LARGE` when
 * the factor cannot be allocated.
 * @example
 * ```ts
 * const { factor, positiveDefinite } = cholesky(fromRows([[4, 2], [2, 3]]));
 * toRows(factor); // [[2, 0], [1, 1.4142135623730951]]
 * positiveDefinite; // true
 * ```
 *
 * Notes: `n³ / 3` multiply–adds. Block columns of 48 are factored by row operations and the trailing matrix is
 * updated by the packed 3 × 3 kernel of {@link gram} (a SYRK on the upper factor `U = Lᵀ`, which is contiguous in
 * row-major storage). The computed factor satisfies `L Lᵀ = A + E` with `|E| <= c · n · ε · |L| |Lᵀ|`
 * (backward stable without pivoting). The default `rtol = n · ε` rejects the tiny pivots that rounding leaves
 * in a positive semi-definite, singular Gram matrix, but it is not a rank decision: for that use an eigen or SVD
 * route with its own tolerance. An ill-conditioned but definite matrix (condition 1e12, say) still factors.
 * @see docs/decisions/0005-hand-written-kernels.md
 */
export function cholesky(a: Matrix, options?: CholeskyOptions): CholeskyResult {
  checkSquare('cholesky', 'a', a);
  checkKnownKeys('cholesky', 'options', options, ['rtol', 'atol']);
  const n = a.rows;
  const rtol = checkNumber('cholesky', 'options.rtol', options?.rtol ?? n * Number.EPSILON, { min: 0 });
  const atol = checkNumber('cholesky', 'options.atol', options?.atol ?? 0, { min: 0 });
  let maxDiagonal = 0;
  for (let i = 0; i < n; i++) maxDiagonal = Math.max(maxDiagonal, a.data[i * n + i]);
  const pivotThreshold = atol + rtol * maxDiagonal;

  // Work on U = Lᵀ: row k of U is column k of L, so every update below reads and writes whole rows.
  // w's upper triangle starts as the transpose of a's lower triangle; its strictly lower part is never read.
  const factor = allocate('cholesky', `the (${n}, ${n}) factor`, n * n);
  const kernels = wasmKernels();
  const failedAt =
    (kernels === undefined ? undefined : factorInWasm(kernels, a.data, n, pivotThreshold, factor)) ??
    factorInJs(a.data, n, pivotThreshold, factor);

  const result = { factor: { rows: n, cols: n, data: factor }, positiveDefinite: failedAt < 0, rtol, atol };
  return failedAt < 0 ? { ...result, pivotThreshold } : { ...result, failedAt, pivotThreshold };
}

/**
 * Factors the lower triangle of the row-major `(n, n)` `a` in JavaScript and writes `L` (zeros above the diagonal and
 * from column `failedAt` on) into `factor`.
 *
 * @returns The index of the first rejected pivot, or `-1`.
 */
function factorInJs(a: Float64Array, n: number, threshold: number, factor: Float64Array): number {
  const w = allocate('cholesky', `the (${n}, ${n}) factor`, n * n);
  transposeInto(a, n, n, w);
  const failedAt = factorUpperInPlace(w, n, threshold);
  clearBelowDiagonal(w, n, failedAt);
  transposeInto(w, n, n, factor);
  return failedAt;
}

/**
 * The same factorisation on the WASM kernels: `a`'s lower triangle is transposed straight into the module's memory,
 * factored there (block columns by `choleskyBlock`, trailing updates by the WASM SYRK), and transposed back into
 * `factor`. The operations and their order are those of {@link factorUpperInPlace}.
 *
 * @returns The index of the first rejected pivot or `-1`, or `undefined` when the module's memory cannot hold `a`.
 */
function factorInWasm(
  kernels: WasmKernels,
  a: Float64Array,
  n: number,
  threshold: number,
  factor: Float64Array,
): number | undefined {
  // The first trailing update is the largest: it sets how many threads the updates may use.
  const threads = productThreads(kernels, BLOCK * (n - BLOCK) ** 2, 'auto');
  const addresses = layout(kernels, [n * n, ...productScratch(BLOCK, n, n, threads)]);
  if (addresses === undefined) return undefined;
  const [address, ...scratch] = addresses;
  transposeInto(a, n, n, view(kernels, address, n * n));
  let failedAt = -1;
  for (let k0 = 0; k0 < n && failedAt < 0; k0 += BLOCK) {
    const k1 = Math.min(k0 + BLOCK, n);
    failedAt = kernels.exports.choleskyBlock(address, n, k0, k1, threshold);
    const rest = n - k1;
    if (failedAt < 0 && rest > 0) {
      const panel = { address: address + (k0 * n + k1) * 8, stride: n, rows: k1 - k0, cols: rest };
      const trailing = { address: address + (k1 * n + k1) * 8, stride: n };
      const stepThreads = Math.min(threads, productThreads(kernels, (k1 - k0) * rest * rest, 'auto'));
      wasmProduct(kernels, panel, panel, trailing, -1, true, scratch, { threads: stepThreads });
    }
  }
  const w = view(kernels, address, n * n);
  clearBelowDiagonal(w, n, failedAt);
  transposeInto(w, n, n, factor);
  return failedAt;
}

/** Zeros the strictly lower triangle of `w` and, after a failure at `failedAt >= 0`, every row from `failedAt` on. */
function clearBelowDiagonal(w: Float64Array, n: number, failedAt: number): void {
  if (failedAt >= 0) w.fill(0, failedAt * n);
  for (let i = 1; i < n; i++) w.fill(0, i * n, i * n + i);
}

/**
 * Overwrites the upper triangle of the row-major `(n, n)` `w` with `U`, `UᵀU = W`, by blocked right-looking
 * Cholesky. For each block of rows `k0 .. k1`:
 *
 *     [U11 U12] = rows k0..k1 of the (updated) W, factored by row operations:   U11ᵀU11 = W11,  U12 = U11⁻ᵀ W12
 *     W22 ← W22 − U12ᵀ U12                                                        (packed SYRK, upper triangle)
 *
 * @returns The index of the first pivot `<= threshold` (or NaN), or `-1` when every pivot passed.
 */
function factorUpperInPlace(w: Float64Array, n: number, threshold: number): number {
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(k0 + BLOCK, n);
    for (let k = k0; k < k1; k++) {
      const rowK = k * n;
      const pivot = w[rowK + k];
      if (!(pivot > threshold)) return k;
      const diagonal = Math.sqrt(pivot);
      w[rowK + k] = diagonal;
      const inverse = 1 / diagonal;
      for (let j = k + 1; j < n; j++) w[rowK + j] *= inverse;
      // Rows k+1 .. k1 of the block: subtract U[k][q] · U[k][q..n] from row q.
      for (let q = k + 1; q < k1; q++) {
        const factor = w[rowK + q];
        if (factor === 0) continue;
        const rowQ = q * n;
        for (let j = q; j < n; j++) w[rowQ + j] -= factor * w[rowK + j];
      }
    }
    const rest = n - k1;
    if (rest > 0) {
      const panel = { data: w, offset: k0 * n + k1, stride: n, rows: k1 - k0, cols: rest };
      addTransposedProductJs(
        panel,
        panel,
        { data: w, offset: k1 * n + k1, stride: n, rows: rest, cols: rest },
        -1,
        true,
      );
    }
  }
  return -1;
}

/**
 * Solves `L Lᵀ X = B` for every column of `B`, given the Cholesky factor `L` of `A = L Lᵀ`: that is `X = A⁻¹ B`.
 *
 * Only the lower triangle of `factor` is read.
 *
 * @param factor - `(n, n)` lower-triangular factor with positive diagonal, as returned by {@link cholesky}.
 * @param b - `(n, m)` right-hand sides with finite entries.
 * @returns A fresh `(n, m)` matrix `X`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `factor` is not square or `b` has the wrong number of rows;
 * `INVALID_ARGUMENT` when a diagonal entry of `factor` is not positive (it is not a complete Cholesky factor);
 * `NON_FINITE` for NaN or ±Infinity in `b` or in the lower triangle of `factor`.
 * @example
 * ```ts
 * const { factor } = cholesky(fromRows([[4, 2], [2, 3]]));
 * toRows(choleskySolve(factor, fromRows([[6], [5]]))); // [[1], [1]]
 * ```
 *
 * Notes: a forward substitution `L Y = B` then a backward one `Lᵀ X = Y`, `2 · n² · m` operations: by row operations
 * on whole rows of `X`, or, for a single right-hand side (`m = 1`, the inverse iterations of the eigenvalue
 * estimates), by dot products with the rows of `L`. The factor's `n²` entries are not scanned up front: a non-finite
 * entry of its lower triangle makes the solution non-finite, and only then is the factor searched for it, so a
 * solve reads the factor once. The relative error of `X` is about `cond(A) · ε`.
 */
export function choleskySolve(factor: Matrix, b: Matrix): Matrix {
  checkMatrix('choleskySolve', 'factor', factor, { finite: false });
  checkSquareShape('choleskySolve', 'factor', factor);
  const n = factor.rows;
  checkMatrix('choleskySolve', 'b', b, { rows: n });
  const l = factor.data;
  for (let i = 0; i < n; i++) {
    const diagonal = l[i * n + i];
    if (!(diagonal > 0 && diagonal < Number.POSITIVE_INFINITY)) {
      if (diagonal - diagonal !== 0) checkFinite('choleskySolve', 'factor', lowerTriangle(l, n), n);
      throw new LattnError(
        'INVALID_ARGUMENT',
        `choleskySolve: factor is not a complete Cholesky factor. Expected a positive diagonal; received ${diagonal} at entry (${i}, ${i}).`,
        { details: { index: i, value: diagonal } },
      );
    }
  }
  const m = b.cols;
  const x = allocate('choleskySolve', `the (${n}, ${m}) solution`, n * m);
  x.set(b.data);
  if (m === 1) solveVector(l, n, x);
  else solveColumns(l, n, m, x);
  // The factor's lower triangle is validated through the solution: with finite data and a finite positive diagonal,
  // a non-finite entry of X can only come from a non-finite entry of L (sums, products and divisions by the diagonal
  // never turn NaN or ±Infinity back into a finite number), or from overflow.
  for (let i = 0; i < x.length; i++) {
    if (x[i] - x[i] !== 0) {
      checkFinite('choleskySolve', 'factor', lowerTriangle(l, n), n);
      break;
    }
  }
  return { rows: n, cols: m, data: x };
}

/** `x ← (L Lᵀ)⁻¹ x` for one right-hand side: dot products with the rows of `L`, then row operations with them. */
function solveVector(l: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let sum = x[i];
    for (let j = 0; j < i; j++) sum -= l[row + j] * x[j];
    x[i] = sum / l[row + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    const row = i * n;
    const value = x[i] / l[row + i];
    x[i] = value;
    for (let j = 0; j < i; j++) x[j] -= l[row + j] * value;
  }
}

/** `X ← (L Lᵀ)⁻¹ X` for the `(n, m)` row-major `X`, by row operations on whole rows of `X`. */
function solveColumns(l: Float64Array, n: number, m: number, x: Float64Array): void {
  // Forward: row i of Y is (B[i] − Σ_{j<i} L[i][j] · Y[j]) / L[i][i].
  for (let i = 0; i < n; i++) {
    const rowI = i * m;
    for (let j = 0; j < i; j++) {
      const coefficient = l[i * n + j];
      if (coefficient === 0) continue;
      const rowJ = j * m;
      for (let c = 0; c < m; c++) x[rowI + c] -= coefficient * x[rowJ + c];
    }
    const inverse = 1 / l[i * n + i];
    for (let c = 0; c < m; c++) x[rowI + c] *= inverse;
  }
  // Backward: once row i of X is final, remove L[i][j] · X[i] (that is Lᵀ[j][i] · X[i]) from every row j < i.
  for (let i = n - 1; i >= 0; i--) {
    const rowI = i * m;
    const inverse = 1 / l[i * n + i];
    for (let c = 0; c < m; c++) x[rowI + c] *= inverse;
    for (let j = 0; j < i; j++) {
      const coefficient = l[i * n + j];
      if (coefficient === 0) continue;
      const rowJ = j * m;
      for (let c = 0; c < m; c++) x[rowJ + c] -= coefficient * x[rowI + c];
    }
  }
}

/** The row-major `(n, n)` `l` with its strictly upper triangle replaced by zeros (for locating a non-finite entry). */
function lowerTriangle(l: Float64Array, n: number): Float64Array {
  const lower = new Float64Array(n * n);
  for (let i = 0; i < n; i++) lower.set(l.subarray(i * n, i * n + i + 1), i * n);
  return lower;
}

function checkSquare(fn: string, name: string, value: Matrix): void {
  checkMatrix(fn, name, value);
  checkSquareShape(fn, name, value);
}

function checkSquareShape(fn: string, name: string, value: Matrix): void {
  if (value.rows !== value.cols) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: ${name} must be square. Expected (n, n); received ${shapeOf(value)}.`,
      { details: { argument: name, received: [value.rows, value.cols] } },
    );
  }
}
