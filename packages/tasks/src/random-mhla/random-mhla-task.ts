/**
 * Random MHLA teachers (SPEC §5): a random `H`-head layer labels random sequences; the teacher itself is the exact
 * construction.
 */
import {
  checkKnownKeys,
  checkNumber,
  createRng,
  type Dataset,
  LattnError,
  type Matrix,
  POSITION_MODES,
  type PositionMode,
  type Rng,
} from '@lattn/core';
import { createModel, forward, type MhlaModel } from '@lattn/feature-map';
import { type ExactMatchScore, scoreFromCounts } from '../exact-match.js';
import { checkOutputs, checkTaskKind } from '../internal/checks.js';
import {
  checkBudget,
  checkConstructionBudget,
  integerOption,
  oneOfOption,
  readOptions,
  seedOption,
} from '../internal/options.js';

/**
 * How the tokens of a random-teacher sequence are drawn.
 *
 * - `'gaussian'`: entries i.i.d. standard normal.
 * - `'unit-norm'`: a standard normal token scaled to Euclidean norm 1 (uniform on the sphere).
 * - `'one-hot'`: a standard basis vector `e_i` with `i` uniform (the sparsest input).
 */
export type InputDistribution = 'gaussian' | 'unit-norm' | 'one-hot';

/** The accepted {@link InputDistribution} values. */
export const INPUT_DISTRIBUTIONS: readonly InputDistribution[] = ['gaussian', 'unit-norm', 'one-hot'];

/** Options of {@link generateRandomMhlaTask}. */
export interface RandomMhlaTaskOptions {
  /**
   * Number of sequences.
   * @defaultValue `16`
   */
  readonly numSequences?: number;
  /**
   * Token dimension `d`.
   * @defaultValue `4`
   */
  readonly modelDim?: number;
  /**
   * Output dimension `dOut`.
   * @defaultValue `2`
   */
  readonly outputDim?: number;
  /**
   * Number of teacher heads `H` (integer in `[1, 1024]`).
   * @defaultValue `2`
   */
  readonly numHeads?: number;
  /**
   * Distribution of the tokens; see {@link InputDistribution}.
   * @defaultValue `'gaussian'`
   */
  readonly inputDistribution?: InputDistribution;
  /**
   * Shortest sequence; lengths are uniform in `[minSequenceLength, maxSequenceLength]`.
   * @defaultValue `4`
   */
  readonly minSequenceLength?: number;
  /**
   * Longest sequence (at least `minSequenceLength`).
   * @defaultValue `8`
   */
  readonly maxSequenceLength?: number;
  /**
   * Training mode of the dataset: `'all'` labels every position, `'last'` only the last one.
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * Seed of the inputs.
   * @defaultValue `0`
   */
  readonly seed?: number;
  /**
   * Seed of the teacher's weights, so that fresh inputs for the same teacher come from
   * `{ ...task.options, seed: other }`.
   * @defaultValue `seed`
   */
  readonly teacherSeed?: number;
}

/** The options a task was generated with, defaults filled in. */
export type ResolvedRandomMhlaTaskOptions = Required<RandomMhlaTaskOptions>;

/** The result of {@link generateRandomMhlaTask}. */
export interface RandomMhlaTask {
  /** Discriminant of the task records of this package. */
  readonly kind: 'random-mhla';
  /** Random sequences `(n_b, d)` and the teacher's outputs on them, in the chosen mode. */
  readonly dataset: Dataset;
  /** The teacher: `H` heads with entries of `V_h` `(dOut, d)` and `Q_h` `(d, d)` i.i.d. `N(0, 1/d)`. */
  readonly construction: MhlaModel;
  /** The options used, defaults filled in. */
  readonly options: ResolvedRandomMhlaTaskOptions;
}

/** Options of {@link exactMatchRandomMhla}. */
export interface RandomMhlaMatchOptions {
  /**
   * Relative tolerance per entry.
   * @defaultValue `1e-8`
   */
  readonly rtol?: number;
  /**
   * Absolute tolerance per entry.
   * @defaultValue `1e-8 · max |target entry|` over the task (`1e-8` when all targets are zero)
   */
  readonly atol?: number;
}

