/**
 * Householder reduction of a symmetric matrix to tridiagonal form, `A = Q·T·Qᵀ` (Golub & Van Loan §8.3.1),
 * and the explicit accumulation of `Q`. Internal: callers pass valid, finite, scaled data.
 *
 * Each step `k` reflects column `k` below the subdiagonal (`H_k = I − τ_k·v_k·v_kᵀ`) and updates the trailing
 * block with the symmetric rank-2 update `A ← A − v·wᵀ − w·vᵀ`, `w = p − (τ/2)(pᵀv)·v`, `p = τ·A·v` (LAPACK
 * `dsytd2`). The next step's product `A·v_{k+1}` is accumulated in the same pass over the matrix as the rank-2
 * update (after updating column `k+1` first, which is all `v_{k+1}` needs), so the trailing block is read from
 * memory once per step instead of twice. Only the lower triangle is read and written.
 */
import { makeReflector } from './householder.js';

/** The tridiagonal matrix `T` and the reflectors that define `Q`. */
export interface Tridiagonalization {
  /** Diagonal of `T`, length `n`. */
  readonly diagonal: Float64Array;
  /** Subdiagonal of `T` in entries `0 … n−2`; entry `n−1` is `0` (room for the QL iteration). */
  readonly offDiagonal: Float64Array;
  /** `τ_k` of the reflectors, length `max(n − 2, 0)`; `v_k` lives in column `k` of the work array below row `k+1`. */
  readonly tau: Float64Array;
}

/**
 * Reduces the symmetric `(n, n)` row-major array `a` (lower triangle) to tridiagonal form in place: on return its
 * strictly lower part below the subdiagonal holds the reflector vectors.
 */
export function tridiagonalize(a: Float64Array, n: number): Tridiagonalization {
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  const tau = new Float64Array(Math.max(n - 2, 0));
  if (n === 0) return { diagonal, offDiagonal, tau };
  if (n === 1) {
    diagonal[0] = a[0];
    return { diagonal, offDiagonal, tau };
  }
  let v = new Float64Array(n); // v_k, rows k+1 … n−1 (v[k+1] = 1)
  let next = new Float64Array(n); // v_{k+1}
  const w = new Float64Array(n);
  const y = new Float64Array(n); // A_sub·v_k, then A_sub'·v_{k+1}
  if (n > 2) {
    tau[0] = loadReflector(a, n, 0, v);
    symmetricProduct(a, n, 1, v, y);
  }
  for (let k = 0; k < n - 2; k++) {
    diagonal[k] = a[k * n + k];
    offDiagonal[k] = a[(k + 1) * n + k];
    const t = tau[k];
    // w = p − (τ/2)(pᵀv)·v with p = τ·y, on rows k+1 … n−1.
    let pv = 0;
    for (let i = k + 1; i < n; i++) pv += y[i] * v[i];
    const half = 0.5 * t * t * pv;
    for (let i = k + 1; i < n; i++) w[i] = t * y[i] - half * v[i];
    // Column k+1 of the updated block (rows k+1 … n−1), which the next reflector needs.
    const vk1 = v[k + 1];
    const wk1 = w[k + 1];
    for (let i = k + 1; i < n; i++) a[i * n + k + 1] -= v[i] * wk1 + w[i] * vk1;
    const first = k + 2;
    if (first < n - 1) {
      tau[k + 1] = loadReflector(a, n, k + 1, next);
      y.fill(0, first, n);
      fusedUpdate(a, n, first, v, w, next, y);
      const swap = v;
      v = next;
      next = swap;
    } else {
      // k = n − 3: only the last diagonal entry remains to update.
      const o = (n - 1) * n + n - 1;
      a[o] -= 2 * v[n - 1] * w[n - 1];
    }
  }
  diagonal[n - 2] = a[(n - 2) * n + n - 2];
  diagonal[n - 1] = a[(n - 1) * n + n - 1];
  offDiagonal[n - 2] = a[(n - 1) * n + n - 2];
  return { diagonal, offDiagonal, tau };
}

/**
 * Accumulates `Q = H_0·H_1 ⋯ H_{n−3}` backwards (LAPACK `dorg2l`-style): `H_k` touches only rows and columns
 * `k+1 …` of the partial product. Returns `Q` as an `(n, n)` row-major array.
 */
export function formTridiagonalQ(a: Float64Array, n: number, tau: Float64Array): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const v = new Float64Array(n);
  const work = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    v[k + 1] = 1;
    for (let i = k + 2; i < n; i++) v[i] = a[i * n + k];
    const first = k + 1;
    work.fill(0, first, n);
    for (let i = first; i < n; i++) {
      const vi = v[i];
      const o = i * n;
      for (let j = first; j < n; j++) work[j] += vi * q[o + j];
    }
    for (let i = first; i < n; i++) {
      const factor = t * v[i];
      const o = i * n;
      for (let j = first; j < n; j++) q[o + j] -= factor * work[j];
    }
  }
  return q;
}

/** Makes the reflector of column `k` (rows `k+1 …`) in place and copies `v` (with `v[k+1] = 1`) into `v`. */
function loadReflector(a: Float64Array, n: number, k: number, v: Float64Array): number {
  const t = makeReflector(a, (k + 1) * n + k, n, n - k - 1);
  v[k + 1] = 1;
  for (let i = k + 2; i < n; i++) v[i] = a[i * n + k];
  return t;
}

/** `y[first…] = A[first…, first…]·v[first…]` reading the lower triangle only (`dsymv`). */
function symmetricProduct(a: Float64Array, n: number, first: number, v: Float64Array, y: Float64Array): void {
  y.fill(0, first, n);
  for (let i = first; i < n; i++) {
    const o = i * n;
    const vi = v[i];
    let acc = 0;
    for (let j = first; j < i; j++) {
      const aij = a[o + j];
      acc += aij * v[j];
      y[j] += aij * vi;
    }
    y[i] += acc + a[o + i] * vi;
  }
}

/**
 * Rank-2 update of rows and columns `first …` (`A ← A − v·wᵀ − w·vᵀ`, lower triangle) fused with
 * `y = A_new·next` on the same block.
 */
function fusedUpdate(
  a: Float64Array,
  n: number,
  first: number,
  v: Float64Array,
  w: Float64Array,
  next: Float64Array,
  y: Float64Array,
): void {
  for (let i = first; i < n; i++) {
    const o = i * n;
    const vi = v[i];
    const wi = w[i];
    const ni = next[i];
    let acc0 = 0;
    let acc1 = 0;
    let j = first;
    for (; j + 1 < i; j += 2) {
      const a0 = a[o + j] - vi * w[j] - wi * v[j];
      const a1 = a[o + j + 1] - vi * w[j + 1] - wi * v[j + 1];
      a[o + j] = a0;
      a[o + j + 1] = a1;
      acc0 += a0 * next[j];
      acc1 += a1 * next[j + 1];
      y[j] += a0 * ni;
      y[j + 1] += a1 * ni;
    }
    for (; j < i; j++) {
      const a0 = a[o + j] - vi * w[j] - wi * v[j];
      a[o + j] = a0;
      acc0 += a0 * next[j];
      y[j] += a0 * ni;
    }
    const diagonal = a[o + i] - 2 * vi * wi;
    a[o + i] = diagonal;
    y[i] += acc0 + acc1 + diagonal * ni;
  }
}
