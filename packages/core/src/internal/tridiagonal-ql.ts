/**
 * Eigenvalues (and optionally eigenvectors) of a symmetric tridiagonal matrix by the implicit QL iteration with
 * Wilkinson-type shifts (EISPACK `imtql2`; Golub & Van Loan §8.3.5). Internal: callers pass finite data.
 *
 * Each sweep chases a bulge from the bottom of the active block `l … m` to its top with plane rotations; an
 * off-diagonal entry is treated as zero once `|e_m| <= ε·(|d_m| + |d_{m+1}|)`, which keeps the eigenvalues of `T`
 * accurate to a few units of `ε·‖T‖`. The rotations are buffered and applied to the eigenvector matrix in
 * batches of sweeps (see `rotations.ts`).
 */
import { hypot } from './householder.js';
import { beginSweep, createRotationBatch, flushRotations, pushRotation, truncateSweep } from './rotations.js';

const EPSILON = 2 ** -52;
const TINY = 2 ** -1000;

/** Outcome of {@link tridiagonalQl}. */
export interface QlOutcome {
  /** QL sweeps performed. */
  readonly iterations: number;
  /** Whether every off-diagonal entry converged within the iteration cap. */
  readonly converged: boolean;
}

/**
 * Diagonalises the tridiagonal `(d, e)` in place: on return `d` holds the eigenvalues (unsorted) and, when `z` is
 * given, the rotations have been applied to its columns so `Z ← Z·S` with `T = S·Λ·Sᵀ`.
 *
 * @param d - Diagonal, length `n`; overwritten with the eigenvalues.
 * @param e - Subdiagonal in `e[0 … n−2]` (`e[n−1]` is scratch); destroyed.
 * @param z - Optional `(zRows, n)` row-major matrix whose columns are rotated.
 * @param zRows - Rows of `z`.
 * @param maxIterations - Cap on the total number of sweeps.
 */
export function tridiagonalQl(
  d: Float64Array,
  e: Float64Array,
  z: Float64Array | undefined,
  zRows: number,
  maxIterations: number,
): QlOutcome {
  const n = d.length;
  if (n > 0) e[n - 1] = 0;
  const batch = z === undefined ? undefined : createRotationBatch(z, zRows, n);
  let iterations = 0;
  for (let l = 0; l < n; l++) {
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const scale = Math.abs(d[m]) + Math.abs(d[m + 1]);
        const off = Math.abs(e[m]);
        if (off <= EPSILON * scale || off <= TINY) break;
      }
      if (m === l) break;
      if (iterations >= maxIterations) {
        if (batch !== undefined) flushRotations(batch);
        return { iterations, converged: false };
      }
      iterations++;
      // Wilkinson-type shift from the leading 2×2 block of l … m.
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let deflated = false;
      if (batch !== undefined) beginSweep(batch, m - 1, l, -1);
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the block splits at i+1; the rotations so far stand.
          d[i + 1] -= p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (batch !== undefined) pushRotation(batch, c, -s);
      }
      if (deflated) {
        if (batch !== undefined) truncateSweep(batch, i + 1);
        continue;
      }
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  if (batch !== undefined) flushRotations(batch);
  return { iterations, converged: true };
}
