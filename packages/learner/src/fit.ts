/**
 * The exact least-squares learner of MHLA (SPEC §3 steps 1–2, docs/math/least-squares-and-head-recovery.md §1–4):
 * accumulate `G = Σ ψψᵀ` and `B = Σ ψyᵀ` in one streaming pass, then solve `(G + λI) wᵀ = B` — by Cholesky when
 * well posed, by the minimum-norm eigen solution when `G` is singular — or, when there are fewer examples than
 * features, solve the dual `(K + λI) α = Y` with the folded kernel `K` and set `w = αᵀ Ψ`.
 */
import {
  checkDataset,
  checkFinite,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  checkOneOf,
  type Dataset,
  describe,
  type GramAccumulator,
  gramMoments,
  LattnError,
  type Matrix,
  matmul,
  POSITION_MODES,
  type PositionMode,
  type ProgressCallback,
  transpose,
} from '@lattn/core';
import {
  accumulateFeatureMoments,
  cubicFeatures,
  featureDim,
  forwardFolded,
  kernelMatrix,
  MAX_ARRAY_ENTRIES,
  MAX_KERNEL_EXAMPLES,
} from '@lattn/feature-map';
import {
  exponentFor,
  largestMagnitude,
  largestOf,
  rescaleExponent,
  scaleDataset,
  scaleMatrix,
  timesPowerOfTwo,
  unscaleWeights,
} from './scale.js';
import { type EigenvalueRange, type Factorization, solveSymmetric } from './solve-symmetric.js';

/** How {@link fitLinearAttention} solves the least-squares problem. */
export type LinearSolver = 'auto' | 'cholesky' | 'eigen' | 'dual';

/** The solvers {@link fitLinearAttention} accepts. */
export const LINEAR_SOLVERS: readonly LinearSolver[] = ['auto', 'cholesky', 'eigen', 'dual'];

