/**
 * Executing finite automata (paper §4.2, SPEC §5): a random DFA's transition table and a word in the context, and
 * the computation history as targets, with the one-head MHLA that performs a transition lookup.
 *
 * Layout of one sequence (the paper's `table | word | history`):
 *
 *     table: |Q|·|Σ| tokens (q, σ → δ(q, σ)), shuffled | word: n tokens σ_i | history: n tokens (q_i, σ_{i+1})
 *
 * Token encoding, `d = |Q|·|Σ| + |Q| + |Σ|`, three one-hot blocks:
 *
 *     key   [0, |Q||Σ|)              e_{q·|Σ|+σ}   table tokens (their key) and history tokens (their query)
 *     value [|Q||Σ|, |Q||Σ|+|Q|)      e_{q'}        table tokens only: the next state δ(q, σ)
 *     word  [|Q||Σ|+|Q|, d)           e_σ           word tokens only
 *
 * History token `i` pairs the current state `q_i` with the symbol it reads, `σ_{i+1}`; its target is `e_{q_{i+1}}`.
 * The construction is associative memory over the table: `Q` is the identity on the key block and `V` reads the value
 * block, so `y_t = Σ_s value(s) ⟨key(s), key(t)⟩` returns the one entry whose key is `(q_i, σ_{i+1})`.
 */
import { createRng, type Dataset, type Matrix, type ProgressCallback, zeros } from '@lattn/core';
import { createModel, type MhlaModel } from '@lattn/feature-map';
import { type ExactMatchScore, scoreSequences } from '../exact-match.js';
import { argmax, checkOutputs, checkTaskKind, lastOutputOf } from '../internal/checks.js';
import { randomOrder, randomWord } from '../internal/draw.js';
import {
  checkBudget,
  checkConstructionBudget,
  integerOption,
  progressOption,
  readOptions,
  seedOption,
} from '../internal/options.js';
import { type Automaton, randomAutomaton, runAutomaton } from './automaton.js';

/** Options of {@link generateAutomatonTask}. */
export interface AutomatonTaskOptions {
  /**
   * Number of sequences, each with its own random automaton and word.
   * @defaultValue `32`
   */
  readonly numSequences?: number;
  /**
   * Number of states `|Q|` of every automaton (integer in `[1, 64]`).
   * @defaultValue `4`
   */
  readonly numStates?: number;
  /**
   * Alphabet size `|Σ|` (integer in `[1, 64]`).
   * @defaultValue `2`
   */
  readonly numSymbols?: number;
  /**
   * Word length `n` (integer in `[1, 4096]`); the history has `n` steps.
   * @defaultValue `8`
   */
  readonly wordLength?: number;
  /**
   * Seed of the generator.
   * @defaultValue `0`
   */
  readonly seed?: number;
}

/** The options a task was generated with, defaults filled in. */
export type ResolvedAutomatonTaskOptions = Required<AutomatonTaskOptions>;

/** Where each part of an automaton token lives in the token vector (see the module notes). */
export interface AutomatonEncoding {
  /** Token dimension `d = |Q|·|Σ| + |Q| + |Σ|`. */
  readonly modelDim: number;
  /** Output dimension `|Q|`: a one-hot next state. */
  readonly outputDim: number;
  /** First index of the key block `e_{q·|Σ|+σ}` (always `0`). */
  readonly keyOffset: number;
  /** First index of the value block `e_{q'}`. */
  readonly valueOffset: number;
  /** First index of the word block `e_σ`. */
  readonly symbolOffset: number;
  /** Number of table tokens, `|Q|·|Σ|`; the word starts at this position and the history `wordLength` later. */
  readonly tableLength: number;
}

/** One generated sequence in symbols: the automaton, the word, the true history and the table order used. */
export interface AutomatonInstance {
  /** The random automaton whose table is in the context. */
  readonly automaton: Automaton;
  /** The word `σ_1 … σ_n`. */
  readonly word: readonly number[];
  /** The computation history `q_0 … q_n` (`q_0 = 0`). */
  readonly states: readonly number[];
  /** Table entries in context order; entry `e` is `(q, σ) = (⌊e / |Σ|⌋, e mod |Σ|)`. */
  readonly tableOrder: readonly number[];
}

