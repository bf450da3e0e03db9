/**
 * Associative memory (paper §4.2): key–value pairs in the context and a query at the end, answered by one head with
 * `V = [0, I]` and `Q = [[I, 0], [0, 0]]` on tokens `[key; value]` of dimension `2·keyDim`.
 */
import { createRng, type Dataset, LattnError, type Matrix, type Rng, zeros } from '@lattn/core';
import { createModel, type MhlaModel } from '@lattn/feature-map';
import { type ExactMatchScore, scoreFromCounts } from '../exact-match.js';
import { checkOutputs, checkTaskKind } from '../internal/checks.js';
import { randomOrder } from '../internal/draw.js';
import {
  checkBudget,
  checkConstructionBudget,
  integerOption,
  numberOption,
  oneOfOption,
  readOptions,
  seedOption,
} from '../internal/options.js';

/**
 * How the keys of an associative-memory sequence are drawn.
 *
 * - `'orthogonal'`: the first `numPairs` rows of a Haar-random orthogonal matrix (orthonormal keys; needs
 *   `numPairs <= keyDim`). The construction is exact.
 * - `'gaussian'`: independent standard normal vectors normalised to unit length. The construction is approximate:
 *   the answer carries the cross-talk `Σ_{i≠j} v_i ⟨k_i, k_j⟩`.
 * - `'mixture'`: a fraction `mixingFraction` of the sequences has orthogonal keys, the rest Gaussian keys.
 */
export type KeyDistribution = 'orthogonal' | 'gaussian' | 'mixture';

/** The accepted {@link KeyDistribution} values. */
export const KEY_DISTRIBUTIONS: readonly KeyDistribution[] = ['orthogonal', 'gaussian', 'mixture'];

/** Options of {@link generateAssociativeMemoryTask}. */
export interface AssociativeMemoryTaskOptions {
  /**
   * Number of sequences.
   * @defaultValue `64`
   */
  readonly numSequences?: number;
  /**
   * Dimension of keys and values; tokens have dimension `2 · keyDim`.
   * @defaultValue `4`
   */
  readonly keyDim?: number;
  /**
   * Number of key–value pairs in each context (at most `keyDim` unless every key is Gaussian).
   * @defaultValue `4`
   */
  readonly numPairs?: number;
  /**
   * Distribution of the keys; see {@link KeyDistribution}.
   * @defaultValue `'orthogonal'`
   */
  readonly keyDistribution?: KeyDistribution;
  /**
   * The fraction of sequences with orthogonal keys, in `[0, 1]`: exactly `round(mixingFraction · numSequences)`
   * sequences, at random places, get orthogonal keys. Free for `'mixture'`; implied (and, if given, required to be
   * `1` and `0`) for `'orthogonal'` and `'gaussian'`.
   * @defaultValue `0.5` for `'mixture'`, `1` for `'orthogonal'`, `0` for `'gaussian'`
   */
  readonly mixingFraction?: number;
  /**
   * Seed of the generator.
   * @defaultValue `0`
   */
  readonly seed?: number;
}

/**
 * The options a task was generated with, defaults filled in. `mixingFraction` is the fraction of sequences with
 * orthogonal keys: `1` for `'orthogonal'`, `0` for `'gaussian'`, the given value for `'mixture'`.
 */
export type ResolvedAssociativeMemoryTaskOptions = Required<AssociativeMemoryTaskOptions>;

/** One generated sequence in symbols. */
export interface AssociativeMemoryInstance {
  /** Which pair the query asks for: the answer is value `queryIndex`. */
  readonly queryIndex: number;
  /** How this sequence's keys were drawn. */
  readonly keyDistribution: 'orthogonal' | 'gaussian';
}

/** The result of {@link generateAssociativeMemoryTask}. */
export interface AssociativeMemoryTask {
  /** Discriminant of the task records of this package. */
  readonly kind: 'associative-memory';
  /**
   * Sequences `(numPairs + 1, 2·keyDim)`: rows `[k_i; v_i]`, then the query `[k_j; 0]`; mode `'last'`, target `v_j`
   * `(1, keyDim)`.
   */
  readonly dataset: Dataset;
  /** The paper's one-head construction, `V = [0, I]` `(keyDim, 2·keyDim)`, `Q = [[I, 0], [0, 0]]`. */
  readonly construction: MhlaModel;
  /** One record per sequence. */
  readonly instances: readonly AssociativeMemoryInstance[];
  /** The options used, defaults filled in. */
  readonly options: ResolvedAssociativeMemoryTaskOptions;
}

const KNOWN = ['numSequences', 'keyDim', 'numPairs', 'keyDistribution', 'mixingFraction', 'seed'];

