/**
 * The exact rank of the folded feature matrix, in rational arithmetic: the independent high-precision check that
 * the certificate never reports identifiable when the data are singular (issue #9).
 *
 * Every finite double is a dyadic rational `m · 2ᵉ`, so multiplying all tokens of a data set by `2^(−min e)` makes
 * them integers (as BigInt) without changing the rank of anything built from them. The prefix moments `M_t`, the
 * features `M_t[j,k] · z_t[l]` and the fraction-free (Bareiss) elimination are then exact integer arithmetic.
 */
import type { Matrix, PositionMode } from '@lattn/core';

/** `x = mantissa · 2^exponent` exactly, read off the IEEE-754 bits (`mantissa` is 0 for ±0). */
export function toDyadic(x: number): { mantissa: bigint; exponent: number } {
  if (!Number.isFinite(x)) throw new Error(`toDyadic: ${x} is not finite`);
  if (x === 0) return { mantissa: 0n, exponent: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Normal: (2⁵² + f) · 2^(e − 1075); subnormal: f · 2^(−1074).
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  return { mantissa: sign * mantissa, exponent: biased === 0 ? -1074 : biased - 1075 };
}

/**
 * The tokens of every sequence as BigInt integers `z · 2^(−E)`, with `E` the smallest binary exponent among the
 * non-zero tokens: exact, and the same positive factor for every entry.
 */
export function integerTokens(inputs: readonly Matrix[]): bigint[][][] {
  const dyadic = inputs.map((z) => Array.from(z.data, toDyadic));
  let smallest = Number.POSITIVE_INFINITY;
  for (const sequence of dyadic)
    for (const { mantissa, exponent } of sequence) if (mantissa !== 0n) smallest = Math.min(smallest, exponent);
  if (smallest === Number.POSITIVE_INFINITY) smallest = 0;
  return dyadic.map((sequence, b) => {
    const { rows, cols } = inputs[b];
    return Array.from({ length: rows }, (_, t) =>
      Array.from({ length: cols }, (_, l) => {
        const { mantissa, exponent } = sequence[t * cols + l];
        return mantissa << BigInt(exponent - smallest);
      }),
    );
  });
}

/** The folded features of every example as BigInt rows, in the layout of `cubicFeatures` (pairs `j <= k`, then `l`). */
export function exactFeatures(inputs: readonly Matrix[], mode: PositionMode): bigint[][] {
  const rows: bigint[][] = [];
  for (const tokens of integerTokens(inputs)) {
    const d = tokens[0].length;
    const moment: bigint[][] = Array.from({ length: d }, () => new Array<bigint>(d).fill(0n));
    tokens.forEach((z, t) => {
      for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) moment[j][k] += z[j] * z[k];
      if (mode === 'last' && t < tokens.length - 1) return;
      const row: bigint[] = [];
      for (let j = 0; j < d; j++) for (let k = j; k < d; k++) for (let l = 0; l < d; l++) row.push(moment[j][k] * z[l]);
      rows.push(row);
    });
  }
  return rows;
}

/**
 * The rank of an integer matrix by fraction-free Gaussian elimination (Bareiss): every intermediate entry is a minor
 * of the input, every division is exact, so the rank is exact.
 */
export function exactRank(matrix: readonly (readonly bigint[])[]): number {
  const a = matrix.map((row) => row.slice());
  const rows = a.length;
  const cols = rows > 0 ? a[0].length : 0;
  let rank = 0;
  let previous = 1n;
  for (let c = 0; c < cols && rank < rows; c++) {
    let pivot = rank;
    while (pivot < rows && a[pivot][c] === 0n) pivot++;
    if (pivot === rows) continue;
    [a[rank], a[pivot]] = [a[pivot], a[rank]];
    const p = a[rank][c];
    for (let i = rank + 1; i < rows; i++) {
      const factor = a[i][c];
      for (let j = c + 1; j < cols; j++) a[i][j] = (p * a[i][j] - factor * a[rank][j]) / previous;
      a[i][c] = 0n;
    }
    previous = p;
    rank++;
  }
  return rank;
}

/** The exact rank of the folded feature matrix (equivalently of `Λ`) of a data set. */
export function exactFeatureRank(inputs: readonly Matrix[], mode: PositionMode = 'all'): number {
  return exactRank(exactFeatures(inputs, mode));
}
