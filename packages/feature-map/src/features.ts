/**
 * The cubic feature map (SPEC §2, docs/math/feature-map.md §2–3): position `t` of a sequence `Z` `(n, d)` maps to
 * `ψ_t[(j<=k), l] = M_t[j,k] · z_t[l]` (folded, length `D = d · d(d+1)/2`) or `Ψ_t[j,k,l] = M_t[j,k] · z_t[l]`
 * (unfolded, length `d³`), with the causal prefix moment `M_t = Σ_{s<=t} z_s z_sᵀ`.
 *
 * The kernels below keep `M_t` packed: entry `pairOffset(j) + k` holds `M_t[j,k]` for `j <= k` (the layout of
 * `pairIndex`). They assume validated shapes.
 */
import {
  checkKnownKeys,
  checkOneOf,
  LattnError,
  largestMagnitude,
  type Matrix,
  POSITION_MODES,
  type PositionMode,
} from '@lattn/core';
import { checkArraySize, foldedDim, numPairs } from './layout.js';
import { checkSequence } from './model.js';

/** Options of {@link cubicFeatures} and {@link unfoldedFeatures}. */
export interface FeatureOptions {
  /**
   * Which positions get a feature row: `'all'` gives one row per position (row `t` uses `M_t` and `z_t`),
   * `'last'` one row for the last position.
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
}

/**
 * The folded cubic features of every position (or the last) of one sequence.
 *
 * Notes: the prefix moment is accumulated in token order, exactly as {@link forward} does, so `w · ψ_t` and
 * `forward` agree to a few ulps. Entries grow like `‖z‖³`; scale tokens to `‖z‖ ≈ 1` for well-conditioned Grams.
 * Features that float64 cannot hold (tokens beyond about `1e102`) are an error rather than `Infinity`; features
 * below `1e-308` (tokens below about `1e-103`) round to zero, their correct value to absolute precision. Cost
 * `O(n · D)` time and memory; results above `MAX_ARRAY_ENTRIES` entries are refused.
 *
 * @param sequence - Tokens `Z`, shape `(n, d)` with `n >= 1`.
 * @param options - See {@link FeatureOptions}.
 * @returns A fresh `(n, D)` matrix (`(1, D)` in mode `'last'`), `D = d · d(d+1)/2`: entry `(t, pairIndex(j, k) · d
 * + l)` is `M_t[j,k] · z_t[l]` for `j <= k`. With the folded weights `w` of any model, `y_t = w · ψ_t`.
 * @throws `LattnError` `INVALID_ARGUMENT` for an empty sequence or a bad option; `NON_FINITE` for NaN or ±Infinity,
 * or when a feature overflows float64; `TOO_LARGE` when the result would exceed `MAX_ARRAY_ENTRIES` entries.
 * @example
 * ```ts
 * const psi = cubicFeatures(fromRows([[1, 2], [3, 0]]));
 * // M_0 = [[1, 2], [2, 4]], z_0 = (1, 2); pairs (0,0), (0,1), (1,1)
 * toRows(psi)[0]; // [1, 2, 2, 4, 4, 8]
 * ```
 * @see docs/math/feature-map.md §2
 */
export function cubicFeatures(sequence: Matrix, options?: FeatureOptions): Matrix {
  const mode = readMode('cubicFeatures', options);
  const z = checkSequence('cubicFeatures', 'sequence', sequence);
  const d = z.cols;
  const dim = foldedDim(d);
  const rows = mode === 'all' ? z.rows : 1;
  checkArraySize('cubicFeatures', `the (${rows}, ${dim}) features`, rows * dim);
  const out = new Float64Array(rows * dim);
  const moment = new Float64Array(numPairs(d));
  for (let t = 0; t < z.rows; t++) {
    addOuterPacked(moment, z.data, t * d, d);
    if (mode === 'all') writeFolded(moment, z.data, t * d, d, out, t * dim);
  }
  if (mode === 'last') writeFolded(moment, z.data, (z.rows - 1) * d, d, out, 0);
  checkFeaturesFinite('cubicFeatures', z, out, dim);
  return { rows, cols: dim, data: out };
}

/**
 * The unfolded cubic features `Ψ_t[j,k,l] = M_t[j,k] · z_t[l]` of every position (or the last) of one sequence:
 * the coordinates in which SPEC §2's kernel is an inner product. Each off-diagonal product appears twice
 * (`(j,k,l)` and `(k,j,l)`), which is why learning uses the folded {@link cubicFeatures} instead.
 *
 * Notes: `⟨Ψ_t(A), Ψ_u(B)⟩ = cubicKernel(A, t, B, u)` (see {@link cubicKernel}). Overflow and size limits as for
 * {@link cubicFeatures}. Cost `O(n · d³)` time and memory.
 *
 * @param sequence - Tokens `Z`, shape `(n, d)` with `n >= 1`.
 * @param options - See {@link FeatureOptions}.
 * @returns A fresh `(n, d³)` matrix (`(1, d³)` in mode `'last'`); entry `(t, (j·d + k)·d + l)` is `M_t[j,k] · z_t[l]`.
 * @throws `LattnError` `INVALID_ARGUMENT` for an empty sequence or a bad option; `NON_FINITE` for NaN or ±Infinity,
 * or when a feature overflows float64; `TOO_LARGE` when the result would exceed `MAX_ARRAY_ENTRIES` entries.
 * @example
 * ```ts
 * toRows(unfoldedFeatures(fromRows([[1, 2]])))[0]; // [1, 2, 2, 4, 2, 4, 4, 8]
 * ```
 * @see docs/math/feature-map.md §3
 */
export function unfoldedFeatures(sequence: Matrix, options?: FeatureOptions): Matrix {
  const mode = readMode('unfoldedFeatures', options);
  const z = checkSequence('unfoldedFeatures', 'sequence', sequence);
  const d = z.cols;
  const dim = d * d * d;
  const rows = mode === 'all' ? z.rows : 1;
  checkArraySize('unfoldedFeatures', `the (${rows}, ${dim}) features`, rows * dim);
  const out = new Float64Array(rows * dim);
  const moment = new Float64Array(numPairs(d));
  const write = (t: number, row: number): void => {
    const base = row * dim;
    let p = 0;
    for (let j = 0; j < d; j++) {
      for (let k = j; k < d; k++, p++) {
        const m = moment[p];
        for (let l = 0; l < d; l++) {
          const value = m * z.data[t * d + l];
          out[base + (j * d + k) * d + l] = value;
          out[base + (k * d + j) * d + l] = value;
        }
      }
    }
  };
  for (let t = 0; t < z.rows; t++) {
    addOuterPacked(moment, z.data, t * d, d);
    if (mode === 'all') write(t, t);
  }
  if (mode === 'last') write(z.rows - 1, 0);
  checkFeaturesFinite('unfoldedFeatures', z, out, dim);
  return { rows, cols: dim, data: out };
}

/**
 * Throws `NON_FINITE` naming `fn` when a feature of the finite `sequence` overflowed float64: cubic in the tokens,
 * features leave the float64 range for tokens beyond about `1e102`.
 */
function checkFeaturesFinite(fn: string, sequence: Matrix, features: Float64Array, cols: number): void {
  for (let i = 0; i < features.length; i++) {
    const value = features[i];
    if (value - value !== 0) {
      throw new LattnError(
        'NON_FINITE',
        `${fn}: the features of sequence overflow float64. Expected every M_t[j,k]·z_t[l] within ±1.8e308 (tokens up to about 1e102); received ${value} at entry (${Math.floor(i / cols)}, ${i % cols}) from tokens as large as ${largestMagnitude(sequence.data)}. Divide the tokens by a common factor s: the features scale by s⁻³.`,
        { details: { argument: 'sequence', index: i, largestToken: largestMagnitude(sequence.data) } },
      );
    }
  }
}

/** Reads and validates the `mode` option of a function whose options are exactly `{ mode? }`. */
export function readMode(fn: string, options: unknown, known: readonly string[] = ['mode']): PositionMode {
  checkKnownKeys(fn, 'options', options, known);
  const mode = (options as { mode?: unknown } | undefined)?.mode;
  return mode === undefined ? 'all' : checkOneOf(fn, 'options.mode', mode, POSITION_MODES);
}

/**
 * `moment += z zᵀ` on the packed upper triangle, `z = data[offset .. offset + d)`. Cost `d(d+1)/2`.
 */
export function addOuterPacked(moment: Float64Array, data: Float64Array, offset: number, d: number): void {
  let p = 0;
  for (let j = 0; j < d; j++) {
    const zj = data[offset + j];
    for (let k = j; k < d; k++, p++) moment[p] += zj * data[offset + k];
  }
}

/**
 * Writes the folded features `out[outOffset + p·d + l] = moment[p] · z[l]` for the packed moment and
 * `z = data[offset .. offset + d)`. Cost `D`.
 */
export function writeFolded(
  moment: Float64Array,
  data: Float64Array,
  offset: number,
  d: number,
  out: Float64Array,
  outOffset: number,
): void {
  const pairs = moment.length;
  let o = outOffset;
  for (let p = 0; p < pairs; p++) {
    const m = moment[p];
    for (let l = 0; l < d; l++) out[o++] = m * data[offset + l];
  }
}
