/**
 * The streaming pass over a dataset's features (SPEC §3 step 1, docs/math/feature-map.md §6): the sums
 * `G = Σ ψψᵀ`, `B = Σ ψyᵀ`, `Σ yyᵀ` and the count, shared by the learner and the certificate. Features are built a
 * chunk at a time into one reusable buffer and handed to core's `accumulateGram`; the `(N, D)` feature matrix is
 * never formed.
 */
import {
  accumulateGram,
  checkInteger,
  checkMatrix,
  checkSequences,
  createGramAccumulator,
  describe,
  type GramAccumulator,
  LattnError,
  type Matrix,
  type PositionMode,
  type ProgressCallback,
} from '@lattn/core';
import { addOuterPacked, readMode, writeFolded } from './features.js';
import { foldedDim, numPairs } from './layout.js';

/** Options of {@link accumulateFeatureMoments}. */
export interface FeatureMomentOptions {
  /**
   * Which positions are examples: every position (`'all'`) or the last of each sequence (`'last'`).
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * One target matrix per sequence, `(n_b, outputDim)` in mode `'all'` and `(1, outputDim)` in mode `'last'`
   * (the shapes of `Dataset.targets`). Without targets only `Σ ψψᵀ` and the count are accumulated.
   * @defaultValue no targets
   */
  readonly targets?: readonly Matrix[];
  /**
   * Number of examples whose features are built together before each Gram update. Larger chunks amortise the
   * update better and cost `chunkSize · D` floats of buffer.
   * @defaultValue `256`
   */
  readonly chunkSize?: number;
  /**
   * Called after each chunk with `{ stage: 'features', done, total }`, counting whole sequences; the last call has
   * `done === total`.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * An accumulator to add into (for shards and incremental data), of dimension `featureDim(d)` and, when `targets`
   * are given, target dimension `outputDim`. It is updated in place and returned.
   * @defaultValue a fresh accumulator
   */
  readonly accumulator?: GramAccumulator;
}

const KNOWN_OPTIONS = ['mode', 'targets', 'chunkSize', 'onProgress', 'accumulator'];

/**
 * Accumulates the second moments of the folded cubic features (and, with targets, their cross moments with the
 * targets) of every example of a batch, in one streaming pass.
 *
 * Notes: memory `O(D² + chunkSize · (D + outputDim))`; time `O(N · D)` for the features plus the Gram update
 * (`O(N · D²)`). Sums merge by addition: accumulating shards into one accumulator, or separately and then
 * `mergeGram`, gives one pass's moments up to the order of floating-point additions. Everything is validated before
 * the accumulator is touched; an error thrown by `onProgress` stops the pass with the chunks so far already added.
 *
 * @param inputs - `B` sequences, each `(n_b, d)` with `n_b >= 1`.
 * @param options - See {@link FeatureMomentOptions}.
 * @returns The accumulator (the given one, or a fresh one of dimension `D = featureDim(d)`): `count` grew by the
 * number of examples (`Σ n_b` in mode `'all'`, `B` in mode `'last'`), `gram` by `Σ ψψᵀ`, and with targets `cross` by
 * `Σ ψyᵀ` and `targetGram` by `Σ yyᵀ`.
 * @throws `LattnError` `INVALID_ARGUMENT` for an empty batch or sequence, a bad or unknown option;
 * `SHAPE_MISMATCH` for targets of the wrong count or shape, or an accumulator of the wrong dimensions;
 * `NON_FINITE` for NaN or ±Infinity in inputs or targets.
 * @example
 * ```ts
 * const moments = accumulateFeatureMoments(dataset.inputs, { mode: dataset.mode, targets: dataset.targets });
 * const { gram, cross, count } = gramMoments(moments); // (D, D), (D, outputDim), N
 * ```
 * @see docs/math/feature-map.md §6
 */
