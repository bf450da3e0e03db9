/**
 * The exact-match score every task metric returns.
 */

/**
 * How many sequences a model got entirely right, and how many scored positions.
 *
 * A *scored position* is one item the task asks for: the query of an associative-memory sequence, one example of a
 * random teacher, one next state of an automaton history, one token of a Turing-machine history.
 */
export interface ExactMatchScore {
  /** `numCorrect / numSequences`: the fraction of sequences whose every scored position is right. */
  readonly exactMatch: number;
  /** Number of sequences whose every scored position is right. */
  readonly numCorrect: number;
  /** Number of sequences scored. */
  readonly numSequences: number;
  /** `numCorrectPositions / numPositions`: the fraction of scored positions that are right. */
  readonly positionAccuracy: number;
  /** Number of scored positions that are right. */
  readonly numCorrectPositions: number;
  /** Number of scored positions. */
  readonly numPositions: number;
}

/** Builds an {@link ExactMatchScore} from per-sequence counts of right and scored positions. */
export function scoreFromCounts(correct: readonly number[], total: readonly number[]): ExactMatchScore {
  let numCorrect = 0;
  let numCorrectPositions = 0;
  let numPositions = 0;
  for (let b = 0; b < correct.length; b++) {
    if (correct[b] === total[b]) numCorrect++;
    numCorrectPositions += correct[b];
    numPositions += total[b];
  }
  return {
    exactMatch: correct.length === 0 ? 0 : numCorrect / correct.length,
    numCorrect,
    numSequences: correct.length,
    positionAccuracy: numPositions === 0 ? 0 : numCorrectPositions / numPositions,
    numCorrectPositions,
    numPositions,
  };
}

/**
 * Scores predicted against true item sequences (next states, history tokens): per sequence the count of items equal
 * to the true item at the same place, out of the true sequence's length.
 */
export function scoreSequences<T>(
  predicted: readonly (readonly T[])[],
  truth: readonly (readonly T[])[],
  same: (a: T, b: T) => boolean = (a, b) => a === b,
): ExactMatchScore {
  return scoreFromCounts(
    predicted.map((items, b) => items.filter((item, i) => same(item, truth[b][i])).length),
    truth.map((items) => items.length),
  );
}
