/**
 * Head recovery (SPEC §3 steps 3–4, docs/math/least-squares-and-head-recovery.md §4): turn folded weights `w`
 * `(dOut, D)` back into an MHLA with few heads.
 *
 * - The paper's route: the SVD of the symmetric unfolding `X₀ = unfoldWeights(w)` `(dOut·d, d²)`; each singular
 *   triple `σ u vᵀ` is a head `V_h = reshape(σu)`, `Q_h = reshape(v)` — up to `min(dOut·d, d²)` heads.
 * - Minimal heads: alternating projection between the rank-`H` matrices (truncated SVD) and the affine set
 *   `{ X : foldUnfolded(X) = w }` of all unfoldings of `w` (the free j↔k split of each pair's sum), then a
 *   Levenberg–Marquardt polish of the factors `X = U Vᵀ`, which together find an exact `H`-head model when one
 *   exists; `heads: 'auto'` searches `H = 1, 2, …` for the smallest that works.
 */
import {
  checkInteger,
  checkKnownKeys,
  checkMatrix,
  checkNumber,
  cholesky,
  choleskySolve,
  createRng,
  describe,
  eigh,
  LattnError,
  largestMagnitude,
  type Matrix,
  type ProgressCallback,
  type Rng,
  rescaleExponent,
  svd,
  timesPowerOfTwo,
} from '@lattn/core';
import {
  createModel,
  type Equivalence,
  type EquivalenceOptions,
  equivalent,
  featureDim,
  type MhlaHead,
  type MhlaModel,
  pairIndex,
  unfoldWeights,
} from '@lattn/feature-map';
import { scaleMatrix } from './scale.js';

