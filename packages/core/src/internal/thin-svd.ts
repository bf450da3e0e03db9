/**
 * The thin SVD kernel behind `svd`, `lstsq`, `pinv` and `matrixRank`: Golub–Kahan bidiagonalisation followed by the
 * implicitly shifted bidiagonal QR iteration. Internal: callers validate the input.
 */
import { LattnError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { allocate } from './allocate.js';
import { bidiagonalize, formLeft, formRight } from './bidiagonal.js';
import { bidiagonalQr } from './bidiagonal-qr.js';
import { scaleFactor } from './householder.js';

/** `A = U·diag(s)·Vᵀ` with `k = min(m, n)` singular triples. */
export interface ThinSvd {
  /** Singular values, descending, length `k`. */
  readonly s: Float64Array;
  /** `(m, k)` row-major left singular vectors, when requested. */
  readonly u: Float64Array | undefined;
  /** `(n, k)` row-major right singular vectors, when requested. */
  readonly v: Float64Array | undefined;
  /** Bidiagonal QR steps used. */
  readonly iterations: number;
}

/**
 * Thin SVD of a validated matrix. Wide matrices are handled through their transpose. The data are scaled by a
 * power of two (exact) so the largest entry is near 1.
 *
 * @throws {@link LattnError} `NOT_CONVERGED` when the QR iteration needs more than `30·k` steps.
 */
export function thinSvd(fn: string, a: Matrix, wantVectors: boolean): ThinSvd {
  const m = a.rows;
  const n = a.cols;
  const transposed = m < n;
  const rows = transposed ? n : m;
  const k = transposed ? m : n;
  if (k === 0) {
    return {
      s: new Float64Array(0),
      u: wantVectors ? new Float64Array(0) : undefined,
      v: wantVectors ? new Float64Array(0) : undefined,
      iterations: 0,
    };
  }
  const scale = scaleFactor(a.data);
  const work = allocate(fn, `the (${rows}, ${k}) working copy`, rows * k);
  if (transposed) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) work[j * k + i] = a.data[i * n + j] * scale;
  } else {
    for (let i = 0; i < work.length; i++) work[i] = a.data[i] * scale;
  }
  const { diagonal, superDiagonal, tauLeft, tauRight } = bidiagonalize(work, rows, k);
  const left = wantVectors ? formLeft(work, rows, k, tauLeft) : undefined;
  const right = wantVectors ? formRight(work, k, tauRight) : undefined;
  const cap = 30 * k;
  const outcome = bidiagonalQr(diagonal, superDiagonal, left, rows, right, cap);
  if (!outcome.converged) {
    throw new LattnError(
      'NOT_CONVERGED',
      `${fn}: the bidiagonal QR iteration did not converge. Expected convergence within ${cap} steps; received ${outcome.iterations} steps without convergence.`,
      { details: { iterations: outcome.iterations } },
    );
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => diagonal[y] - diagonal[x]);
  const s = new Float64Array(k);
  for (let i = 0; i < k; i++) s[i] = diagonal[order[i]] / scale;
  if (left === undefined || right === undefined)
    return { s, u: undefined, v: undefined, iterations: outcome.iterations };
  const tall = permuteColumns(left, rows, k, order);
  const square = permuteColumns(right, k, k, order);
  return transposed
    ? { s, u: square, v: tall, iterations: outcome.iterations }
    : { s, u: tall, v: square, iterations: outcome.iterations };
}

function permuteColumns(z: Float64Array, rows: number, cols: number, order: readonly number[]): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let i = 0; i < cols; i++) out[o + i] = z[o + order[i]];
  }
  return out;
}
