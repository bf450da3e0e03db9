/**
 * Predictions from folded weights alone (SPEC §2): `y_t = w · ψ_t`, without heads.
 */
import {
  checkMatrix,
  checkSequences,
  LattnError,
  largestMagnitude,
  type Matrix,
  matmul,
  type PositionMode,
  rescaleExponent,
  scaleByPowerOfTwo,
  timesPowerOfTwo,
  transpose,
} from '@lattn/core';
import { addOuterPacked, readMode } from './features.js';
import type { ForwardOptions } from './forward.js';
import { foldedDim, numPairs } from './layout.js';

/**
 * Runs the function defined by folded weights on a batch of sequences: `y_t[a] = ⟨w_a, ψ_t⟩`. For
 * `w = foldModel(model)` this equals `forward(model, inputs, options)`.
 *
 * Notes: the features are contracted on the fly (`y_t[a] = Σ_{j<=k} M_t[j,k] Σ_l w[a,(j,k),l] z_t[l]`), never
 * stored: the inner sums of up to 4096 tokens at a time are one product on core's kernels (`matmul`, WASM SIMD where
 * available), the outer sums run along the prefix moments. Weights and tokens with entries beyond `2^±32` are divided
 * by a power of two first (exactly, each sequence by its own) and the output scaled back, so tokens at `1e±150` with
 * weights at `1e∓300` give the right (representable) outputs. Cost per sequence `O(n · (d² + D · outputDim))`;
 * memory besides the outputs `O(D · outputDim)` times the 4096 tokens of a batch over `d`.
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
  // w[a, (p, l)] is row a·P + p, column l of the (outputDim · P, d) matrix on the same data: its transpose multiplies
  // the tokens of many sequences at once, in one product on core's kernels.
  const contraction = transpose({ rows: w.rows * numPairs(modelDim), cols: modelDim, data: scaled.data });
  const outputs: Matrix[] = [];
  for (let first = 0; first < inputs.length; ) {
    let last = first;
    let tokens = 0;
    do {
      tokens += mode === 'all' ? inputs[last].rows : 1;
      last++;
    } while (last < inputs.length && tokens < BATCH_TOKENS);
    outputs.push(...forwardFoldedBatch(contraction, w.rows, weightExponent, inputs.slice(first, last), mode, tokens));
    first = last;
  }
  return outputs;
}

/** Tokens whose contractions one product computes: `(4096, outputDim · P)` is 4.5 MiB at `d = 16` and one output. */
const BATCH_TOKENS = 4096;

/**
 * A batch of validated sequences, with `w = 2^e w'` and each sequence's tokens divided by its own power of two `2^k`
 * (for tokens beyond `2^±32`): `u_t = z'_t · contraction` for the tokens that emit an output (all, or the last of
 * each sequence), in one product, then `y_t[a] = 2^{e + 3k} Σ_p M'_t[p] u_t[a·P + p]` with the prefix moments
 * `M'_t` of the scaled tokens — exact scaling by powers of two.
 */
function forwardFoldedBatch(
  contraction: Matrix,
  outputDim: number,
  weightExponent: number,
  sequences: readonly Matrix[],
  mode: PositionMode,
  tokens: number,
): Matrix[] {
  const d = contraction.rows;
  const pairs = contraction.cols / outputDim;
  const exponents = sequences.map((sequence) => rescaleExponent(largestMagnitude(sequence.data)));
  const scaledTokens = sequences.map((sequence, b) => scaleByPowerOfTwo(sequence, -exponents[b]).data);
  const emitting = new Float64Array(tokens * d);
  let row = 0;
  scaledTokens.forEach((z, b) => {
    const n = sequences[b].rows;
    if (mode === 'all') emitting.set(z, row * d);
    else emitting.set(z.subarray((n - 1) * d, n * d), row * d);
    row += mode === 'all' ? n : 1;
  });
  const u = matmul({ rows: tokens, cols: d, data: emitting }, contraction).data; // (tokens, outputDim · P)
  const width = outputDim * pairs;
  const moment = new Float64Array(pairs);
  row = 0;
  return scaledTokens.map((z, b) => {
    const n = sequences[b].rows;
    const exponent = weightExponent + 3 * exponents[b];
    const rows = mode === 'all' ? n : 1;
    const out = new Float64Array(rows * outputDim);
    moment.fill(0);
    for (let t = 0; t < n; t++) {
      addOuterPacked(moment, z, t * d, d);
      if (mode === 'last' && t < n - 1) continue;
      const at = row * width;
      const target = mode === 'all' ? t * outputDim : 0;
      for (let a = 0; a < outputDim; a++) {
        let sum = 0;
        for (let p = 0, i = at + a * pairs; p < pairs; p++, i++) sum += moment[p] * u[i];
        out[target + a] = exponent === 0 ? sum : timesPowerOfTwo(sum, exponent);
      }
      row++;
    }
    return { rows, cols: outputDim, data: out };
  });
}