/** Options shared by {@link fitLinearAttention} and {@link fitFromMoments}. */
export interface SolveOptions {
  /**
   * Ridge penalty `λ >= 0`: minimise `Σ ‖y − wψ‖² + λ ‖w‖²_F`, i.e. solve `(G + λI) wᵀ = B`. `G` is a sum over
   * examples (not a mean), so `λ` is on the scale of `count · λ_min(Λ)`.
   * @defaultValue `0`
   */
  readonly ridge?: number;
  /**
   * Relative eigenvalue tolerance: eigenvalues of `G + λI` (or `K + λI` for the dual) at or below `rtol · λ_max`
   * count as zero, which sets the numerical rank, the choice between Cholesky and the eigen route, and the
   * minimum-norm solution.
   * @defaultValue `D · ε` with `D = featureDim(modelDim)` and `ε = 2⁻⁵²` (about `4.8e-13` for `d = 8`)
   */
  readonly rtol?: number;
  /**
   * Receives progress: `'features'` (sequences, from `accumulateFeatureMoments`), `'kernel'`, `'solve'`,
   * `'weights'` (dual only, sequences) and `'residual'` (sequences).
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** Options of {@link fitLinearAttention}. */
export interface FitOptions extends SolveOptions {
  /**
   * `'auto'`: the dual solver when there are fewer examples than features (`N < D`), else Cholesky on `G + λI`
   * when it succeeds and `λ_min > rtol · λ_max`, else the minimum-norm eigen solution. `'cholesky'`: Cholesky
   * whenever it succeeds (falls back to `'eigen'` with a warning). `'eigen'`: always the eigen route. `'dual'`:
   * always the kernel route (at most `MAX_KERNEL_EXAMPLES` examples).
   * @defaultValue `'auto'`
   */
  readonly solver?: LinearSolver;
  /**
   * Examples whose features are built together before each Gram update in the streaming pass (passed to
   * `accumulateFeatureMoments`); memory `O(chunkSize · D)`.
   * @defaultValue `256` (the default of `accumulateFeatureMoments`)
   */
  readonly chunkSize?: number;
}

/** Options of {@link fitFromMoments}. */
export interface FitFromMomentsOptions extends SolveOptions {
  /** Which positions the moments were accumulated over (reported in the result). Required. */
  readonly mode: PositionMode;
  /**
   * The token dimension `d`, checked against `moments.dim = featureDim(d)`.
   * @defaultValue inferred from `moments.dim`
   */
  readonly modelDim?: number;
  /**
   * `'auto'`, `'cholesky'` or `'eigen'`, as in {@link FitOptions.solver}; the dual needs the data, so it is not
   * available here.
   * @defaultValue `'auto'`
   */
  readonly solver?: Exclude<LinearSolver, 'dual'>;
}

/** The training residual of a fit (without the ridge penalty). */
export interface FitResidual {
  /** `Σ_examples ‖y − wψ‖²`. */
  readonly sumOfSquares: number;
  /** `sumOfSquares / (numExamples · outputDim)`. */
  readonly meanSquaredError: number;
  /**
   * `'second-pass'`: every residual `y − wψ` computed from the data (no cancellation between large sums);
   * `'moments'`: `tr(Σyyᵀ) − 2 tr(wB) + tr(wGwᵀ)`, clamped at `0`, whose rounding is about `accuracy`.
   */
  readonly method: 'second-pass' | 'moments';
  /**
   * An estimate of the absolute rounding error of `sumOfSquares`: `0` for `'second-pass'` (each residual is exact to
   * a few ulps of the predictions), `(D + 2) · ε · (tr(Σyyᵀ) + 2|tr(wB)| + tr(wGwᵀ))` for `'moments'`.
   */
  readonly accuracy: number;
}

/** Milliseconds spent in each stage of a fit (measurements: excluded from determinism). */
export interface FitTimings {
  /** The streaming feature pass (`G`, `B`): 0 for the dual and for {@link fitFromMoments}. */
  readonly moments: number;
  /** The folded kernel matrix (dual only). */
  readonly kernel: number;
  /** Factorisation, solve, and the extreme eigenvalues. */
  readonly solve: number;
  /** Assembling `w = αᵀΨ` (dual only). */
  readonly weights: number;
  /** The training residual. */
  readonly residual: number;
  /** The whole call. */
  readonly total: number;
}

/** The result of {@link fitLinearAttention} and {@link fitFromMoments}: plain, serialisable data. */
export interface LinearAttentionFit {
  /** The folded weights `w`, shape `(outputDim, featureDim)`: `y_t = w · ψ_t`. */
  readonly weights: Matrix;
  /** Token dimension `d`. */
  readonly modelDim: number;
  /** Output dimension `dOut`. */
  readonly outputDim: number;
  /** `D = d · d(d+1)/2`. */
  readonly featureDim: number;
  /** The training mode the examples came from. */
  readonly mode: PositionMode;
  /** Number of examples `N`. */
  readonly numExamples: number;
  /** `'cholesky'` or `'eigen'` (primal, on `G`), or `'dual'` (on the kernel matrix `K`). */
  readonly solver: 'cholesky' | 'eigen' | 'dual';
  /** The factorisation of `G + λI` (primal) or `K + λI` (dual). */
  readonly factorization: Factorization;
  /**
   * The numerical rank of `G + λI` (equal to that of `K + λI` for the dual). `rank === featureDim` (with `ridge = 0`)
   * means the data determine the weights uniquely; otherwise `weights` is the minimum-norm solution.
   */
  readonly rank: number;
  /** The relative eigenvalue tolerance applied. */
  readonly rtol: number;
  /** The ridge penalty applied. */
  readonly ridge: number;
  /** The training residual. */
  readonly residual: FitResidual;
  /**
   * The extreme eigenvalues of `G` (without ridge), when known: from the full eigendecomposition on the eigen route,
   * estimates on the Cholesky route (`max` by Lanczos, `min` an upper bound by inverse iteration); for the dual, `max` from `K` and `min = 0` when `N < D` (then `G` is
   * singular). `null` when not known (the dual with `N >= D`).
   */
  readonly eigenvalues: EigenvalueRange | null;
  /** Milliseconds per stage. */
  readonly timings: FitTimings;
  /** Human-readable notes: rank deficiency, fallbacks, ill-conditioning. */
  readonly warnings: readonly string[];
}

const EPSILON = 2 ** -52;
const FIT_KEYS = ['ridge', 'rtol', 'solver', 'chunkSize', 'onProgress'];
const MOMENTS_KEYS = ['ridge', 'rtol', 'solver', 'onProgress', 'mode', 'modelDim'];
const PRIMAL_SOLVERS: readonly Exclude<LinearSolver, 'dual'>[] = ['auto', 'cholesky', 'eigen'];

/**
 * Learns the MHLA that best fits a dataset, exactly: the least-squares folded weights over all MHLA with up to `d²`
 * heads (SPEC §3). The problem is convex, so this is the global optimum, realisable data or not.
 *
 * One streaming pass accumulates `G = Σψψᵀ` `(D, D)` and `B = Σψyᵀ` `(D, dOut)` (`accumulateFeatureMoments`; never
 * an `(N, D)` matrix), then `(G + λI) wᵀ = B` is solved — see {@link FitOptions.solver} for the choice of route.
 * With fewer examples than features the dual solves `(K + λI) α = Y` with the folded kernel `K` `(N, N)` and
 * builds `w = αᵀΨ` sequence by sequence; its minimum-norm solution equals the primal one. A second pass computes
 * every residual from the data. Use {@link recoverHeads} to turn `weights` into heads.
 *
 * Notes: the normal equations square the condition number of the feature matrix: on realisable data the weights
 * are accurate to about `κ(G) · ε` relative. `rank < featureDim` is a result, not an error: the data do not pin the
 * weights down, the minimum-norm solution is returned and a warning says so (`@lattn/certificate` names the
 * missing directions). Cost `O(N · D²)` for the moments, `O(D³)` for the solve (`O(N² · d² + N³)` for the dual).
 *
 * Scale: tokens (or targets) with entries beyond `2^±32` are divided by a power of two before the features are
 * formed — exactly, so the fit is that of the original data — and the weights are multiplied back by
 * `2^(m − 3k)`; tokens at `1e±150`, whose features (`~‖z‖³`) and Gram (`~‖z‖⁶`) leave float64, are fitted as
 * accurately as at unit scale. When the weights themselves cannot be held (they scale as `targets / tokens³`: tokens
 * at `1e150` with targets near 1 need weights near `1e-450`) the fit throws `NON_FINITE` saying so. `eigenvalues`
 * are those of the original `G`, and a warning gives them in the rescaled units when they overflow or underflow.
 *
 * @param dataset - Sequences `(n_b, d)` and targets `(n_b, dOut)` (mode `'all'`) or `(1, dOut)` (mode `'last'`).
 * @param options - See {@link FitOptions}.
 * @returns The fit; see {@link LinearAttentionFit}.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed dataset or option; `SHAPE_MISMATCH` for inconsistent
 * shapes; `NON_FINITE` for NaN or ±Infinity, for weights outside the float64 range, or for a ridge that exceeds the
 * Gram by more than that range; `TOO_LARGE` for the dual with more than `MAX_KERNEL_EXAMPLES` examples, or when the
 * `(D, D)` Gram (primal) or the `(dOut, D)` weights (dual) would exceed feature-map's `MAX_ARRAY_ENTRIES` (2 GiB; the
 * primal route needs `featureDim <= 16384`, `modelDim <= 31`), before anything is allocated.
 * @example
 * ```ts
 * const fit = fitLinearAttention(dataset); // dataset from a 2-head teacher with d = 4
 * fit.solver; // 'cholesky'
 * fit.rank === fit.featureDim; // true: the data determine the function
 * equivalent(fit.weights, teacher).equivalent; // true
 * ```
 * @see docs/math/least-squares-and-head-recovery.md
 */
export function fitLinearAttention(dataset: Dataset, options?: FitOptions): LinearAttentionFit {
  const fn = 'fitLinearAttention';
  const started = performance.now();
  const shape = checkDataset(fn, dataset);
  checkKnownKeys(fn, 'options', options, FIT_KEYS);
  const dim = featureDim(shape.modelDim);
  const settings = readSolveOptions(fn, options, dim);
  const solver =
    options?.solver === undefined ? 'auto' : checkOneOf(fn, 'options.solver', options.solver, LINEAR_SOLVERS);
  const chunkSize =
    options?.chunkSize === undefined ? undefined : checkInteger(fn, 'options.chunkSize', options.chunkSize, { min: 1 });
  const onProgress = settings.onProgress;
  const mode = shape.mode;
  const useDual = solver === 'dual' || (solver === 'auto' && shape.numExamples < dim);
  if (useDual && shape.numExamples > MAX_KERNEL_EXAMPLES) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: too many examples for the dual solver. Expected at most ${MAX_KERNEL_EXAMPLES} examples (an (N, N) kernel matrix within 2 GiB); received ${shape.numExamples}.`,
    );
  }
  checkFitSize(fn, useDual ? shape.outputDim * dim : dim * dim, useDual, shape.modelDim, dim, shape.outputDim);

  // Tokens or targets beyond 2^±32 are divided by powers of two (exactly): the features (‖z‖³) and the Gram (‖z‖⁶)
  // then stay inside float64, and the weights are scaled back by 2^(m − 3k) at the end.
  const largestToken = largestOf(dataset.inputs);
  const largestTarget = largestOf(dataset.targets);
  const tokenExponent = rescaleExponent(largestToken);
  const targetExponent = rescaleExponent(largestTarget);
  const data = scaleDataset(dataset, tokenExponent, targetExponent);
  // The ridge is on the scale of G (tokens⁶): in the rescaled units it is λ · 2^(−6k), carried as an exponent so it
  // cannot overflow before the solve puts G and λ on a common scale.
  const ridgeExponent = -6 * tokenExponent;

  let core: CoreFit;
  let momentsTime = 0;
  let kernelTime = 0;
  let weightsTime = 0;
  if (useDual) {
    const kernelStart = performance.now();
    onProgress?.({ stage: 'kernel', done: 0, total: 1 });
    const kernel = kernelMatrix(data.inputs, { mode, space: 'folded' }); // K (N, N)
    onProgress?.({ stage: 'kernel', done: 1, total: 1 });
    kernelTime = performance.now() - kernelStart;
    const solveStart = performance.now();
    onProgress?.({ stage: 'solve', done: 0, total: 1 });
    const targets = stackTargets(data.targets, shape.numExamples, shape.outputDim); // Y (N, dOut)
    // K' = K / 2^e and λ' = λ · 2^(ridgeExponent − e) on a common scale; then α = α' / 2^e.
    const common = commonScale(largestMagnitude(kernel.data), settings.ridge, ridgeExponent);
    const dual = solveSymmetric(scaleMatrix(kernel, -common.exponent), targets, {
      ridge: common.ridge,
      rtol: settings.rtol,
      factorization: 'auto',
    }); // α' (N, dOut)
    onProgress?.({ stage: 'solve', done: 1, total: 1 });
    const solveTime = performance.now() - solveStart;
    const weightsStart = performance.now();
    const weights = assembleWeights(data, dual.solution, dim, onProgress); // w' = α'ᵀΨ (dOut, D)
    weightsTime = performance.now() - weightsStart;
    core = {
      weights,
      weightExponent: -common.exponent,
      solver: 'dual',
      factorization: dual.factorization,
      rank: dual.rank,
      eigenvalues:
        shape.numExamples < dim
          ? { min: 0, max: timesPowerOfTwo(dual.eigenvalues.max, common.exponent), method: dual.eigenvalues.method }
          : null,
      warnings: [...dual.warnings],
      solveTime,
    };
  } else {
    const momentsStart = performance.now();
    const moments = accumulateFeatureMoments(data.inputs, {
      mode,
      targets: data.targets,
      ...(chunkSize === undefined ? {} : { chunkSize }),
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    momentsTime = performance.now() - momentsStart;
    core = solvePrimal(moments, settings, solver, false, ridgeExponent).core;
  }

  const residualStart = performance.now();
  const dataWeights = scaleMatrix(core.weights, core.weightExponent); // w in the rescaled data's units
  const scaledResidual = secondPassResidual(data, dataWeights, shape.numExamples, shape.outputDim, onProgress);
  const residual = {
    ...scaledResidual,
    sumOfSquares: timesPowerOfTwo(scaledResidual.sumOfSquares, 2 * targetExponent),
    meanSquaredError: timesPowerOfTwo(scaledResidual.meanSquaredError, 2 * targetExponent),
  };
  const residualTime = performance.now() - residualStart;
  const ridgeNote = settings.ridge > 0 ? ` and the ridge ${settings.ridge}` : '';
  const weights = unscaleWeights(fn, core.weights, core.weightExponent + targetExponent - 3 * tokenExponent, {
    what: `tokens as large as ${largestToken} and targets as large as ${largestTarget}${ridgeNote} (the weights scale as targets / tokens³)`,
  });
  core = { ...unscaleEigenvalues(core, tokenExponent, largestToken), weights, weightExponent: 0 };
  return finish(core, {
    modelDim: shape.modelDim,
    outputDim: shape.outputDim,
    dim,
    mode,
    numExamples: shape.numExamples,
    settings,
    residual,
    timings: { moments: momentsTime, kernel: kernelTime, weights: weightsTime, residual: residualTime, started },
  });
}

/**
 * Learns the least-squares MHLA from already accumulated feature moments — the same solve as
 * {@link fitLinearAttention}, for callers that stream the data once with `accumulateFeatureMoments` (or merge
 * shards with `mergeGram`) and hand the same moments to the certificate and to the learner.
 *
 * Notes: the residual comes from the moments, `tr(Σyyᵀ) − 2 tr(wB) + tr(wGwᵀ)`, which cancels when the fit is
 * nearly exact: it is clamped at `0` and reported with its rounding level `residual.accuracy` (use
 * {@link fitLinearAttention} for a residual computed from the data). The dual solver needs the data and is not
 * available here. `G` and `B` are divided by powers of two before the solve (exactly), so moments anywhere in the
 * float64 range are solved as accurately as unit-scale ones; moments that overflowed while accumulating are
 * `NON_FINITE` (accumulate rescaled tokens instead).
 *
 * @param moments - A `GramAccumulator` with `dim = featureDim(d)`, `targetDim = dOut >= 1` and `count >= 1`:
 * `gram` `(D, D)` (upper triangle), `cross` `(D, dOut)`, `targetGram` `(dOut, dOut)`. Not modified.
 * @param options - See {@link FitFromMomentsOptions}; `mode` is required.
 * @returns The fit; see {@link LinearAttentionFit}.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed accumulator, one without targets or examples, or a
 * bad option (including `solver: 'dual'`); `SHAPE_MISMATCH` when `dim` is no folded feature dimension or disagrees
 * with `modelDim`; `NON_FINITE` for NaN or ±Infinity in the moments, or weights outside the float64 range;
 * `TOO_LARGE` when `dim² > MAX_ARRAY_ENTRIES`.
 * @example
 * ```ts
 * const moments = accumulateFeatureMoments(dataset.inputs, { mode: 'all', targets: dataset.targets });
 * const certificate = certifyFromMoments(moments, { modelDim: 4 });
 * const fit = fitFromMoments(moments, { mode: 'all' });
 * ```
 * @see docs/math/least-squares-and-head-recovery.md §2
 */
export function fitFromMoments(moments: GramAccumulator, options: FitFromMomentsOptions): LinearAttentionFit {
  const fn = 'fitFromMoments';
  const started = performance.now();
  checkKnownKeys(fn, 'options', options, MOMENTS_KEYS);
  if (options === undefined) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options are required. Expected { mode: 'all' | 'last', … }; received undefined.`,
    );
  }
  const mode = checkOneOf(fn, 'options.mode', options.mode, POSITION_MODES);
  const { dim, targetDim, count } = checkAccumulator(fn, moments);
  const modelDim = modelDimOf(fn, dim, options.modelDim);
  checkFitSize(fn, dim * dim, false, modelDim, dim, targetDim);
  if ((options.solver as string) === 'dual') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: the dual solver needs the data, not their moments. Expected options.solver 'auto', 'cholesky' or 'eigen'; received 'dual' (use fitLinearAttention for the dual).`,
    );
  }
  const solver =
    options.solver === undefined ? 'auto' : checkOneOf(fn, 'options.solver', options.solver, PRIMAL_SOLVERS);
  const settings = readSolveOptions(fn, options, dim);
  const solved = solvePrimal(moments, settings, solver, true);
  const weights = unscaleWeights(fn, solved.core.weights, solved.core.weightExponent, {
    what: 'the moments (the weights scale as B / G)',
  });
  const core = { ...solved.core, weights, weightExponent: 0 };
  const residual = solved.residual;
  const residualStart = performance.now();
  settings.onProgress?.({ stage: 'residual', done: 1, total: 1 });
  return finish(core, {
    modelDim,
    outputDim: targetDim,
    dim,
    mode,
    numExamples: count,
    settings,
    residual: residual as FitResidual,
    timings: { moments: 0, kernel: 0, weights: 0, residual: performance.now() - residualStart, started },
  });
}

interface Settings {
  readonly ridge: number;
  readonly rtol: number;
  readonly onProgress: ProgressCallback | undefined;
}

interface CoreFit {
  /** The folded weights divided by `2^weightExponent` (the solve's units). */
  readonly weights: Matrix;
  /** The weights are `weights · 2^weightExponent`. */
  readonly weightExponent: number;
  readonly solver: 'cholesky' | 'eigen' | 'dual';
  readonly factorization: Factorization;
  readonly rank: number;
  readonly eigenvalues: EigenvalueRange | null;
  readonly warnings: string[];
  readonly solveTime: number;
}

function readSolveOptions(fn: string, options: SolveOptions | undefined, dim: number): Settings {
  const ridge = options?.ridge === undefined ? 0 : checkNumber(fn, 'options.ridge', options.ridge, { min: 0 });
  const rtol =
    options?.rtol === undefined ? dim * EPSILON : checkNumber(fn, 'options.rtol', options.rtol, { min: 0, max: 1 });
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.onProgress must be a function. Expected a function or undefined; received ${describe(onProgress)}.`,
    );
  }
  return { ridge, rtol, onProgress };
}

