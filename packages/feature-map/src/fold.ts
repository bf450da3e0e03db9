/**
 * Folding and unfolding of MHLA weights (SPEC §2–3, docs/math/feature-map.md §4).
 *
 * The unfolded weights of a model are `W[a,j,k,l] = Σ_h V_h[a,j] · Q_h[k,l]`, stored as the
 * `(outputDim · d, d · d)` matrix with row `a·d + j` and column `k·d + l`: it equals `Σ_h vec(V_h) vec(Q_h)ᵀ`
 * (row-major `vec`), so its rank-one terms are heads. Because `M_t` is symmetric, the output sees only the folded
 * weights `w[a, (j<=k), l] = W[a,j,k,l] + W[a,k,j,l]` (`j < k`) and `W[a,j,j,l]`.
 */
import { checkInteger, checkKnownKeys, checkMatrix, LattnError, type Matrix } from '@lattn/core';
import { checkArraySize, checkedFeatureDim, foldedDim, modelDimOfFolded, pairOffset } from './layout.js';
import { checkModel, type MhlaModel } from './model.js';

/** Options of {@link unfoldWeights} and {@link foldUnfolded}. */
export interface UnfoldOptions {
  /**
   * The token dimension `d`, to check the shape against.
   * @defaultValue inferred from the columns (`d · d(d+1)/2` folded, `d²` unfolded)
   */
  readonly modelDim?: number;
}

/**
 * The folded weights of a model: the one matrix that determines the function it computes (SPEC §2).
 *
 * Notes: each entry is a sum of `H` (or `2H`) products, accurate to a few ulps of `Σ_h |V_h| |Q_h|`. Cost
 * `O(H · outputDim · D)`.
 *
 * @param model - The layer; see {@link MhlaModel}.
 * @returns A fresh `(outputDim, D)` matrix, `D = d · d(d+1)/2`: entry `(a, pairIndex(j, k) · d + l)` is
 * `W[a,j,k,l] + W[a,k,j,l]` for `j < k` and `W[a,j,j,l]` for `j = k`, with `W[a,j,k,l] = Σ_h V_h[a,j] · Q_h[k,l]`.
 * Every output satisfies `y_t[a] = ⟨w_a, ψ_t⟩` with `ψ_t` from {@link cubicFeatures}. Zero heads give zeros.
 * @throws `LattnError` `INVALID_ARGUMENT`, `SHAPE_MISMATCH` or `NON_FINITE` for a malformed model; `TOO_LARGE`
 * when the `(outputDim, D)` result would exceed `MAX_ARRAY_ENTRIES` entries.
 * @example
 * ```ts
 * const model = createModel({ heads: [{ value: fromRows([[1, 0]]), query: fromRows([[0, 1], [0, 0]]) }] });
 * // W[0,0,0,1] = 1 is the only nonzero; pair (0,0) is columns 0..1
 * toRows(foldModel(model)); // [[0, 1, 0, 0, 0, 0]]
 * ```
 * @see docs/math/feature-map.md §4
 */
export function foldModel(model: MhlaModel): Matrix {
  return foldHeads('foldModel', checkModel('foldModel', model));
}

/** {@link foldModel} of a model validated by `fn`, which also names the size check. */
export function foldHeads(fn: string, model: MhlaModel): Matrix {
  const d = model.modelDim;
  const outputDim = model.outputDim;
  const dim = checkedFeatureDim(fn, 'model.modelDim', d);
  checkArraySize(fn, `the (${outputDim}, ${dim}) folded weights`, outputDim * dim);
  const out = new Float64Array(outputDim * dim);
  for (const head of model.heads) {
    const v = head.value.data; // (outputDim, d)
    const q = head.query.data; // (d, d)
    for (let a = 0; a < outputDim; a++) {
      let o = a * dim;
      for (let j = 0; j < d; j++) {
        const vj = v[a * d + j];
        for (let k = j; k < d; k++) {
          const vk = k === j ? 0 : v[a * d + k];
          for (let l = 0; l < d; l++) out[o++] += vj * q[k * d + l] + vk * q[j * d + l];
        }
      }
    }
  }
  return { rows: outputDim, cols: dim, data: out };
}

/**
 * Unfolds folded weights by the symmetric split: `W[a,j,k,l] = W[a,k,j,l] = w[a,(j,k),l] / 2` for `j < k` and
 * `W[a,j,j,l] = w[a,(j,j),l]`, returned as the `(outputDim · d, d · d)` matrix whose SVD gives heads (SPEC §3,
 * step 3): each singular triple `σ u vᵀ` is a head with `V_h = reshape(σ u, (outputDim, d))` and
 * `Q_h = reshape(v, (d, d))`.
 *
 * Notes: the split is exact (halving is exact in float64 away from subnormals), so
 * `foldUnfolded(unfoldWeights(w))` returns `w` bit for bit. `unfoldWeights` is also the pseudo-inverse of
 * {@link foldUnfolded}: the orthogonal projection of any unfolded `X` onto `{ X : foldUnfolded(X) = w }` is
 * `X + unfoldWeights(w − foldUnfolded(X))` (docs/math/feature-map.md §4). The symmetric split is the
 * minimum-Frobenius-norm unfolding, and usually has full rank even when `w` comes from few heads.
 *
 * @param weights - Folded weights `w`, shape `(outputDim, D)` with `D = d · d(d+1)/2`.
 * @param options - See {@link UnfoldOptions}.
 * @returns A fresh `(outputDim · d, d · d)` matrix: entry `(a·d + j, k·d + l)` is `W[a,j,k,l]`.
 * @throws `LattnError` `SHAPE_MISMATCH` when the columns are no folded feature dimension or disagree with
 * `modelDim`, or `weights` has no rows; `INVALID_ARGUMENT` for a bad option; `NON_FINITE` for NaN or ±Infinity;
 * `TOO_LARGE` when the result would exceed `MAX_ARRAY_ENTRIES` entries.
 * @example
 * ```ts
 * // d = 1: one pair, one feature
 * toRows(unfoldWeights(fromRows([[3], [4]]))); // [[3], [4]]
 * ```
 * @see docs/math/feature-map.md §4
 */
