/**
 * Golub–Kahan Householder bidiagonalisation `A = U_B·B·V_Bᵀ` of a tall matrix (Golub & Van Loan Alg. 5.4.2,
 * LAPACK `dgebd2`) and the explicit accumulation of the thin `U_B` and of `V_B`. Internal: `rows >= cols`,
 * finite, scaled data.
 *
 * Step `k` reflects column `k` (rows `k …`) onto `d_k·e₀`, then row `k` (columns `k+1 …`) onto `e_k·e₀`. The left
 * update's rank-1 correction and the right reflector's application are done row by row in one pass over the
 * trailing block.
 */
import { applyBlockReflector, REFLECTOR_BLOCK } from './block-reflector.js';
import { makeReflector } from './householder.js';

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

/**
 * The thin `U_B = H_0 ⋯ H_{cols−1}·[I; 0]`, `(rows, cols)` row-major, accumulated backwards a block of reflectors at
 * a time (LAPACK `dorgbr`): the block `H_{k0} ⋯` touches only rows and columns `k0 …` of the partial product.
 */
export function formLeft(a: Float64Array, rows: number, cols: number, tauLeft: Float64Array): Float64Array {
  const n = cols;
  const u = new Float64Array(rows * n);
  for (let i = 0; i < n; i++) u[i * n + i] = 1;
  for (let k0 = Math.floor((n - 1) / REFLECTOR_BLOCK) * REFLECTOR_BLOCK; k0 >= 0; k0 -= REFLECTOR_BLOCK) {
    const b = Math.min(REFLECTOR_BLOCK, n - k0);
    const height = rows - k0;
    const v = new Float64Array(height * b);
    for (let i = 0; i < b; i++) {
      const k = k0 + i;
      v[i * b + i] = 1; // row k
      for (let r = k + 1; r < rows; r++) v[(r - k0) * b + i] = a[r * n + k];
    }
    applyBlockReflector(u, rows, n, k0, k0, v, tauLeft.subarray(k0, k0 + b));
  }
  return u;
}

/** `V_B = G_0 ⋯ G_{cols−3}`, `(cols, cols)` row-major, accumulated backwards a block at a time. */
export function formRight(a: Float64Array, cols: number, tauRight: Float64Array): Float64Array {
  const n = cols;
  const vMatrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vMatrix[i * n + i] = 1;
  const count = Math.max(n - 2, 0);
  for (let k0 = Math.floor((count - 1) / REFLECTOR_BLOCK) * REFLECTOR_BLOCK; k0 >= 0; k0 -= REFLECTOR_BLOCK) {
    const b = Math.min(REFLECTOR_BLOCK, count - k0);
    const r0 = k0 + 1;
    const v = new Float64Array((n - r0) * b);
    for (let i = 0; i < b; i++) {
      const k = k0 + i;
      v[i * b + i] = 1; // row k+1
      for (let j = k + 2; j < n; j++) v[(j - r0) * b + i] = a[k * n + j];
    }
    applyBlockReflector(vMatrix, n, n, r0, r0, v, tauRight.subarray(k0, k0 + b));
  }
  return vMatrix;
}
