/**
 * The smallest eigenvalue of a symmetric matrix without a full eigendecomposition: shift-invert Lanczos on a
 * Cholesky factorisation.
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
import { cholesky, choleskySolve } from './cholesky.js';
import { allocate } from './internal/allocate.js';
import {
  DENSE_LIMIT,
  denseExtreme,
  extremeSettings,
  notConverged,
  rayleigh,
  startVector,
  symmetricCopy,
} from './internal/extreme-eigenvalue.js';
import { lanczosLargest } from './internal/lanczos.js';
import type { Matrix } from './matrix.js';
import { largestMagnitude } from './scale-by-power-of-two.js';

/** Options of {@link minEigenvalue} and {@link maxEigenvalue}. */
export interface ExtremeEigenvalueOptions {
  /**
   * Whether to return the eigenvector.
   * @defaultValue `false`
   */
  readonly vector?: boolean;
  /**
   * Convergence tolerance: the returned pair satisfies `‖A·x − value·x‖₂ <= rtol · ‖A‖_F` (`‖A‖_F` is the
   * Frobenius norm, an upper bound on `‖A‖₂` that costs one pass over `A`).
   * @defaultValue `n · ε` (`ε = 2⁻⁵² ≈ 2.2e-16`), the accuracy of a backward-stable dense solver
   */
  readonly rtol?: number;
  /**
   * Largest number of Lanczos steps (Krylov dimension).
   * @defaultValue `min(n, 300)`
   */
  readonly maxIterations?: number;
  /**
   * Seed of the random start vector.
   * @defaultValue `0`
   */
  readonly seed?: number;
  /**
   * Largest accepted asymmetry, relative to the largest entry (see {@link EighOptions.symmetryRtol}); only the
   * lower triangle is used for the computation.
   * @defaultValue `√ε ≈ 1.49e-8`
   */
  readonly symmetryRtol?: number;
}

/**
 * How an extreme eigenvalue was computed: a dense eigendecomposition (`n <= 64`), Lanczos on `A` itself, or
 * Lanczos on `(A − σI)⁻¹` through a Cholesky factorisation.
 */
export type ExtremeEigenvalueMethod = 'dense' | 'lanczos' | 'shift-invert-lanczos';

/** The result of {@link minEigenvalue} and {@link maxEigenvalue}. */
export interface ExtremeEigenvalue {
  /** The eigenvalue: the Rayleigh quotient `xᵀAx` of the returned unit vector (the eigenvalue itself when dense). */
  readonly value: number;
  /** The unit eigenvector `x`, length `n`; present when `options.vector` is `true`. */
  readonly vector?: Float64Array;
  /**
   * `‖A·x − value·x‖₂`, measured on the result: an eigenvalue of `A` lies within this distance of `value` (and
   * within `residualNorm² / gap` when the eigenvalue is separated by `gap` from the rest of the spectrum).
   */
  readonly residualNorm: number;
  /** The route taken; see {@link ExtremeEigenvalueMethod}. */
  readonly method: ExtremeEigenvalueMethod;
  /** Lanczos steps (operator applications), or QL sweeps for the dense route. */
  readonly iterations: number;
  /** The shift `σ` of the shift-invert route (`A − σI` is positive definite); `0` for the other routes. */
  readonly shift: number;
  /** The relative tolerance applied. */
  readonly rtol: number;
  /** `rtol · ‖A‖_F`, the residual bound the iteration had to meet. */
  readonly tolerance: number;
  /** The symmetry tolerance applied. */
  readonly symmetryRtol: number;
}

/** Factor by which the shift moves away after a failed factorisation. */
const SHIFT_GROWTH = 1000;
/** Relative change of the top Ritz value below which the pair is checked in `A`. */
const SETTLED = 1e-4;
/** A Ritz vector whose residual is within this factor of the tolerance is purified before giving up on it. */
const PURIFY_WINDOW = 1e6;