/**
 * Solves `(G + λI) wᵀ = B` from the moments, on `G' = G / 2^g` (`g` even, so square roots scale exactly) and
 * `B' = B / 2^b`, powers of two chosen from the largest entries so the solve stays inside float64 whatever the
 * moments' scale; the scaling is exact, so ordinary moments give bitwise the unscaled result. Then
 * `(G' + λ'I) w'ᵀ = B'` with `λ' = λ / 2^g` and `w = 2^(b − g) w'`. With `withResidual`, also the residual from the
 * moments, formed in the scaled units.
 */
function solvePrimal(
  moments: GramAccumulator,
  settings: Settings,
  solver: Exclude<LinearSolver, 'dual'>,
  withResidual: boolean,
  ridgeExponent = 0,
): { core: CoreFit; residual: FitResidual | undefined } {
  const start = performance.now();
  settings.onProgress?.({ stage: 'solve', done: 0, total: 1 });
  const { gram, cross, targetGram, count } = gramMoments(moments); // G (D, D), B (D, dOut), Σyyᵀ (dOut, dOut)
  const largestGram = largestMagnitude(gram.data);
  const largestCross = largestMagnitude(cross.data);
  // G and the ridge λ · 2^ridgeExponent on one scale 2^g (g even: Cholesky scales exactly).
  const { exponent: gramExponent, ridge } = commonScale(largestGram, settings.ridge, ridgeExponent);
  const crossExponent = rescaleExponent(largestCross);
  const scaledGram = scaleMatrix(gram, -gramExponent); // G'
  const scaledCross = scaleMatrix(cross, -crossExponent); // B'
  const solved = solveSymmetric(scaledGram, scaledCross, { ridge, rtol: settings.rtol, factorization: solver });
  settings.onProgress?.({ stage: 'solve', done: 1, total: 1 });
  const scaledWeights = transpose(solved.solution); // w' (dOut, D)
  const weightExponent = crossExponent - gramExponent;
  const residual = withResidual
    ? momentResidual(
        scaledGram,
        scaledCross,
        scaleMatrix(targetGram, gramExponent - 2 * crossExponent), // T' = T / 2^(2b − g)
        count,
        scaledWeights,
        2 * crossExponent - gramExponent,
      )
    : undefined;
  const { min, max, method } = solved.eigenvalues;
  return {
    core: {
      weights: scaledWeights, // w' (dOut, D)
      weightExponent,
      solver: solved.factorization,
      factorization: solved.factorization,
      rank: solved.rank,
      eigenvalues: { min: timesPowerOfTwo(min, gramExponent), max: timesPowerOfTwo(max, gramExponent), method },
      warnings: [...solved.warnings],
      solveTime: performance.now() - start,
    },
    residual,
  };
}

