/**
 * Singular values (and optionally vectors) of an upper bidiagonal matrix by the implicitly shifted QR iteration
 * of Golub and Kahan (Golub & Van Loan Alg. 8.6.1–8.6.2), organised as in LINPACK `dsvdc`. Internal.
 *
 * The shift is the eigenvalue of the trailing 2×2 block of `BᵀB` nearer its last entry (Wilkinson). An entry is
 * neglected when `|e_k| <= ε·(|d_k| + |d_{k+1}|)` (then the problem splits) or `|d_k| <= ε·(|e_{k−1}| + |e_k|)`
 * (then rotations chase `e_k` out of the block). Both tests are relative to the neighbouring entries, so the
 * computed singular values carry absolute errors of a few units of `ε·‖B‖`. Rotations are buffered and applied to
 * `U` and `V` in batches (see `rotations.ts`).
 */
import { hypot } from './householder.js';
import { beginSweep, createRotationBatch, flushRotations, pushRotation, type RotationBatch } from './rotations.js';

const EPSILON = 2 ** -52;
const TINY = 2 ** -966;

/** Outcome of {@link bidiagonalQr}. */
export interface BidiagonalQrOutcome {
  /** QR steps performed. */
  readonly iterations: number;
  /** Whether every superdiagonal entry converged within the iteration cap. */
  readonly converged: boolean;
}

/**
 * Diagonalises the bidiagonal `(d, e)` in place: on return `d` holds the singular values (non-negative, unsorted)
 * and the rotations have been applied to the columns of `u` and `v` (when given) so that
 * `B = U_b·diag(d)·V_bᵀ` with `U ← U·U_b`, `V ← V·V_b`.
 *
 * @param d - Diagonal, length `n`.
 * @param e - Superdiagonal in `e[0 … n−2]`; `e[n−1]` must be `0`.
 * @param u - Optional `(uRows, n)` row-major matrix.
 * @param v - Optional `(n, n)` row-major matrix.
 * @param maxIterations - Cap on the total number of QR steps.
 */
