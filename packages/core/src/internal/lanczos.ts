/**
 * The Lanczos iteration with full reorthogonalisation for the largest eigenvalue of a symmetric operator
 * (Golub & Van Loan §10.1; Parlett, The Symmetric Eigenvalue Problem, ch. 13). Internal.
 *
 * After `j` steps the Krylov basis `Q_j` (`j` orthonormal rows of length `n`) and the tridiagonal
 * `T_j = Q_jᵀ·Op·Q_j` satisfy `Op·Q_j = Q_j·T_j + β_j·q_{j+1}·e_jᵀ`, so a Ritz pair `(θ, y = Q_j·s)` of `T_j` has
 * residual `‖Op·y − θ·y‖ = β_j·|s_j|` (the last component of `s`), available without touching `Op`. Every new
 * vector is orthogonalised twice against the whole basis ("twice is enough"), which keeps that estimate honest.
 */
import { tridiagonalQl } from './tridiagonal-ql.js';

/** What the caller supplies to {@link lanczosLargest}. */
export interface LanczosProblem {
  /** Dimension. */
  readonly n: number;
  /** `y ← Op·x`; must not keep references to `x` or `y`. */
  readonly apply: (x: Float64Array, y: Float64Array) => void;
  /** Non-zero start vector (not modified). */
  readonly start: Float64Array;
  /** Largest Krylov dimension (at most `n`). */
  readonly maxSteps: number;
  /**
   * Whether to try the top Ritz pair, given its value `θ`, the previous step's top value, and the residual
   * estimate `β·|s|` (its exact residual in `Op`).
   */
  readonly promising: (theta: number, previousTheta: number, residualEstimate: number) => boolean;
  /** Final check of a Ritz pair (for example its residual in another operator); `true` stops the iteration. */
  readonly accept: (theta: number, vector: Float64Array) => boolean;
}

/** Outcome of {@link lanczosLargest}. */
export interface LanczosOutcome {
  /** The last top Ritz value. */
  readonly theta: number;
  /** Its Ritz vector (unit length). */
  readonly vector: Float64Array;
  /** Lanczos steps taken (applications of `Op`). */
  readonly steps: number;
  /** Whether `accept` returned `true`. */
  readonly converged: boolean;
}

/** Runs Lanczos until a top Ritz pair is accepted, the Krylov space is exhausted, or `maxSteps` is reached. */
export function lanczosLargest(problem: LanczosProblem): LanczosOutcome {
  const { n, apply, start, promising, accept } = problem;
  const maxSteps = Math.min(problem.maxSteps, n);
  const basis = new Float64Array(maxSteps * n);
  const alpha = new Float64Array(maxSteps);
  const beta = new Float64Array(maxSteps);
  const w = new Float64Array(n);
  let norm = 0;
  for (let i = 0; i < n; i++) norm += start[i] * start[i];
  norm = Math.sqrt(norm);
  for (let i = 0; i < n; i++) basis[i] = start[i] / norm;
  let theta = Number.NaN;
  let vector = basis.slice(0, n);
  for (let j = 0; j < maxSteps; j++) {
    const q = basis.subarray(j * n, (j + 1) * n);
    apply(q, w);
    let a = 0;
    for (let i = 0; i < n; i++) a += q[i] * w[i];
    alpha[j] = a;
    // Full reorthogonalisation against q_0 … q_j (classical Gram–Schmidt, twice).
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p <= j; p++) {
        const o = p * n;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += basis[o + i] * w[i];
        for (let i = 0; i < n; i++) w[i] -= dot * basis[o + i];
      }
    }
    let b = 0;
    for (let i = 0; i < n; i++) b += w[i] * w[i];
    b = Math.sqrt(b);
    beta[j] = b;
    const top = topRitzPair(alpha, beta, j + 1, false);
    if (!top.converged) return { theta, vector, steps: j + 1, converged: false };
    const previousTheta = theta;
    theta = top.theta;
    // The Krylov space is invariant when β is at roundoff level relative to ‖T‖.
    const exhausted = j === n - 1 || b <= 2 ** -52 * top.norm;
    const estimate = exhausted ? 0 : b * Math.abs(top.last);
    if (exhausted || promising(theta, previousTheta, estimate)) {
      const s = topRitzPair(alpha, beta, j + 1, true).vector;
      vector = new Float64Array(n);
      for (let p = 0; p <= j; p++) {
        const o = p * n;
        const sp = s[p];
        for (let i = 0; i < n; i++) vector[i] += sp * basis[o + i];
      }
      let length = 0;
      for (let i = 0; i < n; i++) length += vector[i] * vector[i];
      length = Math.sqrt(length);
      for (let i = 0; i < n; i++) vector[i] /= length;
      if (accept(theta, vector)) return { theta, vector, steps: j + 1, converged: true };
      if (exhausted) return { theta, vector, steps: j + 1, converged: false };
    }
    if (j + 1 < maxSteps) {
      const o = (j + 1) * n;
      for (let i = 0; i < n; i++) basis[o + i] = w[i] / b;
    }
  }
  return { theta, vector, steps: maxSteps, converged: false };
}

/**
 * The largest eigenvalue of the `size × size` tridiagonal `T` (diagonal `alpha`, off-diagonal `beta`), the last
 * component of its unit eigenvector, `max|θ|` (a norm estimate), when `wantVector` the whole eigenvector, and
 * whether QL converged.
 */
function topRitzPair(
  alpha: Float64Array,
  beta: Float64Array,
  size: number,
  wantVector: boolean,
): { theta: number; last: number; norm: number; vector: Float64Array; converged: boolean } {
  const d = alpha.slice(0, size);
  const e = new Float64Array(size);
  e.set(beta.subarray(0, size - 1));
  // With Z = I (or its last row), Z·S holds the eigenvectors (or their last components).
  const rows = wantVector ? size : 1;
  const z = new Float64Array(rows * size);
  if (wantVector) for (let i = 0; i < size; i++) z[i * size + i] = 1;
  else z[size - 1] = 1;
  const { converged } = tridiagonalQl(d, e, z, rows, 30 * size);
  let top = 0;
  let norm = 0;
  for (let i = 0; i < size; i++) {
    if (d[i] > d[top]) top = i;
    norm = Math.max(norm, Math.abs(d[i]));
  }
  const vector = new Float64Array(wantVector ? size : 0);
  if (wantVector) for (let i = 0; i < size; i++) vector[i] = z[i * size + top];
  return { theta: d[top], last: z[(rows - 1) * size + top], norm, vector, converged };
}