/**
 * The eigenvalues of a fit of tokens divided by `2^k`, in the data's own units (`G` scales by `2^(6k)`), with a
 * warning that gives them in the rescaled units when they do not fit in float64.
 */
function unscaleEigenvalues(core: CoreFit, tokenExponent: number, largestToken: number): CoreFit {
  if (tokenExponent === 0) return core;
  const warnings = [...core.warnings];
  let eigenvalues = core.eigenvalues;
  if (eigenvalues !== null) {
    const scaled = eigenvalues;
    eigenvalues = {
      min: timesPowerOfTwo(scaled.min, 6 * tokenExponent),
      max: timesPowerOfTwo(scaled.max, 6 * tokenExponent),
      method: scaled.method,
    };
    const lost = (before: number, after: number): boolean => before !== 0 && (after === 0 || !Number.isFinite(after));
    if (lost(scaled.min, eigenvalues.min) || lost(scaled.max, eigenvalues.max)) {
      warnings.push(
        `the tokens (as large as ${largestToken}) were divided by 2^${tokenExponent} to keep the features and G inside float64; the eigenvalues of G, of order 2^${6 * tokenExponent} times ${formatExponential(scaled.max)}, do not fit in float64 and are reported as ${eigenvalues.min} and ${eigenvalues.max}. In the rescaled units they are min ${formatExponential(scaled.min)} and max ${formatExponential(scaled.max)}${scaled.min > 0 ? ` (condition ${formatExponential(scaled.max / scaled.min)})` : ''}.`,
      );
    }
  }
  return { ...core, eigenvalues, warnings };
}

