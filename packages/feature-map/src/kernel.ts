/**
 * The cubic kernel (SPEC §2, docs/math/feature-map.md §3): inner products of features computed from the prefix
 * moments and tokens alone, never from the features.
 *
 * - unfolded: `⟨Ψ_t(A), Ψ_u(B)⟩ = ⟨M_t(A), M_u(B)⟩_F · ⟨a_t, b_u⟩`;
 * - folded:   `⟨ψ_t(A), ψ_u(B)⟩ = ½ (⟨M_t(A), M_u(B)⟩_F + Σ_j M_t(A)[j,j] · M_u(B)[j,j]) · ⟨a_t, b_u⟩`.
 */
import {
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkSequences,
  gram,
  LattnError,
  largestMagnitude,
  type Matrix,
  type PositionMode,
} from '@lattn/core';
import { addOuterPacked, readMode } from './features.js';
import { numPairs } from './layout.js';
import { checkSequence } from './model.js';

/**
 * Which feature coordinates an inner product is taken in: `'unfolded'` is `Ψ` (`d³` entries, each off-diagonal
 * moment counted twice, SPEC §2's kernel); `'folded'` is `ψ` (`D` entries, the coordinates of the folded weights).
 */
export type KernelSpace = 'unfolded' | 'folded';

/** The two {@link KernelSpace} values, for validation and option parsing. */
export const KERNEL_SPACES: readonly KernelSpace[] = ['unfolded', 'folded'];

/** Options of {@link cubicKernel}. */
export interface CubicKernelOptions {
  /**
   * The feature space of the inner product.
   * @defaultValue `'unfolded'`
   */
  readonly space?: KernelSpace;
}

/** Options of {@link kernelMatrix}. */
export interface KernelMatrixOptions {
  /**
   * Which positions are examples: every position (`'all'`) or the last of each sequence (`'last'`).
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * The feature space of the inner products. Use `'folded'` for a dual solver that must return the same
   * minimum-norm folded weights as the primal route.
   * @defaultValue `'unfolded'`
   */
  readonly space?: KernelSpace;
}

/**
 * The largest number of examples {@link kernelMatrix} accepts: `16384`, so that the `(N, N)` result stays within
 * 2 GiB.
 */
export const MAX_KERNEL_EXAMPLES = 16384;

/**
 * The cubic kernel between position `t` of sequence `a` and position `u` of sequence `b`:
 * `⟨M_t(a), M_u(b)⟩_F · ⟨a_t, b_u⟩` (unfolded, SPEC §2), or its folded counterpart.
 *
 * Notes: cost `O((t + u) · d²)` to form the two prefix moments. Equals the inner product of the rows of
 * {@link unfoldedFeatures} (or {@link cubicFeatures} for `space: 'folded'`) to rounding.
 *
 * @param a - First sequence, `(n_a, d)`.
 * @param t - A position of `a`, `0 <= t < n_a` (0-based; the moment `M_t` includes token `t`).
 * @param b - Second sequence, `(n_b, d)`; may be `a` itself.
 * @param u - A position of `b`, `0 <= u < n_b`.
 * @param options - See {@link CubicKernelOptions}.
 * @returns The kernel value.
 * @throws `LattnError` `SHAPE_MISMATCH` when the sequences' widths differ; `INVALID_ARGUMENT` for an empty sequence,
 * a position out of range or a bad option; `NON_FINITE` for NaN or ±Infinity, or when the kernel (degree 6 in the
 * tokens) overflows float64.
 * @example
 * ```ts
 * const a = fromRows([[1, 0], [0, 1]]);
 * cubicKernel(a, 1, a, 1); // ⟨I, I⟩_F · ⟨(0,1), (0,1)⟩ = 2
 * cubicKernel(a, 1, a, 1, { space: 'folded' }); // ½ (2 + 2) · 1 = 2
 * ```
 * @see docs/math/feature-map.md §3
 */
export function cubicKernel(a: Matrix, t: number, b: Matrix, u: number, options?: CubicKernelOptions): number {
  const fn = 'cubicKernel';
  const space = readSpace(fn, options, ['space']);
  const first = checkSequence(fn, 'a', a);
  const second = checkSequence(fn, 'b', b, first.cols);
  checkInteger(fn, 't', t, { min: 0, max: first.rows - 1 });
  checkInteger(fn, 'u', u, { min: 0, max: second.rows - 1 });
  const d = first.cols;
  const left = prefixMoment(first, t);
  const right = prefixMoment(second, u);
  const weights = pairWeights(d, space);
  let moments = 0;
  for (let p = 0; p < left.length; p++) moments += weights[p] * left[p] * right[p];
  let tokens = 0;
  for (let l = 0; l < d; l++) tokens += first.data[t * d + l] * second.data[u * d + l];
  const value = moments * tokens;
  if (value - value !== 0)
    throw kernelOverflow(fn, value, Math.max(largestMagnitude(first.data), largestMagnitude(second.data)));
  return value;
}

/** The `NON_FINITE` error of a kernel value that overflowed float64 (it is of degree 6 in the tokens). */
function kernelOverflow(fn: string, value: number, largestToken: number): LattnError {
  return new LattnError(
    'NON_FINITE',
    `${fn}: the kernel overflows float64. Expected ⟨M_t, M_u⟩·⟨a_t, b_u⟩ within ±1.8e308 (tokens up to about 1e51); received ${value} from tokens as large as ${largestToken}. Divide the tokens by a common factor s: the kernel scales by s⁻⁶.`,
    { details: { largestToken } },
  );
}

