/**
 * Exact power-of-two rescaling of tokens (the verdict is invariant to a common scale: `rtol` is relative): tokens
 * beyond `2^±32` are divided by `2^k` before their features are formed, so that `Λ` (degree 6 in the tokens) stays
 * inside float64; `Λ(Z / 2^k) = Λ(Z) / 2^(6k)` exactly, and the rank, the verdict and the null space are those of
 * `Λ(Z)`. Internal.
 */
import type { Matrix } from '@lattn/core';

/** Magnitudes inside `[2⁻³², 2³²]` are left alone: degree-6 moments of them stay far inside float64. */
const SAFE_EXPONENT = 32;

/** The largest `|x|` over the entries of several matrices. */
export function largestToken(sequences: readonly Matrix[]): number {
  let largest = 0;
  for (const sequence of sequences) {
    const data = sequence.data;
    for (let i = 0; i < data.length; i++) {
      const value = Math.abs(data[i]);
      if (value > largest) largest = value;
    }
  }
  return largest;
}

/** The `k` by which to divide tokens whose largest magnitude is `largest`: 0 inside `[2⁻³², 2³²]` or for zeros. */
export function tokenExponent(largest: number): number {
  if (largest === 0) return 0;
  // At most 1023, so that 2^k itself (reported as inputScale) is finite.
  const exponent = Math.min(1023, Math.round(Math.log2(largest)));
  return Math.abs(exponent) <= SAFE_EXPONENT ? 0 : exponent;
}

/** The sequences divided by `2^k`, exactly (the sequences themselves when `k = 0`). */
export function scaleSequences(sequences: readonly Matrix[], exponent: number): readonly Matrix[] {
  if (exponent === 0) return sequences;
  const factor = (x: number): number => {
    // Two steps, so that 2^-k never over- or underflows on its own.
    const half = Math.trunc(exponent / 2);
    return x * 2 ** -half * 2 ** -(exponent - half);
  };
  return sequences.map((z) => ({ rows: z.rows, cols: z.cols, data: z.data.map(factor) }));
}