function formatExponential(value: number): string {
  return value.toExponential(3);
}

/**
 * One power of two `2^e` (`e` even) for a symmetric PSD matrix whose largest entry is `largest` and a ridge
 * `ridge · 2^ridgeExponent`, chosen from the larger of the two so that neither overflows; returns `e` and the ridge
 * in those units (`ridge · 2^(ridgeExponent − e)`). When the ridge dominates the matrix beyond the float64 range, the
 * matrix underflows to zero in these units — which is exact to working precision: `(A + λI)⁻¹ = I/λ` there.
 */
function commonScale(largest: number, ridge: number, ridgeExponent: number): { exponent: number; ridge: number } {
  const logRidge = ridge > 0 ? Math.log2(ridge) + ridgeExponent : Number.NEGATIVE_INFINITY;
  const logLargest = largest > 0 ? Math.log2(largest) : Number.NEGATIVE_INFINITY;
  const top = Math.max(logRidge, logLargest);
  const exponent = top === Number.NEGATIVE_INFINITY ? 0 : exponentFor(top, true);
  return { exponent, ridge: timesPowerOfTwo(ridge, ridgeExponent - exponent) };
}

/**
 * Throws `TOO_LARGE` before any allocation when the fit's largest array would exceed `MAX_ARRAY_ENTRIES`: the
 * `(D, D)` Gram on the primal route, the `(dOut, D)` weights on the dual.
 */
