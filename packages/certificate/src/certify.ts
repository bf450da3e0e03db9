/**
 * The identifiability certificate (SPEC §4, docs/math/identifiability.md): every empirical risk minimiser over
 * multi-head linear attention computes the same function iff the feature second moment `Λ = (1/N) Σ ψψᵀ` is
 * positive definite.
 */
import {
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkSequences,
  eigh,
  type GramAccumulator,
  type Matrix,
  POSITION_MODES,
  type PositionMode,
  type ProgressCallback,
} from '@lattn/core';
import { accumulateFeatureMoments, featureDim } from '@lattn/feature-map';
import { describeNullSpace, type MissingDirection } from './missing-directions.js';
import { scaleSequences, tokenExponent } from './scale.js';
import {
  checkAccumulator,
  checkGramSize,
  extremes,
  formatNumber,
  plural,
  readBoolean,
  readCallback,
  readRtol,
  secondMoment,
} from './second-moment.js';

/** How the certificate's eigenvalues were obtained. */
export type CertificateMethod = 'extreme-eigenvalues' | 'eigh';

/** Options of {@link certifyFromMoments}. */
export interface CertifyFromMomentsOptions {
  /**
   * Token dimension `d` of the sequences the moments were accumulated from; must satisfy
   * `featureDim(modelDim) === moments.dim`.
   * @defaultValue inferred from `moments.dim`
   */
  readonly modelDim?: number;
  /**
   * The training mode the moments were accumulated in. It only changes the wording of missing directions.
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * Relative tolerance: eigenvalues of `Λ` at or below `rtol · λ_max(Λ)` count as zero.
   * @defaultValue `100 · D · ε` with `D = featureDim` and `ε = 2⁻⁵²` (docs/math/identifiability.md §3)
   */
  readonly rtol?: number;
  /**
   * At most this many groups of missing directions are listed; the rest are counted in `numUnlistedDirections`.
   * @defaultValue `20`
   */
  readonly maxDirections?: number;
  /**
   * Whether to return an orthonormal basis of the null space of `Λ` in `nullSpace`.
   * @defaultValue `false`
   */
  readonly includeNullSpace?: boolean;
  /**
   * Receives `{ stage: 'eigenvalues', … }` reports (and `'null-space'` when `Λ` is singular).
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** Options of {@link certifyIdentifiability}: those of {@link CertifyFromMomentsOptions} plus the streaming pass. */
export interface CertifyOptions extends Omit<CertifyFromMomentsOptions, 'modelDim'> {
  /**
   * Which positions are training examples: every position (`'all'`) or the last of each sequence (`'last'`).
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * Positions per chunk of the streaming feature pass (memory `O(chunkSize · D)`).
   * @defaultValue the default of `accumulateFeatureMoments`
   */
  readonly chunkSize?: number;
  /**
   * Receives `{ stage: 'features', done, total }` reports from the streaming pass, then the certificate's stages.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/**
 * Whether a training set pins the learned attention function down, with the numbers that prove it.
 * A plain record: it survives `structuredClone` and, apart from `Infinity` in `condition`, `JSON.stringify`.
 */
export interface IdentifiabilityCertificate {
  /**
   * `λ_min(Λ) > tolerance`: `Λ` is positive definite, so the least-squares solution is unique and every empirical
   * risk minimiser (any MHLA, any head count) computes the same function on every input.
   */
  readonly identifiable: boolean;
  /** The smallest eigenvalue of `Λ = G / numExamples` (`0` when `numExamples < featureDim` and eigh found none). */
  readonly lambdaMin: number;
  /** The largest eigenvalue of `Λ`. */
  readonly lambdaMax: number;
  /** `lambdaMax / lambdaMin`, or `Infinity` when `lambdaMin <= 0`. */
  readonly condition: number;
  /** Numerical rank of `Λ`: the number of eigenvalues above `tolerance`. */
  readonly rank: number;
  /** `featureDim − rank`: the number of undetermined directions of the folded weights. */
  readonly nullity: number;
  /** `D = d · d(d+1)/2`, the length of the folded feature vector. */
  readonly featureDim: number;
  /** `d`, the token dimension. */
  readonly modelDim: number;
  /** The training mode (wording of missing directions only). */
  readonly mode: PositionMode;
  /** `N`, the number of training examples (positions) behind `Λ`. */
  readonly numExamples: number;
  /** The absolute eigenvalue threshold actually used: `rtol · lambdaMax`. */
  readonly tolerance: number;
  /** The relative tolerance actually used. */
  readonly rtol: number;
  /**
   * `'extreme-eigenvalues'`: `λ_min` and `λ_max` by core's `minEigenvalue`/`maxEigenvalue` (the identifiable path);
   * `'eigh'`: a full symmetric eigendecomposition (the singular path, which also yields the null space).
   */
  readonly method: CertificateMethod;
  /** Up to the 10 smallest eigenvalues of `Λ`, ascending, when `method` is `'eigh'`; empty otherwise. */
  readonly smallestEigenvalues: readonly number[];
  /** The null space read back as feature relations (empty when identifiable). */
  readonly missingDirections: readonly MissingDirection[];
  /** Null-space dimensions that `missingDirections` does not list (raise `maxDirections` to see more). */
  readonly numUnlistedDirections: number;
  /** An orthonormal basis of the null space, `(featureDim, nullity)`, when `includeNullSpace` was set; else `null`. */
  readonly nullSpace: Matrix | null;
  /** Why the verdict holds, in words: the eigenvalue test, then one line per missing direction group. */
  readonly reasons: readonly string[];
  /**
   * The power of two `s` the tokens were divided by (exactly) before their features were formed: `1` unless the
   * largest `|z|` lies beyond `2^±32`, where `Λ` (degree 6 in the tokens) would leave float64 — tokens at `1e±150`.
   * `lambdaMin`, `lambdaMax`, `tolerance` and `smallestEigenvalues` are then those of `Λ(Z / s) = Λ(Z) / s⁶`; the
   * verdict, `rank`, `condition` and the missing directions do not depend on `s`. Always `1` from
   * {@link certifyFromMoments}, which receives the moments as they are.
   */
  readonly inputScale: number;
}

const FROM_MOMENTS_KEYS = ['modelDim', 'mode', 'rtol', 'maxDirections', 'includeNullSpace', 'onProgress'];
const CERTIFY_KEYS = ['mode', 'rtol', 'maxDirections', 'includeNullSpace', 'chunkSize', 'onProgress'];
const MAX_SMALLEST = 10;

/**
 * Certifies whether a set of input sequences identifies multi-head linear attention: one streaming pass builds
 * `Λ = (1/N) Σ ψψᵀ` over the training positions, then {@link certifyFromMoments} decides.
 *
 * Targets are not needed: identifiability depends on the inputs only. To certify and fit from one pass, call
 * `accumulateFeatureMoments(inputs, { mode, targets })` once and hand the result to both
 * {@link certifyFromMoments} and the learner's `fitFromMoments`.
 *
 * Notes: cost `O(N · D²)` for the moments, `O(D³)` for the extreme eigenvalues, plus a full eigendecomposition
 * (`≈ 9D³` flops) when `Λ` is singular. The verdict is scale invariant (`rtol` is relative to `λ_max`) but not
 * invariant to rescaling single coordinates: a coordinate scaled by `10⁻⁶` scales some eigenvalues by up to `10⁻³⁶`.
 * Tokens beyond `2^±32` are divided by a power of two before their features are formed (exactly; see
 * `inputScale`), so tokens at `1e±150` — whose `Λ`, of degree 6, would overflow or underflow float64 — are certified
 * as at unit scale. The verdict is one-sided where it matters: it never says identifiable when the exact (rational)
 * rank of the feature matrix is below `featureDim`, and its rank never exceeds the exact rank (tested against
 * exact BigInt elimination on borderline data); regular but ill-conditioned data can be reported not identifiable.
 *
 * @param inputs - The training sequences, each `(n_b, d)` with one shared `d`; lengths may differ.
 * @param options - See {@link CertifyOptions}.
 * @returns An {@link IdentifiabilityCertificate}.
 * @throws `LattnError` `INVALID_ARGUMENT` for an empty batch, a bad option or an unknown option field;
 * `SHAPE_MISMATCH` when token dimensions differ; `NON_FINITE` for NaN or ±Infinity in a sequence; `TOO_LARGE` when
 * the `(D, D)` second moment would exceed feature-map's `MAX_ARRAY_ENTRIES` (2 GiB: `modelDim <= 31`).
 * @example
 * ```ts
 * const rng = createRng(1);
 * const inputs = Array.from({ length: 40 }, () => rng.normalMatrix(6, 2));
 * const certificate = certifyIdentifiability(inputs);
 * certificate.identifiable; // true
 * certificate.rank; // 6 (= featureDim(2))
 * certifyIdentifiability(inputs.map((z) => ({ rows: 1, cols: 2, data: z.data.slice(0, 2) }))).reasons[0];
 * // "rank 4 < featureDim 6: 2 directions of the folded weights are not determined by the data; …"
 * ```
 * @see docs/math/identifiability.md
 */
export function certifyIdentifiability(
  inputs: readonly Matrix[],
  options?: CertifyOptions,
): IdentifiabilityCertificate {
  const fn = 'certifyIdentifiability';
  checkKnownKeys(fn, 'options', options, CERTIFY_KEYS);
  const batch = checkSequences(fn, 'inputs', inputs);
  const mode = options?.mode === undefined ? 'all' : checkOneOf(fn, 'options.mode', options.mode, POSITION_MODES);
  const dim = featureDim(batch.modelDim);
  checkGramSize(fn, dim);
  const settings = readSettings(fn, options, dim);
  if (options?.chunkSize !== undefined) checkInteger(fn, 'options.chunkSize', options.chunkSize, { min: 1 });
  // Tokens beyond 2^±32 are divided by a power of two (exactly): Λ stays inside float64 and the verdict is unchanged.
  const exponent = tokenExponent(inputs);
  const moments = accumulateFeatureMoments(scaleSequences(inputs, exponent), {
    mode,
    ...(options?.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    ...(options?.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const certificate = certify(moments, batch.modelDim, mode, settings, exponent);
  if (certificate.identifiable || batch.maxSequenceLength > 1) return certificate;
  const distinct = (batch.modelDim * (batch.modelDim + 1) * (batch.modelDim + 2)) / 6;
  if (distinct >= dim) return certificate;
  const singleToken = `every sequence has a single token, so M_t = z_t z_tᵀ and each feature M[j,k]·z[l] = z_j·z_k·z_l depends only on the multiset {j, k, l}: at most ${distinct} of the ${dim} features are distinct`;
  return { ...certificate, reasons: [certificate.reasons[0], singleToken, ...certificate.reasons.slice(1)] };
}

/**
 * Certifies identifiability from accumulated feature moments (`accumulateFeatureMoments`, possibly merged across
 * shards with `mergeGram`): the same accumulator the learner's `fitFromMoments` reads, so one pass serves both.
 *
 * The test is `λ_min(Λ) > rtol · λ_max(Λ)` with `Λ = G / count`. `λ_min` and `λ_max` come from core's cheap
 * `minEigenvalue`/`maxEigenvalue`, and a pass is confirmed by a Cholesky factorisation of `Λ − tolerance · I`
 * (which proves every eigenvalue exceeds the tolerance); only when the test fails is the full `eigh` run, to find
 * the rank and read the null space back as missing directions (never-excited features, coincident features, other
 * relations).
 *
 * Notes: the default `rtol = 100 · D · ε` sits more than three orders of magnitude above the rounding floor
 * measured on exactly singular data (at most `0.09 · D · ε · λ_max` up to `N = 64 000`;
 * docs/math/identifiability.md §3) and far below the smallest eigenvalue of any reasonably sampled data set. Raise it to demand a margin (a certificate that holds for
 * `rtol = 10⁻⁶` has condition number below `10⁶`). Only the upper triangle of `moments.gram` is read.
 *
 * @param moments - A Gram accumulator over folded features: `dim = featureDim(d)`, `count` examples, `gram = Σψψᵀ`.
 * Targets, if accumulated, are ignored. Not modified.
 * @param options - See {@link CertifyFromMomentsOptions}.
 * @returns An {@link IdentifiabilityCertificate}; with `count = 0` it is not identifiable with rank 0.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed accumulator, a bad option or an unknown option field;
 * `SHAPE_MISMATCH` when `modelDim` disagrees with `moments.dim` or `moments.dim` is no folded feature dimension;
 * `NON_FINITE` for NaN or ±Infinity in the upper triangle of `moments.gram` (moments of tokens beyond about `1e50`
 * overflow: accumulate the tokens divided by a common power of two, or use {@link certifyIdentifiability});
 * `TOO_LARGE` when `moments.dim² > MAX_ARRAY_ENTRIES`.
 * @example
 * ```ts
 * const moments = accumulateFeatureMoments(dataset.inputs, { mode: dataset.mode, targets: dataset.targets });
 * const certificate = certifyFromMoments(moments, { mode: dataset.mode });
 * const fit = fitFromMoments(moments, { modelDim: certificate.modelDim, mode: dataset.mode });
 * ```
 * @see docs/math/identifiability.md
 */
export function certifyFromMoments(
  moments: GramAccumulator,
  options?: CertifyFromMomentsOptions,
): IdentifiabilityCertificate {
  const fn = 'certifyFromMoments';
  checkKnownKeys(fn, 'options', options, FROM_MOMENTS_KEYS);
  const modelDim = checkAccumulator(fn, 'moments', moments, options?.modelDim);
  const mode = options?.mode === undefined ? 'all' : checkOneOf(fn, 'options.mode', options.mode, POSITION_MODES);
  const settings = readSettings(fn, options, moments.dim);
  return certify(moments, modelDim, mode, settings, null);
}

/** The validated options of a certificate. */
export interface Settings {
  readonly rtol: number;
  readonly maxDirections: number;
  readonly includeNullSpace: boolean;
  readonly onProgress: ProgressCallback | undefined;
}

function readSettings(fn: string, options: CertifyFromMomentsOptions | undefined, dim: number): Settings {
  const rtol = readRtol(fn, options?.rtol, dim);
  const maxDirections =
    options?.maxDirections === undefined
      ? 20
      : checkInteger(fn, 'options.maxDirections', options.maxDirections, { min: 0 });
  const includeNullSpace = readBoolean(fn, 'options.includeNullSpace', options?.includeNullSpace, false);
  const onProgress = readCallback(fn, 'options.onProgress', options?.onProgress);
  return { rtol, maxDirections, includeNullSpace, onProgress };
}

/**
 * The certificate of validated moments (docs/math/identifiability.md §2–5), of tokens divided by `2^exponent`
 * (`inputScale = 2^exponent`; a note in the reasons says so when it is not 0). `exponent` is `null` for moments
 * accumulated by the caller, whose tokens lattn never saw.
 */
export function certify(
  moments: GramAccumulator,
  modelDim: number,
  mode: PositionMode,
  settings: Settings,
  exponent: number | null,
): IdentifiabilityCertificate {
  const certificate = certifyScaled(moments, modelDim, mode, settings, exponent);
  if (exponent === null || exponent === 0) return certificate;
  const note = `the tokens were divided by s = 2^${exponent} (exactly) before their features were formed, because Λ (degree 6 in the tokens) would leave float64 at their scale; the eigenvalues here are those of Λ(Z / s) = Λ(Z) / s⁶, and the verdict, rank and missing directions are those of Λ(Z)`;
  return { ...certificate, reasons: [certificate.reasons[0], note, ...certificate.reasons.slice(1)] };
}

function certifyScaled(
  moments: GramAccumulator,
  modelDim: number,
  mode: PositionMode,
  settings: Settings,
  exponent: number | null,
): IdentifiabilityCertificate {
  const dim = moments.dim;
  const count = moments.count;
  const { rtol, onProgress } = settings;
  const lambda = secondMoment(moments); // (D, D)
  onProgress?.({ stage: 'eigenvalues', done: 0, total: 1 });
  const quick = extremes(lambda, count, rtol);
  onProgress?.({ stage: 'eigenvalues', done: 1, total: 1 });
  const inputScale = 2 ** (exponent ?? 0);
  const base = { featureDim: dim, modelDim, mode, numExamples: count, rtol, inputScale };

  if (quick.identifiable) {
    return {
      ...base,
      identifiable: true,
      lambdaMin: quick.lambdaMin,
      lambdaMax: quick.lambdaMax,
      condition: quick.lambdaMax / quick.lambdaMin,
      rank: dim,
      nullity: 0,
      tolerance: quick.tolerance,
      method: 'extreme-eigenvalues',
      smallestEigenvalues: [],
      missingDirections: [],
      numUnlistedDirections: 0,
      nullSpace: settings.includeNullSpace ? { rows: dim, cols: 0, data: new Float64Array(0) } : null,
      reasons: [identifiableReason(quick.lambdaMin, quick.lambdaMax, quick.tolerance, rtol)],
    };
  }

  // Singular (or not provably regular): the full spectrum gives the rank and the null space.
  onProgress?.({ stage: 'null-space', done: 0, total: 1 });
  const { values, vectors } = eigh(lambda, { vectors: true }); // values ascending; vectors (D, D), columns
  const lambdaMin = count > 0 ? values[0] : 0;
  const lambdaMax = count > 0 ? Math.max(0, values[dim - 1]) : 0;
  const tolerance = rtol * lambdaMax;
  let nullity = 0;
  while (nullity < dim && (lambdaMax === 0 || values[nullity] <= tolerance)) nullity++;
  const rank = dim - nullity;
  const smallestEigenvalues = Array.from(values.subarray(0, Math.min(MAX_SMALLEST, dim)));
  if (nullity === 0) {
    // eigh resolves λ_min above the tolerance where the cheap routine did not: trust the full decomposition.
    onProgress?.({ stage: 'null-space', done: 1, total: 1 });
    return {
      ...base,
      identifiable: true,
      lambdaMin,
      lambdaMax,
      condition: lambdaMax / lambdaMin,
      rank,
      nullity,
      tolerance,
      method: 'eigh',
      smallestEigenvalues,
      missingDirections: [],
      numUnlistedDirections: 0,
      nullSpace: settings.includeNullSpace ? { rows: dim, cols: 0, data: new Float64Array(0) } : null,
      reasons: [identifiableReason(lambdaMin, lambdaMax, tolerance, rtol)],
    };
  }
  const nullBasis = columns(vectors as Matrix, nullity); // (D, nullity)
  const reading = describeNullSpace(lambda, nullBasis, tolerance, modelDim, mode, settings.maxDirections);
  onProgress?.({ stage: 'null-space', done: 1, total: 1 });

  const reasons: string[] = [
    `rank ${rank} < featureDim ${dim}: ${plural(nullity, 'direction')} of the folded weights ${nullity === 1 ? 'is' : 'are'} not determined by the data; models that differ along ${nullity === 1 ? 'it' : 'them'} fit the training data equally well but can differ on new inputs (λ_min = ${formatNumber(lambdaMin)} <= tolerance ${formatNumber(tolerance)} = rtol ${formatNumber(rtol)} × λ_max ${formatNumber(lambdaMax)})`,
  ];
  if (count === 0) {
    reasons.push('there are no training examples');
  } else if (lambdaMax === 0) {
    reasons.push(
      exponent === null
        ? 'every feature is zero on every example: every token is zero, or so small that its cubic features underflow float64 (below about 1e-103: accumulate the tokens divided by a common power of two, or use certifyIdentifiability, which does)'
        : 'every feature is zero on every example: every token is zero',
    );
  } else if (count < dim) {
    reasons.push(
      `only ${plural(count, 'example')} for ${dim} features: each example adds at most one to the rank, so at least ${plural(nullity, 'more example')} (positions) ${nullity === 1 ? 'is' : 'are'} needed`,
    );
  } else {
    reasons.push(
      `each new example raises the rank by at most one, so at least ${plural(nullity, 'more example')} (positions) ${nullity === 1 ? 'is' : 'are'} needed, and only examples that excite the missing directions help`,
    );
  }
  if (lambdaMax > 0) {
    for (const direction of reading.directions) {
      reasons.push(
        direction.numDirections === 1
          ? direction.description
          : `${direction.description} (${plural(direction.numDirections, 'direction')})`,
      );
    }
  }
  if (reading.numUnlisted > 0 && lambdaMax > 0) {
    reasons.push(
      `… and ${plural(reading.numUnlisted, 'more missing direction')} not listed (raise maxDirections to list more)`,
    );
  }
  return {
    ...base,
    identifiable: false,
    lambdaMin,
    lambdaMax,
    condition: lambdaMin > 0 ? lambdaMax / lambdaMin : Number.POSITIVE_INFINITY,
    rank,
    nullity,
    tolerance,
    method: 'eigh',
    smallestEigenvalues,
    missingDirections: lambdaMax > 0 ? reading.directions : [],
    numUnlistedDirections: lambdaMax > 0 ? reading.numUnlisted : nullity,
    nullSpace: settings.includeNullSpace ? nullBasis : null,
    reasons,
  };
}

function identifiableReason(lambdaMin: number, lambdaMax: number, tolerance: number, rtol: number): string {
  return `λ_min(Λ) = ${formatNumber(lambdaMin)} exceeds the tolerance ${formatNumber(tolerance)} (rtol ${formatNumber(rtol)} × λ_max ${formatNumber(lambdaMax)}; condition number ${formatNumber(lambdaMax / lambdaMin)}): Λ is positive definite, so the least-squares solution is unique and every empirical risk minimiser, with any number of heads, computes the same function on every input`;
}

/** The first `count` columns of a square row-major matrix, as a fresh `(rows, count)` matrix. */
function columns(matrix: Matrix, count: number): Matrix {
  const rows = matrix.rows;
  const data = new Float64Array(rows * count);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < count; c++) data[i * count + c] = matrix.data[i * matrix.cols + c];
  }
  return { rows, cols: count, data };
}