/** The result of {@link generateAutomatonTask}: data, exact construction and the symbols behind them. */
export interface AutomatonTask {
  /** Discriminant of the task records of this package. */
  readonly kind: 'automaton';
  /**
   * Sequences `(|Q||Σ| + 2n, d)` in mode `'all'`. Targets: `e_{q_{i+1}}` at history token `i`; the entry's own next
   * state at a table token (what the construction outputs there); zero at word tokens.
   */
  readonly dataset: Dataset;
  /** The exact one-head construction: `Q` = identity on the key block, `V` reads the value block. */
  readonly construction: MhlaModel;
  /** One record per sequence. */
  readonly instances: readonly AutomatonInstance[];
  /** The token layout. */
  readonly encoding: AutomatonEncoding;
  /** The options used, defaults filled in. */
  readonly options: ResolvedAutomatonTaskOptions;
}

/** Options of {@link runAutomatonWithModel}. */
export interface AutomatonRunOptions {
  /**
   * Called after each sequence with `{ stage: 'run', done, total }`.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** The result of {@link runAutomatonWithModel}. */
export interface AutomatonRun {
  /** Per sequence, the history `q_0 … q_n` the model produced when fed its own decoded states. */
  readonly histories: readonly (readonly number[])[];
  /** Whole-history exact match; scored positions are the `n` predicted states of each sequence. */
  readonly score: ExactMatchScore;
}

const KNOWN = ['numSequences', 'numStates', 'numSymbols', 'wordLength', 'seed'];

/**
 * Generates the finite-automaton execution task: per sequence a uniformly random DFA (every transition target drawn
 * uniformly), a uniformly random word, the table in the context, and the computation history as targets.
 *
 * Notes: the construction is exact on every sequence (outputs are sums of products of 0/1 entries, so they equal the
 * targets to the last bit). The model dimension does not depend on the word length, so a model for this task runs
 * unchanged on longer words (see {@link runAutomatonWithModel}).
 *
 * @param options - See {@link AutomatonTaskOptions}.
 * @returns An {@link AutomatonTask}.
 * @throws `LattnError` `INVALID_ARGUMENT` for an unknown option or a value out of range; `TOO_LARGE` when the
 * dataset or the construction would exceed the size budget (2²⁵ float64 entries each).
 * @example
 * ```ts
 * const task = generateAutomatonTask({ numSequences: 4, numStates: 3, numSymbols: 2, wordLength: 5, seed: 1 });
 * task.dataset.inputs[0].rows; // 16 = 3·2 table + 5 word + 5 history tokens
 * exactMatchAutomaton(forward(task.construction, task.dataset.inputs), task).exactMatch; // 1
 * ```
 * @see packages/tasks/README.md
 */
export function generateAutomatonTask(options?: AutomatonTaskOptions): AutomatonTask {
  const fn = 'generateAutomatonTask';
  const raw = readOptions(fn, options, KNOWN);
  const resolved: ResolvedAutomatonTaskOptions = {
    numSequences: integerOption(fn, raw, 'numSequences', 32, { min: 1, max: 1_000_000 }),
    numStates: integerOption(fn, raw, 'numStates', 4, { min: 1, max: 64 }),
    numSymbols: integerOption(fn, raw, 'numSymbols', 2, { min: 1, max: 64 }),
    wordLength: integerOption(fn, raw, 'wordLength', 8, { min: 1, max: 4096 }),
    seed: seedOption(fn, raw),
  };
  const { numSequences, numStates, numSymbols, wordLength } = resolved;
  const encoding = automatonEncoding(numStates, numSymbols);
  const length = encoding.tableLength + 2 * wordLength;
  checkBudget(fn, encoding.modelDim, numSequences * length, numSequences * length * encoding.outputDim);
  checkConstructionBudget(fn, encoding.modelDim, encoding.outputDim, 1);

  const rng = createRng(resolved.seed);
  const instances: AutomatonInstance[] = [];
  const inputs: Matrix[] = [];
  const targets: Matrix[] = [];
  for (let b = 0; b < numSequences; b++) {
    const automaton = randomAutomaton(rng, numStates, numSymbols);
    const word = randomWord(rng, wordLength, numSymbols);
    const tableOrder = randomOrder(rng, encoding.tableLength);
    const instance: AutomatonInstance = { automaton, word, states: runAutomaton(automaton, word), tableOrder };
    instances.push(instance);
    inputs.push(encodeSequence(instance, instance.states, encoding));
    targets.push(encodeTargets(instance, encoding));
  }
  return {
    kind: 'automaton',
    dataset: { inputs, targets, mode: 'all' },
    construction: automatonConstruction(encoding),
    instances,
    encoding,
    options: resolved,
  };
}

/**
 * Decodes model outputs on an automaton task to next states: the argmax of each history row.
 *
 * @param outputs - One `(|Q||Σ| + 2n, |Q|)` matrix per sequence, as `forward(model, task.dataset.inputs)` returns.
 * @param task - The task the outputs belong to.
 * @returns Per sequence the decoded states `q_1 … q_n` (the model's prediction at each history token, teacher
 * forced: every history token holds the true previous state).
 * @throws `LattnError` `INVALID_ARGUMENT` when `task` is not an automaton task; `SHAPE_MISMATCH` when the outputs do
 * not match its targets; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * decodeAutomatonStates(forward(task.construction, task.dataset.inputs), task)[0]; // task.instances[0].states.slice(1)
 * ```
 */
export function decodeAutomatonStates(outputs: readonly Matrix[], task: AutomatonTask): number[][] {
  const fn = 'decodeAutomatonStates';
  checkTaskKind(fn, task, 'automaton');
  checkOutputs(fn, outputs, task.dataset);
  return decodeStates(outputs, task);
}

/**
 * Scores model outputs on an automaton task by exact match of the decoded next states (teacher forced).
 *
 * @param outputs - One matrix per sequence, shaped like the task's targets.
 * @param task - The task the outputs belong to.
 * @returns An {@link ExactMatchScore}: a sequence counts when all `n` decoded states are right.
 * @throws `LattnError` as {@link decodeAutomatonStates}.
 * @example
 * ```ts
 * exactMatchAutomaton(forward(task.construction, task.dataset.inputs), task).exactMatch; // 1
 * ```
 */
export function exactMatchAutomaton(outputs: readonly Matrix[], task: AutomatonTask): ExactMatchScore {
  const fn = 'exactMatchAutomaton';
  checkTaskKind(fn, task, 'automaton');
  checkOutputs(fn, outputs, task.dataset);
  const decoded = decodeStates(outputs, task);
  return scoreSequences(
    decoded,
    task.instances.map((instance) => instance.states.slice(1)),
  );
}

/**
 * Runs a model autoregressively on every sequence of an automaton task: the context (table and word) is given, then
 * each history token is built from the state the model itself decoded at the step before, so one wrong state
 * derails the rest of the history. Compares the whole history with the true one.
 *
 * Notes: the model must have the task's `modelDim` and `outputDim`, which depend only on `numStates` and
 * `numSymbols`, so a model fitted on short words is evaluated on longer words by generating a second task with a
 * larger `wordLength`. Cost: `n` forward passes per sequence over prefixes of up to `|Q||Σ| + 2n` tokens.
 *
 * @param model - An MHLA with `modelDim = task.encoding.modelDim` and `outputDim = task.encoding.outputDim`, or
 * its folded weights `(outputDim, featureDim(modelDim))` — for example a fit's `weights`, run with `forwardFolded`.
 * @param task - The sequences to run.
 * @param options - See {@link AutomatonRunOptions}.
 * @returns The produced histories and their exact-match score.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed model, a task of another kind or a bad option;
 * `SHAPE_MISMATCH` when the model's (or the weights') dimensions do not fit the task; `NON_FINITE` for NaN or
 * ±Infinity in the weights, or when an output overflows float64 (naming the sequence and the step).
 * @example
 * ```ts
 * const longer = generateAutomatonTask({ numStates: 4, numSymbols: 2, wordLength: 40, seed: 2 });
 * runAutomatonWithModel(task.construction, longer).score.exactMatch; // 1
 * ```
 */
export function runAutomatonWithModel(
  model: MhlaModel | Matrix,
  task: AutomatonTask,
  options?: AutomatonRunOptions,
): AutomatonRun {
  const fn = 'runAutomatonWithModel';
  const onProgress = progressOption(fn, readOptions(fn, options, ['onProgress']));
  checkTaskKind(fn, task, 'automaton');
  const lastOutput = lastOutputOf(fn, model, task.encoding);
  const histories: number[][] = [];
  const { encoding } = task;
  task.instances.forEach((instance, b) => {
    const n = instance.word.length;
    const states = [0];
    const sequence = encodeSequence(instance, states, encoding);
    for (let i = 0; i < n; i++) {
      const position = encoding.tableLength + n + i;
      const output = lastOutput(sequence, position + 1, b, i);
      const next = argmax(output.data, 0, encoding.outputDim);
      states.push(next);
      if (i + 1 < n) writeHistoryToken(sequence.data, position + 1, next, instance.word[i + 1], encoding);
    }
    histories.push(states);
    onProgress?.({ stage: 'run', done: b + 1, total: task.instances.length });
  });
  const score = scoreSequences(
    histories.map((states) => states.slice(1)),
    task.instances.map((instance) => instance.states.slice(1)),
  );
  return { histories, score };
}

/** The token layout for `numStates` states and `numSymbols` symbols. */
function automatonEncoding(numStates: number, numSymbols: number): AutomatonEncoding {
  const tableLength = numStates * numSymbols;
  return {
    modelDim: tableLength + numStates + numSymbols,
    outputDim: numStates,
    keyOffset: 0,
    valueOffset: tableLength,
    symbolOffset: tableLength + numStates,
    tableLength,
  };
}

/**
 * The sequence `table | word | history` of one instance. History tokens are written for the states given
 * (`states[i]` pairs with `word[i]`); tokens without a state yet stay zero, to be filled by the autoregressive run.
 */
function encodeSequence(instance: AutomatonInstance, states: readonly number[], encoding: AutomatonEncoding): Matrix {
  const { automaton, word, tableOrder } = instance;
  const n = word.length;
  const d = encoding.modelDim;
  const sequence = zeros(encoding.tableLength + 2 * n, d);
  const data = sequence.data;
  tableOrder.forEach((entry, position) => {
    const q = Math.floor(entry / automaton.numSymbols);
    const symbol = entry % automaton.numSymbols;
    data[position * d + encoding.keyOffset + entry] = 1;
    data[position * d + encoding.valueOffset + automaton.transitions[q][symbol]] = 1;
  });
  for (let i = 0; i < n; i++) data[(encoding.tableLength + i) * d + encoding.symbolOffset + word[i]] = 1;
  for (let i = 0; i < Math.min(states.length, n); i++) {
    writeHistoryToken(data, encoding.tableLength + n + i, states[i], word[i], encoding);
  }
  return sequence;
}

/** Writes history token `(state, symbol)` at `position`: the one-hot key `e_{state·|Σ|+symbol}`. */
function writeHistoryToken(
  data: Float64Array,
  position: number,
  state: number,
  symbol: number,
  encoding: AutomatonEncoding,
): void {
  const numSymbols = encoding.modelDim - encoding.symbolOffset;
  data[position * encoding.modelDim + encoding.keyOffset + state * numSymbols + symbol] = 1;
}

/** Targets: the entry's own next state at table tokens, zero at word tokens, `e_{q_{i+1}}` at history token `i`. */
function encodeTargets(instance: AutomatonInstance, encoding: AutomatonEncoding): Matrix {
  const { automaton, word, states, tableOrder } = instance;
  const n = word.length;
  const out = encoding.outputDim;
  const targets = zeros(encoding.tableLength + 2 * n, out);
  const data = targets.data;
  tableOrder.forEach((entry, position) => {
    const q = Math.floor(entry / automaton.numSymbols);
    data[position * out + automaton.transitions[q][entry % automaton.numSymbols]] = 1;
  });
  for (let i = 0; i < n; i++) data[(encoding.tableLength + n + i) * out + states[i + 1]] = 1;
  return targets;
}

/** The one-head construction: `Q = [[I, 0, 0], [0, 0, 0], [0, 0, 0]]`, `V = [0, I, 0]`. */
function automatonConstruction(encoding: AutomatonEncoding): MhlaModel {
  const d = encoding.modelDim;
  const value = zeros(encoding.outputDim, d);
  const query = zeros(d, d);
  for (let q = 0; q < encoding.outputDim; q++) value.data[q * d + encoding.valueOffset + q] = 1;
  for (let e = 0; e < encoding.tableLength; e++) {
    query.data[(encoding.keyOffset + e) * d + encoding.keyOffset + e] = 1;
  }
  return createModel({ heads: [{ value, query }] });
}

/** Argmax of each history row. */
function decodeStates(outputs: readonly Matrix[], task: AutomatonTask): number[][] {
  const { tableLength, outputDim } = task.encoding;
  return task.instances.map((instance, b) => {
    const n = instance.word.length;
    const states: number[] = [];
    for (let i = 0; i < n; i++) states.push(argmax(outputs[b].data, (tableLength + n + i) * outputDim, outputDim));
    return states;
  });
}
