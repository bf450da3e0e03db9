/**
 * Golub–Kahan Householder bidiagonalisation `A = U_B·B·V_Bᵀ` of a tall matrix (Golub & Van Loan Alg. 5.4.2,
 * LAPACK `dgebd2`) and the explicit accumulation of the thin `U_B` and of `V_B`. Internal: `rows >= cols`,
 * finite, scaled data.
 *
 * Step `k` reflects column `k` (rows `k …`) onto `d_k·e₀`, then row `k` (columns `k+1 …`) onto `e_k·e₀`.
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

/**
 * Bidiagonalises the `(rows, cols)` row-major array `a` in place (`rows >= cols`).
 *
 * One pass over the trailing block per step: each row receives the left reflector's rank-1 correction and the right
 * reflector, and, while it is in cache, contributes to `Σ_i x_i·a_i` (`x` the next column), which is the next left
 * reflector's `vᵀA` up to the scale `1/(x₀ − β)` that is known once the pass has measured `‖x‖`.
 */
export function bidiagonalize(a: Float64Array, rows: number, cols: number): Bidiagonalization {
  const n = cols;
  const m = rows;
  const diagonal = new Float64Array(n);
  const superDiagonal = new Float64Array(n);
  const tauLeft = new Float64Array(n);
  const tauRight = new Float64Array(n);
  if (n === 0) return { diagonal, superDiagonal, tauLeft, tauRight };
  const work = new Float64Array(n); // vᵀ·A[k …, k+1 …] for the current left reflector v
  const right = new Float64Array(n);
  const next = new Float64Array(n); // Σ_{i > k+1} a[i][k+1]·a[i][k+2 …]
  // Step 0's left reflector and its vᵀA, by a plain pass.
  let tl = makeReflector(a, 0, n, m);
  tauLeft[0] = tl;
  diagonal[0] = a[0];
  for (let j = 1; j < n; j++) work[j] = a[j];
  if (tl !== 0) {
    for (let i = 1; i < m; i++) {
      const vi = a[i * n];
      if (vi === 0) continue;
      const o = i * n;
      for (let j = 1; j < n; j++) work[j] += vi * a[o + j];
    }
  }
  for (let k = 0; k < n - 1; k++) {
    const first = k + 1;
    const rowK = k * n;
    // Row k: the left correction, then its own right reflector (columns first …, stride 1).
    if (tl !== 0) for (let j = first; j < n; j++) a[rowK + j] -= tl * work[j];
    const tr = makeReflector(a, rowK + first, 1, n - first);
    tauRight[k] = tr;
    superDiagonal[k] = a[rowK + first];
    right[first] = 1;
    for (let j = first + 1; j < n; j++) right[j] = a[rowK + j];
    // The fused pass over rows first … m−1.
    next.fill(0, first + 1, n);
    let tail = 0;
    // Row first: no contribution to the next step's sum (its reflector entry is 1, added below).
    if (first < m) {
      const o = first * n;
      const scale = tr * correctRow(a, o, first, n, tl * a[o + k], work, right);
      for (let j = first; j < n; j++) a[o + j] -= scale * right[j];
    }
    // Rows first+1 … in pairs: left correction fused with the right reflector's dot products, then the right
    // reflector fused with the next step's Σ x_i·a_i (x = the updated entry in column first).
    let i = first + 1;
    for (; i + 1 < m; i += 2) {
      const o0 = i * n;
      const o1 = o0 + n;
      const f0 = tl * a[o0 + k];
      const f1 = tl * a[o1 + k];
      let dot0 = 0;
      let dot1 = 0;
      for (let j = first; j < n; j++) {
        const wj = work[j];
        const rj = right[j];
        const v0 = a[o0 + j] - f0 * wj;
        const v1 = a[o1 + j] - f1 * wj;
        a[o0 + j] = v0;
        a[o1 + j] = v1;
        dot0 += v0 * rj;
        dot1 += v1 * rj;
      }
      const s0 = tr * dot0;
      const s1 = tr * dot1;
      const x0 = a[o0 + first] - s0;
      const x1 = a[o1 + first] - s1;
      a[o0 + first] = x0;
      a[o1 + first] = x1;
      tail += x0 * x0 + x1 * x1;
      for (let j = first + 1; j < n; j++) {
        const rj = right[j];
        const v0 = a[o0 + j] - s0 * rj;
        const v1 = a[o1 + j] - s1 * rj;
        a[o0 + j] = v0;
        a[o1 + j] = v1;
        next[j] += x0 * v0 + x1 * v1;
      }
    }
    if (i < m) {
      const o = i * n;
      const scale = tr * correctRow(a, o, first, n, tl * a[o + k], work, right);
      const x = a[o + first] - scale;
      a[o + first] = x;
      tail += x * x;
      for (let j = first + 1; j < n; j++) {
        const value = a[o + j] - scale * right[j];
        a[o + j] = value;
        next[j] += x * value;
      }
    }
    // The left reflector of column first (rows first …), as makeReflector would make it, and its vᵀA.
    const alpha = a[first * n + first];
    tl = 0;
    if (tail !== 0) {
      const norm = Math.sqrt(alpha * alpha + tail);
      const beta = alpha >= 0 ? -norm : norm;
      const scale = 1 / (alpha - beta);
      for (let i = first + 1; i < m; i++) a[i * n + first] *= scale;
      a[first * n + first] = beta;
      tl = (beta - alpha) / beta;
      for (let j = first + 1; j < n; j++) work[j] = a[first * n + j] + scale * next[j];
    }
    tauLeft[first] = tl;
    diagonal[first] = a[first * n + first];
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

/**
 * One row's left correction, `a[o + j] −= factor · work[j]` for `j = first … n−1`, returning the corrected row's dot
 * product with the right reflector `right` (summed in column order).
 */
function correctRow(
  a: Float64Array,
  o: number,
  first: number,
  n: number,
  factor: number,
  work: Float64Array,
  right: Float64Array,
): number {
  let dot = 0;
  for (let j = first; j < n; j++) {
    const value = a[o + j] - factor * work[j];
    a[o + j] = value;
    dot += value * right[j];
  }
  return dot;
}
