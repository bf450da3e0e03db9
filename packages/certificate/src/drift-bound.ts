/**
 * The quantitative margin of the certificate (SPEC §4, docs/math/identifiability.md §4): how far a model whose
 * training loss exceeds the minimum by `ε` can be from every empirical risk minimiser on a given input.
 */
import {
  checkKnownKeys,
  checkMatrix,
  checkNumber,
  checkOneOf,
  cholesky,
  choleskySolve,
  describe,
  eigh,
  type GramAccumulator,
  isLattnError,
  LattnError,
  type Matrix,
  POSITION_MODES,
  type PositionMode,
} from '@lattn/core';
import { cubicFeatures } from '@lattn/feature-map';
import type { IdentifiabilityCertificate } from './certify.js';
import { checkAccumulator, EPSILON, extremes, readRtol, secondMoment } from './second-moment.js';

/** Options of {@link driftBound}. */
export interface DriftBoundOptions {
  /**
   * `ε >= 0`: how much the model's training loss exceeds the minimum, with the loss
   * `L(w) = (1/N) Σ_examples ‖y − w ψ‖²` (squared error summed over output coordinates, averaged over the `N`
   * examples behind `Λ`). If your loss also averages over the `outputDim` coordinates, multiply it by `outputDim`.
   */
  readonly excessLoss: number;
  /** The input sequence `Z` `(n, d)` on which to bound the deviation. */
  readonly input: Matrix;
  /**
   * Which positions of `input` to bound: every position (`'all'`) or the last (`'last'`).
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * Relative eigenvalue tolerance when `source` is a moment accumulator (with a certificate, the certificate's own
   * `rtol` is used and this must be omitted).
   * @defaultValue `100 · D · ε`, as in `certifyFromMoments`
   */
  readonly rtol?: number;
}

/** How {@link driftBound} evaluated `ψᵀΛ⁻¹ψ`. */
export type DriftMethod = 'cholesky' | 'eigh' | 'certificate';

/**
 * Upper bounds on `‖(w' − w*) ψ_t‖` (the Euclidean distance between the outputs of a model `w'` with excess loss
 * `ε` and any empirical risk minimiser `w*`) at each bounded position `t` of the input, from the tightest to the
 * simplest: `tight <= spectral <= product <= frobenius`.
 */
export interface DriftBound {
  /** `ε` as given. */
  readonly excessLoss: number;
  /** Which positions were bounded. */
  readonly mode: PositionMode;
  /** Number of bounded positions: `n` in mode `'all'`, `1` in mode `'last'`. */
  readonly numPositions: number;
  /**
   * Per position, `√(ε · ψ_tᵀ Λ⁺ ψ_t)`: attained by some `w'` with excess exactly `ε`, so it cannot be improved.
   * When `Λ` is singular it is finite exactly where `ψ_t` lies in the span of the training features (the output
   * there is determined by the data) and `Infinity` elsewhere. `null` when `source` was a certificate, which does
   * not carry `Λ`.
   */
  readonly tight: Float64Array | null;
  /** Per position, `√(ε / λ_min) · ‖ψ_t‖` (`Infinity` when not identifiable and `ψ_t ≠ 0`). */
  readonly spectral: Float64Array;
  /** Per position, `√(ε / λ_min) · ‖M_t‖_F · ‖z_t‖` (`Infinity` when not identifiable and `z_t ≠ 0`). */
  readonly product: Float64Array;
  /** `√(ε / λ_min) · ‖Z‖_F³`, one number bounding every position (`Infinity` when not identifiable). */
  readonly frobenius: number;
  /** The bound to quote: the largest `tight` value when available, else the largest `spectral` value. */
  readonly bound: number;
  /** `λ_min(Λ)` used. */
  readonly lambdaMin: number;
  /** Whether `Λ` is positive definite at the tolerance used. */
  readonly identifiable: boolean;
  /** The absolute eigenvalue threshold used: `rtol · λ_max`. */
  readonly tolerance: number;
  /** The relative tolerance used. */
  readonly rtol: number;
  /** How `ψᵀΛ⁻¹ψ` was evaluated: Cholesky of `Λ`, its eigendecomposition (singular `Λ`), or not at all. */
  readonly method: DriftMethod;
}

