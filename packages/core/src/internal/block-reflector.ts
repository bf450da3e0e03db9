/**
 * Blocked application of Householder reflectors in compact WY form (Schreiber & Van Loan 1989; LAPACK `dlarft` +
 * `dlarfb`): `H_0·H_1 ⋯ H_{b−1} = I − V·T·Vᵀ` with `T` upper triangular, so applying `b` reflectors costs two matrix
 * products, which run on the packed kernel of `matmul` instead of `2b` passes over memory. Internal.
 */
import { addTransposedProduct } from './packed-product.js';

/** Reflectors accumulated per block: wide enough for the kernel, small enough that `T·W` stays cheap. */
export const REFLECTOR_BLOCK = 64;

/**
 * `Z[r0…, c0…] ← (H_0 ⋯ H_{b−1})·Z[r0…, c0…]` where `H_i = I − τ_i·v_i·v_iᵀ`.
 *
 * @param z - Row-major `(zRows, zCols)` array, updated in place.
 * @param v - Row-major `(zRows − r0, b)`: column `i` is `v_i` restricted to rows `r0 …` (zeros above its head).
 * @param tau - The `b` values `τ_i`.
 */
export function applyBlockReflector(
  z: Float64Array,
  zRows: number,
  zCols: number,
  r0: number,
  c0: number,
  v: Float64Array,
  tau: Float64Array,
): void {
  const b = tau.length;
  const rows = zRows - r0;
  const cols = zCols - c0;
  if (b === 0 || rows === 0 || cols === 0) return;
  const t = triangularFactor(v, rows, tau);
  // W = Vᵀ·Z, (b, cols).
  const w = new Float64Array(b * cols);
  const zView = { data: z, offset: r0 * zCols + c0, stride: zCols, rows, cols };
  addTransposedProduct(
    { data: v, offset: 0, stride: b, rows, cols: b },
    zView,
    { data: w, offset: 0, stride: cols, rows: b, cols },
    1,
    false,
  );
  // W ← T·W in place: row i needs rows j >= i, which are not yet overwritten.
  for (let i = 0; i < b; i++) {
    const o = i * cols;
    const tii = t[i * b + i];
    for (let c = 0; c < cols; c++) w[o + c] *= tii;
    for (let j = i + 1; j < b; j++) {
      const tij = t[i * b + j];
      if (tij === 0) continue;
      const p = j * cols;
      for (let c = 0; c < cols; c++) w[o + c] += tij * w[p + c];
    }
  }
  // Z −= V·W = (Vᵀ)ᵀ·W.
  const vt = new Float64Array(b * rows);
  for (let r = 0; r < rows; r++) for (let i = 0; i < b; i++) vt[i * rows + r] = v[r * b + i];
  addTransposedProduct(
    { data: vt, offset: 0, stride: rows, rows: b, cols: rows },
    { data: w, offset: 0, stride: cols, rows: b, cols },
    zView,
    -1,
    false,
  );
}

/** The upper-triangular `T` (row-major `(b, b)`) with `H_0 ⋯ H_{b−1} = I − V·T·Vᵀ` (forward, column-wise `dlarft`). */
function triangularFactor(v: Float64Array, rows: number, tau: Float64Array): Float64Array {
  const b = tau.length;
  const t = new Float64Array(b * b);
  const dots = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const ti = tau[i];
    t[i * b + i] = ti;
    if (ti === 0 || i === 0) continue;
    // dots[j] = v_jᵀ·v_i for j < i.
    dots.fill(0, 0, i);
    for (let r = 0; r < rows; r++) {
      const vi = v[r * b + i];
      if (vi === 0) continue;
      const o = r * b;
      for (let j = 0; j < i; j++) dots[j] += v[o + j] * vi;
    }
    // T[0:i, i] = −τ_i·T[0:i, 0:i]·dots.
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum += t[j * b + k] * dots[k];
      t[j * b + i] = -ti * sum;
    }
  }
  return t;
}
