/**
 * Predictions from folded weights alone (SPEC §2): `y_t = w · ψ_t`, without heads.
 */
import {
  checkMatrix,
  checkSequences,
  LattnError,
  largestMagnitude,
  type Matrix,
  type PositionMode,
  rescaleExponent,
  scaleByPowerOfTwo,
  timesPowerOfTwo,
} from '@lattn/core';
import { addOuterPacked, readMode } from './features.js';
import type { ForwardOptions } from './forward.js';
import { foldedDim, numPairs } from './layout.js';

/**
 * Runs the function defined by folded weights on a batch of sequences: `y_t[a] = ⟨w_a, ψ_t⟩`. For
 * `w = foldModel(model)` this equals `forward(model, inputs, options)`.
 *
 * Notes: the features are contracted on the fly (`y_t[a] = Σ_{j<=k} M_t[j,k] Σ_l w[a,(j,k),l] z_t[l]`), never
 * stored. Weights and tokens with entries beyond `2^±32` are divided by a power of two first (exactly) and the output
 * scaled back, so tokens at `1e±150` with weights at `1e∓300` give the right (representable) outputs. Cost per
 * sequence `O(n · (d² + D · outputDim))`, memory `O(d² + n · outputDim)`.
 *
 * @param weights - Folded weights `w`, shape `(outputDim, D)` with `D = d · d(d+1)/2`.
 * @param inputs - `B` sequences, each `(n_b, d)` with `n_b >= 1`.
 * @param options - See {@link ForwardOptions}.
 * @returns One fresh matrix per sequence: `(n_b, outputDim)` in mode `'all'`, `(1, outputDim)` in mode `'last'`.
 * @throws `LattnError` `SHAPE_MISMATCH` when `weights` has not `featureDim(d)` columns for the inputs' `d`;
 * `INVALID_ARGUMENT` for an empty batch or sequence or a bad option; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * // d = 1: D = 1 and y_t = w · M_t · z_t
 * const [y] = forwardFolded(fromRows([[2]]), [fromRows([[1], [2]])]);
 * toRows(y); // [[2], [20]]
 * ```
 * @see docs/math/feature-map.md §2
 */
export function forwardFolded(weights: Matrix, inputs: readonly Matrix[], options?: ForwardOptions): Matrix[] {
  const fn = 'forwardFolded';
  const mode = readMode(fn, options);
  const { modelDim } = checkSequences(fn, 'inputs', inputs);
  const w = checkMatrix(fn, 'weights', weights);
  const dim = foldedDim(modelDim);
  if (w.cols !== dim || w.rows === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: weights do not fit the inputs. Expected (outputDim >= 1, ${dim}) for tokens of dimension ${modelDim}; received (${w.rows}, ${w.cols}).`,
      { details: { argument: 'weights', expected: [undefined, dim], received: [w.rows, w.cols] } },
    );
  }
  const weightExponent = rescaleExponent(largestMagnitude(w.data));
  const scaled = scaleByPowerOfTwo(w, -weightExponent);
  return inputs.map((sequence) => forwardFoldedSequence(scaled, weightExponent, sequence, mode));
}

/**
 * One validated sequence, with `w = 2^e w'` and (for tokens beyond `2^±32`) `Z = 2^k Z'`: `y_t = 2^{e + 3k} w' ψ_t(Z')`,
 * exact scaling by powers of two.
 */
function forwardFoldedSequence(w: Matrix, weightExponent: number, sequence: Matrix, mode: PositionMode): Matrix {
  const d = sequence.cols;
  const n = sequence.rows;
  const outputDim = w.rows;
  const dim = w.cols;
  const pairs = numPairs(d);
  const rows = mode === 'all' ? n : 1;
  const out = new Float64Array(rows * outputDim);
  const moment = new Float64Array(pairs);
  const weights = w.data; // (outputDim, D)
  const tokenExponent = rescaleExponent(largestMagnitude(sequence.data));
  const exponent = weightExponent + 3 * tokenExponent;
  const z = scaleByPowerOfTwo(sequence, -tokenExponent).data;
  const emit = (t: number, row: number): void => {
    const zOffset = t * d;
    for (let a = 0; a < outputDim; a++) {
      let i = a * dim;
      let sum = 0;
      for (let p = 0; p < pairs; p++) {
        let inner = 0;
        for (let l = 0; l < d; l++) inner += weights[i++] * z[zOffset + l];
        sum += moment[p] * inner;
      }
      out[row * outputDim + a] = exponent === 0 ? sum : timesPowerOfTwo(sum, exponent);
    }
  };
  for (let t = 0; t < n; t++) {
    addOuterPacked(moment, z, t * d, d);
    if (mode === 'all') emit(t, t);
  }
  if (mode === 'last') emit(n - 1, 0);
  return { rows, cols: outputDim, data: out };
}
