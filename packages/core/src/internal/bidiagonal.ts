/**
 * Golub–Kahan Householder bidiagonalisation `A = U_B·B·V_Bᵀ` of a tall matrix (Golub & Van Loan Alg. 5.4.2,
 * LAPACK `dgebd2`) and the explicit accumulation of the thin `U_B` and of `V_B`. Internal: `rows >= cols`,
 * finite, scaled data.
 *
 * Step `k` reflects column `k` (rows `k …`) onto `d_k·e₀`, then row `k` (columns `k+1 …`) onto `e_k·e₀`. The left
 * update's rank-1 correction and the right reflector's application are done row by row in one pass over the
 * trailing block.
 */
import { applyReflectorLeft, makeReflector } from './householder.js';

/** The upper bidiagonal `B` and the reflectors that define `U_B` and `V_B`. */
export interface Bidiagonalization {
  /** Diagonal `d`, length `cols`. */
  readonly diagonal: Float64Array;
  /** Superdiagonal `e` in entries `0 … cols−2`; entry `cols−1` is `0`. */
  readonly superDiagonal: Float64Array;
  /** `τ` of the left reflectors (column `k` of the work array below row `k` holds `v`). */
  readonly tauLeft: Float64Array;
  /** `τ` of the right reflectors (row `k` right of column `k+1` holds `v`). */
  readonly tauRight: Float64Array;
}

/** Bidiagonalises the `(rows, cols)` row-major array `a` in place (`rows >= cols`). */
export function bidiagonalize(a: Float64Array, rows: number, cols: number): Bidiagonalization {
  const n = cols;
  const diagonal = new Float64Array(n);
  const superDiagonal = new Float64Array(n);
  const tauLeft = new Float64Array(n);
  const tauRight = new Float64Array(n);
  const work = new Float64Array(n);
  const right = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const tl = makeReflector(a, k * n + k, n, rows - k);
    tauLeft[k] = tl;
    diagonal[k] = a[k * n + k];
    if (k === n - 1) break;
    // work[k+1 …] = vᵀ·A[k …, k+1 …] with v_k = 1.
    const first = k + 1;
    for (let j = first; j < n; j++) work[j] = a[k * n + j];
    if (tl !== 0) {
      for (let i = k + 1; i < rows; i++) {
        const vi = a[i * n + k];
        if (vi === 0) continue;
        const o = i * n;
        for (let j = first; j < n; j++) work[j] += vi * a[o + j];
      }
      for (let j = first; j < n; j++) a[k * n + j] -= tl * work[j];
    }
    // Right reflector of row k, columns k+1 … (stride 1).
    const tr = makeReflector(a, k * n + first, 1, n - first);
    tauRight[k] = tr;
    superDiagonal[k] = a[k * n + first];
    right[first] = 1;
    for (let j = first + 1; j < n; j++) right[j] = a[k * n + j];
    // Rows below k: left rank-1 correction, then the right reflector, while the row is in cache.
    for (let i = k + 1; i < rows; i++) {
      const o = i * n;
      const factor = tl * a[o + k];
      if (factor !== 0) for (let j = first; j < n; j++) a[o + j] -= factor * work[j];
      if (tr !== 0) {
        let dot = 0;
        for (let j = first; j < n; j++) dot += a[o + j] * right[j];
        const scale = tr * dot;
        for (let j = first; j < n; j++) a[o + j] -= scale * right[j];
      }
    }
  }
  return { diagonal, superDiagonal, tauLeft, tauRight };
}

/** The thin `U_B = H_0 ⋯ H_{cols−1}·[I; 0]`, `(rows, cols)` row-major, accumulated backwards. */
export function formLeft(a: Float64Array, rows: number, cols: number, tauLeft: Float64Array): Float64Array {
  const n = cols;
  const u = new Float64Array(rows * n);
  for (let i = 0; i < n; i++) u[i * n + i] = 1;
  const v = new Float64Array(rows);
  const work = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const t = tauLeft[k];
    if (t === 0) continue;
    v[k] = 1;
    for (let i = k + 1; i < rows; i++) v[i] = a[i * n + k];
    applyReflectorLeft(u, n, rows, k, k, v, t, work);
  }
  return u;
}

/** `V_B = G_0 ⋯ G_{cols−3}`, `(cols, cols)` row-major, accumulated backwards. */
export function formRight(a: Float64Array, cols: number, tauRight: Float64Array): Float64Array {
  const n = cols;
  const vMatrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vMatrix[i * n + i] = 1;
  const v = new Float64Array(n);
  const work = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const t = tauRight[k];
    if (t === 0) continue;
    v[k + 1] = 1;
    for (let j = k + 2; j < n; j++) v[j] = a[k * n + j];
    applyReflectorLeft(vMatrix, n, n, k + 1, k + 1, v, t, work);
  }
  return vMatrix;
}