/** The result of {@link exactMatchRandomMhla}: the exact-match score with the tolerances behind it. */
export interface RandomMhlaMatch extends ExactMatchScore {
  /** The largest `|output − target|` over every entry. */
  readonly maxAbsError: number;
  /** The relative tolerance applied. */
  readonly rtol: number;
  /** The absolute tolerance applied. */
  readonly atol: number;
}

const KNOWN = [
  'numSequences',
  'modelDim',
  'outputDim',
  'numHeads',
  'inputDistribution',
  'minSequenceLength',
  'maxSequenceLength',
  'mode',
  'seed',
  'teacherSeed',
];

/**
 * Generates a random MHLA teacher and a dataset it labels: the teacher's heads have i.i.d. `N(0, 1/d)` entries
 * (drawn from `teacherSeed`), the tokens follow `inputDistribution` (drawn from `seed`), and the targets are
 * `forward(teacher, inputs, { mode })`.
 *
 * Notes: the teacher is the exact construction by definition; the targets are exact to the rounding of the
 * forward pass (relative error of order `n · ε`). Output magnitudes grow with the sequence length, because the
 * prefix moment `M_t` is a sum over `t` tokens.
 *
 * @param options - See {@link RandomMhlaTaskOptions}.
 * @returns A {@link RandomMhlaTask}.
 * @throws `LattnError` `INVALID_ARGUMENT` for an unknown option, a value out of range or
 * `minSequenceLength > maxSequenceLength`; `TOO_LARGE` when the dataset or the teacher would exceed the size budget
 * (2²⁵ float64 entries each).
 * @example
 * ```ts
 * const task = generateRandomMhlaTask({ modelDim: 3, outputDim: 1, numHeads: 2, seed: 4 });
 * task.construction.heads.length; // 2
 * exactMatchRandomMhla(forward(task.construction, task.dataset.inputs), task).exactMatch; // 1
 * const fresh = generateRandomMhlaTask({ ...task.options, seed: 5 }); // same teacher, new inputs
 * ```
 * @see packages/tasks/README.md
 */
