/**
 * The MHLA forward pass (SPEC §1): `y_t = Σ_h V_h · M_t · Q_h · z_t` with the running prefix moment
 * `M_t = M_{t−1} + z_t z_tᵀ`, so each position costs `O(H · (d² + dOut · d))` and a sequence never `O(n²)`.
 */
import {
  checkSequences,
  largestMagnitude,
  type Matrix,
  type PositionMode,
  rescaleExponent,
  scaleByPowerOfTwo,
  timesPowerOfTwo,
} from '@lattn/core';
import { readMode } from './features.js';
import { checkModel, type MhlaModel } from './model.js';

/** Options of {@link forward} and {@link forwardFolded}. */
export interface ForwardOptions {
  /**
   * `'all'` returns the output at every position (causal: `y_t` sees tokens `s <= t`); `'last'` only at the last
   * position. The shapes match `Dataset.targets` of the same mode.
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
}

/**
 * Runs an MHLA layer on a batch of sequences.
 *
 * Notes: the prefix moment is accumulated in token order in float64; the result equals the attention form
 * `Σ_h Σ_{s<=t} V_h z_s (z_sᵀ Q_h z_t)` up to rounding (relative error of order `n · ε` times the cancellation
 * in the sums). Tokens and head matrices with entries beyond `2^±32` are divided by a power of two first (exactly)
 * and each head's term is scaled back, so an output that float64 can represent is computed right even when the
 * tokens are at `1e±150` (whose cube, the size of the features, it cannot); an output beyond `1.8e308` is
 * `±Infinity`. Cost per sequence `O(n · H · (d² + dOut · d))`, memory `O(d² + n · dOut)`.
 *
 * @param model - The layer; see {@link MhlaModel}.
 * @param inputs - `B` sequences, each `(n_b, modelDim)` with `n_b >= 1`.
 * @param options - See {@link ForwardOptions}.
 * @returns One fresh matrix per sequence: `(n_b, outputDim)` whose row `t` is `y_t` in mode `'all'`, or
 * `(1, outputDim)` holding `y_{n_b − 1}` in mode `'last'`.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed model, an empty batch or sequence, or a bad option;
 * `SHAPE_MISMATCH` when a sequence's width differs from `model.modelDim`; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * const model = createModel({ heads: [{ value: fromRows([[1]]), query: fromRows([[2]]) }] });
 * const [y] = forward(model, [fromRows([[1], [2]])]);
 * toRows(y); // [[2], [20]]   (y_0 = 1·1·2·1, y_1 = 1·(1 + 4)·2·2)
 * ```
 * @see docs/math/feature-map.md §1
 */
export function forward(model: MhlaModel, inputs: readonly Matrix[], options?: ForwardOptions): Matrix[] {
  const mode = readMode('forward', options);
  checkModel('forward', model);
  checkSequences('forward', 'inputs', inputs, model.modelDim);
  const heads = scaledHeads(model);
  return inputs.map((sequence) => forwardSequence(model, heads, sequence, mode));
}

/**
 * The heads divided by powers of two, `V_h = 2^{a_h} V'_h` and `Q_h = 2^{b_h} Q'_h` (exponents 0 unless a matrix
 * has entries beyond `2^±32`), so that heads at extreme scales cannot over- or underflow inside the pass.
 */
interface ScaledHeads {
  /** `V'_h`, `(outputDim, d)` each. */
  readonly values: Float64Array[];
  /** `Q'_h`, `(d, d)` each. */
  readonly queries: Float64Array[];
  /** `a_h + b_h`. */
  readonly exponents: number[];
}

function scaledHeads(model: MhlaModel): ScaledHeads {
  const values: Float64Array[] = [];
  const queries: Float64Array[] = [];
  const exponents: number[] = [];
  for (const head of model.heads) {
    const a = rescaleExponent(largestMagnitude(head.value.data));
    const b = rescaleExponent(largestMagnitude(head.query.data));
    values.push(scaleByPowerOfTwo(head.value, -a).data);
    queries.push(scaleByPowerOfTwo(head.query, -b).data);
    exponents.push(a + b);
  }
  return { values, queries, exponents };
}

/**
 * The forward pass of one validated sequence. Tokens beyond `2^±32` are divided by `2^k` first (exactly): with
 * `Z = 2^k Z'`, `y_t = Σ_h 2^{3k + a_h + b_h} V'_h M'_t Q'_h z'_t`, each head's term formed in the scaled units and
 * multiplied back, so the output is right whenever it is itself representable (it is bitwise the plain pass
 * otherwise).
 */
function forwardSequence(model: MhlaModel, heads: ScaledHeads, sequence: Matrix, mode: PositionMode): Matrix {
  const d = model.modelDim;
  const outputDim = model.outputDim;
  const n = sequence.rows;
  const tokenExponent = rescaleExponent(largestMagnitude(sequence.data));
  const z = scaleByPowerOfTwo(sequence, -tokenExponent).data;
  const rows = mode === 'all' ? n : 1;
  const out = new Float64Array(rows * outputDim);
  const moment = new Float64Array(d * d); // M_t, (d, d), symmetric
  const queried = new Float64Array(d); // Q_h z_t, (d)
  const attended = new Float64Array(d); // M_t Q_h z_t, (d)
  const { queries, values } = heads; // Q_h (d, d) and V_h (outputDim, d) each
  const exponents = heads.exponents.map((e) => e + 3 * tokenExponent);
  const emit = (t: number, row: number): void => {
    const zOffset = t * d;
    const yOffset = row * outputDim;
    for (let h = 0; h < queries.length; h++) {
      const q = queries[h];
      const v = values[h];
      for (let k = 0; k < d; k++) {
        let sum = 0;
        for (let l = 0; l < d; l++) sum += q[k * d + l] * z[zOffset + l];
        queried[k] = sum;
      }
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let k = 0; k < d; k++) sum += moment[j * d + k] * queried[k];
        attended[j] = sum;
      }
      const exponent = exponents[h];
      for (let a = 0; a < outputDim; a++) {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += v[a * d + j] * attended[j];
        out[yOffset + a] += exponent === 0 ? sum : timesPowerOfTwo(sum, exponent);
      }
    }
  };
  for (let t = 0; t < n; t++) {
    const zOffset = t * d;
    for (let j = 0; j < d; j++) {
      const zj = z[zOffset + j];
      moment[j * d + j] += zj * zj;
      for (let k = j + 1; k < d; k++) {
        const product = zj * z[zOffset + k];
        moment[j * d + k] += product;
        moment[k * d + j] += product;
      }
    }
    if (mode === 'all') emit(t, t);
  }
  if (mode === 'last') emit(n - 1, 0);
  return { rows, cols: outputDim, data: out };
}
