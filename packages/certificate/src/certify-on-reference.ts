/**
 * Identifiability relative to the inputs that matter (docs/math/identifiability.md §8): does the training set
 * determine the learned function on every input whose features lie in the span of a reference set's features (a
 * task's input distribution, a test set)? Measured by the smallest generalised eigenvalue of `(Λ_train, Λ_ref)`.
 */
import {
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  eigh,
  type GramAccumulator,
  LattnError,
  type Matrix,
  POSITION_MODES,
  type PositionMode,
  type ProgressCallback,
} from '@lattn/core';
import { describeRelations, type MissingDirection } from './missing-directions.js';
import { checkAccumulator, formatNumber, plural, readCallback, readRtol, secondMoment } from './second-moment.js';

/** Options of {@link certifyOnReference}. */
export interface ReferenceCertificateOptions {
  /**
   * Token dimension `d`; must satisfy `featureDim(modelDim) === train.dim`.
   * @defaultValue inferred from `train.dim`
   */
  readonly modelDim?: number;
  /**
   * The training mode (wording only).
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * Relative eigenvalue tolerance, applied to `Λ_train` (relative to its `λ_max`) and to `Λ_ref` (relative to its own).
   * @defaultValue `100 · D · ε`, as in `certifyFromMoments`
   */
  readonly rtol?: number;
  /**
   * At most this many undetermined directions are listed.
   * @defaultValue `20`
   */
  readonly maxDirections?: number;
  /**
   * Receives `{ stage: 'eigenvalues', done, total: 3 }` reports.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** Whether a training set determines the learned function on a reference set's inputs, with the numbers behind it. */
export interface ReferenceCertificate {
  /**
   * Every empirical risk minimiser on the training set gives the same output on every input whose features lie in
   * the span of the reference features: the null space of `Λ_train` is orthogonal to the range of `Λ_ref`.
   */
  readonly identifiable: boolean;
  /**
   * `μ = min { vᵀΛ_train v / vᵀΛ_ref v : vᵀΛ_ref v > 0 }`, the smallest generalised eigenvalue: a model whose training
   * loss exceeds the minimum by `ε` has a mean squared deviation from every minimiser of at most `ε / μ` on the
   * reference examples. `0` when not identifiable; `Infinity` when the reference features are all zero.
   */
  readonly lambdaMin: number;
  /** Dimensions of the reference feature span that the training data leave undetermined (`0` iff identifiable). */
  readonly numUndetermined: number;
  /** Numerical rank of `Λ_train`. */
  readonly trainRank: number;
  /** Numerical rank of `Λ_ref`: the dimension of the span the certificate speaks about. */
  readonly referenceRank: number;
  /** `D = d · d(d+1)/2`. */
  readonly featureDim: number;
  /** `d`. */
  readonly modelDim: number;
  /** The training mode (wording only). */
  readonly mode: PositionMode;
  /** Training examples behind `Λ_train`. */
  readonly numExamples: number;
  /** Reference examples behind `Λ_ref`. */
  readonly numReferenceExamples: number;
  /** The absolute threshold on eigenvalues of `Λ_train`: `rtol · λ_max(Λ_train)`. */
  readonly tolerance: number;
  /** The absolute threshold on `Λ_ref`: `rtol · λ_max(Λ_ref)`. */
  readonly referenceTolerance: number;
  /** The relative tolerance used. */
  readonly rtol: number;
  /**
   * The undetermined directions read as relations among features that hold on every training example but not on
   * the reference examples (kind `'combination'`; a single feature reads "… is zero on every example").
   */
  readonly missingDirections: readonly MissingDirection[];
  /** Undetermined directions not listed. */
  readonly numUnlistedDirections: number;
  /** Why the verdict holds, in words. */
  readonly reasons: readonly string[];
}

/**
 * Certifies that a training set determines the learned function on the inputs that matter: every input whose
 * features lie in the span of a reference set's features (for example a large sample of a task's input
 * distribution, or a test set). This is the certificate to use when the task's inputs never excite some feature
 * directions, so that the plain certificate can never hold: in associative memory the query token has a zero value
 * part, so no feature `M[j,k]·z[l]` with `l` a value coordinate is ever excited, in training or at test time.
 *
 * With `Λ_train = V diag(λ) Vᵀ` and null basis `N`: the training set leaves `numUndetermined = rank(Nᵀ Λ_ref N)`
 * reference directions open. When none, `μ = 1 / λ_max(λ_R^{−1/2} V_Rᵀ Λ_ref V_R λ_R^{−1/2})` over the range part.
 * Since excess training loss is `tr(ΔΛ_trainΔᵀ)` (see {@link driftBound}), the mean squared deviation on the
 * reference is `tr(ΔΛ_refΔᵀ) <= ε / μ`, attained by the top generalised eigenvector.
 *
 * Notes: one `eigh` of `Λ_train` with vectors, and eigenvalues only of `Λ_ref` and of the `(nullity, nullity)` or
 * whitened `(rank, rank)` projection: `O(D³)`. A certificate of `certifyFromMoments` that holds implies this one for every reference.
 *
 * @param train - Moments of the training inputs (`accumulateFeatureMoments`).
 * @param reference - Moments of the reference inputs, same `dim`.
 * @param options - See {@link ReferenceCertificateOptions}.
 * @returns A {@link ReferenceCertificate}.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed accumulator, a bad option or an unknown option field;
 * `SHAPE_MISMATCH` when the two accumulators (or `modelDim`) disagree on the feature dimension.
 * @example
 * ```ts
 * const task = generateAssociativeMemoryTask({ keyDim: 2, numPairs: 2, numSequences: 300 }); // orthogonal keys
 * const test = generateAssociativeMemoryTask({ keyDim: 2, numPairs: 2, keyDistribution: 'gaussian', seed: 9 });
 * const certificate = certifyOnReference(
 *   accumulateFeatureMoments(task.dataset.inputs, { mode: 'last' }),
 *   accumulateFeatureMoments(test.dataset.inputs, { mode: 'last' }),
 *   { mode: 'last' },
 * );
 * certificate.identifiable; // false: orthonormal keys satisfy relations that Gaussian keys break
 * ```
 * @see docs/math/identifiability.md §8
 */
export function certifyOnReference(
  train: GramAccumulator,
  reference: GramAccumulator,
  options?: ReferenceCertificateOptions,
): ReferenceCertificate {
  const fn = 'certifyOnReference';
  checkKnownKeys(fn, 'options', options, ['modelDim', 'mode', 'rtol', 'maxDirections', 'onProgress']);
  const modelDim = checkAccumulator(fn, 'train', train, options?.modelDim);
  checkAccumulator(fn, 'reference', reference);
  if (reference.dim !== train.dim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: reference and train hold features of different dimensions. Expected reference.dim ${train.dim}; received ${reference.dim}.`,
      { details: { expected: train.dim, received: reference.dim } },
    );
  }
  const mode = options?.mode === undefined ? 'all' : checkOneOf(fn, 'options.mode', options.mode, POSITION_MODES);
  const dim = train.dim;
  const rtol = readRtol(fn, options?.rtol, dim);
  const maxDirections =
    options?.maxDirections === undefined
      ? 20
      : checkInteger(fn, 'options.maxDirections', options.maxDirections, { min: 0 });
  const onProgress = readCallback(fn, 'options.onProgress', options?.onProgress);

  const lambdaTrain = secondMoment(train); // (D, D)
  const lambdaRef = secondMoment(reference); // (D, D)
  onProgress?.({ stage: 'eigenvalues', done: 0, total: 3 });
  const { values, vectors } = eigh(lambdaTrain, { vectors: true }); // ascending; columns
  const v = (vectors as Matrix).data;
  const trainMax = train.count > 0 ? Math.max(0, values[dim - 1]) : 0;
  const tolerance = rtol * trainMax;
  let nullity = 0;
  while (nullity < dim && (trainMax === 0 || values[nullity] <= tolerance)) nullity++;
  const refSpectrum = eigh(lambdaRef, { vectors: false }).values;
  const refMax = reference.count > 0 ? Math.max(0, refSpectrum[dim - 1]) : 0;
  const referenceTolerance = rtol * refMax;
  let referenceRank = 0;
  for (let i = 0; i < dim; i++) if (refMax > 0 && refSpectrum[i] > referenceTolerance) referenceRank++;
  onProgress?.({ stage: 'eigenvalues', done: 1, total: 3 });

  // K = Nᵀ Λ_ref N (nullity, nullity): how strongly the reference excites each null direction of Λ_train.
  const projected = congruence(lambdaRef, v, dim, 0, nullity, null);
  const excitation = eigh(projected, { vectors: true }); // (nullity, nullity); empty when Λ_train is regular
  let numUndetermined = 0;
  for (let i = 0; i < nullity; i++) if (refMax > 0 && excitation.values[i] > referenceTolerance) numUndetermined++;
  onProgress?.({ stage: 'eigenvalues', done: 2, total: 3 });

  const base = {
    trainRank: dim - nullity,
    referenceRank,
    featureDim: dim,
    modelDim,
    mode,
    numExamples: train.count,
    numReferenceExamples: reference.count,
    tolerance,
    referenceTolerance,
    rtol,
  };
  if (numUndetermined > 0) {
    // The excited directions N·u for the eigenvectors u of K above the reference tolerance, as columns (D, m).
    const u = (excitation.vectors as Matrix).data;
    const basis = new Float64Array(dim * numUndetermined);
    for (let p = 0; p < dim; p++) {
      for (let c = 0; c < numUndetermined; c++) {
        const column = nullity - 1 - c; // largest excitation first
        let sum = 0;
        for (let i = 0; i < nullity; i++) sum += v[p * dim + i] * u[i * nullity + column];
        basis[p * numUndetermined + c] = sum;
      }
    }
    const reading = describeRelations({ rows: dim, cols: numUndetermined, data: basis }, modelDim, maxDirections);
    onProgress?.({ stage: 'eigenvalues', done: 3, total: 3 });
    return {
      ...base,
      identifiable: false,
      lambdaMin: 0,
      numUndetermined,
      missingDirections: reading.directions,
      numUnlistedDirections: reading.numUnlisted,
      reasons: [
        `${plural(numUndetermined, 'direction')} of the ${referenceRank}-dimensional span of the reference features ${numUndetermined === 1 ? 'is' : 'are'} not determined by the training data: models that fit the training set equally well give different outputs on reference inputs`,
        ...reading.directions.map((direction) => `${direction.description}, but not on every reference example`),
        ...(reading.numUnlisted > 0
          ? [`… and ${plural(reading.numUnlisted, 'more undetermined direction')} not listed (raise maxDirections)`]
          : []),
      ],
    };
  }

  // μ = 1 / λ_max(S), S = λ_R^{−1/2} V_Rᵀ Λ_ref V_R λ_R^{−1/2} over the range part of Λ_train.
  const scale = new Float64Array(dim);
  for (let i = nullity; i < dim; i++) scale[i] = 1 / Math.sqrt(values[i]);
  const whitened = congruence(lambdaRef, v, dim, nullity, dim, scale);
  const spectrum = eigh(whitened, { vectors: false }).values; // its top is often clustered: no Lanczos here
  const top = spectrum.length > 0 ? Math.max(0, spectrum[spectrum.length - 1]) : 0;
  const lambdaMin = top > 0 ? 1 / top : Number.POSITIVE_INFINITY;
  onProgress?.({ stage: 'eigenvalues', done: 3, total: 3 });
  return {
    ...base,
    identifiable: true,
    lambdaMin,
    numUndetermined: 0,
    missingDirections: [],
    numUnlistedDirections: 0,
    reasons: [
      `the training data determine all ${referenceRank} directions of the span of the reference features (rank of Λ_train ${dim - nullity} of ${dim}): every empirical risk minimiser gives the same output on every reference input; μ = ${formatNumber(lambdaMin)}, so a model with excess training loss ε deviates from them by at most √(ε/μ) in root mean square over the reference examples`,
    ],
  };
}

/**
 * `Cᵀ A C` for the columns `from … to−1` of the row-major `(D, D)` matrix `vectors`, each scaled by `scale[i]` when
 * given: a fresh `(to − from, to − from)` symmetric matrix.
 */
function congruence(
  a: Matrix,
  vectors: Float64Array,
  dim: number,
  from: number,
  to: number,
  scale: Float64Array | null,
): Matrix {
  const size = to - from;
  const c = new Float64Array(dim * size); // (D, size)
  for (let p = 0; p < dim; p++) {
    for (let i = 0; i < size; i++)
      c[p * size + i] = vectors[p * dim + from + i] * (scale === null ? 1 : scale[from + i]);
  }
  const ac = new Float64Array(dim * size); // A C
  for (let p = 0; p < dim; p++) {
    for (let q = 0; q < dim; q++) {
      const apq = a.data[p * dim + q];
      if (apq === 0) continue;
      for (let i = 0; i < size; i++) ac[p * size + i] += apq * c[q * size + i];
    }
  }
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = i; j < size; j++) {
      let sum = 0;
      for (let p = 0; p < dim; p++) sum += c[p * size + i] * ac[p * size + j];
      out[i * size + j] = sum;
      out[j * size + i] = sum;
    }
  }
  return { rows: size, cols: size, data: out };
}
