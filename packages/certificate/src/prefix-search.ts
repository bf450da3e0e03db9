/**
 * The search shared by `estimateSamplesToCertify` and the random baseline of `designDataset`: the shortest prefix of
 * a stream of batches whose accumulated moments certify identifiability (docs/math/identifiability.md §6).
 *
 * Identifiability is monotone in exact arithmetic (adding examples adds a PSD term to `G`, so the rank never
 * drops), which makes a doubling-then-bisection search exact: `O(log b)` eigenvalue tests instead of `b`.
 */
import { createGramAccumulator, type GramAccumulator, type Matrix, type PositionMode } from '@lattn/core';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import { extremes, secondMoment } from './second-moment.js';

/** One eigenvalue test made during the search. */
export interface SampleCheck {
  /** Batches added on top of the initial moments. */
  readonly numBatches: number;
  /** Total examples (positions) behind `Λ`, initial ones included. */
  readonly numExamples: number;
  /** `λ_min(Λ)`. */
  readonly lambdaMin: number;
  /** `λ_max(Λ)`. */
  readonly lambdaMax: number;
  /** `λ_min > rtol · λ_max`. */
  readonly identifiable: boolean;
}

/** What {@link firstCertifyingPrefix} finds. */
export interface PrefixSearch {
  /** Whether some prefix of at most `maxBatches` batches certifies. */
  readonly found: boolean;
  /** The length of the shortest certifying prefix, or every batch drawn when none certifies. */
  readonly numBatches: number;
  /** The moments of the initial data plus that prefix (a fresh accumulator without targets). */
  readonly moments: GramAccumulator;
  /** Every eigenvalue test made, in order. */
  readonly checks: SampleCheck[];
}

/** A copy of the Gram and count of `moments` into a fresh accumulator without targets. */
export function copyMoments(moments: GramAccumulator): GramAccumulator {
  const copy = createGramAccumulator(moments.dim);
  copy.gram.set(moments.gram);
  copy.count = moments.count;
  return copy;
}

/**
 * The smallest `b <= maxBatches` such that `base` plus batches `0 … b−1` certifies, by doubling `b` until the test
 * passes and then bisecting. `batch(i)` must return the same sequences every time it is called with `i`.
 */
export function firstCertifyingPrefix(
  base: GramAccumulator,
  batch: (index: number) => readonly Matrix[],
  maxBatches: number,
  mode: PositionMode,
  rtol: number,
  onBatch?: (index: number) => void,
): PrefixSearch {
  const checks: SampleCheck[] = [];
  const test = (moments: GramAccumulator, numBatches: number): boolean => {
    if (moments.count < moments.dim) return false; // rank <= count < D
    const result = extremes(secondMoment(moments), moments.count, rtol);
    checks.push({
      numBatches,
      numExamples: moments.count,
      lambdaMin: result.lambdaMin,
      lambdaMax: result.lambdaMax,
      identifiable: result.identifiable,
    });
    return result.identifiable;
  };
  const add = (moments: GramAccumulator, index: number): void => {
    accumulateFeatureMoments(batch(index), { mode, accumulator: moments });
  };

  const current = copyMoments(base);
  if (test(current, 0)) return { found: true, numBatches: 0, moments: current, checks };
  let low = 0;
  let lowMoments = copyMoments(base);
  let drawn = 0;
  let high = -1;
  let target = 1;
  while (drawn < maxBatches) {
    const stop = Math.min(target, maxBatches);
    while (drawn < stop) {
      add(current, drawn);
      drawn++;
      onBatch?.(drawn);
    }
    if (test(current, drawn)) {
      high = drawn;
      break;
    }
    low = drawn;
    lowMoments = copyMoments(current);
    target = 2 * drawn;
  }
  if (high < 0) return { found: false, numBatches: drawn, moments: current, checks };

  // Bisection on (low, high]: `lowMoments` holds base + batches 0 … low−1, which does not certify.
  let highMoments = current;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const trial = copyMoments(lowMoments);
    for (let index = low; index < middle; index++) add(trial, index);
    if (test(trial, middle)) {
      high = middle;
      highMoments = trial;
    } else {
      low = middle;
      lowMoments = trial;
    }
  }
  return { found: true, numBatches: high, moments: highMoments, checks };
}