/**
 * Generates the associative-memory task: each sequence stores `numPairs` key–value pairs (values are unit-norm
 * Gaussian vectors) and ends with a query repeating one key chosen uniformly; the target is that key's value.
 *
 * Notes: the construction outputs `Σ_i v_i ⟨k_i, k_j⟩`. With orthonormal keys that is `v_j` (to rounding, about
 * `1e-15`); with Gaussian keys it adds cross-talk of size about `√((numPairs − 1) / keyDim)`, so decoding to the
 * nearest stored value is right only most of the time (measured numbers in the README). Mixtures reproduce the
 * paper's certificate-versus-generalisation experiment.
 *
 * @param options - See {@link AssociativeMemoryTaskOptions}.
 * @returns An {@link AssociativeMemoryTask}.
 * @throws `LattnError` `INVALID_ARGUMENT` for an unknown option, a value out of range, `mixingFraction` outside
 * `[0, 1]` or contradicting `keyDistribution`, or `numPairs > keyDim` with orthogonal keys; `TOO_LARGE`
 * when the dataset or the construction would exceed the size budget (2²⁵ float64 entries each).
 * @example
 * ```ts
 * const task = generateAssociativeMemoryTask({ keyDim: 4, numPairs: 3, seed: 1 });
 * const outputs = forward(task.construction, task.dataset.inputs, { mode: 'last' });
 * exactMatchAssociativeMemory(outputs, task).exactMatch; // 1 (orthogonal keys)
 * ```
 * @see packages/tasks/README.md
 */
export function generateAssociativeMemoryTask(options?: AssociativeMemoryTaskOptions): AssociativeMemoryTask {
  const fn = 'generateAssociativeMemoryTask';
  const raw = readOptions(fn, options, KNOWN);
  const numSequences = integerOption(fn, raw, 'numSequences', 64, { min: 1, max: 1_000_000 });
  const keyDim = integerOption(fn, raw, 'keyDim', 4, { min: 1 });
  const numPairs = integerOption(fn, raw, 'numPairs', 4, { min: 1, max: 1_000_000 });
  const keyDistribution = oneOfOption(fn, raw, 'keyDistribution', 'orthogonal', KEY_DISTRIBUTIONS);
  const implied = keyDistribution === 'orthogonal' ? 1 : 0;
  const mixingFraction = numberOption(fn, raw, 'mixingFraction', keyDistribution === 'mixture' ? 0.5 : implied, {
    min: 0,
    max: 1,
  });
  if (keyDistribution !== 'mixture' && mixingFraction !== implied) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.mixingFraction contradicts keyDistribution '${keyDistribution}'. Expected ${implied} or no mixingFraction (use keyDistribution 'mixture' to mix); received ${mixingFraction}.`,
    );
  }
  const numOrthogonal = Math.round(mixingFraction * numSequences);
  if (numOrthogonal > 0 && numPairs > keyDim) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: orthogonal keys need numPairs <= keyDim. Expected numPairs <= ${keyDim}; received ${numPairs}.`,
    );
  }
  const resolved: ResolvedAssociativeMemoryTaskOptions = {
    numSequences,
    keyDim,
    numPairs,
    keyDistribution,
    mixingFraction,
    seed: seedOption(fn, raw),
  };
  checkBudget(fn, 2 * keyDim, numSequences * (numPairs + 1), numSequences * keyDim);
  checkConstructionBudget(fn, 2 * keyDim, keyDim, 1);

  const rng = createRng(resolved.seed);
  const order = randomOrder(rng, numSequences);
  const orthogonal = new Array<boolean>(numSequences).fill(false);
  for (let r = 0; r < numOrthogonal; r++) orthogonal[order[r]] = true;

  const d = 2 * keyDim;
  const instances: AssociativeMemoryInstance[] = [];
  const inputs: Matrix[] = [];
  const targets: Matrix[] = [];
  for (let b = 0; b < numSequences; b++) {
    const keys = orthogonal[b] ? orthonormalKeys(rng, numPairs, keyDim) : unitRows(rng.normalMatrix(numPairs, keyDim));
    const values = unitRows(rng.normalMatrix(numPairs, keyDim));
    const queryIndex = rng.integer(0, numPairs);
    const sequence = zeros(numPairs + 1, d);
    for (let i = 0; i < numPairs; i++) {
      sequence.data.set(keys.data.subarray(i * keyDim, (i + 1) * keyDim), i * d);
      sequence.data.set(values.data.subarray(i * keyDim, (i + 1) * keyDim), i * d + keyDim);
    }
    sequence.data.set(keys.data.subarray(queryIndex * keyDim, (queryIndex + 1) * keyDim), numPairs * d);
    inputs.push(sequence);
    targets.push({ rows: 1, cols: keyDim, data: values.data.slice(queryIndex * keyDim, (queryIndex + 1) * keyDim) });
    instances.push({ queryIndex, keyDistribution: orthogonal[b] ? 'orthogonal' : 'gaussian' });
  }
  return {
    kind: 'associative-memory',
    dataset: { inputs, targets, mode: 'last' },
    construction: associativeMemoryConstruction(keyDim),
    instances,
    options: resolved,
  };
}