export function bidiagonalQr(
  d: Float64Array,
  e: Float64Array,
  u: Float64Array | undefined,
  uRows: number,
  v: Float64Array | undefined,
  maxIterations: number,
): BidiagonalQrOutcome {
  const n = d.length;
  const left = u === undefined ? undefined : createRotationBatch(u, uRows, n);
  const right = v === undefined ? undefined : createRotationBatch(v, n, n);
  const flipped = new Uint8Array(n);
  let iterations = 0;
  let converged = true;
  let p = n;
  while (p > 0) {
    // Largest k < p−1 with a negligible e_k (−1 if none).
    let k = p - 2;
    for (; k >= 0; k--) {
      if (Math.abs(e[k]) <= TINY + EPSILON * (Math.abs(d[k]) + Math.abs(d[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    if (k === p - 2) {
      // d_{p−1} has converged: make it non-negative and deflate.
      if (d[p - 1] < 0) {
        d[p - 1] = -d[p - 1];
        flipped[p - 1] ^= 1;
      }
      p--;
      continue;
    }
    // Look for a negligible diagonal entry in k+1 … p−1.
    let zero = p - 1;
    for (; zero > k; zero--) {
      const neighbours = Math.abs(e[zero]) + (zero !== k + 1 ? Math.abs(e[zero - 1]) : 0);
      if (Math.abs(d[zero]) <= TINY + EPSILON * neighbours) {
        d[zero] = 0;
        break;
      }
    }
    if (zero === p - 1) {
      chaseLastColumn(d, e, k + 1, p, right);
    } else if (zero > k) {
      chaseRow(d, e, zero, p, left);
    } else {
      if (iterations >= maxIterations) {
        converged = false;
        break;
      }
      iterations++;
      qrStep(d, e, k + 1, p, left, right);
    }
  }
  if (left !== undefined) flushRotations(left);
  if (right !== undefined) {
    flushRotations(right);
    // Sign flips touch converged columns only, which no later rotation reads.
    for (let j = 0; j < n; j++)
      if (flipped[j] === 1) for (let i = 0; i < n; i++) right.z[i * n + j] = -right.z[i * n + j];
  }
  return { iterations, converged };
}

/** `d_{p−1} = 0`: rotations on columns `(j, p−1)`, `j = p−2 … k`, chase `e_{p−2}` up and out (from the right). */
function chaseLastColumn(
  d: Float64Array,
  e: Float64Array,
  k: number,
  p: number,
  right: RotationBatch | undefined,
): void {
  let f = e[p - 2];
  e[p - 2] = 0;
  if (right !== undefined) beginSweep(right, p - 2, k, p - 1);
  for (let j = p - 2; j >= k; j--) {
    const t = hypot(d[j], f);
    const cs = t === 0 ? 1 : d[j] / t;
    const sn = t === 0 ? 0 : f / t;
    d[j] = t;
    if (j !== k) {
      f = -sn * e[j - 1];
      e[j - 1] = cs * e[j - 1];
    }
    if (right !== undefined) pushRotation(right, cs, sn);
  }
}

/** `d_{zero} = 0`: rotations on rows `(j, zero)`, `j = zero+1 … p−1`, chase `e_{zero}` right and out (from the left). */
function chaseRow(d: Float64Array, e: Float64Array, zero: number, p: number, left: RotationBatch | undefined): void {
  let f = e[zero];
  e[zero] = 0;
  if (left !== undefined) beginSweep(left, zero + 1, p - 1, zero);
  for (let j = zero + 1; j < p; j++) {
    const t = hypot(d[j], f);
    const cs = t === 0 ? 1 : d[j] / t;
    const sn = t === 0 ? 0 : f / t;
    d[j] = t;
    f = -sn * e[j];
    e[j] = cs * e[j];
    if (left !== undefined) pushRotation(left, cs, sn);
  }
}

/** One implicitly shifted QR step on the unreduced block `k … p−1`. */
function qrStep(
  d: Float64Array,
  e: Float64Array,
  k: number,
  p: number,
  left: RotationBatch | undefined,
  right: RotationBatch | undefined,
): void {
  const scale = Math.max(Math.abs(d[p - 1]), Math.abs(d[p - 2]), Math.abs(e[p - 2]), Math.abs(d[k]), Math.abs(e[k]));
  const sp = d[p - 1] / scale;
  const spm1 = d[p - 2] / scale;
  const epm1 = e[p - 2] / scale;
  const sk = d[k] / scale;
  const ek = e[k] / scale;
  const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
  const c = sp * epm1 * (sp * epm1);
  let shift = 0;
  if (b !== 0 || c !== 0) {
    shift = Math.sqrt(b * b + c);
    if (b < 0) shift = -shift;
    shift = c / (b + shift);
  }
  let f = (sk + sp) * (sk - sp) + shift;
  let g = sk * ek;
  if (right !== undefined) beginSweep(right, k, p - 2, -1);
  if (left !== undefined) beginSweep(left, k, p - 2, -1);
  for (let j = k; j < p - 1; j++) {
    let t = hypot(f, g);
    let cs = t === 0 ? 1 : f / t;
    let sn = t === 0 ? 0 : g / t;
    if (j !== k) e[j - 1] = t;
    f = cs * d[j] + sn * e[j];
    e[j] = cs * e[j] - sn * d[j];
    g = sn * d[j + 1];
    d[j + 1] = cs * d[j + 1];
    if (right !== undefined) pushRotation(right, cs, sn);
    t = hypot(f, g);
    cs = t === 0 ? 1 : f / t;
    sn = t === 0 ? 0 : g / t;
    d[j] = t;
    f = cs * e[j] + sn * d[j + 1];
    d[j + 1] = -sn * e[j] + cs * d[j + 1];
    g = sn * e[j + 1];
    e[j + 1] = cs * e[j + 1];
    if (left !== undefined) pushRotation(left, cs, sn);
  }
  e[p - 2] = f;
}
