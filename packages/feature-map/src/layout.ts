/**
 * The layout of a folded feature vector (SPEC §2, docs/math/feature-map.md §2): which column holds which
 * `M_t[j,k] · z_t[l]` product.
 *
 * Pairs `(j, k)` with `j <= k` are enumerated in row-major upper-triangle order `(0,0), (0,1), …, (0,d−1), (1,1),
 * …, (d−1,d−1)`, and the feature of triple `(j, k, l)` sits in column `pairIndex(j, k) · d + l`.
 */
import { checkInteger, LattnError } from '@lattn/core';

/** One coordinate of the folded feature vector: the product `M_t[j,k] · z_t[l]` with `j <= k`. */
export interface FeatureTriple {
  /** Row of the prefix moment, `0 <= j <= k`. */
  readonly j: number;
  /** Column of the prefix moment, `j <= k < modelDim`. */
  readonly k: number;
  /** Coordinate of the current token, `0 <= l < modelDim`. */
  readonly l: number;
}

/**
 * The length `D` of a folded feature vector: `d · d(d+1)/2`, the number of distinct `(j <= k, l)` triples.
 *
 * @param modelDim - The token dimension `d` (an integer >= 1).
 * @returns `modelDim² (modelDim + 1) / 2`; for example 6 for `d = 2`, 2176 for `d = 16`.
 * @throws `LattnError` `INVALID_ARGUMENT` when `modelDim` is not an integer >= 1.
 * @example
 * ```ts
 * featureDim(3); // 18
 * ```
 * @see docs/math/feature-map.md §2
 */
export function featureDim(modelDim: number): number {
  checkInteger('featureDim', 'modelDim', modelDim, { min: 1 });
  return foldedDim(modelDim);
}

/**
 * The position of the pair `(j, k)` in the row-major enumeration of the upper triangle (diagonal included) of a
 * `(modelDim, modelDim)` matrix. The pair is unordered: `pairIndex(j, k, d) === pairIndex(k, j, d)`, because the
 * prefix moment is symmetric and only `j <= k` is stored.
 *
 * @param j - A row index, `0 <= j < modelDim`.
 * @param k - A column index, `0 <= k < modelDim`.
 * @param modelDim - The token dimension `d`.
 * @returns An integer in `[0, d(d+1)/2)`; the folded feature of triple `(j, k, l)` is column
 * `pairIndex(j, k, d) · d + l`.
 * @throws `LattnError` `INVALID_ARGUMENT` when an index is out of range or `modelDim < 1`.
 * @example
 * ```ts
 * pairIndex(0, 0, 3); // 0
 * pairIndex(1, 1, 3); // 3  (after (0,0), (0,1), (0,2))
 * pairIndex(2, 1, 3); // 4  (the pair (1,2))
 * ```
 * @see docs/math/feature-map.md §2
 */
export function pairIndex(j: number, k: number, modelDim: number): number {
  checkInteger('pairIndex', 'modelDim', modelDim, { min: 1 });
  checkInteger('pairIndex', 'j', j, { min: 0, max: modelDim - 1 });
  checkInteger('pairIndex', 'k', k, { min: 0, max: modelDim - 1 });
  return j <= k ? pairOffset(j, modelDim) + k : pairOffset(k, modelDim) + j;
}

/**
 * The triple `(j, k, l)` whose product `M_t[j,k] · z_t[l]` sits in a given column of the folded feature vector;
 * the inverse of `pairIndex(j, k, d) · d + l`. The certificate uses it to name missing directions.
 *
 * @param index - A column of the folded features, `0 <= index < featureDim(modelDim)`.
 * @param modelDim - The token dimension `d`.
 * @returns `{ j, k, l }` with `j <= k`.
 * @throws `LattnError` `INVALID_ARGUMENT` when `index` is out of range or `modelDim < 1`.
 * @example
 * ```ts
 * featureTriple(pairIndex(1, 2, 3) * 3 + 0, 3); // { j: 1, k: 2, l: 0 }
 * ```
 * @see docs/math/feature-map.md §2
 */
export function featureTriple(index: number, modelDim: number): FeatureTriple {
  checkInteger('featureTriple', 'modelDim', modelDim, { min: 1 });
  checkInteger('featureTriple', 'index', index, { min: 0, max: foldedDim(modelDim) - 1 });
  const l = index % modelDim;
  let pair = (index - l) / modelDim;
  let j = 0;
  while (pair >= modelDim - j) {
    pair -= modelDim - j;
    j++;
  }
  return { j, k: j + pair, l };
}

/** `featureDim` without validation, for internal use. */
export function foldedDim(modelDim: number): number {
  return (modelDim * modelDim * (modelDim + 1)) / 2;
}

/** `d(d+1)/2`: the number of pairs `j <= k`. */
export function numPairs(modelDim: number): number {
  return (modelDim * (modelDim + 1)) / 2;
}

/**
 * `pairIndex(j, k) − k` for `j <= k`: the packed index of pair `(j, k)` is `pairOffset(j) + k`. Rows before `j`
 * hold `d + (d−1) + … + (d−j+1) = j·d − j(j−1)/2` pairs, and `(j, k)` is the `(k − j)`-th pair of row `j`.
 */
export function pairOffset(j: number, modelDim: number): number {
  return j * modelDim - (j * (j + 1)) / 2;
}

/**
 * The `modelDim` whose folded feature dimension is `length`, or throws `SHAPE_MISMATCH` naming `fn` and `name`.
 * Used to read `d` off the columns of folded weights.
 */
export function modelDimOfFolded(fn: string, name: string, length: number): number {
  let d = 1;
  while (foldedDim(d) < length) d++;
  if (foldedDim(d) !== length) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: ${name} has a column count that is no folded feature dimension. Expected d·d(d+1)/2 columns (1, 6, 18, 40, 75, …); received ${length}.`,
      { details: { argument: name, received: length } },
    );
  }
  return d;
}
