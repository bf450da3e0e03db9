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
import { applyBlockReflector, REFLECTOR_BLOCK } from './block-reflector.js';
import { makeReflector } from './householder.js';
import { layout, view, wasmKernels } from './wasm/instance.js';

/** The tridiagonal matrix `T` and the reflectors that define `Q`. */
export interface Tridiagonalization {
  /** Diagonal of `T`, length `n`. */
  readonly diagonal: Float64Array;
  /** Subdiagonal of `T` in entries `0 … n−2`; entry `n−1` is `0` (room for the QL iteration). */
  readonly offDiagonal: Float64Array;
  /** `τ_k` of the reflectors, length `max(n − 2, 0)`; `v_k` lives in column `k` of the work array below row `k+1`. */
  readonly tau: Float64Array;
}

/** The fused rank-2 update and product of one step, as {@link fusedUpdate}. */
type FusedUpdate = typeof fusedUpdate;

/**
 * Reduces the symmetric `(n, n)` row-major array `a` (lower triangle) to tridiagonal form in place: on return its
 * strictly lower part below the subdiagonal holds the reflector vectors.
 *
 * With the WASM kernels (ADR 0007) the work array and the four vectors live in the module's memory, copied in once
 * and out once, and each step's fused update runs as the module's `tridiagonalUpdate`: its entry updates are those of
 * {@link fusedUpdate}, bitwise, and its dot products are summed on two lanes, so the results agree with the
 * JavaScript path to roundoff.
 */
export function tridiagonalize(a: Float64Array, n: number): Tridiagonalization {
  const kernels = n > 2 ? wasmKernels() : undefined;
  const regions = kernels === undefined ? undefined : layout(kernels, [n * n, n, n, n, n]);
  if (kernels === undefined || regions === undefined) {
    return reduce(
      a,
      n,
      [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)],
      fusedUpdate,
    );
  }
  const [address, ...vectors] = regions;
  const work = view(kernels, address, n * n);
  work.set(a.subarray(0, n * n));
  const [v, next, w, y] = vectors.map((at) => view(kernels, at, n).fill(0));
  const update = kernels.exports.tridiagonalUpdate;
  const result = reduce(work, n, [v, next, w, y], (_a, size, first, vk, wk, nextK, yk) =>
    update(address, size, first, vk.byteOffset, wk.byteOffset, nextK.byteOffset, yk.byteOffset),
  );
  a.set(work);
  return result;
}

/**
 * The reduction of {@link tridiagonalize} on the work array `a` with zeroed vectors `v`, `next`, `w`, `y` of length
 * `n`, each step's trailing block updated by `update`.
 */
function reduce(
  a: Float64Array,
  n: number,
  vectors: readonly [Float64Array, Float64Array, Float64Array, Float64Array],
  update: FusedUpdate,
): Tridiagonalization {
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  const tau = new Float64Array(Math.max(n - 2, 0));
  if (n === 0) return { diagonal, offDiagonal, tau };
  if (n === 1) {
    diagonal[0] = a[0];
    return { diagonal, offDiagonal, tau };
  }
  let [v, next] = vectors; // v_k, rows k+1 … n−1 (v[k+1] = 1); v_{k+1}
  const [, , w, y] = vectors; // y: A_sub·v_k, then A_sub'·v_{k+1}
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
      update(a, n, first, v, w, next, y);
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
 * Overwrites the row-major `(n, cols)` matrix `s` with `Q·S`, `Q = H_0·H_1 ⋯ H_{n−3}`, applying the reflectors
 * a block at a time in compact WY form, last block first (LAPACK `dormtr`). `H_k` touches rows `k+1 …` only.
 */
export function applyTridiagonalQ(a: Float64Array, n: number, tau: Float64Array, s: Float64Array, cols: number): void {
  const count = tau.length;
  for (let k0 = Math.floor((count - 1) / REFLECTOR_BLOCK) * REFLECTOR_BLOCK; k0 >= 0; k0 -= REFLECTOR_BLOCK) {
    const b = Math.min(REFLECTOR_BLOCK, count - k0);
    const r0 = k0 + 1;
    const rows = n - r0;
    const v = new Float64Array(rows * b);
    for (let i = 0; i < b; i++) {
      const k = k0 + i;
      v[i * b + i] = 1; // row k+1
      for (let r = k + 2; r < n; r++) v[(r - r0) * b + i] = a[r * n + k];
    }
    applyBlockReflector(s, n, cols, r0, 0, v, tau.subarray(k0, k0 + b));
  }
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
 * `y = A_new·next` on the same block. Rows are processed in pairs so that each load of `v`, `w`, `next` and `y`
 * serves two rows.
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
  let i = first;
  for (; i + 1 < n; i += 2) {
    const o0 = i * n;
    const o1 = o0 + n;
    const v0 = v[i];
    const w0 = w[i];
    const n0 = next[i];
    const v1 = v[i + 1];
    const w1 = w[i + 1];
    const n1 = next[i + 1];
    let acc0 = 0;
    let acc1 = 0;
    for (let j = first; j < i; j++) {
      const vj = v[j];
      const wj = w[j];
      const nj = next[j];
      const a0 = a[o0 + j] - v0 * wj - w0 * vj;
      const a1 = a[o1 + j] - v1 * wj - w1 * vj;
      a[o0 + j] = a0;
      a[o1 + j] = a1;
      acc0 += a0 * nj;
      acc1 += a1 * nj;
      y[j] += a0 * n0 + a1 * n1;
    }
    // The 2 × 2 diagonal block: (i, i), (i+1, i), (i+1, i+1).
    const d0 = a[o0 + i] - 2 * v0 * w0;
    const off = a[o1 + i] - v1 * w0 - w1 * v0;
    const d1 = a[o1 + i + 1] - 2 * v1 * w1;
    a[o0 + i] = d0;
    a[o1 + i] = off;
    a[o1 + i + 1] = d1;
    y[i] += acc0 + d0 * n0 + off * n1;
    y[i + 1] += acc1 + off * n0 + d1 * n1;
  }
  if (i < n) {
    const o = i * n;
    const vi = v[i];
    const wi = w[i];
    const ni = next[i];
    let acc = 0;
    for (let j = first; j < i; j++) {
      const aij = a[o + j] - vi * w[j] - wi * v[j];
      a[o + j] = aij;
      acc += aij * next[j];
      y[j] += aij * ni;
    }
    const diagonal = a[o + i] - 2 * vi * wi;
    a[o + i] = diagonal;
    y[i] += acc + diagonal * ni;
  }
}
