/**
 * The largest eigenvalue of a symmetric matrix without a full eigendecomposition: Lanczos on the matrix itself.
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */

import {
  DENSE_LIMIT,
  denseExtreme,
  extremeSettings,
  multiply,
  notConverged,
  rayleigh,
  startVector,
  symmetricCopy,
} from './internal/extreme-eigenvalue.js';
import { lanczosLargest } from './internal/lanczos.js';
import { wasmSymmetricOperator } from './internal/wasm/symmetric-operator.js';
import type { Matrix } from './matrix.js';
import type { ExtremeEigenvalue, ExtremeEigenvalueOptions } from './min-eigenvalue.js';

/**
 * The largest eigenvalue of a symmetric matrix (and optionally its eigenvector), with `O(n²)` work per step and no
 * factorisation.
 *
 * Method: Lanczos with full reorthogonalisation on `A` from a seeded random start vector; the top Ritz value of
 * the Krylov space converges to `λ_max` at a rate set by the relative gap `(λ₁ − λ₂)/(λ₁ − λ_n)`. The answer is
 * the Rayleigh quotient of the Ritz vector, accepted once its measured residual is below `rtol·‖A‖_F`. Matrices
 * with `n <= 64` are solved densely.
 *
 * **Numerical notes:** `value` is within `residualNorm` of an eigenvalue of `A` (in practice the largest) and
 * never above `λ_max`. A tight cluster at the top of the spectrum (eigenvalues closer than about `1e-6·‖A‖`
 * but not equal) slows convergence; raise `maxIterations` or `rtol`, or use {@link eigh}, if it throws
 * `NOT_CONVERGED`. For `λ_max` of a positive semi-definite matrix (the certificate's use) the gap is normally large.
 * The matrix is scaled by a power of two first (exactly), so entries from about `1e-300` to `1e300` are safe:
 * residuals are measured where their squares cannot overflow or underflow.
 *
 * @param a - A symmetric `(n, n)` matrix with finite entries, `n >= 1`; only the lower triangle is used.
 * @param options - See {@link ExtremeEigenvalueOptions}.
 * @returns The eigenvalue, optionally its vector, the measured residual, the method, the step count and the
 * tolerances applied (`shift` is `0`).
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `a` is empty or not square; `INVALID_ARGUMENT` when `a` is not a
 * matrix or not symmetric, or an option is unknown or invalid; `NON_FINITE` for NaN or ±Infinity; `NOT_CONVERGED`
 * when the residual bound is not met within `maxIterations` steps; `TOO_LARGE` when the `(n, n)` working copy cannot be
 * allocated.
 * @example
 * ```ts
 * const { value } = maxEigenvalue(fromRows([[2, 1], [1, 2]]));
 * // value: 3 (up to roundoff)
 * ```
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
export function maxEigenvalue(a: Matrix, options: ExtremeEigenvalueOptions = {}): ExtremeEigenvalue {
  const settings = extremeSettings('maxEigenvalue', a, options);
  const { n, rtol, symmetryRtol } = settings;
  // The working copy is scaled by a power of two (exactly); results are divided by `scale` on the way out.
  const { data: s, frobenius, scale } = symmetricCopy('maxEigenvalue', settings.a);
  const tolerance = rtol * frobenius;
  const finish = (
    value: number,
    vector: Float64Array,
    residualNorm: number,
    method: 'dense' | 'lanczos',
    iterations: number,
  ): ExtremeEigenvalue => {
    const result = {
      value: value / scale,
      residualNorm: residualNorm / scale,
      method,
      iterations,
      shift: 0,
      rtol,
      tolerance: tolerance / scale,
      symmetryRtol,
    };
    return settings.wantVector ? { ...result, vector } : result;
  };
  if (n <= DENSE_LIMIT) {
    const dense = denseExtreme('maxEigenvalue', s, n, 'max');
    return finish(dense.value, dense.vector, dense.residual, 'dense', dense.iterations);
  }
  let best = { value: 0, vector: new Float64Array(n), residual: Number.POSITIVE_INFINITY };
  const outcome = lanczosLargest({
    n,
    // The products on the WASM kernels when there are any (the Lanczos loop runs no other kernel in between).
    apply: wasmSymmetricOperator(s, n) ?? ((x, y) => multiply(s, n, x, y)),
    start: startVector(n, settings.seed),
    maxSteps: settings.maxIterations,
    promising: (_theta, _previous, estimate) => estimate <= tolerance,
    accept: (_theta, vector) => {
      const { value, residual } = rayleigh(s, n, vector);
      if (residual < best.residual) best = { value, vector, residual };
      return residual <= tolerance;
    },
  });
  if (!outcome.converged) throw notConverged('maxEigenvalue', tolerance / scale, best.residual / scale, outcome.steps);
  return finish(best.value, best.vector, best.residual, 'lanczos', outcome.steps);
}
