/**
 * The linear solve shared by the primal and the dual learner (docs/math/least-squares-and-head-recovery.md §2–3):
 * `(A + λI) X = B` for a symmetric positive semi-definite `A` — the feature Gram `G` `(D, D)` or the kernel matrix
 * `K` `(N, N)` — by Cholesky when the system is well posed, else by the minimum-norm eigen solution.
 */
import { cholesky, choleskySolve, eigh, type Matrix, matmul, transpose } from '@lattn/core';

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
   * `'eigh'`: from a full symmetric eigendecomposition (accurate to about `n · ε · max`); `'iteration'`: `max` from
   * power iteration (a lower bound) and `min` from inverse iteration with the Cholesky factor (an upper bound),
   * each stopped at a relative change below `1e-6`.
   */
  readonly method: 'eigh' | 'iteration';
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

const ITERATION_RTOL = 1e-6;
const MAX_ITERATIONS = 200;

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
    if (positiveDefinite) {
      const max = largestEigenvalue(shifted);
      const min = smallestEigenvalue(factor);
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
          eigenvalues: { min: min - ridge, max: max - ridge, method: 'iteration' },
          warnings,
        };
      }
    } else if (factorization === 'cholesky') {
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
 * `λ_max` of a symmetric PSD matrix by power iteration from a fixed start (all ones plus a deterministic
 * perturbation): the Rayleigh quotient, a lower bound that converges at rate `(λ₂/λ₁)²`.
 */
function largestEigenvalue(a: Matrix): number {
  const n = a.rows;
  let x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 1 + ((i * 0.6180339887498949) % 1);
  normalize(x);
  let estimate = 0;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const y = multiply(a, x);
    const next = dot(x, y); // xᵀ A x with ‖x‖ = 1
    x = y;
    if (normalize(x) === 0) return 0;
    if (Math.abs(next - estimate) <= ITERATION_RTOL * next) return next;
    estimate = next;
  }
  return estimate;
}

/**
 * `λ_min` of `L Lᵀ` by inverse iteration with the Cholesky factor: `1 / (xᵀ (LLᵀ)⁻¹ x)` for unit `x`, an upper bound
 * that converges at rate `λ_min/λ₂` (fast exactly when `λ_min` is isolated and small, the case that matters).
 */
function smallestEigenvalue(factor: Matrix): number {
  const n = factor.rows;
  let x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 1 + ((i * 0.7548776662466927) % 1);
  normalize(x);
  let estimate = Number.POSITIVE_INFINITY;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const y = choleskySolve(factor, { rows: n, cols: 1, data: x }).data; // (LLᵀ)⁻¹ x
    const next = 1 / dot(x, y);
    x = y;
    normalize(x);
    if (Math.abs(next - estimate) <= ITERATION_RTOL * next) return next;
    estimate = next;
  }
  return estimate;
}

function multiply(a: Matrix, x: Float64Array): Float64Array {
  const n = a.rows;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a.data[i * n + j] * x[j];
    y[i] = sum;
  }
  return y;
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * y[i];
  return sum;
}

function normalize(x: Float64Array): number {
  const norm = Math.sqrt(dot(x, x));
  if (norm > 0) for (let i = 0; i < x.length; i++) x[i] /= norm;
  return norm;
}
