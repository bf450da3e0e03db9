/**
 * Exact functional equivalence of MHLA layers (SPEC §2, docs/math/feature-map.md §5): two layers compute the same
 * function on every input iff their folded weights are equal.
 */
import { checkKnownKeys, checkMatrix, checkNumber, LattnError, type Matrix } from '@lattn/core';
import { foldHeads } from './fold.js';
import { modelDimOfFolded } from './layout.js';
import { checkModel, type MhlaModel } from './model.js';

/** Options of {@link equivalent}. */
export interface EquivalenceOptions {
  /**
   * Relative tolerance on `‖w_a − w_b‖_F`, relative to `max(‖w_a‖_F, ‖w_b‖_F)`.
   * @defaultValue `1e-9`
   */
  readonly rtol?: number;
  /**
   * Absolute tolerance on `‖w_a − w_b‖_F`.
   * @defaultValue `0`
   */
  readonly atol?: number;
}

/** The verdict of {@link equivalent}, with the numbers behind it. */
export interface Equivalence {
  /** Whether `distance <= atol + rtol · max(‖w_a‖_F, ‖w_b‖_F)`: the two compute the same function. */
  readonly equivalent: boolean;
  /** `‖w_a − w_b‖_F`, the Frobenius distance of the folded weights. */
  readonly distance: number;
  /** `distance / max(‖w_a‖_F, ‖w_b‖_F)`, or `0` when both are zero. */
  readonly relativeDistance: number;
  /** The relative tolerance applied. */
  readonly rtol: number;
  /** The absolute tolerance applied. */
  readonly atol: number;
}

/**
 * Decides whether two MHLA layers (or folded weights) compute the same function, by comparing folded weights.
 *
 * Heads are defined only up to rescaling (`V_h → cV_h, Q_h → Q_h/c`), permutation, mixing (any two head sets with
 * the same `Σ_h vec(V_h) vec(Q_h)ᵀ`) and the split of each `W[a,j,k,l] + W[a,k,j,l]` between its two terms; all of
 * these leave the folded weights unchanged, and any change of the folded weights changes the output on some input
 * (docs/math/feature-map.md §5). So this is the exact test of "learned the generator".
 *
 * Notes: the default `rtol = 1e-9` sits far above the rounding of folding itself (a few ulps times the head count,
 * about `1e-15`) and of head recovery by SVD (about `1e-14`), and above the error of a least-squares fit on
 * realisable data with a feature Gram of condition number up to about `1e6` (error `≈ κ · ε`); it sits far below
 * any real difference in a model of unit scale. For fits on noisy data or ill-conditioned Grams, pass a larger
 * `rtol`, or read `relativeDistance`. Cost `O(H · outputDim · D)` to fold models.
 *
 * @param a - A model, or its folded weights `(outputDim, D)`.
 * @param b - A model, or its folded weights `(outputDim, D)`.
 * @param options - See {@link EquivalenceOptions}.
 * @returns `{ equivalent, distance, relativeDistance, rtol, atol }`.
 * @throws `LattnError` `SHAPE_MISMATCH` when the two have different `outputDim` or `modelDim` (their functions have
 * different domains or ranges) or a matrix is no folded weights (including one without rows); `INVALID_ARGUMENT`
 * for a malformed model or a bad tolerance; `NON_FINITE` for NaN or ±Infinity; `TOO_LARGE` when folding a model
 * would exceed `MAX_ARRAY_ENTRIES` entries.
 * @example
 * ```ts
 * const head = { value: fromRows([[2]]), query: fromRows([[3]]) };
 * const halves = [
 *   { value: fromRows([[1]]), query: fromRows([[3]]) },
 *   { value: fromRows([[3]]), query: fromRows([[1]]) },
 * ];
 * equivalent(createModel({ heads: [head] }), createModel({ heads: halves })).equivalent; // true (6 = 3 + 3)
 * ```
 * @see docs/math/feature-map.md §5
 */
export function equivalent(a: MhlaModel | Matrix, b: MhlaModel | Matrix, options?: EquivalenceOptions): Equivalence {
  const fn = 'equivalent';
  checkKnownKeys(fn, 'options', options, ['rtol', 'atol']);
  const rtol = options?.rtol === undefined ? 1e-9 : checkNumber(fn, 'options.rtol', options.rtol, { min: 0 });
  const atol = options?.atol === undefined ? 0 : checkNumber(fn, 'options.atol', options.atol, { min: 0 });
  const wa = folded(fn, 'a', a);
  const wb = folded(fn, 'b', b);
  if (wa.rows !== wb.rows || wa.cols !== wb.cols) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: the two layers have different shapes. Expected folded weights of equal shape; received (${wa.rows}, ${wa.cols}) and (${wb.rows}, ${wb.cols}).`,
      { details: { a: [wa.rows, wa.cols], b: [wb.rows, wb.cols] } },
    );
  }
  // Norms are accumulated on entries divided by the largest magnitude, so huge weights cannot overflow.
  let largest = 0;
  for (let i = 0; i < wa.data.length; i++) largest = Math.max(largest, Math.abs(wa.data[i]), Math.abs(wb.data[i]));
  let squaredDistance = 0;
  let squaredA = 0;
  let squaredB = 0;
  for (let i = 0; largest > 0 && i < wa.data.length; i++) {
    const x = wa.data[i] / largest;
    const y = wb.data[i] / largest;
    squaredDistance += (x - y) * (x - y);
    squaredA += x * x;
    squaredB += y * y;
  }
  const distance = largest * Math.sqrt(squaredDistance);
  const scale = largest * Math.sqrt(Math.max(squaredA, squaredB));
  return {
    equivalent: distance <= atol + rtol * scale,
    distance,
    relativeDistance: scale > 0 ? distance / scale : 0,
    rtol,
    atol,
  };
}

function folded(fn: string, name: string, value: MhlaModel | Matrix): Matrix {
  if (typeof value === 'object' && value !== null && 'heads' in value)
    return foldHeads(fn, checkModel(fn, value, name));
  const weights = checkMatrix(fn, name, value);
  modelDimOfFolded(fn, name, weights.cols);
  if (weights.rows === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: ${name} has no rows. Expected a model or folded weights (outputDim >= 1, ${weights.cols}); received (0, ${weights.cols}).`,
      { details: { argument: name, received: [0, weights.cols] } },
    );
  }
  return weights;
}