/**
 * Bounds how far any two near-minimisers of the training loss can disagree on an input (SPEC §4's quantitative
 * margin). For least squares, the excess loss of `w' = w* + Δ` over a minimiser `w*` is exactly `tr(Δ Λ Δᵀ)`, so
 * on a position with features `ψ`:
 *
 *     ‖Δψ‖ <= √(ε · ψᵀΛ⁻¹ψ)  <=  √(ε/λ_min) · ‖ψ‖  <=  √(ε/λ_min) · ‖M_t‖_F · ‖z_t‖  <=  √(ε/λ_min) · ‖Z‖_F³
 *
 * The first bound is attained (it is the exact maximum over all `Δ` with excess `ε`). Squared, the last one is
 * SPEC's `ε/λ_min · ‖Z‖_F⁶` scale. Two models with excess losses `ε₁` and `ε₂` differ by at most the sum of their
 * bounds.
 *
 * Notes: with a {@link IdentifiabilityCertificate} only `λ_min` is known, so `tight` is `null`. With moments, `Λ` is
 * factored once (Cholesky, `O(D³/3)`; or `eigh` when singular) and each position costs `O(D²)`. When `Λ` is
 * singular, a position counts as determined when the component of `ψ_t` outside the span of the training features
 * is at most `√ε_mach · ‖ψ_t‖` (rounding of the features themselves is about `ε_mach · ‖ψ_t‖`).
 *
 * @param source - The training set's accumulated moments (`accumulateFeatureMoments`), or its certificate.
 * @param options - See {@link DriftBoundOptions}; `excessLoss` and `input` are required.
 * @returns A {@link DriftBound}.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed source, a negative `excessLoss`, a bad option or an unknown
 * option field; `SHAPE_MISMATCH` when the input's token dimension differs from the source's; `NON_FINITE` for NaN
 * or ±Infinity (in the input or the source's Gram), or an input whose features overflow float64. With a
 * certificate of rescaled tokens (`inputScale ≠ 1`) the input is divided by the same power of two, which leaves every
 * bound unchanged (they are homogeneous of degree 0 in a common scale of training and input tokens).
 * @example
 * ```ts
 * const moments = accumulateFeatureMoments(train.inputs, { targets: train.targets });
 * const drift = driftBound(moments, { excessLoss: 1e-6, input: fresh });
 * drift.bound; // no model within 1e-6 of the best training loss moves any output of `fresh` by more than this
 * ```
 * @see docs/math/identifiability.md §4
 */
