/**
 * How many more samples from a random design certify identifiability (docs/math/identifiability.md §6): keep
 * drawing batches from the caller's seeded generator, accumulating moments incrementally, until the certificate
 * holds or a cap is reached.
 */
import {
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkSequences,
  createGramAccumulator,
  describe,
  type GramAccumulator,
  LattnError,
  type Matrix,
  POSITION_MODES,
  type PositionMode,
  type ProgressCallback,
} from '@lattn/core';
import { featureDim } from '@lattn/feature-map';
import { certify, type IdentifiabilityCertificate } from './certify.js';
import { copyMoments, firstCertifyingPrefix, type SampleCheck } from './prefix-search.js';
import { scaleSequences, tokenExponent } from './scale.js';
import { checkAccumulator, checkGramSize, readCallback, readRtol } from './second-moment.js';

/**
 * A seeded source of training sequences: `generator(seed)` returns a batch of `(n_b, d)` sequences, the same batch
 * every time it is called with the same seed (for example
 * `(seed) => generateAssociativeMemoryTask({ …, seed }).dataset.inputs`).
 */
export type SequenceGenerator = (seed: number) => readonly Matrix[];

/** Options of {@link estimateSamplesToCertify}. */
export interface SampleEstimateOptions {
  /**
   * Which positions are training examples.
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * Relative eigenvalue tolerance of the certificate.
   * @defaultValue `100 · D · ε`, as in `certifyFromMoments`
   */
  readonly rtol?: number;
  /**
   * The seed of the first batch; batch `i` is `generator(seed + i)`.
   * @defaultValue `0`
   */
  readonly seed?: number;
  /**
   * At most this many batches are drawn.
   * @defaultValue `1000`
   */
  readonly maxBatches?: number;
  /**
   * Moments of data the caller already has (`accumulateFeatureMoments`); the estimate is then how many batches are
   * needed on top of them. Not modified.
   * @defaultValue none (start from no data)
   */
  readonly initial?: GramAccumulator;
  /**
   * Receives `{ stage: 'sampling', done: batchesDrawn, total: maxBatches }` reports.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** What {@link estimateSamplesToCertify} found. */
export interface SampleEstimate {
  /** Whether the certificate holds after `numBatches` batches (at most `maxBatches`). */
  readonly certified: boolean;
  /** The fewest batches that certify (`0` when `initial` already does), or every batch drawn when none did. */
  readonly numBatches: number;
  /** Sequences in those batches. */
  readonly numSequences: number;
  /** Training examples (positions) in those batches. */
  readonly numExamples: number;
  /** Examples behind the final certificate: `initial.count + numExamples`. */
  readonly totalExamples: number;
  /** The seeds of those batches: `seed, seed + 1, …, seed + numBatches − 1`. */
  readonly seeds: readonly number[];
  /** The certificate of the initial data plus those batches. */
  readonly certificate: IdentifiabilityCertificate;
  /** Every eigenvalue test of the doubling-then-bisection search, in order. */
  readonly checks: readonly SampleCheck[];
  /** The relative tolerance used. */
  readonly rtol: number;
}

/**
 * Estimates how many more samples from a random design make the training set identifying, by sampling them: draws
 * batches `generator(seed)`, `generator(seed + 1)`, … and accumulates their feature moments on top of `initial`,
 * doubling the number of batches until the certificate holds, then bisecting to the fewest batches that certify.
 *
 * Notes: identifiability is monotone in exact arithmetic (the rank never drops when data are added), so the bisection
 * finds the exact threshold for this stream of batches; near the tolerance, rounding can make it off by a batch. The
 * count is one draw of a random quantity: repeat with other seeds for its spread. Cost: about `2 log₂(b)` eigenvalue
 * tests (`O(D³)` each) and up to three generator calls per batch.
 *
 * @param generator - `(seed) => sequences`, deterministic in `seed`; every batch has the same token dimension `d`.
 * @param options - See {@link SampleEstimateOptions}.
 * @returns A {@link SampleEstimate}.
 * @throws `LattnError` `INVALID_ARGUMENT` when `generator` is not a function or returns no sequences, for a bad
 * option or an unknown option field; `SHAPE_MISMATCH` when batches (or `initial`) disagree on `d`; `NON_FINITE` for
 * NaN or ±Infinity in a batch or in `initial`'s Gram; `TOO_LARGE` when the `(D, D)` second moment would exceed
 * feature-map's `MAX_ARRAY_ENTRIES`. Errors thrown by `generator` propagate. Without `initial`, tokens beyond
 * `2^±32` in the first batch set a power of two every batch is divided by (see the certificate's `inputScale`; the
 * eigenvalues in `checks` are in those units).
 * @example
 * ```ts
 * const generator = (seed: number) => {
 *   const rng = createRng(seed);
 *   return Array.from({ length: 4 }, () => rng.normalMatrix(5, 3));
 * };
 * const estimate = estimateSamplesToCertify(generator);
 * estimate.certified; // true
 * estimate.numExamples; // at least featureDim(3) = 18
 * ```
 * @see docs/math/identifiability.md §6
 */
export function estimateSamplesToCertify(
  generator: SequenceGenerator,
  options?: SampleEstimateOptions,
): SampleEstimate {
  const fn = 'estimateSamplesToCertify';
  checkKnownKeys(fn, 'options', options, ['mode', 'rtol', 'seed', 'maxBatches', 'initial', 'onProgress']);
  if (typeof generator !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: generator must be a function. Expected (seed: number) => Matrix[]; received ${describe(generator)}.`,
    );
  }
  const mode = options?.mode === undefined ? 'all' : checkOneOf(fn, 'options.mode', options.mode, POSITION_MODES);
  const seed = options?.seed === undefined ? 0 : checkInteger(fn, 'options.seed', options.seed);
  const maxBatches =
    options?.maxBatches === undefined ? 1000 : checkInteger(fn, 'options.maxBatches', options.maxBatches, { min: 1 });
  const onProgress = readCallback(fn, 'options.onProgress', options?.onProgress);
  const initial = options?.initial;
  let modelDim = initial === undefined ? undefined : checkAccumulator(fn, 'options.initial', initial);

  const sizes: { sequences: number; examples: number }[] = [];
  // Without initial moments, tokens beyond 2^±32 in the first batch set a power of two that every batch is divided by
  // (exactly), so that Λ stays inside float64; initial moments fix the units instead.
  let exponent: number | undefined = initial === undefined ? undefined : 0;
  const draw = (index: number): readonly Matrix[] => {
    const batch = generator(seed + index);
    const shape = checkSequences(fn, `generator(${seed + index})`, batch, modelDim);
    modelDim = shape.modelDim;
    sizes[index] = {
      sequences: shape.numSequences,
      examples: mode === 'all' ? shape.numTokens : shape.numSequences,
    };
    exponent ??= tokenExponent(batch);
    return scaleSequences(batch, exponent);
  };
  // The first batch fixes d (and so D) when there are no initial moments.
  const first = draw(0);
  const d = modelDim as number;
  const dim = featureDim(d);
  checkGramSize(fn, dim);
  const rtol = readRtol(fn, options?.rtol, dim);
  const base = initial === undefined ? createGramAccumulator(dim) : copyMoments(initial);
  const search = firstCertifyingPrefix(
    base,
    (index) => (index === 0 ? first : draw(index)),
    maxBatches,
    mode,
    rtol,
    (done) => onProgress?.({ stage: 'sampling', done, total: maxBatches }),
  );
  const used = sizes.slice(0, search.numBatches);
  const numSequences = used.reduce((sum, size) => sum + size.sequences, 0);
  const numExamples = used.reduce((sum, size) => sum + size.examples, 0);
  return {
    certified: search.found,
    numBatches: search.numBatches,
    numSequences,
    numExamples,
    totalExamples: search.moments.count,
    seeds: Array.from({ length: search.numBatches }, (_, i) => seed + i),
    certificate: certify(
      search.moments,
      d,
      mode,
      { rtol, maxDirections: 20, includeNullSpace: false, onProgress: undefined },
      initial === undefined ? (exponent as number) : null,
    ),
    checks: search.checks,
    rtol,
  };
}
