/**
 * The linear solve shared by the primal and the dual learner (docs/math/least-squares-and-head-recovery.md §2–3):
 * `(A + λI) X = B` for a symmetric positive semi-definite `A` — the feature Gram `G` `(D, D)` or the kernel matrix
 * `K` `(N, N)` — by Cholesky when the system is well posed, else by the minimum-norm eigen solution.
 */
import {
  cholesky,
  choleskySolve,
  eigh,
  isLattnError,
  type Matrix,
  matmul,
  maxEigenvalue,
  transpose,
} from '@lattn/core';

const INVERSE_ITERATION_STEPS = 30;
const INVERSE_ITERATION_RTOL = 1e-3;

/** Which factorisation solves the system. */
export type Factorization = 'cholesky' | 'eigen';

/** How the system may be solved: decide (`'auto'`), or insist on one factorisation. */
export type FactorizationChoice = 'auto' | Factorization;

/** The extreme eigenvalues of `A` (without the ridge) and how they were obtained. */
export interface EigenvalueRange {
  /** The smallest eigenvalue of `A`. */
  readonly min: number;
  /** The largest eigenvalue of `A`. */
  readonly max: number;
  /**
   * `'eigh'`: both from a full symmetric eigendecomposition, accurate to a small multiple of `n · ε · ‖A‖`.
   * `'estimate'`: `max` from core's `maxEigenvalue` (Lanczos, residual below `1e-10 · ‖A‖_F`), `min` from inverse
   * iteration with the Cholesky factor of the solve — an upper bound on `λ_min`, stopped when a step changes it by
   * less than `1e-3` relative (at most 30 steps): close to exact when `λ_min` is isolated, a few percent high when
   * the bottom of the spectrum is a continuum (3 % at `d = 12` with Gaussian tokens).
   */
  readonly method: 'eigh' | 'estimate';
}

/** The solution of {@link solveSymmetric} with its diagnostics. */
export interface SymmetricSolution {
  /** `X`, shape `(n, k)`. */
  readonly solution: Matrix;
  /** The factorisation used. */
  readonly factorization: Factorization;
  /** The numerical rank of `A + λI`: `n` on the Cholesky route, the count of kept eigenvalues on the eigen route. */
  readonly rank: number;
  /** The extreme eigenvalues of `A` (not counting the ridge). */
  readonly eigenvalues: EigenvalueRange;
  /** Notes on fallbacks and ill-conditioning. */
  readonly warnings: readonly string[];
}

/**
 * Solves `(A + λI) X = B` for symmetric PSD `A` `(n, n)` and `B` `(n, k)`.
 *
 * `'auto'`: Cholesky of `A + λI`; if it succeeds and the inverse-iteration estimate of `λ_min(A + λI)` exceeds
 * `rtol · λ_max(A + λI)`, the Cholesky solution; otherwise the eigen route: `A + λI = Q diag(μ) Qᵀ`, eigenvalues
 * `μ_i <= rtol · μ_max` count as zero, `X = Σ_{μ_i > rtol·μ_max} q_i (q_iᵀ B) / μ_i` — the minimum-norm
 * least-squares solution. `'cholesky'` uses Cholesky whenever it succeeds (warning when ill posed) and falls back
 * to the eigen route otherwise; `'eigen'` always uses the eigen route.
 */
