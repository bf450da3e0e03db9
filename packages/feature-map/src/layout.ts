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
 * The largest number of float64 entries (2²⁸, 2 GiB) in any one array that a feature-map, learner or certificate
 * function allocates: a result of `cubicFeatures`, `unfoldedFeatures`, `foldModel` or `unfoldWeights`, the `(N, N)`
 * kernel matrix (hence `MAX_KERNEL_EXAMPLES = 2¹⁴`), and the `(D, D)` feature Gram of the learner and the
 * certificate (hence `featureDim <= 16384`, i.e. `modelDim <= 31`). Larger requests throw `TOO_LARGE` with the size
 * they would need, before anything is allocated.
 */
export const MAX_ARRAY_ENTRIES: number = 2 ** 28;

/**
 * The length `D` of a folded feature vector: `d · d(d+1)/2`, the number of distinct `(j <= k, l)` triples.
 *
 * @param modelDim - The token dimension `d` (an integer >= 1).
 * @returns `modelDim² (modelDim + 1) / 2`; for example 6 for `d = 2`, 2176 for `d = 16`.
 * @throws `LattnError` `INVALID_ARGUMENT` when `modelDim` is not an integer >= 1; `TOO_LARGE` when `modelDim > 208063`
 * (beyond it `d²(d+1)` exceeds 2⁵³ and `D` could not be computed exactly).
 * @example
 * ```ts
 * featureDim(3); // 18
 * featureDim(1000); // 500500000: a (1, D) feature row alone would need 4 GiB
 * ```
 * @see docs/math/feature-map.md §2
 */
export function featureDim(modelDim: number): number {
  return checkedFeatureDim('featureDim', 'modelDim', modelDim);
}

/** The largest `d` whose `d²(d+1)` (hence `featureDim(d)`) is computed exactly in float64. */
const MAX_EXACT_MODEL_DIM = 208063;

/**
 * `featureDim(modelDim)` validated for `fn`: `modelDim` an integer >= 1 (`INVALID_ARGUMENT`) and at most 208063
 * (`TOO_LARGE`).
 */
export function checkedFeatureDim(fn: string, name: string, modelDim: unknown): number {
  const d = checkInteger(fn, name, modelDim, { min: 1 });
  const dim = foldedDim(d);
  // d²(d+1) is exact in float64 up to d = 208063 (it stays below 2⁵³); beyond, D would be rounded.
  if (d > MAX_EXACT_MODEL_DIM) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: ${name} ${d} gives a folded feature dimension d·d(d+1)/2 ≈ ${dim.toExponential(3)} beyond exact integers. Expected ${name} <= ${MAX_EXACT_MODEL_DIM}; received ${d}.`,
      { details: { argument: name, received: d } },
    );
  }
  return dim;
}

/**
 * Throws `TOO_LARGE` naming `fn` when an array of `entries` float64 values (described by `what`) would exceed
 * {@link MAX_ARRAY_ENTRIES}; call it before allocating.
 */
export function checkArraySize(fn: string, what: string, entries: number): void {
  if (entries > MAX_ARRAY_ENTRIES) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: ${what} would need ${entries} float64 entries (${formatBytes(entries * 8)}). Expected at most ${MAX_ARRAY_ENTRIES} entries (2 GiB); received a request for ${entries}.`,
      { details: { entries, bytes: entries * 8, limit: MAX_ARRAY_ENTRIES } },
    );
  }
}

/** A byte count in GiB (or MiB below 1 GiB) with three significant digits. */
function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30
    ? `${Number((bytes / 2 ** 30).toPrecision(3))} GiB`
    : `${Number((bytes / 2 ** 20).toPrecision(3))} MiB`;
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
 * @throws `LattnError` `INVALID_ARGUMENT` when an index is out of range or `modelDim < 1`; `TOO_LARGE` as for
 * {@link featureDim}.
 * @example
 * ```ts
 * pairIndex(0, 0, 3); // 0
 * pairIndex(1, 1, 3); // 3  (after (0,0), (0,1), (0,2))
 * pairIndex(2, 1, 3); // 4  (the pair (1,2))
 * ```
 * @see docs/math/feature-map.md §2
 */
export function pairIndex(j: number, k: number, modelDim: number): number {
  checkedFeatureDim('pairIndex', 'modelDim', modelDim);
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
 * @throws `LattnError` `INVALID_ARGUMENT` when `index` is out of range or `modelDim < 1`; `TOO_LARGE` as for
 * {@link featureDim}.
 * @example
 * ```ts
 * featureTriple(pairIndex(1, 2, 3) * 3 + 0, 3); // { j: 1, k: 2, l: 0 }
 * ```
 * @see docs/math/feature-map.md §2
 */
export function featureTriple(index: number, modelDim: number): FeatureTriple {
  const dim = checkedFeatureDim('featureTriple', 'modelDim', modelDim);
  checkInteger('featureTriple', 'index', index, { min: 0, max: dim - 1 });
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