/**
 * The smallest eigenvalue of a symmetric matrix (and optionally its eigenvector), at the cost of about one
 * Cholesky factorisation (`n³/3` multiply–adds) instead of a full eigendecomposition (`4n³/3` and more).
 *
 * Method: with `δ = n·ε·‖A‖_F` and `g` the Gershgorin lower bound of the spectrum, factor `A − σI = LLᵀ` for
 * `σ = max(−δ, g − δ)` (this succeeds for any positive semi-definite `A`, singular included); if it fails, `σ`
 * moves down by factors of 1000 until it does, never below `g − δ`. Lanczos with full reorthogonalisation then runs
 * on `(A − σI)⁻¹`, whose largest eigenvalue `1/(λ_min − σ)` stands out when `λ_min` is separated from the rest;
 * each step is one solve with the factor (`2n²` flops). A candidate Ritz vector — purified by one more solve when
 * that can help (Ericsson & Ruhe) — is accepted once its residual in `A` itself is below `rtol·‖A‖_F`; the answer
 * is its Rayleigh quotient. Matrices with `n <= 64` are solved densely.
 *
 * **Numerical notes:** up to roundoff, `λ_min` lies in `(shift, value]`: the factorisation proves `A − σI`
 * positive definite, and a Rayleigh quotient is never below `λ_min`. `value` is also within `residualNorm` of an
 * eigenvalue (in practice the smallest; a random start vector misses it with probability zero), and within
 * `residualNorm² / gap` when `λ_min` is separated by `gap` from the next eigenvalue. The default accuracy
 * `n·ε·‖A‖_F` is absolute, as for a dense solver: an exactly singular positive semi-definite matrix returns
 * `|value| <= tolerance` (possibly slightly negative), and an eigenvalue below `tolerance` is indistinguishable
 * from zero. Compare `value` with a threshold such as `rtol·λ_max` only when that threshold is well above
 * `tolerance`. Convergence takes a handful of steps when `λ_min` is isolated or exactly repeated (a null space) and
 * up to a few dozen when the bottom of the spectrum is a continuum. Indefinite matrices work too but may cost
 * several factorisations. The matrix is scaled by a power of two first (exactly), so entries from about `1e-300` to
 * `1e300` are safe: residuals are measured where their squares cannot overflow or underflow.
 *
 * @param a - A symmetric `(n, n)` matrix with finite entries, `n >= 1`; only the lower triangle is used.
 * @param options - See {@link ExtremeEigenvalueOptions}.
 * @returns The eigenvalue, optionally its vector, the measured residual, the method, the step count, the shift
 * and the tolerances applied.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `a` is empty or not square; `INVALID_ARGUMENT` when `a` is not a
 * matrix or not symmetric, or an option is unknown or invalid; `NON_FINITE` for NaN or ±Infinity; `NOT_CONVERGED`
 * when the residual bound is not met within `maxIterations` steps (the message gives the residual reached);
 * `TOO_LARGE` when the `(n, n)` working copies cannot be allocated.
 * @example
 * ```ts
 * const { value } = minEigenvalue(fromRows([[2, 1], [1, 2]]));
 * // value: 1 (up to roundoff)
 * ```
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
export function minEigenvalue(a: Matrix, options: ExtremeEigenvalueOptions = {}): ExtremeEigenvalue {
  const settings = extremeSettings('minEigenvalue', a, options);
  const { n, rtol, symmetryRtol } = settings;
  // The working copy is scaled by a power of two (exactly); results are divided by `scale` on the way out.
  const { data: s, frobenius, scale } = symmetricCopy('minEigenvalue', settings.a);
  const tolerance = rtol * frobenius;
  const finish = (
    value: number,
    vector: Float64Array,
    residualNorm: number,
    method: ExtremeEigenvalueMethod,
    iterations: number,
    shift: number,
  ): ExtremeEigenvalue => {
    const result = {
      value: value / scale,
      residualNorm: residualNorm / scale,
      method,
      iterations,
      shift: shift / scale,
      rtol,
      tolerance: tolerance / scale,
      symmetryRtol,
    };
    return settings.wantVector ? { ...result, vector } : result;
  };
  if (n <= DENSE_LIMIT) {
    const dense = denseExtreme('minEigenvalue', s, n, 'min');
    return finish(dense.value, dense.vector, dense.residual, 'dense', dense.iterations, 0);
  }
  const { factor, shift } = shiftedFactor(s, n, frobenius);
  const spread = frobenius + Math.abs(shift);
  const solve = (x: Float64Array): Float64Array => choleskySolve(factor, { rows: n, cols: 1, data: x }).data;
  let best = { value: 0, vector: new Float64Array(n), residual: Number.POSITIVE_INFINITY };
  const outcome = lanczosLargest({
    n,
    apply: (x, y) => y.set(solve(x)),
    start: startVector(n, settings.seed),
    maxSteps: settings.maxIterations,
    // ‖(A − σI)y − y/μ‖ <= ‖A − σI‖·β|s|/μ with ‖A − σI‖ <= ‖A‖_F + |σ|. The bound is loose for a cluster of
    // small eigenvalues (a singular A), so a settled Ritz value also triggers the exact check in A.
    promising: (mu, previous, estimate) =>
      (spread * estimate) / mu <= tolerance || Math.abs(mu - previous) <= SETTLED * mu,
    accept: (_mu, ritz) => {
      const raw = rayleigh(s, n, ritz);
      if (raw.residual < best.residual) best = { value: raw.value, vector: ritz, residual: raw.residual };
      if (raw.residual <= tolerance) return true;
      if (raw.residual > PURIFY_WINDOW * tolerance) return false;
      // Purification (Ericsson & Ruhe 1980): one more application of (A − σI)⁻¹ damps the components along
      // large eigenvalues that Rayleigh–Ritz in the inverted spectrum cannot see (they dominate the residual of a
      // Ritz vector from a cluster of small eigenvalues, as in a singular A).
      const vector = normalized(solve(ritz));
      const { value, residual } = rayleigh(s, n, vector);
      if (residual < best.residual) best = { value, vector, residual };
      return residual <= tolerance;
    },
  });
  if (!outcome.converged) throw notConverged('minEigenvalue', tolerance / scale, best.residual / scale, outcome.steps);
  return finish(best.value, best.vector, best.residual, 'shift-invert-lanczos', outcome.steps, shift);
}

/**
 * Cholesky factor of `A − σI` for the first `σ` in `−δ, −1000δ, …` for which it exists, each clamped from below at
 * `g − δ` (`g` the Gershgorin lower bound, where `A − σI` is strictly diagonally dominant, hence definite).
 */
