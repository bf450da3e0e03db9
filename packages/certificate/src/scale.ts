/**
 * Exact power-of-two rescaling of tokens (the verdict is invariant to a common scale: `rtol` is relative): tokens
 * beyond `2^±32` are divided by `2^k` before their features are formed, so that `Λ` (degree 6 in the tokens) stays
 * inside float64; `Λ(Z / 2^k) = Λ(Z) / 2^(6k)` exactly, and the rank, the verdict and the null space are those of
 * `Λ(Z)`. Internal.
 */
import { largestMagnitude, type Matrix, rescaleExponent, scaleByPowerOfTwo } from '@lattn/core';

/**
 * The `k` by which to divide the tokens: 0 inside `[2⁻³², 2³²]` or for zeros, and at most 1023 (so that `2^k`,
 * reported as `inputScale`, is finite).
 */
export function tokenExponent(sequences: readonly Matrix[]): number {
  const largest = sequences.reduce((most, z) => Math.max(most, largestMagnitude(z.data)), 0);
  return Math.min(1023, rescaleExponent(largest));
}

/** The sequences divided by `2^k`, exactly (the sequences themselves when `k = 0`). */
export function scaleSequences(sequences: readonly Matrix[], exponent: number): readonly Matrix[] {
  return exponent === 0 ? sequences : sequences.map((z) => scaleByPowerOfTwo(z, -exponent));
}