/**
 * The `(N, N)` Gram matrix of the cubic features of every example of a batch, in example order (sequence by
 * sequence, position by position in mode `'all'`; one example per sequence in mode `'last'`), the order in which
 * `Dataset.targets` rows stack.
 *
 * Notes: computed from the per-example prefix moments and tokens (`O(N · d²)` memory), never from features: cost
 * `O(N² · d²)` instead of `O(N² · D)`. The moment factors `⟨M_i, M_i'⟩` come from core's `gram` of the packed
 * moments (off-diagonal pairs scaled by `√2` in the unfolded space, which perturbs them by about one ulp); the
 * result is exactly symmetric.
 *
 * @param inputs - `B` sequences, each `(n_b, d)` with `n_b >= 1`.
 * @param options - See {@link KernelMatrixOptions}.
 * @returns A fresh `(N, N)` matrix with `N = Σ n_b` (mode `'all'`) or `N = B` (mode `'last'`); entry `(i, i')` is
 * the inner product of the features of examples `i` and `i'` in the chosen space.
 * @throws `LattnError` `TOO_LARGE` when `N > MAX_KERNEL_EXAMPLES`; `INVALID_ARGUMENT` for an empty batch or
 * sequence or a bad option; `SHAPE_MISMATCH` when widths differ; `NON_FINITE` for NaN or ±Infinity, or when an entry
 * (degree 6 in the tokens) overflows float64.
 * @example
 * ```ts
 * const k = kernelMatrix([fromRows([[1, 0], [0, 1]])], { space: 'folded' });
 * toRows(k); // [[1, 0], [0, 2]]
 * ```
 * @see docs/math/feature-map.md §3
 */
export function kernelMatrix(inputs: readonly Matrix[], options?: KernelMatrixOptions): Matrix {
  const fn = 'kernelMatrix';
  const mode = readMode(fn, options, ['mode', 'space']);
  const space = readSpace(fn, options, ['mode', 'space']);
  const { modelDim: d, numTokens, numSequences } = checkSequences(fn, 'inputs', inputs);
  const count = mode === 'all' ? numTokens : numSequences;
  if (count > MAX_KERNEL_EXAMPLES) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: too many examples for an (N, N) kernel matrix. Expected N <= ${MAX_KERNEL_EXAMPLES} (2 GiB); received N = ${count}.`,
      { details: { limit: MAX_KERNEL_EXAMPLES, received: count } },
    );
  }
  const pairs = numPairs(d);
  const scales = pairScales(d, space);
  // (d(d+1)/2, N): column i holds example i's packed moment, each pair scaled by the square root of its weight,
  // so that Σ_p column_i[p] · column_i'[p] is the moment factor of the kernel.
  const scaledMoments = new Float64Array(pairs * count);
  const tokens = new Float64Array(count * d); // (N, d): z of each example
  const moment = new Float64Array(pairs);
  let i = 0;
  const record = (sequence: Matrix, t: number): void => {
    for (let p = 0; p < pairs; p++) scaledMoments[p * count + i] = scales[p] * moment[p];
    tokens.set(sequence.data.subarray(t * d, (t + 1) * d), i * d);
    i++;
  };
  for (const sequence of inputs) {
    moment.fill(0);
    for (let t = 0; t < sequence.rows; t++) {
      addOuterPacked(moment, sequence.data, t * d, d);
      if (mode === 'all') record(sequence, t);
    }
    if (mode === 'last') record(sequence, sequence.rows - 1);
  }
  // The moment factors by core's Gram kernel, (N, N) and bitwise symmetric; then the token factors, entry by entry.
  const kernel = gram({ rows: pairs, cols: count, data: scaledMoments });
  const out = kernel.data;
  for (let r = 0; r < count; r++) {
    for (let c = r; c < count; c++) {
      let tokenDot = 0;
      for (let l = 0; l < d; l++) tokenDot += tokens[r * d + l] * tokens[c * d + l];
      out[r * count + c] *= tokenDot;
      if (c !== r) out[c * count + r] = out[r * count + c];
    }
  }
  for (let e = 0; e < out.length; e++) {
    if (out[e] - out[e] !== 0) {
      const largest = inputs.reduce((most, sequence) => Math.max(most, largestMagnitude(sequence.data)), 0);
      throw kernelOverflow(fn, out[e], largest);
    }
  }
  return kernel;
}

function readSpace(fn: string, options: unknown, known: readonly string[]): KernelSpace {
  checkKnownKeys(fn, 'options', options, known);
  const space = (options as { space?: unknown } | undefined)?.space;
  return space === undefined ? 'unfolded' : checkOneOf(fn, 'options.space', space, KERNEL_SPACES);
}

/**
 * The weight of each packed pair in `⟨M, M'⟩`: 1 on the diagonal; off the diagonal 2 for `'unfolded'` (the pair
 * appears as `(j,k)` and `(k,j)`) and 1 for `'folded'` (it appears once).
 */
function pairWeights(d: number, space: KernelSpace): Float64Array {
  const weights = new Float64Array(numPairs(d));
  let p = 0;
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++, p++) weights[p] = k === j || space === 'folded' ? 1 : 2;
  }
  return weights;
}

/** The square roots of {@link pairWeights}. */
function pairScales(d: number, space: KernelSpace): Float64Array {
  return pairWeights(d, space).map(Math.sqrt);
}

/** The packed prefix moment `M_t` of a validated sequence. */
function prefixMoment(sequence: Matrix, t: number): Float64Array {
  const d = sequence.cols;
  const moment = new Float64Array(numPairs(d));
  for (let s = 0; s <= t; s++) addOuterPacked(moment, sequence.data, s * d, d);
  return moment;
}