export function driftBound(
  source: GramAccumulator | IdentifiabilityCertificate,
  options: DriftBoundOptions,
): DriftBound {
  const fn = 'driftBound';
  checkKnownKeys(fn, 'options', options, ['excessLoss', 'input', 'mode', 'rtol']);
  if (options === undefined) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options are required. Expected { excessLoss, input }; received ${describe(options)}.`,
    );
  }
  const excessLoss = checkNumber(fn, 'options.excessLoss', options.excessLoss, { min: 0 });
  const mode = options.mode === undefined ? 'all' : checkOneOf(fn, 'options.mode', options.mode, POSITION_MODES);
  const fromCertificate = isCertificate(source);
  const modelDim = fromCertificate ? checkCertificate(fn, source) : checkAccumulator(fn, 'source', source);
  const given = checkMatrix(fn, 'options.input', options.input, { cols: modelDim });
  if (given.rows === 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.input is empty. Expected at least one token; received shape (0, ${modelDim}).`,
    );
  }
  if (fromCertificate && options.rtol !== undefined) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.rtol applies only to moments; a certificate carries its own rtol. Expected no rtol; received ${describe(options.rtol)}.`,
    );
  }

  // A certificate of tokens divided by s = inputScale carries λ_min(Λ(Z/s)) = λ_min(Λ(Z)) / s⁶; every bound is
  // homogeneous of degree 3 in the input over √λ_min, so the input divided by s gives the bounds exactly.
  const inputScale = fromCertificate ? (source.inputScale ?? 1) : 1;
  const input = inputScale === 1 ? given : { ...given, data: given.data.map((x) => x / inputScale) };
  const features = featuresOf(fn, input, mode); // (positions, D)
  const positions = features.rows;
  const dim = features.cols;
  let spectrum: { lambdaMin: number; identifiable: boolean; tolerance: number; rtol: number };
  let quadratic: Float64Array | null = null; // ψ_tᵀ Λ⁺ ψ_t, or Infinity when ψ_t leaves the span
  let method: DriftMethod = 'certificate';
  if (fromCertificate) {
    spectrum = source;
  } else {
    const rtol = readRtol(fn, options.rtol, dim);
    const lambda = secondMoment(source); // (D, D)
    const quick = extremes(lambda, source.count, rtol);
    spectrum = { ...quick, rtol };
    const factor = quick.identifiable ? cholesky(lambda) : null;
    if (factor?.positiveDefinite) {
      method = 'cholesky';
      quadratic = choleskyQuadratic(factor.factor, features);
    } else {
      method = 'eigh';
      const { values, vectors } = eigh(lambda, { vectors: true });
      const lambdaMax = Math.max(0, values[dim - 1]);
      const tolerance = rtol * lambdaMax;
      const lambdaMin = source.count > 0 ? values[0] : 0;
      spectrum = { lambdaMin, identifiable: lambdaMax > 0 && lambdaMin > tolerance, tolerance, rtol };
      quadratic = eigenQuadratic(values, vectors as Matrix, tolerance, features);
    }
  }

  const scale = spectrum.identifiable ? Math.sqrt(excessLoss / spectrum.lambdaMin) : Number.POSITIVE_INFINITY;
  const times = (norm: number): number => (norm === 0 ? 0 : scale * norm);
  const spectral = new Float64Array(positions);
  const product = new Float64Array(positions);
  const tight = quadratic === null ? null : new Float64Array(positions);
  const d = modelDim;
  const moment = new Float64Array(d * d); // M_t, full (d, d)
  let frobeniusSquared = 0;
  for (let t = 0, row = 0; t < input.rows; t++) {
    const offset = t * d;
    let tokenSquared = 0;
    for (let j = 0; j < d; j++) {
      const zj = input.data[offset + j];
      tokenSquared += zj * zj;
      for (let k = 0; k < d; k++) moment[j * d + k] += zj * input.data[offset + k];
    }
    frobeniusSquared += tokenSquared;
    if (mode === 'last' && t < input.rows - 1) continue;
    let momentSquared = 0;
    for (let i = 0; i < d * d; i++) momentSquared += moment[i] * moment[i];
    let featureSquared = 0;
    for (let p = 0; p < dim; p++) featureSquared += features.data[row * dim + p] ** 2;
    spectral[row] = times(Math.sqrt(featureSquared));
    product[row] = times(Math.sqrt(momentSquared * tokenSquared));
    if (tight !== null && quadratic !== null) {
      tight[row] =
        quadratic[row] === Number.POSITIVE_INFINITY ? quadratic[row] : Math.sqrt(excessLoss * quadratic[row]);
    }
    row++;
  }
  const frobenius = times(frobeniusSquared ** 1.5);
  let bound = 0;
  for (const value of tight ?? spectral) bound = Math.max(bound, value);
  return {
    excessLoss,
    mode,
    numPositions: positions,
    tight,
    spectral,
    product,
    frobenius,
    bound,
    lambdaMin: spectrum.lambdaMin,
    identifiable: spectrum.identifiable,
    tolerance: spectrum.tolerance,
    rtol: spectrum.rtol,
    method,
  };
}

/** `cubicFeatures(input)`, with an overflow reported as `driftBound`'s own `NON_FINITE` about `options.input`. */
function featuresOf(fn: string, input: Matrix, mode: PositionMode): Matrix {
  try {
    return cubicFeatures(input, { mode });
  } catch (error) {
    if (!isLattnError(error) || error.code !== 'NON_FINITE') throw error;
    throw new LattnError(
      'NON_FINITE',
      error.message.replace('cubicFeatures: the features of sequence', `${fn}: the features of options.input`),
      {
        cause: error,
        details: error.details,
      },
    );
  }
}

function isCertificate(value: unknown): value is IdentifiabilityCertificate {
  return typeof value === 'object' && value !== null && 'lambdaMin' in value && !('gram' in value);
}

function checkCertificate(fn: string, certificate: IdentifiabilityCertificate): number {
  const { lambdaMin, identifiable, tolerance, rtol, modelDim, inputScale } = certificate;
  if (
    typeof identifiable !== 'boolean' ||
    (inputScale !== undefined && !(inputScale > 0 && Number.isFinite(inputScale))) ||
    !Number.isFinite(lambdaMin) ||
    !Number.isFinite(tolerance) ||
    !Number.isFinite(rtol) ||
    !Number.isSafeInteger(modelDim) ||
    modelDim < 1
  ) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: source is not a certificate. Expected an IdentifiabilityCertificate from certifyIdentifiability or certifyFromMoments; received ${describe(certificate)}.`,
    );
  }
  return modelDim;
}