function checkFitSize(
  fn: string,
  entries: number,
  dual: boolean,
  modelDim: number,
  dim: number,
  outputDim: number,
): void {
  if (entries <= MAX_ARRAY_ENTRIES) return;
  const what = dual ? `the (${outputDim}, ${dim}) weights` : `the (${dim}, ${dim}) feature Gram`;
  throw new LattnError(
    'TOO_LARGE',
    `${fn}: ${what} for tokens of dimension ${modelDim} would need ${entries} float64 entries (${Number(((entries * 8) / 2 ** 30).toPrecision(3))} GiB). Expected at most ${MAX_ARRAY_ENTRIES} entries (2 GiB; featureDim <= 16384, modelDim <= 31, for the primal solvers); received a problem needing ${entries}.`,
    { details: { entries, limit: MAX_ARRAY_ENTRIES, modelDim, featureDim: dim } },
  );
}

function finish(
  core: CoreFit,
  context: {
    modelDim: number;
    outputDim: number;
    dim: number;
    mode: PositionMode;
    numExamples: number;
    settings: Settings;
    residual: FitResidual;
    timings: { moments: number; kernel: number; weights: number; residual: number; started: number };
  },
): LinearAttentionFit {
  const { dim, settings, timings } = context;
  const warnings = core.warnings;
  if (core.rank < dim && settings.ridge === 0) {
    warnings.push(
      `the feature Gram has numerical rank ${core.rank} < featureDim ${dim} (rtol ${settings.rtol.toExponential(3)}): the data do not determine the weights uniquely; the minimum-norm solution is returned (certify the data with @lattn/certificate to see the missing directions).`,
    );
  }
  return {
    weights: core.weights,
    modelDim: context.modelDim,
    outputDim: context.outputDim,
    featureDim: dim,
    mode: context.mode,
    numExamples: context.numExamples,
    solver: core.solver,
    factorization: core.factorization,
    rank: core.rank,
    rtol: settings.rtol,
    ridge: settings.ridge,
    residual: context.residual,
    eigenvalues: core.eigenvalues,
    timings: {
      moments: timings.moments,
      kernel: timings.kernel,
      solve: core.solveTime,
      weights: timings.weights,
      residual: timings.residual,
      total: performance.now() - timings.started,
    },
    warnings,
  };
}