/** Options of {@link recoverHeads}. */
export interface RecoverHeadsOptions {
  /**
   * `'full'`: the paper's SVD route (every singular value above `rtol · σ₁` is a head). `'auto'`: the smallest `H`
   * whose alternating-projection model is `equivalent` to `w`, searched upward from 1 (falls back to `'full'` when
   * none below the SVD head count works). A number `H`: exactly `H` heads by alternating projection (or the SVD
   * route when `H` is at least the SVD head count, which then gives that many heads).
   * @defaultValue `'full'`
   */
  readonly heads?: 'full' | 'auto' | number;
  /**
   * Singular values of the symmetric unfolding at or below `rtol · σ₁` are zero (they give no head).
   * @defaultValue `max(dOut·d, d²) · ε`
   */
  readonly rtol?: number;
  /**
   * Iteration cap of the alternating-projection phase of one attempt.
   * @defaultValue `500`
   */
  readonly maxIterations?: number;
  /**
   * Whether an attempt that alternating projection did not finish is polished by Levenberg–Marquardt on the
   * factors `X = U Vᵀ` (up to 100 steps; only when `H · (dOut·d + d²) <= 2048` parameters). Alternating projection
   * converges linearly and sometimes very slowly; the polish converges quadratically once near a solution.
   * @defaultValue `true`
   */
  readonly polish?: boolean;
  /**
   * An attempt has converged when the relative folded-weight error of its rank-`H` iterate,
   * `‖foldUnfolded(X_H) − w‖_F / ‖w‖_F`, is at or below `tolerance`.
   * @defaultValue `1e-12`
   */
  readonly tolerance?: number;
  /**
   * Extra attempts per head count, made while none has found an equivalent model: Levenberg–Marquardt from random
   * factors (or, with the polish off or too large, alternating projection from a random split of `w`). The first
   * attempt starts from the symmetric split; both phases can stall in spurious local minima, which random factor
   * starts escape.
   * @defaultValue `10`
   */
  readonly restarts?: number;
  /**
   * Tolerances of the final `equivalent(model, w)` check (and of the `'auto'` search).
   * @defaultValue feature-map's defaults (`rtol = 1e-9`, `atol = 0`)
   */
  readonly equivalence?: EquivalenceOptions;
  /**
   * Seed of the random starting subspaces and of the random splits of the restarts.
   * @defaultValue `0`
   */
  readonly seed?: number;
  /**
   * Receives `{ stage: 'heads', done: H, total }` per head count tried by `'auto'`,
   * `{ stage: 'projection', done: iteration, total: maxIterations }` every 100 iterations and at the end of each
   * projection phase, and `{ stage: 'polish', done: step, total: 100 }` at the end of each polish.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** How one alternating-projection attempt ended. */
export type ProjectionOutcome = 'converged' | 'stagnated' | 'max-iterations';

/** One alternating-projection attempt of {@link recoverHeads}. */
export interface ProjectionAttempt {
  /** The head count `H` attempted. */
  readonly numHeads: number;
  /** `0` for the symmetric start, `1, 2, …` for the random restarts. */
  readonly restart: number;
  /** Alternating-projection iterations run. */
  readonly iterations: number;
  /** Levenberg–Marquardt steps of the polish (`0` when it did not run). */
  readonly polishIterations: number;
  /** The final relative folded-weight error `‖foldUnfolded(X_H) − w‖_F / ‖w‖_F`. */
  readonly relativeWeightError: number;
  /**
   * `'converged'` (error at or below `tolerance`); otherwise how the last phase ended: `'stagnated'` (projection
   * made less than 0.1 % progress over 100 iterations, or the polish could not reduce the error further) or
   * `'max-iterations'`.
   */
  readonly outcome: ProjectionOutcome;
}

/** The result of {@link recoverHeads}. */
export interface HeadRecovery {
  /** The recovered model: `numHeads` heads, `value` `(dOut, d)`, `query` `(d, d)`. */
  readonly model: MhlaModel;
  /** Its head count `H`. */
  readonly numHeads: number;
  /** `'svd'` (the paper's route) or `'alternating-projection'` (minimal heads). */
  readonly method: 'svd' | 'alternating-projection';
  /** The singular values of the symmetric unfolding `unfoldWeights(w)`, descending (`min(dOut·d, d²)` of them). */
  readonly singularValues: Float64Array;
  /** The number of singular values above `rtol · σ₁`: the paper's head count. */
  readonly svdRank: number;
  /**
   * A proven lower bound on the head count of any model with these folded weights (up to singular values below
   * `1e-6` relative): `⌈rank(S)/2⌉` for the symmetric `(d, d)` contraction `S` of `w` described in the math notes.
   * `'auto'` starts its search there.
   */
  readonly headLowerBound: number;
  /**
   * What truncating to `numHeads` heads lost: `singularValueRatio` is `σ_{H+1}/σ₁` of the unfolding the heads were
   * cut from (the symmetric split for `'svd'`, the last iterate for alternating projection; `0` when nothing was
   * cut), `relativeWeightError` is `‖fold(model) − w‖_F / ‖w‖_F`.
   */
  readonly truncationError: { readonly singularValueRatio: number; readonly relativeWeightError: number };
  /** Whether `model` computes the same function as `w` (feature-map's `equivalent`). */
  readonly equivalent: boolean;
  /** `‖fold(model) − w‖_F`. */
  readonly distance: number;
  /** The equivalence check behind `equivalent` and `distance`. */
  readonly equivalence: Equivalence;
  /** Total alternating-projection iterations over all attempts (`0` for `'full'`); polish steps not included. */
  readonly iterations: number;
  /** `true` for `'svd'`; for alternating projection, whether the returned attempt reached `tolerance`. */
  readonly converged: boolean;
  /** Every alternating-projection attempt, in order (empty for `'full'`). */
  readonly attempts: readonly ProjectionAttempt[];
  /** The singular-value tolerance applied. */
  readonly rtol: number;
  /** The alternating-projection tolerance applied. */
  readonly tolerance: number;
  /** Human-readable notes, for example that no exact `H`-head model was found. */
  readonly warnings: readonly string[];
}

const EPSILON = 2 ** -52;
const STAGNATION_WINDOW = 100;
const STAGNATION_PROGRESS = 1e-3;
const POLISH_STEPS = 100;
const MAX_POLISH_PARAMETERS = 2048;
const OPTION_KEYS = [
  'heads',
  'rtol',
  'maxIterations',
  'polish',
  'tolerance',
  'restarts',
  'equivalence',
  'seed',
  'onProgress',
];

/**
 * Recovers attention heads from folded weights: the paper's SVD route (up to `d²` heads), or the minimal number of
 * heads by alternating projection.
 *
 * The folded weights fix each pair sum `W[a,j,k,l] + W[a,k,j,l]` but not its split; the symmetric split usually
 * has full rank even when `w` came from 2 heads. Alternating projection moves between rank-`H` matrices (a
 * truncated SVD, here a warm-started block power step of rank `H + 1` with a Rayleigh–Ritz rotation) and the
 * unfoldings of `w` (restore each pair's sum by adding half the discrepancy to each of its two entries; `j = k`
 * entries are fixed). It converges linearly, sometimes very slowly, so an unfinished attempt is polished by
 * Levenberg–Marquardt on the factors `X = U Vᵀ`, which converges quadratically near a solution. Both can stall in
 * spurious local minima, so up to `restarts` further attempts run the polish from random factors. `'auto'` starts
 * at a proven lower bound on the head count (`headLowerBound`) and stops at the first `H` that is `equivalent`.
 *
 * Decision: failing to find an exact `H`-head model is a result, not an error — for a fixed `H` the best rank-`H`
 * attempt is returned with `converged: false`, `equivalent: false` and a warning (it is still the best `H`-head
 * approximation found), because "no `H`-head model reproduces this function" is a legitimate answer.
 *
 * Notes: the SVD route is exact to rounding (`relativeWeightError ≈ 1e-15`). In 108 random-teacher trials (`d` from
 * 2 to 8, `dOut` 2–4, 2–4 heads, 6 seeds each) `'auto'` returned an equivalent model every time and the generic
 * minimal head count in 107 (in the other, 31 attempts found no 3-head solution, so it returned 4 heads), in
 * 0.03–1 s each. The search is local, so the count is an upper bound, exact in the generic case; it is never a wrong
 * model. Cost per projection iteration `O(dOut · d³ · H)`, per polish step `O(dOut · D · H²) + P³/3` with
 * `P = H · (dOut·d + d²)`. Equivalence is judged on folded weights, so heads are defined up to scaling, mixing and
 * the j↔k split (see feature-map's `equivalent`). Weights beyond `2^±32` (a fit of data at `1e±50` and beyond) are
 * divided by a power of two first and the value matrices multiplied back, exactly, so norms cannot overflow or
 * underflow; `options.equivalence.atol` is in the units of the weights as given.
 *
 * @param fit - A {@link LinearAttentionFit}, or any `{ weights, modelDim }` with folded weights `(dOut, D)`,
 * `D = featureDim(modelDim)`.
 * @param options - See {@link RecoverHeadsOptions}.
 * @returns The recovered model and its diagnostics; see {@link HeadRecovery}.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed input or option; `SHAPE_MISMATCH` when the weights
 * do not have `featureDim(modelDim)` columns; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * const fit = fitLinearAttention(dataset); // from a 2-head teacher
 * recoverHeads(fit).numHeads; // up to d² (the paper's route)
 * const minimal = recoverHeads(fit, { heads: 'auto' });
 * minimal.numHeads; // 2
 * minimal.equivalent; // true
 * ```
 * @see docs/math/least-squares-and-head-recovery.md §4
 */
export function recoverHeads(
  fit: { readonly weights: Matrix; readonly modelDim: number },
  options?: RecoverHeadsOptions,
): HeadRecovery {
  const fn = 'recoverHeads';
  if (typeof fit !== 'object' || fit === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: fit must be a fit or { weights, modelDim }. Expected an object; received ${describe(fit)}.`,
    );
  }
  const modelDim = checkInteger(fn, 'fit.modelDim', fit.modelDim, { min: 1 });
  const original = checkMatrix(fn, 'fit.weights', fit.weights);
  // d²(d+1)/2 as a float: exact wherever it can equal a column count, and never an error for a huge modelDim.
  const dim = (modelDim * modelDim * (modelDim + 1)) / 2;
  if (original.cols !== dim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: fit.weights has the wrong shape. Expected (any, ${dim}) for modelDim ${modelDim}; received (${original.rows}, ${original.cols}).`,
      { details: { argument: 'fit.weights', expected: [undefined, dim], received: [original.rows, original.cols] } },
    );
  }
  if (original.rows === 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: fit.weights has no rows. Expected folded weights (outputDim >= 1, ${original.cols}); received (0, ${original.cols}).`,
    );
  }
  checkKnownKeys(fn, 'options', options, OPTION_KEYS);
  // Weights beyond 2^±32 are divided by 2^e (exactly) so that norms and products stay inside float64; the heads'
  // value matrices are multiplied back by 2^e and the final check runs against the weights as given.
  const exponent = rescaleExponent(largestMagnitude(original.data));
  const weights = scaleMatrix(original, -exponent);
  const outputDim = weights.rows;
  const rows = outputDim * modelDim;
  const cols = modelDim * modelDim;
  const heads = readHeads(fn, options?.heads);
  const rtol =
    options?.rtol === undefined
      ? Math.max(rows, cols) * EPSILON
      : checkNumber(fn, 'options.rtol', options.rtol, { min: 0, max: 1 });
  const maxIterations =
    options?.maxIterations === undefined
      ? 500
      : checkInteger(fn, 'options.maxIterations', options.maxIterations, { min: 1 });
  const polish = options?.polish ?? true;
  if (typeof polish !== 'boolean') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.polish must be a boolean. Expected true or false; received ${describe(polish)}.`,
    );
  }
  const tolerance =
    options?.tolerance === undefined
      ? 1e-12
      : checkNumber(fn, 'options.tolerance', options.tolerance, { min: 0, exclusiveMin: true });
  const restarts =
    options?.restarts === undefined ? 10 : checkInteger(fn, 'options.restarts', options.restarts, { min: 0 });
  const seed = options?.seed === undefined ? 0 : checkInteger(fn, 'options.seed', options.seed);
  const userEquivalence = readEquivalence(fn, options?.equivalence);
  const equivalenceOptions: EquivalenceOptions =
    userEquivalence.atol === undefined
      ? userEquivalence
      : { ...userEquivalence, atol: timesPowerOfTwo(userEquivalence.atol, -exponent) };
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.onProgress must be a function. Expected a function or undefined; received ${describe(onProgress)}.`,
    );
  }

  const context: Context = {
    weights,
    modelDim,
    outputDim,
    rows,
    cols,
    maxIterations,
    polish,
    tolerance,
    onProgress,
    foldIndex: foldIndex(modelDim, outputDim),
    original,
    exponent,
    userEquivalence,
  };
  const symmetric = unfoldWeights(weights); // X₀ (dOut·d, d²), the symmetric split
  const spectrum = svd(symmetric); // X₀ = U diag(σ) Vᵀ
  const singularValues = spectrum.s;
  const left = spectrum.u as Matrix; // (dOut·d, r)
  const right = spectrum.v as Matrix; // (d², r)
  const largest = singularValues[0] ?? 0;
  let svdRank = 0;
  while (svdRank < singularValues.length && singularValues[svdRank] > rtol * largest) svdRank++;
  const rng = createRng(seed);
  const headLowerBound = lowerBound(weights, modelDim, rng);
  const base = { singularValues, svdRank, headLowerBound, rtol, tolerance };

  const fromSvd = (warnings: string[], attempts: ProjectionAttempt[], iterations: number): HeadRecovery => {
    const model = headsFromFactors(context, left, singularValues, right, svdRank);
    return report(context, model, equivalenceOptions, {
      ...base,
      method: 'svd',
      singularValueRatio: svdRank < singularValues.length && largest > 0 ? singularValues[svdRank] / largest : 0,
      iterations,
      converged: true,
      attempts,
      warnings,
    });
  };

  if (heads === 'full' || (typeof heads === 'number' && heads >= svdRank)) return fromSvd([], [], 0);

  const attempts: ProjectionAttempt[] = [];
  let iterations = 0;
  const search = (numHeads: number): { best: Projection; found: boolean; check: Equivalence } => {
    let best: Projection | undefined;
    let check: Equivalence | undefined;
    for (let restart = 0; restart <= restarts; restart++) {
      const result = attempt(context, symmetric, numHeads, restart, rng);
      iterations += result.iterations;
      attempts.push({
        numHeads,
        restart,
        iterations: result.iterations,
        polishIterations: result.polishIterations,
        relativeWeightError: result.relativeWeightError,
        outcome: result.outcome,
      });
      if (best === undefined || result.relativeWeightError < best.relativeWeightError) {
        best = result;
        check = equivalent(result.model, weights, equivalenceOptions);
      }
      if (check?.equivalent) break;
    }
    return { best: best as Projection, found: check?.equivalent === true, check: check as Equivalence };
  };
  const fromProjection = (result: Projection, warnings: string[]): HeadRecovery =>
    report(context, result.model, equivalenceOptions, {
      ...base,
      method: 'alternating-projection',
      singularValueRatio: result.singularValueRatio,
      iterations,
      converged: result.outcome === 'converged',
      attempts,
      warnings,
    });

  if (typeof heads === 'number') {
    const { best, found } = search(heads);
    const reason =
      heads < headLowerBound
        ? `none exists: every equivalent model has at least ${headLowerBound} heads`
        : `try more restarts or iterations, or more heads (the SVD route needs ${svdRank})`;
    const warnings = found
      ? []
      : [
          `no ${heads}-head model equivalent to the weights was found (best relative folded-weight error ${best.relativeWeightError.toExponential(3)} after ${1 + restarts} attempts); the best ${heads}-head approximation is returned. ${reason[0].toUpperCase()}${reason.slice(1)}.`,
        ];
    return fromProjection(best, warnings);
  }
  for (let numHeads = Math.max(1, headLowerBound); numHeads < svdRank; numHeads++) {
    onProgress?.({ stage: 'heads', done: numHeads, total: svdRank });
    const { best, found } = search(numHeads);
    if (found) return fromProjection(best, []);
  }
  onProgress?.({ stage: 'heads', done: svdRank, total: svdRank });
  return fromSvd([], attempts, iterations);
}

interface Context {
  readonly weights: Matrix;
  readonly modelDim: number;
  readonly outputDim: number;
  readonly rows: number;
  readonly cols: number;
  readonly maxIterations: number;
  readonly polish: boolean;
  readonly tolerance: number;
  readonly onProgress: ProgressCallback | undefined;
  /** For each unfolded entry `(a·d + j, k·d + l)` (row-major), its folded column `a·D + pairIndex(j, k)·d + l`. */
  readonly foldIndex: Int32Array;
  /** The weights as given; `weights` is `original / 2^exponent`. */
  readonly original: Matrix;
  /** The power of two the weights were divided by (`0` unless they reach beyond `2^±32`). */
  readonly exponent: number;
  /** The caller's equivalence options, for the final check against `original`. */
  readonly userEquivalence: EquivalenceOptions;
}

interface Projection {
  readonly model: MhlaModel;
  readonly iterations: number;
  readonly polishIterations: number;
  readonly relativeWeightError: number;
  readonly singularValueRatio: number;
  readonly outcome: ProjectionOutcome;
}

/**
 * Alternating projection from the unfolding `start` towards a rank-`H` unfolding of `w`. Each iteration: one block
 * power step `V ← orth(Xᵀ X V)` on a rank-`(H+1)` subspace (warm-started), Rayleigh–Ritz `X V = U_B Σ W_Bᵀ`, the
 * rank-`H` matrix `X_H = U_B[:, :H] Σ_H (V W_B)[:, :H]ᵀ`, then `X ← X_H + unfoldWeights(w − foldUnfolded(X_H))`
 * (each pair's discrepancy split in half, `j = k` entries set). The products are written as plain loops over
 * preallocated buffers: the matrices are small and the loop runs thousands of times.
 */
function alternatingProjection(context: Context, start: Matrix, numHeads: number, rng: Rng): Phase {
  const { weights, rows, cols, maxIterations, tolerance, onProgress, foldIndex: index } = context;
  const rank = Math.min(numHeads + 1, rows, cols);
  const weightNorm = norm(weights.data);
  const multiplicity = new Float64Array(weights.data.length); // 1 for j = k, 2 for j < k
  for (let e = 0; e < index.length; e++) multiplicity[index[e]] += 1;
  const x = start.data.slice(); // X (rows, cols), an unfolding of w
  const lowRank = new Float64Array(rows * cols); // X_H
  const discrepancy = new Float64Array(weights.data.length); // w − foldUnfolded(X_H)
  const projected = new Float64Array(rows * rank); // X V (rows, rank)
  let basis = orthonormalize(rng.normalMatrix(cols, rank)).data; // V (cols, rank)
  const history: number[] = [];
  let factors: Factors = { u: start, s: new Float64Array(0), v: { rows: cols, cols: rank, data: basis } };
  let error = Number.POSITIVE_INFINITY;
  let outcome: ProjectionOutcome = 'max-iterations';
  let iteration = 0;
  while (iteration < maxIterations) {
    iteration++;
    multiply(x, rows, cols, basis, rank, projected); // X V (rows, rank)
    const power = new Float64Array(cols * rank); // Xᵀ X V (cols, rank)
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const xij = x[i * cols + j];
        for (let c = 0; c < rank; c++) power[j * rank + c] += xij * projected[i * rank + c];
      }
    }
    basis = orthonormalize({ rows: cols, cols: rank, data: power }).data; // orth(XᵀX V)
    multiply(x, rows, cols, basis, rank, projected); // B = X V
    const ritz = svd({ rows, cols: rank, data: projected }); // B = U_B diag(s) W_Bᵀ
    const left = ritz.u as Matrix; // (rows, rank)
    const turn = (ritz.v as Matrix).data; // W_B (rank, rank)
    const rotated = new Float64Array(cols * rank); // V W_B: the Ritz vectors
    for (let j = 0; j < cols; j++) {
      for (let c = 0; c < rank; c++) {
        let sum = 0;
        for (let q = 0; q < rank; q++) sum += basis[j * rank + q] * turn[q * rank + c];
        rotated[j * rank + c] = sum;
      }
    }
    basis = rotated;
    factors = { u: left, s: ritz.s, v: { rows: cols, cols: rank, data: rotated } };
    lowRank.fill(0);
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < numHeads; c++) {
        const scale = ritz.s[c] * left.data[i * rank + c];
        for (let j = 0; j < cols; j++) lowRank[i * cols + j] += scale * rotated[j * rank + c];
      }
    }
    discrepancy.set(weights.data);
    for (let e = 0; e < lowRank.length; e++) discrepancy[index[e]] -= lowRank[e];
    error = weightNorm > 0 ? norm(discrepancy) / weightNorm : 0;
    history.push(error);
    if (iteration % 100 === 0) onProgress?.({ stage: 'projection', done: iteration, total: maxIterations });
    if (error <= tolerance) {
      outcome = 'converged';
      break;
    }
    if (
      iteration > STAGNATION_WINDOW &&
      error > (1 - STAGNATION_PROGRESS) * history[iteration - 1 - STAGNATION_WINDOW]
    ) {
      outcome = 'stagnated';
      break;
    }
    for (let e = 0; e < x.length; e++) x[e] = lowRank[e] + discrepancy[index[e]] / multiplicity[index[e]];
  }
  onProgress?.({ stage: 'projection', done: iteration, total: maxIterations });
  return { factors, error, iterations: iteration, outcome };
}

/** Singular factors `X ≈ U diag(s) Vᵀ` (`U` `(rows, r)`, `V` `(cols, r)`, `s` descending), the first `H` used. */
interface Factors {
  readonly u: Matrix;
  readonly s: Float64Array;
  readonly v: Matrix;
}

/** The state reached by one phase of an attempt. */
interface Phase {
  readonly factors: Factors;
  readonly error: number;
  readonly iterations: number;
  readonly outcome: ProjectionOutcome;
}

/**
 * One attempt at an exact `H`-head model. Restart 0: alternating projection from the symmetric split, then (unless
 * it converged) the Levenberg–Marquardt polish from its rank-`H` iterate. Later restarts: Levenberg–Marquardt from
 * random factors — alternating projection funnels every start into the same basin, so random starts of the
 * projection rarely escape a spurious one, while random factor starts do — or, when the polish is off or too large,
 * alternating projection from a random split.
 */
function attempt(context: Context, symmetric: Matrix, numHeads: number, restart: number, rng: Rng): Projection {
  const { rows, cols } = context;
  const polishable = context.polish && numHeads * (rows + cols) <= MAX_POLISH_PARAMETERS;
  if (restart > 0 && polishable) {
    const polished = levenbergMarquardt(context, randomFactors(symmetric, numHeads, rng), numHeads);
    return toProjection(context, numHeads, polished, 0, polished.iterations);
  }
  const from = restart === 0 ? symmetric : randomSplit(symmetric, context.weights, context.modelDim, rng);
  const projection = alternatingProjection(context, from, numHeads, rng);
  if (!polishable || projection.outcome === 'converged') {
    return toProjection(context, numHeads, projection, projection.iterations, 0);
  }
  const polished = levenbergMarquardt(context, projection.factors, numHeads);
  const best = polished.error < projection.error ? polished : projection;
  return toProjection(context, numHeads, best, projection.iterations, polished.iterations);
}

/** The `H`-head model of a phase's factors, with the attempt's diagnostics. */
function toProjection(
  context: Context,
  numHeads: number,
  phase: Phase,
  iterations: number,
  polishIterations: number,
): Projection {
  const { factors, error, outcome } = phase;
  const top = factors.s[0] ?? 0;
  return {
    model: headsFromFactors(context, factors.u, factors.s, factors.v, Math.min(numHeads, factors.s.length)),
    iterations,
    polishIterations,
    relativeWeightError: error,
    singularValueRatio: numHeads < factors.s.length && top > 0 ? factors.s[numHeads] / top : 0,
    outcome,
  };
}

/**
 * Random factors `U` `(rows, H)`, `V` `(cols, H)` with i.i.d. normal entries scaled so that `‖U Vᵀ‖_F` is about
 * `‖X₀‖_F` (as singular factors with `s = 1`).
 */
function randomFactors(symmetric: Matrix, numHeads: number, rng: Rng): Factors {
  const { rows, cols } = symmetric;
  const scale = Math.sqrt(norm(symmetric.data) / Math.sqrt(rows * cols * numHeads));
  const u = rng.normalMatrix(rows, numHeads);
  const v = rng.normalMatrix(cols, numHeads);
  for (const m of [u, v]) for (let i = 0; i < m.data.length; i++) m.data[i] *= scale;
  return { u, s: new Float64Array(numHeads).fill(1), v };
}

/**
 * Levenberg–Marquardt on the factors of `X = U Vᵀ` (`U` `(rows, H)`, `V` `(cols, H)`, started balanced from the
 * rank-`H` part of `factors`): minimise `‖r‖²`, `r = foldUnfolded(U Vᵀ) − w`. Each step solves
 * `(JᵀJ + μ (diag(JᵀJ) + δ)) p = −Jᵀr` by Cholesky, with Nielsen's update of `μ` from the gain ratio; `J` is sparse (a folded entry is the sum of one or two
 * unfolded entries, each bilinear in one row of `U` and one row of `V`), so `JᵀJ` costs `O(dOut · D · H²)`. The
 * gauge freedom `U → U G, V → V G⁻ᵀ` makes `JᵀJ` singular; the damping handles it.
 */
function levenbergMarquardt(context: Context, factors: Factors, numHeads: number): Phase {
  const { rows, cols, tolerance } = context;
  const h = numHeads;
  const size = h * (rows + cols); // parameters: U (row-major, rows × H), then V (cols × H)
  let params = new Float64Array(size);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < h; c++) params[i * h + c] = Math.sqrt(factors.s[c]) * factors.u.data[i * factors.u.cols + c];
  }
  for (let j = 0; j < cols; j++) {
    for (let c = 0; c < h; c++) {
      params[rows * h + j * h + c] = Math.sqrt(factors.s[c]) * factors.v.data[j * factors.v.cols + c];
    }
  }
  const weightNorm = norm(context.weights.data);
  let residual = foldedResidual(context, params, h);
  let cost = squaredNorm(residual);
  let damping = 1e-3;
  let growth = 2;
  const history: number[] = [Math.sqrt(cost)];
  let outcome: ProjectionOutcome = 'max-iterations';
  let steps = 0;
  while (steps < POLISH_STEPS) {
    if (Math.sqrt(cost) <= tolerance * weightNorm) {
      outcome = 'converged';
      break;
    }
    steps++;
    const { normal, gradient } = normalEquations(context, params, h, residual); // JᵀJ, Jᵀr
    const scaling = new Float64Array(size); // diag(JᵀJ) + δ
    let trace = 0;
    for (let p = 0; p < size; p++) trace += normal[p * size + p];
    for (let p = 0; p < size; p++) scaling[p] = normal[p * size + p] + (1e-12 * trace) / size;
    let accepted = false;
    while (!accepted && damping <= 1e10) {
      const damped = normal.slice();
      for (let p = 0; p < size; p++) damped[p * size + p] += damping * scaling[p];
      const { factor, positiveDefinite } = cholesky({ rows: size, cols: size, data: damped });
      if (positiveDefinite) {
        const step = choleskySolve(factor, { rows: size, cols: 1, data: gradient }).data; // −p
        const trial = params.slice();
        let predicted = 0; // ‖r‖² − ‖r + Jp‖² = −gᵀp + μ pᵀ D p
        for (let p = 0; p < size; p++) {
          trial[p] -= step[p];
          predicted += gradient[p] * step[p] + damping * scaling[p] * step[p] * step[p];
        }
        const trialResidual = foldedResidual(context, trial, h);
        const trialCost = squaredNorm(trialResidual);
        const gain = predicted > 0 ? (cost - trialCost) / predicted : -1;
        if (gain > 0 && trialCost < cost) {
          params = trial;
          residual = trialResidual;
          cost = trialCost;
          damping = Math.max(damping * Math.max(1 / 3, 1 - (2 * gain - 1) ** 3), 1e-15); // Nielsen's update
          growth = 2;
          accepted = true;
          continue;
        }
      }
      damping *= growth;
      growth *= 2;
    }
    history.push(Math.sqrt(cost));
    if (!accepted || (steps >= 10 && history[steps] > 0.5 * history[steps - 10])) {
      outcome = 'stagnated';
      break;
    }
  }
  context.onProgress?.({ stage: 'polish', done: steps, total: POLISH_STEPS });
  const decomposition = svd(product(params, rows, cols, h)); // U Vᵀ = U' diag(s') V'ᵀ: heads in the SVD convention
  const result = { u: decomposition.u as Matrix, s: decomposition.s, v: decomposition.v as Matrix };
  const error = relativeError(context, truncated(result.u, result.s, result.v, h));
  return { factors: result, error, iterations: steps, outcome: error <= tolerance ? 'converged' : outcome };
}

/** `JᵀJ` `(P, P)` and `Jᵀr` `(P)` of the residual `r = foldUnfolded(U Vᵀ) − w` at `params = (U, V)`. */
function normalEquations(
  context: Context,
  params: Float64Array,
  h: number,
  residual: Float64Array,
): { normal: Float64Array; gradient: Float64Array } {
  const { rows, cols, foldIndex } = context;
  const size = h * (rows + cols);
  const normal = new Float64Array(size * size);
  const gradient = new Float64Array(size);
  const vOffset = rows * h;
  // The unfolded entries of each folded entry: one (j = k) or two ((a,j),(k,l) and (a,k),(j,l)).
  const first = new Int32Array(residual.length).fill(-1);
  const second = new Int32Array(residual.length).fill(-1);
  for (let e = 0; e < foldIndex.length; e++) {
    const f = foldIndex[e];
    if (first[f] < 0) first[f] = e;
    else second[f] = e;
  }
  const index = new Int32Array(4 * h);
  const value = new Float64Array(4 * h);
  for (let f = 0; f < residual.length; f++) {
    let count = 0;
    for (const e of [first[f], second[f]]) {
      if (e < 0) continue;
      const i = Math.floor(e / cols);
      const j = e - i * cols;
      for (let c = 0; c < h; c++) {
        index[count] = i * h + c; // ∂X[i,j]/∂U[i,c] = V[j,c]
        value[count++] = params[vOffset + j * h + c];
        index[count] = vOffset + j * h + c; // ∂X[i,j]/∂V[j,c] = U[i,c]
        value[count++] = params[i * h + c];
      }
    }
    const r = residual[f];
    for (let a = 0; a < count; a++) {
      const row = index[a] * size;
      const va = value[a];
      gradient[index[a]] += va * r;
      for (let b = 0; b < count; b++) normal[row + index[b]] += va * value[b];
    }
  }
  return { normal, gradient };
}

/** `r = foldUnfolded(U Vᵀ) − w` for `params = (U, V)`. */
function foldedResidual(context: Context, params: Float64Array, h: number): Float64Array {
  const { rows, cols, foldIndex, weights } = context;
  const x = product(params, rows, cols, h).data;
  const residual = new Float64Array(weights.data.length);
  for (let e = 0; e < x.length; e++) residual[foldIndex[e]] += x[e];
  for (let f = 0; f < residual.length; f++) residual[f] -= weights.data[f];
  return residual;
}

/** `U Vᵀ` `(rows, cols)` for `params = (U (rows, h), V (cols, h))`. */
function product(params: Float64Array, rows: number, cols: number, h: number): Matrix {
  const out = new Float64Array(rows * cols);
  const vOffset = rows * h;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let c = 0; c < h; c++) sum += params[i * h + c] * params[vOffset + j * h + c];
      out[i * cols + j] = sum;
    }
  }
  return { rows, cols, data: out };
}

/** For each unfolded entry `(a·d + j, k·d + l)`, its folded column `a·D + pairIndex(j, k)·d + l`. */
function foldIndex(d: number, outputDim: number): Int32Array {
  const dim = featureDim(d);
  const width = d * d;
  const out = new Int32Array(outputDim * d * width);
  for (let a = 0; a < outputDim; a++) {
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < d; k++) {
        const pair = pairIndex(j, k, d);
        for (let l = 0; l < d; l++) out[(a * d + j) * width + k * d + l] = a * dim + pair * d + l;
      }
    }
  }
  return out;
}

/** `‖foldUnfolded(x) − w‖_F / ‖w‖_F` (`0` for `w = 0`). */
function relativeError(context: Context, x: Matrix): number {
  const weightNorm = norm(context.weights.data);
  if (weightNorm === 0) return 0;
  const residual = new Float64Array(context.weights.data.length);
  for (let e = 0; e < x.data.length; e++) residual[context.foldIndex[e]] += x.data[e];
  for (let f = 0; f < residual.length; f++) residual[f] -= context.weights.data[f];
  return norm(residual) / weightNorm;
}

/** `out = X V` for row-major `X` `(rows, cols)` and `V` `(cols, rank)`. */
function multiply(x: Float64Array, rows: number, cols: number, v: Float64Array, rank: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const xij = x[i * cols + j];
      for (let c = 0; c < rank; c++) out[i * rank + c] += xij * v[j * rank + c];
    }
  }
}

function squaredNorm(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum;
}

/** `Σ_{i < h} s_i u_i v_iᵀ` for `u` `(rows, r)`, `v` `(cols, r)`. */
function truncated(u: Matrix, s: Float64Array, v: Matrix, h: number): Matrix {
  const rows = u.rows;
  const cols = v.rows;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < h; c++) {
      const scale = s[c] * u.data[i * u.cols + c];
      if (scale === 0) continue;
      for (let j = 0; j < cols; j++) out[i * cols + j] += scale * v.data[j * v.cols + c];
    }
  }
  return { rows, cols, data: out };
}

/** Heads `V_h = reshape(s_h u_h, (dOut, d))`, `Q_h = reshape(v_h, (d, d))` for the first `count` triples. */
function headsFromFactors(context: Context, u: Matrix, s: Float64Array, v: Matrix, count: number): MhlaModel {
  const { modelDim: d, outputDim } = context;
  const heads: MhlaHead[] = [];
  for (let h = 0; h < count; h++) {
    const value = new Float64Array(outputDim * d);
    for (let i = 0; i < value.length; i++) value[i] = s[h] * u.data[i * u.cols + h]; // row (a, j) = a·d + j
    const query = new Float64Array(d * d);
    for (let i = 0; i < query.length; i++) query[i] = v.data[i * v.cols + h]; // column (k, l) = k·d + l
    heads.push({ value: { rows: outputDim, cols: d, data: value }, query: { rows: d, cols: d, data: query } });
  }
  return createModel({ modelDim: d, outputDim, heads });
}

/**
 * A random unfolding of `w`: the symmetric split plus a random j↔k-antisymmetric part `A[a,j,k,l] = −A[a,k,j,l]`
 * (zero for `j = k`) of the split's root-mean-square size.
 */
function randomSplit(symmetric: Matrix, weights: Matrix, d: number, rng: Rng): Matrix {
  const { rows, cols } = symmetric;
  const scale = norm(symmetric.data) / Math.sqrt(symmetric.data.length);
  const data = symmetric.data.slice();
  const outputDim = weights.rows;
  for (let a = 0; a < outputDim; a++) {
    for (let j = 0; j < d; j++) {
      for (let k = j + 1; k < d; k++) {
        for (let l = 0; l < d; l++) {
          const delta = scale * rng.normal();
          data[(a * d + j) * cols + k * d + l] += delta;
          data[(a * d + k) * cols + j * d + l] -= delta;
        }
      }
    }
  }
  return { rows, cols, data };
}

/** Orthonormal columns spanning those of `a` `(n, r)` (modified Gram–Schmidt, twice); a fresh matrix. */
function orthonormalize(a: Matrix): Matrix {
  const { rows: n, cols: r } = a;
  const q = a.data.slice();
  for (let c = 0; c < r; c++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        let dotProduct = 0;
        for (let i = 0; i < n; i++) dotProduct += q[i * r + p] * q[i * r + c];
        for (let i = 0; i < n; i++) q[i * r + c] -= dotProduct * q[i * r + p];
      }
    }
    let length = 0;
    for (let i = 0; i < n; i++) length += q[i * r + c] ** 2;
    length = Math.sqrt(length);
    for (let i = 0; i < n; i++) q[i * r + c] = length > 0 ? q[i * r + c] / length : 0;
  }
  return { rows: n, cols: r, data: q };
}

function report(
  context: Context,
  model: MhlaModel,
  equivalenceOptions: EquivalenceOptions,
  fields: {
    singularValues: Float64Array;
    svdRank: number;
    headLowerBound: number;
    rtol: number;
    tolerance: number;
    method: 'svd' | 'alternating-projection';
    singularValueRatio: number;
    iterations: number;
    converged: boolean;
    attempts: ProjectionAttempt[];
    warnings: string[];
  },
): HeadRecovery {
  const { exponent } = context;
  const unscaled =
    exponent === 0
      ? model
      : createModel({
          modelDim: model.modelDim,
          outputDim: model.outputDim,
          heads: model.heads.map((head) => ({ value: scaleMatrix(head.value, exponent), query: head.query })),
        });
  const check = equivalent(unscaled, context.original, exponent === 0 ? equivalenceOptions : context.userEquivalence);
  const weightNorm = timesPowerOfTwo(norm(context.weights.data), exponent);
  return {
    model: unscaled,
    numHeads: model.heads.length,
    method: fields.method,
    singularValues:
      exponent === 0 ? fields.singularValues : fields.singularValues.map((x) => timesPowerOfTwo(x, exponent)),
    svdRank: fields.svdRank,
    headLowerBound: fields.headLowerBound,
    truncationError: {
      singularValueRatio: fields.singularValueRatio,
      relativeWeightError: weightNorm > 0 ? check.distance / weightNorm : 0,
    },
    equivalent: check.equivalent,
    distance: check.distance,
    equivalence: check,
    iterations: fields.iterations,
    converged: fields.converged,
    attempts: fields.attempts,
    rtol: fields.rtol,
    tolerance: fields.tolerance,
    warnings: fields.warnings,
  };
}

/**
 * `⌈rank(S)/2⌉` for a random contraction of `w`: with `b ∈ ℝ^dOut` and `c ∈ ℝ^d`, any model with folded weights `w`
 * has `T = Σ_a b_a Σ_l c_l W[a, :, :, l] = Σ_h (V_hᵀ b)(Q_h c)ᵀ` of rank `<= H`, and `S = T + Tᵀ` (rank `<= 2H`) is
 * determined by `w`: `S[j,k] = Σ_{a,l} b_a c_l w[a,(j,k),l]` for `j ≠ k`, `S[j,j] = 2 Σ_{a,l} b_a c_l w[a,(j,j),l]`.
 * Random `b`, `c` give the generic rank with probability one; eigenvalues below `1e-6 · max|λ|` are not counted, so
 * weights within `1e-6` of fewer heads are not over-bounded.
 */
function lowerBound(weights: Matrix, d: number, rng: Rng): number {
  const outputDim = weights.rows;
  const dim = weights.cols;
  const b = Array.from({ length: outputDim }, () => rng.normal());
  const c = Array.from({ length: d }, () => rng.normal());
  const s = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const offset = pairIndex(j, k, d) * d;
      let sum = 0;
      for (let a = 0; a < outputDim; a++) {
        for (let l = 0; l < d; l++) sum += b[a] * c[l] * weights.data[a * dim + offset + l];
      }
      s[j * d + k] = j === k ? 2 * sum : sum;
      s[k * d + j] = s[j * d + k];
    }
  }
  const values = eigh({ rows: d, cols: d, data: s }, { vectors: false }).values;
  const largest = largestMagnitude(values);
  let rank = 0;
  for (const value of values) if (Math.abs(value) > 1e-6 * largest) rank++;
  return Math.ceil(rank / 2);
}

/** Validates `options.equivalence` (`rtol`, `atol`: finite numbers >= 0) naming `fn`. */
function readEquivalence(fn: string, value: unknown): EquivalenceOptions {
  if (value === undefined) return {};
  checkKnownKeys(fn, 'options.equivalence', value, ['rtol', 'atol']);
  const record = value as EquivalenceOptions;
  return {
    ...(record.rtol === undefined
      ? {}
      : { rtol: checkNumber(fn, 'options.equivalence.rtol', record.rtol, { min: 0 }) }),
    ...(record.atol === undefined
      ? {}
      : { atol: checkNumber(fn, 'options.equivalence.atol', record.atol, { min: 0 }) }),
  };
}

function readHeads(fn: string, heads: unknown): 'full' | 'auto' | number {
  if (heads === undefined) return 'full';
  if (heads === 'full' || heads === 'auto') return heads;
  if (typeof heads === 'number') return checkInteger(fn, 'options.heads', heads, { min: 1 });
  throw new LattnError(
    'INVALID_ARGUMENT',
    `${fn}: options.heads is not recognised. Expected 'full', 'auto' or an integer >= 1; received ${describe(heads)}.`,
  );
}

function norm(values: Float64Array): number {
  return Math.sqrt(squaredNorm(values));
}