export function solveSymmetric(
  a: Matrix,
  b: Matrix,
  options: { readonly ridge: number; readonly rtol: number; readonly factorization: FactorizationChoice },
): SymmetricSolution {
  const { ridge, rtol, factorization } = options;
  const n = a.rows;
  const shifted = ridge > 0 ? addDiagonal(a, ridge) : a;
  const warnings: string[] = [];
  if (factorization !== 'eigen') {
    const { factor, positiveDefinite } = cholesky(shifted);
    const extremes = positiveDefinite ? extremeEigenvalues(shifted, factor) : undefined;
    if (positiveDefinite && extremes === undefined) {
      warnings.push('the Lanczos estimate of λ_max did not converge; used the eigen route instead.');
    }
    if (extremes !== undefined) {
      const { min, max } = extremes;
      const wellPosed = min > rtol * max;
      if (wellPosed || factorization === 'cholesky') {
        if (!wellPosed) {
          warnings.push(
            `the system is numerically singular (λ_min ≈ ${min.toExponential(3)} <= rtol · λ_max = ${(rtol * max).toExponential(3)}): the Cholesky solution is not the minimum-norm one and may be inaccurate; use solver 'eigen' or 'auto'.`,
          );
        }
        return {
          solution: choleskySolve(factor, b),
          factorization: 'cholesky',
          rank: n,
          eigenvalues: { min: min - ridge, max: max - ridge, method: 'estimate' },
          warnings,
        };
      }
    } else if (factorization === 'cholesky' && !positiveDefinite) {
      warnings.push(
        "Cholesky failed (the matrix is not numerically positive definite); fell back to the minimum-norm eigen solution. Add a ridge to keep solver 'cholesky'.",
      );
    }
  }
  const decomposition = eigh(shifted, { vectors: true });
  const values = decomposition.values; // ascending
  const vectors = decomposition.vectors as Matrix; // (n, n), column i belongs to values[i]
  const largest = Math.max(values[n - 1] ?? 0, 0);
  const threshold = rtol * largest;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (values[i] > threshold) kept.push(i);
  const k = b.cols;
  const basis = new Float64Array(n * kept.length); // Q_r (n, r): the kept eigenvectors
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < kept.length; c++) basis[i * kept.length + c] = vectors.data[i * n + kept[c]];
  }
  const q: Matrix = { rows: n, cols: kept.length, data: basis };
  const projected = matmul(transpose(q), b); // Q_rᵀ B (r, k)
  for (let c = 0; c < kept.length; c++) {
    const inverse = 1 / values[kept[c]];
    for (let j = 0; j < k; j++) projected.data[c * k + j] *= inverse; // diag(1/μ) Q_rᵀ B
  }
  return {
    solution: matmul(q, projected), // (n, k)
    factorization: 'eigen',
    rank: kept.length,
    eigenvalues: { min: (values[0] ?? 0) - ridge, max: (values[n - 1] ?? 0) - ridge, method: 'eigh' },
    warnings,
  };
}

/** A fresh `A + λI`. */
function addDiagonal(a: Matrix, ridge: number): Matrix {
  const data = a.data.slice();
  for (let i = 0; i < a.rows; i++) data[i * a.cols + i] += ridge;
  return { rows: a.rows, cols: a.cols, data };
}

/**
 * `λ_max` of a positive definite `A` by core's `maxEigenvalue`, and `λ_min` by inverse iteration with its Cholesky
 * factor `L` (`x ← (LLᵀ)⁻¹ x`, two triangular solves): `1 / (xᵀ(LLᵀ)⁻¹x)` for unit `x` is an upper bound on `λ_min`
 * that converges at rate `λ_min/λ₂` — within a step or two exactly when `λ_min` is small and isolated, the case the
 * well-posedness test must catch. `undefined` when `maxEigenvalue` does not converge.
 */
function extremeEigenvalues(a: Matrix, factor: Matrix): { min: number; max: number } | undefined {
  let max: number;
  try {
    max = maxEigenvalue(a, { rtol: 1e-10 }).value;
  } catch (error) {
    if (isLattnError(error) && error.code === 'NOT_CONVERGED') return undefined;
    throw error;
  }
  const n = a.rows;
  let x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 1 + ((i * 0.7548776662466927) % 1); // a fixed start with no special structure
  scale(x, 1 / Math.sqrt(dot(x, x)));
  let min = Number.POSITIVE_INFINITY;
  for (let step = 0; step < INVERSE_ITERATION_STEPS; step++) {
    const y = choleskySolve(factor, { rows: n, cols: 1, data: x }).data; // (LLᵀ)⁻¹ x
    const next = 1 / dot(x, y);
    x = y;
    scale(x, 1 / Math.sqrt(dot(x, x)));
    const settled = Math.abs(min - next) <= INVERSE_ITERATION_RTOL * next;
    min = Math.min(min, next);
    if (settled) break;
  }
  return { min, max };
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * y[i];
  return sum;
}

function scale(x: Float64Array, factor: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= factor;
}