export function generateRandomMhlaTask(options?: RandomMhlaTaskOptions): RandomMhlaTask {
  const fn = 'generateRandomMhlaTask';
  const raw = readOptions(fn, options, KNOWN);
  const seed = seedOption(fn, raw);
  const resolved: ResolvedRandomMhlaTaskOptions = {
    numSequences: integerOption(fn, raw, 'numSequences', 16, { min: 1, max: 1_000_000 }),
    modelDim: integerOption(fn, raw, 'modelDim', 4, { min: 1 }),
    outputDim: integerOption(fn, raw, 'outputDim', 2, { min: 1, max: 4096 }),
    numHeads: integerOption(fn, raw, 'numHeads', 2, { min: 1, max: 1024 }),
    inputDistribution: oneOfOption(fn, raw, 'inputDistribution', 'gaussian', INPUT_DISTRIBUTIONS),
    minSequenceLength: integerOption(fn, raw, 'minSequenceLength', 4, { min: 1, max: 1_000_000 }),
    maxSequenceLength: integerOption(fn, raw, 'maxSequenceLength', 8, { min: 1, max: 1_000_000 }),
    mode: oneOfOption(fn, raw, 'mode', 'all', POSITION_MODES),
    seed,
    teacherSeed: integerOption(fn, raw, 'teacherSeed', seed, {}),
  };
  const { numSequences, modelDim, outputDim, numHeads, minSequenceLength, maxSequenceLength, mode } = resolved;
  if (minSequenceLength > maxSequenceLength) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.minSequenceLength exceeds options.maxSequenceLength. Expected minSequenceLength <= maxSequenceLength; received ${minSequenceLength} > ${maxSequenceLength}.`,
    );
  }
  const maxTokens = numSequences * maxSequenceLength;
  checkBudget(fn, modelDim, maxTokens, (mode === 'all' ? maxTokens : numSequences) * outputDim);
  checkConstructionBudget(fn, modelDim, outputDim, numHeads);

  const teacherRng = createRng(resolved.teacherSeed);
  const scale = 1 / Math.sqrt(modelDim);
  const heads = Array.from({ length: numHeads }, () => ({
    value: scaled(teacherRng.normalMatrix(outputDim, modelDim), scale),
    query: scaled(teacherRng.normalMatrix(modelDim, modelDim), scale),
  }));
  // The inputs draw from a stream derived from `seed`, independent of the teacher's even when the seeds are equal.
  const rng = createRng(resolved.seed).fork();
  const construction = createModel({ heads });
  const inputs: Matrix[] = [];
  for (let b = 0; b < numSequences; b++) {
    const length = rng.integer(minSequenceLength, maxSequenceLength + 1);
    inputs.push(sampleTokens(rng, length, modelDim, resolved.inputDistribution));
  }
  const targets = forward(construction, inputs, { mode });
  return { kind: 'random-mhla', dataset: { inputs, targets, mode }, construction, options: resolved };
}

/**
 * Scores outputs against a random teacher's targets: a position (an example) is right when every entry satisfies
 * `|output − target| <= atol + rtol · |target|`, and a sequence when all its positions are.
 *
 * @param outputs - One matrix per sequence shaped like the task's targets (what `forward(model, task.dataset.inputs,
 * { mode: task.dataset.mode })` returns).
 * @param task - The task the outputs belong to.
 * @param options - Tolerances; see {@link RandomMhlaMatchOptions}.
 * @returns A {@link RandomMhlaMatch}: the score, the largest absolute error and the tolerances applied.
 * @throws `LattnError` `INVALID_ARGUMENT` for a task of another kind or a bad tolerance; `SHAPE_MISMATCH` when the
 * outputs do not match the targets; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * exactMatchRandomMhla(forward(task.construction, task.dataset.inputs), task); // { exactMatch: 1, …, rtol: 1e-8 }
 * ```
 */
export function exactMatchRandomMhla(
  outputs: readonly Matrix[],
  task: RandomMhlaTask,
  options?: RandomMhlaMatchOptions,
): RandomMhlaMatch {
  const fn = 'exactMatchRandomMhla';
  checkKnownKeys(fn, 'options', options, ['rtol', 'atol']);
  checkTaskKind(fn, task, 'random-mhla');
  checkOutputs(fn, outputs, task.dataset);
  const rtol = options?.rtol === undefined ? 1e-8 : checkNumber(fn, 'options.rtol', options.rtol, { min: 0 });
  let scale = 0;
  for (const target of task.dataset.targets) for (const y of target.data) scale = Math.max(scale, Math.abs(y));
  const atol =
    options?.atol === undefined
      ? 1e-8 * (scale > 0 ? scale : 1)
      : checkNumber(fn, 'options.atol', options.atol, { min: 0 });
  let maxAbsError = 0;
  const correct: number[] = [];
  const total: number[] = [];
  outputs.forEach((output, b) => {
    const target = task.dataset.targets[b];
    let right = 0;
    for (let i = 0; i < target.rows; i++) {
      let ok = true;
      for (let a = 0; a < target.cols; a++) {
        const expected = target.data[i * target.cols + a];
        const error = Math.abs(output.data[i * target.cols + a] - expected);
        maxAbsError = Math.max(maxAbsError, error);
        if (!(error <= atol + rtol * Math.abs(expected))) ok = false;
      }
      if (ok) right++;
    }
    correct.push(right);
    total.push(target.rows);
  });
  return { ...scoreFromCounts(correct, total), maxAbsError, rtol, atol };
}

/** `length` tokens of dimension `d` from the chosen distribution. */
function sampleTokens(rng: Rng, length: number, d: number, distribution: InputDistribution): Matrix {
  if (distribution === 'one-hot') {
    const data = new Float64Array(length * d);
    for (let t = 0; t < length; t++) data[t * d + rng.integer(0, d)] = 1;
    return { rows: length, cols: d, data };
  }
  const tokens = rng.normalMatrix(length, d);
  if (distribution === 'unit-norm') {
    for (let t = 0; t < length; t++) {
      const row = tokens.data.subarray(t * d, (t + 1) * d);
      let squares = 0;
      for (let j = 0; j < d; j++) squares += row[j] * row[j];
      const norm = Math.sqrt(squares);
      for (let j = 0; j < d; j++) row[j] /= norm;
    }
  }
  return tokens;
}

/** Scales a matrix this module just drew, in place, and returns it. */
function scaled(matrix: Matrix, c: number): Matrix {
  for (let i = 0; i < matrix.data.length; i++) matrix.data[i] *= c;
  return matrix;
}