/** Stacks the target rows of all examples in example order: `Y` `(N, dOut)`. */
function stackTargets(targets: readonly Matrix[], numExamples: number, outputDim: number): Matrix {
  const data = new Float64Array(numExamples * outputDim);
  let offset = 0;
  for (const target of targets) {
    data.set(target.data, offset);
    offset += target.data.length;
  }
  return { rows: numExamples, cols: outputDim, data };
}

/** `w = αᵀ Ψ` `(dOut, D)`, built sequence by sequence from the features of each sequence's examples. */
function assembleWeights(
  dataset: Dataset,
  alpha: Matrix,
  dim: number,
  onProgress: ProgressCallback | undefined,
): Matrix {
  const outputDim = alpha.cols;
  const weights = new Float64Array(outputDim * dim);
  let row = 0;
  const total = dataset.inputs.length;
  for (let b = 0; b < total; b++) {
    const features = cubicFeatures(dataset.inputs[b], { mode: dataset.mode }); // Ψ_b (n_b, D)
    const rows = features.rows;
    const block: Matrix = {
      rows,
      cols: outputDim,
      data: alpha.data.subarray(row * outputDim, (row + rows) * outputDim),
    };
    const contribution = matmul(transpose(block), features); // α_bᵀ Ψ_b (dOut, D)
    for (let i = 0; i < weights.length; i++) weights[i] += contribution.data[i];
    row += rows;
    onProgress?.({ stage: 'weights', done: b + 1, total });
  }
  return { rows: outputDim, cols: dim, data: weights };
}

/** Sequences per `forwardFolded` call of the second pass: one progress report each. */
const RESIDUAL_BATCH = 256;