/**
 * Decodes associative-memory outputs: for each sequence, the index of the stored value nearest (in Euclidean
 * distance) to the output at the query.
 *
 * @param outputs - One `(1, keyDim)` matrix per sequence, as `forward(model, task.dataset.inputs, { mode: 'last' })`
 * returns.
 * @param task - The task the outputs belong to.
 * @returns The decoded pair index per sequence (the first one on exact ties).
 * @throws `LattnError` `INVALID_ARGUMENT` for a task of another kind; `SHAPE_MISMATCH` when the outputs do not match
 * the targets; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * decodeAssociativeMemory(outputs, task); // task.instances.map((instance) => instance.queryIndex) when all right
 * ```
 */
export function decodeAssociativeMemory(outputs: readonly Matrix[], task: AssociativeMemoryTask): number[] {
  const fn = 'decodeAssociativeMemory';
  checkTaskKind(fn, task, 'associative-memory');
  checkOutputs(fn, outputs, task.dataset);
  return decodeNearest(outputs, task);
}

/**
 * Scores associative-memory outputs by exact match of the decoded pair index with the query's.
 *
 * @param outputs - One `(1, keyDim)` matrix per sequence.
 * @param task - The task the outputs belong to.
 * @returns An {@link ExactMatchScore} with one scored position (the query) per sequence.
 * @throws `LattnError` as {@link decodeAssociativeMemory}.
 * @example
 * ```ts
 * exactMatchAssociativeMemory(forward(task.construction, task.dataset.inputs, { mode: 'last' }), task).exactMatch;
 * ```
 */
export function exactMatchAssociativeMemory(outputs: readonly Matrix[], task: AssociativeMemoryTask): ExactMatchScore {
  const fn = 'exactMatchAssociativeMemory';
  checkTaskKind(fn, task, 'associative-memory');
  checkOutputs(fn, outputs, task.dataset);
  const decoded = decodeNearest(outputs, task);
  return scoreFromCounts(
    decoded.map((index, b) => (index === task.instances[b].queryIndex ? 1 : 0)),
    decoded.map(() => 1),
  );
}

/** `V = [0, I]` `(k, 2k)` and `Q = [[I, 0], [0, 0]]` `(2k, 2k)`. */
function associativeMemoryConstruction(keyDim: number): MhlaModel {
  const d = 2 * keyDim;
  const value = zeros(keyDim, d);
  const query = zeros(d, d);
  for (let i = 0; i < keyDim; i++) {
    value.data[i * d + keyDim + i] = 1;
    query.data[i * d + i] = 1;
  }
  return createModel({ heads: [{ value, query }] });
}

/** `count` orthonormal keys: the first rows of a Haar-random orthogonal matrix. */
function orthonormalKeys(rng: Rng, count: number, keyDim: number): Matrix {
  const basis = rng.orthogonal(keyDim);
  return { rows: count, cols: keyDim, data: basis.data.slice(0, count * keyDim) };
}

/** Normalises the rows of a freshly drawn matrix to unit length, in place. */
function unitRows(matrix: Matrix): Matrix {
  const { rows, cols, data } = matrix;
  for (let i = 0; i < rows; i++) {
    let squares = 0;
    for (let j = 0; j < cols; j++) squares += data[i * cols + j] ** 2;
    const norm = Math.sqrt(squares);
    for (let j = 0; j < cols; j++) data[i * cols + j] /= norm;
  }
  return matrix;
}

/**
 * For each sequence, the index of the stored value nearest to the output `o`. Since `‖o − v_i‖² = ‖o‖² − 2⟨o, v_i⟩ +
 * ‖v_i‖²` and `‖o‖²` is common to every candidate, the nearest value minimises `‖v_i‖² − 2⟨o, v_i⟩`, computed on
 * entries divided by the largest magnitude involved: huge (finite) outputs then neither overflow nor drown the
 * differences between candidates in the rounding of `‖o‖²`.
 */
function decodeNearest(outputs: readonly Matrix[], task: AssociativeMemoryTask): number[] {
  const { keyDim, numPairs } = task.options;
  const d = 2 * keyDim;
  return outputs.map((output, b) => {
    const input = task.dataset.inputs[b];
    let scale = 0;
    for (let a = 0; a < keyDim; a++) scale = Math.max(scale, Math.abs(output.data[a]));
    for (let i = 0; i < numPairs; i++) {
      for (let a = 0; a < keyDim; a++) scale = Math.max(scale, Math.abs(input.data[i * d + keyDim + a]));
    }
    if (scale === 0) scale = 1;
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i < numPairs; i++) {
      let score = 0;
      for (let a = 0; a < keyDim; a++) {
        const value = input.data[i * d + keyDim + a] / scale;
        score += value * (value - (2 * output.data[a]) / scale);
      }
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  });
}