export function accumulateFeatureMoments(inputs: readonly Matrix[], options?: FeatureMomentOptions): GramAccumulator {
  const fn = 'accumulateFeatureMoments';
  const mode = readMode(fn, options, KNOWN_OPTIONS);
  const { modelDim: d, numSequences } = checkSequences(fn, 'inputs', inputs);
  const dim = foldedDim(d);
  const targets = options?.targets === undefined ? undefined : checkTargets(fn, inputs, options.targets, mode);
  const outputDim = targets === undefined ? 0 : targets[0].cols;
  const chunkSize =
    options?.chunkSize === undefined ? 256 : checkInteger(fn, 'options.chunkSize', options.chunkSize, { min: 1 });
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.onProgress must be a function. Expected (progress) => void; received ${describe(onProgress)}.`,
    );
  }
  const accumulator =
    options?.accumulator === undefined
      ? createGramAccumulator(dim, { targetDim: outputDim })
      : checkAccumulator(fn, options.accumulator, dim, outputDim);

  const rows = Math.min(chunkSize, mode === 'all' ? sumLengths(inputs) : numSequences);
  const features = new Float64Array(rows * dim); // (chunk, D), reused
  const targetRows = new Float64Array(rows * outputDim); // (chunk, outputDim), reused
  const moment = new Float64Array(numPairs(d)); // packed M_t
  let filled = 0;
  let sequencesDone = 0;
  const flush = (): void => {
    if (filled > 0) {
      const chunk: Matrix = { rows: filled, cols: dim, data: features.subarray(0, filled * dim) };
      if (targets === undefined) accumulateGram(accumulator, chunk);
      else {
        const y: Matrix = { rows: filled, cols: outputDim, data: targetRows.subarray(0, filled * outputDim) };
        accumulateGram(accumulator, chunk, y);
      }
      filled = 0;
    }
    onProgress?.({ stage: 'features', done: sequencesDone, total: numSequences });
  };
  const add = (sequence: Matrix, target: Matrix | undefined, t: number, targetRow: number): void => {
    writeFolded(moment, sequence.data, t * d, d, features, filled * dim);
    if (target !== undefined) {
      targetRows.set(target.data.subarray(targetRow * outputDim, (targetRow + 1) * outputDim), filled * outputDim);
    }
    filled++;
    if (filled === rows) flush();
  };
  inputs.forEach((sequence, b) => {
    const target = targets?.[b];
    moment.fill(0);
    for (let t = 0; t < sequence.rows; t++) {
      addOuterPacked(moment, sequence.data, t * d, d);
      if (mode === 'all') add(sequence, target, t, t);
    }
    if (mode === 'last') add(sequence, target, sequence.rows - 1, 0);
    sequencesDone++;
  });
  flush(); // adds what is left and reports done === total
  return accumulator;
}

function sumLengths(inputs: readonly Matrix[]): number {
  let total = 0;
  for (const sequence of inputs) total += sequence.rows;
  return total;
}

/** Validates targets against validated inputs: one finite matrix per sequence of the shape the mode requires. */
function checkTargets(fn: string, inputs: readonly Matrix[], targets: unknown, mode: PositionMode): readonly Matrix[] {
  if (!Array.isArray(targets) || targets.length !== inputs.length) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.targets must hold one matrix per sequence. Expected an array of length ${inputs.length}; received ${describe(targets)}.`,
    );
  }
  const outputDim = checkMatrix(fn, 'options.targets[0]', targets[0]).cols;
  if (outputDim === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.targets have no columns. Expected outputDim >= 1; received (${targets[0].rows}, 0).`,
    );
  }
  inputs.forEach((sequence, b) => {
    checkMatrix(fn, `options.targets[${b}]`, targets[b], { rows: mode === 'all' ? sequence.rows : 1, cols: outputDim });
  });
  return targets;
}

/** Checks that a caller's accumulator has the dimensions this pass will add. */
function checkAccumulator(fn: string, value: unknown, dim: number, targetDim: number): GramAccumulator {
  const accumulator = value as Partial<GramAccumulator> | null;
  if (
    typeof value !== 'object' ||
    accumulator === null ||
    !Number.isSafeInteger(accumulator.count) ||
    !(accumulator.gram instanceof Float64Array) ||
    !(accumulator.cross instanceof Float64Array) ||
    !(accumulator.targetGram instanceof Float64Array) ||
    accumulator.gram.length !== (accumulator.dim as number) ** 2 ||
    accumulator.cross.length !== (accumulator.dim as number) * (accumulator.targetDim as number) ||
    accumulator.targetGram.length !== (accumulator.targetDim as number) ** 2
  ) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.accumulator is not a GramAccumulator. Expected the result of createGramAccumulator; received ${describe(value)}.`,
    );
  }
  if (accumulator.dim !== dim || accumulator.targetDim !== targetDim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.accumulator has the wrong dimensions. Expected dim ${dim} and targetDim ${targetDim}; received dim ${accumulator.dim} and targetDim ${accumulator.targetDim}.`,
      { details: { expected: [dim, targetDim], received: [accumulator.dim, accumulator.targetDim] } },
    );
  }
  return value as GramAccumulator;
}
