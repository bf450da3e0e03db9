/**
 * Matrices with a known (planted) spectrum or rank for the decomposition tests: built from Haar-random orthogonal
 * factors of core's seeded RNG, so every test input is reproducible.
 */
import { matmul } from '../matmul.js';
import type { Matrix } from '../matrix.js';
import { createRng } from '../rng.js';
import { transpose } from '../transpose.js';

/** Machine epsilon of float64, `2⁻⁵²`. */
export const EPS: number = 2 ** -52;

/**
 * `Q·diag(values)·Qᵀ` for a random orthogonal `Q`, made exactly symmetric by mirroring its lower triangle.
 * Its eigenvalues equal `values` up to a few `ε·max|values|`.
 */
export function plantedSymmetric(values: readonly number[], seed: number): Matrix {
  const n = values.length;
  const q = createRng(seed).orthogonal(n);
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled[i * n + j] = q.data[i * n + j] * values[j];
  return mirrorLower(matmul({ rows: n, cols: n, data: scaled }, transpose(q)));
}

/** `U·diag(values)·Vᵀ` of shape `(rows, cols)` with random orthonormal `U`, `V`; `values.length <= min(rows, cols)`. */
export function plantedSingular(rows: number, cols: number, values: readonly number[], seed: number): Matrix {
  const rng = createRng(seed);
  const u = rng.orthogonal(rows);
  const v = rng.orthogonal(cols);
  const k = values.length;
  const left = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) for (let p = 0; p < k; p++) left[i * k + p] = u.data[i * rows + p] * values[p];
  const right = new Float64Array(k * cols);
  for (let p = 0; p < k; p++) for (let j = 0; j < cols; j++) right[p * cols + j] = v.data[j * cols + p];
  return matmul({ rows, cols: k, data: left }, { rows: k, cols, data: right });
}

/** A random `(rows, cols)` matrix of rank `rank` (a product of Gaussian factors). */
export function lowRank(rows: number, cols: number, rank: number, seed: number): Matrix {
  const rng = createRng(seed);
  return matmul(rng.normalMatrix(rows, rank), rng.normalMatrix(rank, cols));
}

/** A random symmetric `(n, n)` matrix with standard normal entries on and below the diagonal. */
export function randomSymmetric(n: number, seed: number): Matrix {
  return mirrorLower(createRng(seed).normalMatrix(n, n));
}

/** The symmetric matrix defined by the lower triangle of `a`. */
export function mirrorLower(a: Matrix): Matrix {
  const n = a.rows;
  const data = Float64Array.from(a.data);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) data[j * n + i] = data[i * n + j];
  return { rows: n, cols: n, data };
}

/** `Zᵀ·Z`, which is the identity exactly when the columns of `Z` are orthonormal. */
export function gramOfColumns(z: Matrix): Matrix {
  return matmul(transpose(z), z);
}

/**
 * A Gaussian `(rows, cols)` matrix whose columns nearly repeat column 0 and shrink to `10^−decades` of it (column `j`
 * scaled by `10^(−decades · j / cols)`): condition about `10^decades` and more, for kernels that must agree on
 * ill-conditioned data.
 */
export function illConditioned(rows: number, cols: number, seed: number, decades = 12): Matrix {
  const a = createRng(seed).normalMatrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      a.data[i * cols + j] = (a.data[i * cols] + 1e-6 * a.data[i * cols + j]) * 10 ** ((-decades * j) / cols);
    }
  }
  return a;
}
