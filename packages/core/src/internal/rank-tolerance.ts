/**
 * The singular-value cut-off shared by `lstsq`, `pinv` and `matrixRank`. Internal.
 */
import { checkNumber } from '../validate.js';

/** The tolerances of a rank decision. */
export interface RankTolerances {
  /** Relative tolerance (to `σ₁`). */
  readonly rtol: number;
  /** Absolute tolerance. */
  readonly atol: number;
}

/** Validates `rtol` and `atol`, with defaults `rtol = max(rows, cols)·ε` (numpy's convention) and `atol = 0`. */
export function rankTolerances(
  fn: string,
  options: { readonly rtol?: number; readonly atol?: number },
  rows: number,
  cols: number,
): RankTolerances {
  const rtol =
    options.rtol === undefined ? Math.max(rows, cols) * 2 ** -52 : checkNumber(fn, 'rtol', options.rtol, { min: 0 });
  const atol = options.atol === undefined ? 0 : checkNumber(fn, 'atol', options.atol, { min: 0 });
  return { rtol, atol };
}

/** The threshold `max(atol, rtol·σ₁)` and the number of (descending) singular values strictly above it. */
export function rankCutoff(
  singularValues: Float64Array,
  tolerances: RankTolerances,
): { readonly threshold: number; readonly rank: number } {
  const threshold = Math.max(tolerances.atol, tolerances.rtol * (singularValues[0] ?? 0));
  let rank = 0;
  while (rank < singularValues.length && singularValues[rank] > threshold) rank++;
  return { threshold, rank };
}