function shiftedFactor(s: Float64Array, n: number, frobenius: number): { factor: Matrix; shift: number } {
  const delta = frobenius > 0 ? n * 2 ** -52 * frobenius : 1;
  let gershgorin = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    let radius = 0;
    for (let j = 0; j < n; j++) if (j !== i) radius += Math.abs(s[i * n + j]);
    gershgorin = Math.min(gershgorin, s[i * n + i] - radius);
  }
  let floor = gershgorin - delta;
  const shifted = allocate('minEigenvalue', `the (${n}, ${n}) shifted copy`, n * n);
  for (let step = delta; ; step *= SHIFT_GROWTH) {
    const shift = Math.max(-step, floor);
    shifted.set(s);
    for (let i = 0; i < n; i++) shifted[i * n + i] -= shift;
    const result = cholesky({ rows: n, cols: n, data: shifted }, { rtol: 0 });
    if (result.positiveDefinite) return { factor: result.factor, shift };
    // Rounding defeated the Gershgorin bound: keep moving the shift down.
    if (shift === floor) floor = Number.NEGATIVE_INFINITY;
  }
}

function normalized(x: Float64Array): Float64Array {
  const largest = largestMagnitude(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] / largest) ** 2;
  const length = largest * Math.sqrt(sum);
  return x.map((value) => value / length);
}
