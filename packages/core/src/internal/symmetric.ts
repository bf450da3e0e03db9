/**
 * Boundary checks and the dense eigensolver shared by `eigh`, `minEigenvalue` and `maxEigenvalue`. Internal.
 */
import { LattnError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { largestMagnitude } from '../scale-by-power-of-two.js';
import { checkMatrix, checkNumber } from '../validate.js';
import { allocate } from './allocate.js';
import { scaleFactor } from './householder.js';
import { applyTridiagonalQ, tridiagonalize } from './tridiagonal.js';
import { tridiagonalDivideConquer } from './tridiagonal-dc.js';
import { tridiagonalQl } from './tridiagonal-ql.js';

/** Default relative asymmetry accepted by the symmetric solvers: `√ε`, half the float64 digits. */
export const DEFAULT_SYMMETRY_RTOL: number = Math.sqrt(2 ** -52);

/**
 * Validates a finite square matrix that is symmetric up to `max|a_ij − a_ji| <= symmetryRtol · max|a_ij|`.
 *
 * @throws {@link LattnError} `INVALID_ARGUMENT` (not a matrix, bad tolerance, not symmetric), `SHAPE_MISMATCH`
 * (not square), `NON_FINITE`.
 */
export function checkSymmetric(fn: string, name: string, value: unknown, symmetryRtol: unknown): Matrix {
  const a = checkMatrix(fn, name, value);
  if (a.rows !== a.cols) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: ${name} must be square. Expected (n, n); received (${a.rows}, ${a.cols}).`,
      { details: { argument: name, received: [a.rows, a.cols] } },
    );
  }
  const tolerance = checkNumber(fn, 'symmetryRtol', symmetryRtol, { min: 0 });
  const n = a.rows;
  const data = a.data;
  const largest = largestMagnitude(data);
  let worst = 0;
  let worstI = 0;
  let worstJ = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const gap = Math.abs(data[i * n + j] - data[j * n + i]);
      if (gap > worst) {
        worst = gap;
        worstI = i;
        worstJ = j;
      }
    }
  }
  if (worst > tolerance * largest) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} is not symmetric. Expected |a[i][j] − a[j][i]| <= ${tolerance} · max|a| = ${tolerance * largest}; ` +
        `received |a[${worstI}][${worstJ}] − a[${worstJ}][${worstI}]| = ${worst}.`,
      { details: { argument: name, row: worstI, col: worstJ, asymmetry: worst, largest } },
    );
  }
  return a;
}

/** Eigenvalues in ascending order and, optionally, the matching unit eigenvectors as columns. */
export interface SymmetricEigen {
  readonly values: Float64Array;
  /** `(n, n)` row-major; column `i` belongs to `values[i]`. */
  readonly vectors: Float64Array | undefined;
  readonly iterations: number;
}

/**
 * Householder tridiagonalisation of the lower triangle of a validated square matrix, then implicit QL for the
 * eigenvalues alone or divide and conquer plus the blocked back-transformation for eigenvectors too. The matrix is
 * first scaled by a power of two (exact) so that its largest entry is near 1.
 *
 * @throws {@link LattnError} `NOT_CONVERGED` when QL needs more than `30·n` sweeps (or a divide-and-conquer step
 * fails).
 */
export function symmetricEigen(fn: string, a: Matrix, wantVectors: boolean): SymmetricEigen {
  const n = a.rows;
  const scale = scaleFactor(a.data);
  const work = allocate(fn, `the (${n}, ${n}) working copy`, n * n);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    for (let j = 0; j <= i; j++) work[o + j] = a.data[o + j] * scale;
  }
  const { diagonal, offDiagonal, tau } = tridiagonalize(work, n);
  let q: Float64Array | undefined;
  let iterations = 0;
  if (wantVectors) {
    const solved = tridiagonalDivideConquer(fn, diagonal, offDiagonal);
    q = solved.vectors;
    iterations = solved.sweeps;
    applyTridiagonalQ(work, n, tau, q, n);
  } else {
    const cap = 30 * Math.max(n, 1);
    const outcome = tridiagonalQl(diagonal, offDiagonal, undefined, 0, cap);
    if (!outcome.converged) {
      throw new LattnError(
        'NOT_CONVERGED',
        `${fn}: the QL iteration did not converge. Expected convergence within ${cap} sweeps; received ${outcome.iterations} sweeps without convergence.`,
        { details: { iterations: outcome.iterations } },
      );
    }
    iterations = outcome.iterations;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => diagonal[x] - diagonal[y]);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = diagonal[order[i]] / scale;
  let vectors: Float64Array | undefined;
  if (q !== undefined) {
    vectors = allocate(fn, `the (${n}, ${n}) eigenvectors`, n * n);
    for (let r = 0; r < n; r++) {
      const o = r * n;
      for (let i = 0; i < n; i++) vectors[o + i] = q[o + order[i]];
    }
  }
  return { values, vectors, iterations };
}