/** `Σ ‖y − wψ‖²` from the data, `RESIDUAL_BATCH` sequences at a time. */
function secondPassResidual(
  dataset: Dataset,
  weights: Matrix,
  numExamples: number,
  outputDim: number,
  onProgress: ProgressCallback | undefined,
): FitResidual {
  let sumOfSquares = 0;
  const total = dataset.inputs.length;
  for (let first = 0; first < total; first += RESIDUAL_BATCH) {
    const last = Math.min(total, first + RESIDUAL_BATCH);
    const predictions = forwardFolded(weights, dataset.inputs.slice(first, last), { mode: dataset.mode });
    predictions.forEach((predicted, k) => {
      const target = dataset.targets[first + k].data;
      for (let i = 0; i < target.length; i++) {
        const r = target[i] - predicted.data[i];
        sumOfSquares += r * r;
      }
    });
    onProgress?.({ stage: 'residual', done: last, total });
  }
  return {
    sumOfSquares,
    meanSquaredError: sumOfSquares / (numExamples * outputDim),
    method: 'second-pass',
    accuracy: 0,
  };
}

/**
 * `tr(Σyyᵀ) − 2 tr(wB) + tr(wGwᵀ)`, clamped at 0, with its rounding level, from the scaled `G'`, `B'`, `T'` and `w'`
 * (`G = 2^g G'`, `B = 2^b B'`, `w = 2^(b − g) w'`, `T = 2^(2b − g) T'`): every term is `2^(2b − g)` times its scaled
 * counterpart, passed as `exponent`.
 */
function momentResidual(
  gram: Matrix,
  cross: Matrix,
  targetGram: Matrix,
  count: number,
  weights: Matrix,
  exponent: number,
): FitResidual {
  const dim = gram.rows;
  const outputDim = weights.rows;
  let targetTrace = 0;
  for (let a = 0; a < outputDim; a++) targetTrace += targetGram.data[a * outputDim + a];
  let crossTrace = 0;
  let quadratic = 0;
  const gw = new Float64Array(dim);
  for (let a = 0; a < outputDim; a++) {
    const w = weights.data.subarray(a * dim, (a + 1) * dim);
    for (let i = 0; i < dim; i++) {
      crossTrace += w[i] * cross.data[i * outputDim + a];
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += gram.data[i * dim + j] * w[j];
      gw[i] = sum;
    }
    for (let i = 0; i < dim; i++) quadratic += w[i] * gw[i];
  }
  const sumOfSquares = timesPowerOfTwo(Math.max(0, targetTrace - 2 * crossTrace + quadratic), exponent);
  return {
    sumOfSquares,
    meanSquaredError: sumOfSquares / (count * outputDim),
    method: 'moments',
    accuracy: timesPowerOfTwo(
      (dim + 2) * EPSILON * (targetTrace + 2 * Math.abs(crossTrace) + Math.abs(quadratic)),
      exponent,
    ),
  };
}

function checkAccumulator(fn: string, value: unknown): { dim: number; targetDim: number; count: number } {
  const record = value as Partial<GramAccumulator> | null;
  if (typeof value !== 'object' || record === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: moments must be a GramAccumulator. Expected { dim, targetDim, count, gram, cross, targetGram }; received ${describe(value)}.`,
    );
  }
  const dim = checkInteger(fn, 'moments.dim', record.dim, { min: 1 });
  const targetDim = record.targetDim;
  if (targetDim === 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: moments carry no targets. Expected an accumulator made with targets (targetDim >= 1); received targetDim 0.`,
    );
  }
  checkInteger(fn, 'moments.targetDim', targetDim, { min: 1 });
  const count = checkInteger(fn, 'moments.count', record.count, { min: 1 });
  const arrays: [string, unknown, number][] = [
    ['gram', record.gram, dim * dim],
    ['cross', record.cross, dim * (targetDim as number)],
    ['targetGram', record.targetGram, (targetDim as number) ** 2],
  ];
  for (const [name, array, length] of arrays) {
    if (!(array instanceof Float64Array) || array.length !== length) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `${fn}: moments.${name} is malformed. Expected a Float64Array of length ${length}; received ${describe(array)}.`,
      );
    }
    checkFinite(fn, `moments.${name}`, array);
  }
  return { dim, targetDim: targetDim as number, count };
}

function modelDimOf(fn: string, dim: number, modelDim: unknown): number {
  let d = 1;
  while (featureDim(d) < dim) d++;
  if (featureDim(d) !== dim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: moments.dim is no folded feature dimension. Expected d·d(d+1)/2 (1, 6, 18, 40, 75, …); received ${dim}.`,
    );
  }
  if (modelDim !== undefined && checkInteger(fn, 'options.modelDim', modelDim, { min: 1 }) !== d) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.modelDim disagrees with the moments. Expected ${d} (moments.dim = ${dim}); received ${modelDim}.`,
    );
  }
  return d;
}
