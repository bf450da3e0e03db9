/**
 * The data contracts shared by tasks, the feature map, the learner and the certificate (SPEC §1): a batch of
 * sequences, one `(sequenceLength, modelDim)` matrix each, and their targets in one of two training modes.
 */
import { LattnError } from './errors.js';
import { describe, type Matrix } from './matrix.js';
import { checkMatrix, checkOneOf } from './validate.js';

/**
 * Which positions of a sequence carry a training example (SPEC §1).
 *
 * - `'all'`: every prefix is one example (autoregressive training): a sequence of length `n` gives `n` examples.
 * - `'last'`: only the last position is an example: one example per sequence.
 */
export type PositionMode = 'all' | 'last';

/** The two {@link PositionMode} values, for validation and option parsing. */
export const POSITION_MODES: readonly PositionMode[] = ['all', 'last'];

/**
 * Input sequences with their target outputs.
 *
 * For mode `'all'`, `targets[b]` has shape `(inputs[b].rows, outputDim)`: row `t` is `y_t`.
 * For mode `'last'`, `targets[b]` has shape `(1, outputDim)`: the output at the last position.
 */
export interface Dataset {
  /** `numSequences` matrices, each `(sequenceLength_b, modelDim)`; lengths may differ. */
  readonly inputs: readonly Matrix[];
  /** One matrix per sequence, shaped as described above. */
  readonly targets: readonly Matrix[];
  /** Which positions are examples. */
  readonly mode: PositionMode;
}

/** Sizes of a validated batch of sequences, as returned by {@link checkSequences}. */
export interface SequenceBatchShape {
  /** Number of sequences, `B`. */
  readonly numSequences: number;
  /** Token dimension `d` shared by all sequences. */
  readonly modelDim: number;
  /** Total number of tokens over all sequences. */
  readonly numTokens: number;
  /** Length of the longest sequence. */
  readonly maxSequenceLength: number;
}

/** Sizes of a validated {@link Dataset}, as returned by {@link checkDataset}. */
export interface DatasetShape extends SequenceBatchShape {
  /** Output dimension `dOut`. */
  readonly outputDim: number;
  /** Number of training examples: tokens for mode `'all'`, sequences for `'last'`. */
  readonly numExamples: number;
  /** The dataset's mode. */
  readonly mode: PositionMode;
}

/**
 * Validates a non-empty batch of sequences: every entry a finite `(n_b, d)` matrix with `n_b >= 1` and one
 * shared `d >= 1`.
 *
 * @param fn - The public function doing the check, used in messages.
 * @param name - The argument's name, used in messages.
 * @param inputs - The batch received.
 * @param modelDim - Required token dimension, when the caller knows it (for example from a model).
 * @returns The batch's sizes.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for an empty batch, a non-array or a zero-length sequence;
 * `SHAPE_MISMATCH` when token dimensions differ; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * const { modelDim, numTokens } = checkSequences('forward', 'inputs', inputs);
 * ```
 */
export function checkSequences(fn: string, name: string, inputs: unknown, modelDim?: number): SequenceBatchShape {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be a non-empty array of sequences. Expected an array of (sequenceLength, modelDim) matrices; received ${describe(inputs)}.`,
    );
  }
  const first = checkMatrix(fn, `${name}[0]`, inputs[0], modelDim === undefined ? {} : { cols: modelDim });
  const dim = first.cols;
  let numTokens = 0;
  let maxSequenceLength = 0;
  for (let b = 0; b < inputs.length; b++) {
    const sequence = checkMatrix(fn, `${name}[${b}]`, inputs[b], { cols: dim });
    if (sequence.rows === 0 || dim === 0) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `${fn}: ${name}[${b}] is empty. Expected at least one token of dimension >= 1; received shape (${sequence.rows}, ${sequence.cols}).`,
      );
    }
    numTokens += sequence.rows;
    if (sequence.rows > maxSequenceLength) maxSequenceLength = sequence.rows;
  }
  return { numSequences: inputs.length, modelDim: dim, numTokens, maxSequenceLength };
}

/**
 * Validates a {@link Dataset}: its inputs as in {@link checkSequences}, its mode, and one finite target matrix
 * per sequence of the shape the mode requires, with one shared `outputDim >= 1`.
 *
 * @param fn - The public function doing the check, used in messages.
 * @param dataset - The dataset received.
 * @returns The dataset's sizes.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for a malformed record or unknown mode; `SHAPE_MISMATCH` for
 * inconsistent shapes (naming the first offending sequence); `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * const { numExamples, outputDim } = checkDataset('fitLinearAttention', dataset);
 * ```
 */
export function checkDataset(fn: string, dataset: unknown): DatasetShape {
  if (typeof dataset !== 'object' || dataset === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: dataset must be an object. Expected { inputs, targets, mode }; received ${describe(dataset)}.`,
    );
  }
  const record = dataset as Partial<Dataset>;
  const mode = checkOneOf(fn, 'dataset.mode', record.mode, POSITION_MODES);
  const batch = checkSequences(fn, 'dataset.inputs', record.inputs);
  const inputs = record.inputs as readonly Matrix[];
  const targets = record.targets;
  if (!Array.isArray(targets) || targets.length !== inputs.length) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: dataset.targets must hold one matrix per sequence. Expected an array of length ${inputs.length}; received ${describe(targets)}.`,
    );
  }
  const outputDim = checkMatrix(fn, 'dataset.targets[0]', targets[0]).cols;
  if (outputDim === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: dataset.targets have no columns. Expected outputDim >= 1; received (${targets[0].rows}, 0).`,
    );
  }
  for (let b = 0; b < inputs.length; b++) {
    const rows = mode === 'all' ? inputs[b].rows : 1;
    checkMatrix(fn, `dataset.targets[${b}]`, targets[b], { rows, cols: outputDim });
  }
  return {
    ...batch,
    outputDim,
    numExamples: mode === 'all' ? batch.numTokens : batch.numSequences,
    mode,
  };
}