/** `ψ_tᵀ Λ⁻¹ ψ_t` for every row of `features`, from the Cholesky factor `Λ = L Lᵀ`. */
function choleskyQuadratic(factor: Matrix, features: Matrix): Float64Array {
  const positions = features.rows;
  const dim = features.cols;
  const rhs = new Float64Array(dim * positions); // (D, positions): Ψᵀ
  for (let t = 0; t < positions; t++) for (let p = 0; p < dim; p++) rhs[p * positions + t] = features.data[t * dim + p];
  const solved = choleskySolve(factor, { rows: dim, cols: positions, data: rhs }); // Λ⁻¹ Ψᵀ
  const out = new Float64Array(positions);
  for (let t = 0; t < positions; t++) {
    let sum = 0;
    for (let p = 0; p < dim; p++) sum += rhs[p * positions + t] * solved.data[p * positions + t];
    out[t] = sum;
  }
  return out;
}

/**
 * `ψ_tᵀ Λ⁺ ψ_t` for every row of `features` from `Λ = V diag(λ) Vᵀ`, restricted to eigenvalues above `tolerance`;
 * `Infinity` when the component of `ψ_t` in the null space exceeds `√ε · ‖ψ_t‖`.
 */
function eigenQuadratic(values: Float64Array, vectors: Matrix, tolerance: number, features: Matrix): Float64Array {
  const positions = features.rows;
  const dim = features.cols;
  const out = new Float64Array(positions);
  const limit = Math.sqrt(EPSILON);
  for (let t = 0; t < positions; t++) {
    let quadratic = 0;
    let nullSquared = 0;
    let normSquared = 0;
    for (let p = 0; p < dim; p++) normSquared += features.data[t * dim + p] ** 2;
    for (let i = 0; i < dim; i++) {
      let coefficient = 0; // v_iᵀ ψ_t
      for (let p = 0; p < dim; p++) coefficient += vectors.data[p * dim + i] * features.data[t * dim + p];
      if (values[i] > tolerance) quadratic += (coefficient * coefficient) / values[i];
      else nullSquared += coefficient * coefficient;
    }
    out[t] = nullSquared > limit * limit * normSquared ? Number.POSITIVE_INFINITY : quadratic;
  }
  return out;
}
