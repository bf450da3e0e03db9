/**
 * How many training sequences does the exact learner need before it is right on every fresh instance of a task?
 * Doubling `1, 2, 4, …` until the fit scores 100% exact match on the fresh set, then bisection between the last
 * failure and the first success down to a resolution of 1/8 (the answer is reported with the bracket it lies in).
 */
import type { Dataset, Matrix } from '@lattn/core';
import { fitLinearAttention, type LinearAttentionFit } from '@lattn/learner';
import type { ExactMatchScore } from '@lattn/tasks';

/** One fit at one training-set size. */
export interface SamplePoint {
  /** Training sequences. */
  readonly numSequences: number;
  /** Training examples (positions). */
  readonly numExamples: number;
  /** Exact match of whole sequences on the fresh instances (teacher forced). */
  readonly exactMatch: number;
  /** Fraction of scored positions right on the fresh instances (next-token accuracy). */
  readonly positionAccuracy: number;
  /** Numerical rank of the feature Gram of the training set: the dimension of the feature span it covers. */
  readonly rank: number;
  /** The solver the learner chose. */
  readonly solver: string;
  /** Seconds of the fit (a measurement). */
  readonly seconds: number;
}

/** The outcome of {@link searchSamples}. */
export interface SampleSearch {
  /** Every fit, sorted by training-set size. */
  readonly points: readonly SamplePoint[];
  /** The smallest size found with 100% exact match, or `null` when `maxSequences` was not enough. */
  readonly samplesNeeded: number | null;
  /** The largest size tried that failed below `samplesNeeded` (`0` when the first size succeeded). */
  readonly lastFailure: number;
}

/** What the automata and Turing experiments report for one setting: its sizes and its sample search. */
export interface SearchedSetting extends SampleSearch {
  /** Token dimension `d`. */
  readonly modelDim: number;
  /** `D = d · d(d+1)/2`. */
  readonly featureDim: number;
  /** Tokens per sequence. */
  readonly sequenceLength: number;
}

/**
 * Searches the smallest training-set size whose fit is right on every fresh instance.
 *
 * @param evaluate - Fits on the first `n` sequences and scores on the fresh set.
 * @param maxSequences - The largest size to try.
 * @returns The fits made and the size found.
 * @example
 * ```ts
 * const search = searchSamples((n) => fitAndScore(n), 512);
 * search.samplesNeeded; // for example 14
 * ```
 */
export function searchSamples(evaluate: (numSequences: number) => SamplePoint, maxSequences: number): SampleSearch {
  const points: SamplePoint[] = [];
  const run = (n: number): boolean => {
    const point = evaluate(n);
    points.push(point);
    return point.exactMatch === 1;
  };
  let failure = 0;
  let success: number | null = null;
  for (let n = 1; n <= maxSequences; n = n * 2 > maxSequences && n < maxSequences ? maxSequences : n * 2) {
    if (run(n)) {
      success = n;
      break;
    }
    failure = n;
    if (n === maxSequences) break;
  }
  if (success !== null) {
    while (success - failure > Math.max(1, Math.floor(success / 8))) {
      const middle = Math.floor((failure + success) / 2);
      if (run(middle)) success = middle;
      else failure = middle;
    }
  }
  points.sort((a, b) => a.numSequences - b.numSequences);
  return { points, samplesNeeded: success, lastFailure: failure };
}

/**
 * One point of a search: fits the exact learner on `train` (timed) and scores its folded weights on the fresh set.
 *
 * @param numSequences - Training sequences in `train`.
 * @param train - The training dataset.
 * @param score - Scores folded weights on the fresh instances.
 * @returns The point and the fit behind it.
 * @example
 * ```ts
 * fitAndScore(n, train.dataset, (weights) => exactMatchAutomaton(forwardFolded(weights, fresh.dataset.inputs), fresh));
 * ```
 */
export function fitAndScore(
  numSequences: number,
  train: Dataset,
  score: (weights: Matrix) => ExactMatchScore,
): { readonly point: SamplePoint; readonly fit: LinearAttentionFit } {
  const started = performance.now();
  const fit = fitLinearAttention(train);
  const seconds = (performance.now() - started) / 1000;
  const { exactMatch, positionAccuracy } = score(fit.weights);
  return {
    point: {
      numSequences,
      numExamples: fit.numExamples,
      exactMatch,
      positionAccuracy,
      rank: fit.rank,
      solver: fit.solver,
      seconds,
    },
    fit,
  };
}

/**
 * The table cell for a search's answer: `"14 (12 failed)"`, or `"> 512"` when `maxSequences` was not enough.
 *
 * @param search - The outcome of {@link searchSamples}.
 * @param maxSequences - The largest size tried.
 * @returns The cell text.
 * @example
 * ```ts
 * formatSamplesNeeded({ points: [], samplesNeeded: 14, lastFailure: 12 }, 512); // '14 (12 failed)'
 * ```
 */
export function formatSamplesNeeded(search: Omit<SampleSearch, 'points'>, maxSequences: number): string {
  return search.samplesNeeded === null ? `> ${maxSequences}` : `${search.samplesNeeded} (${search.lastFailure} failed)`;
}