export function unfoldWeights(weights: Matrix, options?: UnfoldOptions): Matrix {
  const fn = 'unfoldWeights';
  checkKnownKeys(fn, 'options', options, ['modelDim']);
  const w = checkMatrix(fn, 'weights', weights);
  const d = modelDimOfFolded(fn, 'weights', w.cols);
  checkModelDimOption(fn, options, d, `weights with ${w.cols} columns`);
  if (w.rows === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: weights has no rows. Expected folded weights (outputDim >= 1, ${w.cols}); received (0, ${w.cols}).`,
      { details: { argument: 'weights', received: [0, w.cols] } },
    );
  }
  const outputDim = w.rows;
  const dim = w.cols;
  const width = d * d;
  checkArraySize(fn, `the (${outputDim * d}, ${width}) unfolded weights`, outputDim * d * width);
  const out = new Float64Array(outputDim * d * width);
  for (let a = 0; a < outputDim; a++) {
    let i = a * dim;
    for (let j = 0; j < d; j++) {
      for (let k = j; k < d; k++) {
        for (let l = 0; l < d; l++, i++) {
          const value = w.data[i];
          if (k === j) {
            out[(a * d + j) * width + j * d + l] = value;
          } else {
            const half = value / 2;
            out[(a * d + j) * width + k * d + l] = half;
            out[(a * d + k) * width + j * d + l] = half;
          }
        }
      }
    }
  }
  return { rows: outputDim * d, cols: width, data: out };
}

/**
 * Folds unfolded weights: `w[a,(j,k),l] = X[a·d + j, k·d + l] + X[a·d + k, j·d + l]` for `j < k` and
 * `w[a,(j,j),l] = X[a·d + j, j·d + l]`. This is the linear map from any unfolding (for example a rank-`H`
 * truncated SVD, or `Σ_h vec(V_h) vec(Q_h)ᵀ`) back to the folded weights that determine the function; it is the
 * left inverse of {@link unfoldWeights}.
 *
 * Notes: exact up to one rounding per entry. Together with {@link unfoldWeights} it gives the projection step of
 * the minimal-heads alternating projection: `X ← X + unfoldWeights(w − foldUnfolded(X))`. Cost `O(outputDim · d³)`.
 *
 * @param unfolded - `X`, shape `(outputDim · d, d · d)`, rows `(a, j)` and columns `(k, l)`.
 * @param options - See {@link UnfoldOptions}.
 * @returns Fresh folded weights, shape `(outputDim, D)`, `D = d · d(d+1)/2`.
 * @throws `LattnError` `SHAPE_MISMATCH` when the columns are not a square `d²`, the rows are not a multiple of
 * `d`, or `modelDim` disagrees; `INVALID_ARGUMENT` for a bad option; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * // d = 2, outputDim = 1: rows (0,0), (0,1); columns (0,0), (0,1), (1,0), (1,1)
 * const x = fromRows([[1, 2, 3, 4], [5, 6, 7, 8]]);
 * toRows(foldUnfolded(x)); // [[1, 2, 3 + 5, 4 + 6, 7, 8]]
 * ```
 * @see docs/math/feature-map.md §4
 */
export function foldUnfolded(unfolded: Matrix, options?: UnfoldOptions): Matrix {
  const fn = 'foldUnfolded';
  checkKnownKeys(fn, 'options', options, ['modelDim']);
  const x = checkMatrix(fn, 'unfolded', unfolded);
  const d = Math.round(Math.sqrt(x.cols));
  if (d < 1 || d * d !== x.cols || x.rows % d !== 0 || x.rows === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: unfolded has the wrong shape. Expected (outputDim·d, d·d) with outputDim >= 1 and d >= 1; received (${x.rows}, ${x.cols}).`,
      { details: { argument: 'unfolded', received: [x.rows, x.cols] } },
    );
  }
  checkModelDimOption(fn, options, d, `unfolded with ${x.cols} columns`);
  const outputDim = x.rows / d;
  const width = d * d;
  const dim = foldedDim(d);
  const out = new Float64Array(outputDim * dim);
  for (let a = 0; a < outputDim; a++) {
    for (let j = 0; j < d; j++) {
      for (let k = j; k < d; k++) {
        const o = a * dim + (pairOffset(j, d) + k) * d;
        for (let l = 0; l < d; l++) {
          const direct = x.data[(a * d + j) * width + k * d + l];
          out[o + l] = k === j ? direct : direct + x.data[(a * d + k) * width + j * d + l];
        }
      }
    }
  }
  return { rows: outputDim, cols: dim, data: out };
}

function checkModelDimOption(fn: string, options: UnfoldOptions | undefined, inferred: number, what: string): void {
  if (options?.modelDim === undefined) return;
  const modelDim = checkInteger(fn, 'options.modelDim', options.modelDim, { min: 1 });
  if (modelDim !== inferred) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.modelDim disagrees with the matrix. Expected modelDim ${inferred} for ${what}; received ${modelDim}.`,
      { details: { expected: inferred, received: modelDim } },
    );
  }
}
