/**
 * Turing-machine computation histories (SPEC §5; paper Lemma B.1 and App. C): the machine's transition table and the
 * input word in the context, then the computation history, one token per tape cell per configuration; the target
 * at every position is the next history token. One MHLA layer with four heads produces every history token exactly,
 * for every machine with `numStates` states (the program is read from the context, as a universal machine does),
 * within fixed bounds on the word length and the number of steps. The construction is this package's own, exactly
 * verified against the simulator; it is not a transcription of the paper's proof (see the README).
 *
 * Layout, with `W = n + 2S` tape cells (see `tapeLength`):
 *
 *     table: 2|Q| tokens (q, a → q', b, m), shuffled | word: n tokens | configurations c_0 … c_S: W tokens each
 *
 * History token `(i, p)` (cell `p` of configuration `i`) carries the cell's symbol, the state if the head is there,
 * and the *action* `δ(q, a)` if the head of configuration `i` is on cell `p − 1` — the machine announces its
 * transition in the token after the head. One linear-attention layer sums contributions of single earlier tokens
 * (`y_t = Σ_s Σ_h V_h z_s · z_sᵀ Q_h z_t`), so it cannot combine "the head was here" from one token with "the table
 * says write b" from another; the action token puts both facts in one token, which is what makes one layer enough.
 *
 * Token encoding, `d = 6|Q| + 3 + P` with `P = n + (S + 1)·W − 1` positions:
 *
 *     content  [0, 2(|Q|+1))         e_{a·(|Q|+1) + (q + 1 or 0)}  symbol a and state q (0 = no head); word tokens too
 *     key      [2(|Q|+1), 4|Q|+2)     e_{q·2 + a}                  table tokens only
 *     action   [4|Q|+2, 6|Q|+2)       e_{q'·2 + (m = right)}       table tokens, and history tokens after the head
 *     write    6|Q|+2                 b                            with the action
 *     position [6|Q|+3, d)            e_u                          word token j: u = j; history token g: u = n + g
 *
 * Outputs, `dOut = 3|Q| + 2`: `[symbol bit | state one-hot (|Q|) | action one-hot (2|Q|) | write bit]`; a zero state
 * block means "no head" and a zero action block "no action".
 *
 * The four heads (all entries 0 or 1), for the token after position `t` at cell `p` of configuration `i`:
 * - lookup: `Q` maps the current token's content `(a, q)` to the key `(q, a)`, `V` copies the matching table entry's
 *   action and write bit: the action of the next token.
 * - copy 0: `Q` maps the position of `t` to cell `p` of configuration `i − 1` (for `i = 0`, to word symbol `p − S`);
 *   `V` copies its symbol unless the head was there, its action's state if the action moved right, and sets state 0
 *   at the start cell (read from word token 0's position feature).
 * - copy 1: to cell `p + 1` of configuration `i − 1`; `V` copies the written bit of its action (the head was on `p`).
 * - copy 2: to cell `p + 2` of configuration `i − 1`; `V` copies its action's state if the action moved left.
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
import {
  randomTuringMachine,
  runTuringMachine,
  type TuringConfiguration,
  type TuringMachine,
  type TuringTransition,
  tapeLength,
} from './turing-machine.js';

/** Options of {@link generateTuringTask}. */
export interface TuringTaskOptions {
  /**
   * Number of sequences, each with its own random machine and word.
   * @defaultValue `16`
   */
  readonly numSequences?: number;
  /**
   * Number of states `|Q|` of every machine (integer in `[1, 32]`).
   * @defaultValue `2`
   */
  readonly numStates?: number;
  /**
   * Input length `n` (integer in `[1, 64]`); shorter inputs are the same as inputs padded with blanks (`0`).
   * @defaultValue `3`
   */
  readonly wordLength?: number;
  /**
   * Number of steps `S` (integer in `[1, 64]`); the history has `S + 1` configurations.
   * @defaultValue `3`
   */
  readonly numSteps?: number;
  /**
   * Seed of the generator.
   * @defaultValue `0`
   */
  readonly seed?: number;
}

/** The options a task was generated with, defaults filled in. */
export type ResolvedTuringTaskOptions = Required<TuringTaskOptions>;

/** One history token in symbols. */
export interface TuringToken {
  /** The tape symbol of the cell, `0` or `1`. */
  readonly symbol: number;
  /** The machine's state when the head is on this cell, else `null`. */
  readonly state: number | null;
  /** The transition taken when the head is on the cell to the left, else `null`. */
  readonly action: TuringTransition | null;
}

/** Where each part of a Turing token lives in the token and output vectors (see the module notes). */
export interface TuringEncoding {
  /** Token dimension `d = 6|Q| + 3 + numPositions`. */
  readonly modelDim: number;
  /** Output dimension `3|Q| + 2`. */
  readonly outputDim: number;
  /** Number of states `|Q|`. */
  readonly numStates: number;
  /** Input length `n`. */
  readonly wordLength: number;
  /** Number of steps `S`. */
  readonly numSteps: number;
  /** Tape cells per configuration, `W = n + 2S`; the head starts on cell `S`. */
  readonly tapeLength: number;
  /** Number of table tokens, `2|Q|`; the word starts at this position. */
  readonly tableLength: number;
  /** Number of history tokens, `(S + 1)·W`; the inputs hold all but the last. */
  readonly historyLength: number;
  /** First index of the content block. */
  readonly contentOffset: number;
  /** First index of the key block. */
  readonly keyOffset: number;
  /** First index of the action block. */
  readonly actionOffset: number;
  /** Index of the write bit. */
  readonly writeOffset: number;
  /** First index of the position block. */
  readonly positionOffset: number;
  /** Size of the position block, `n + (S + 1)·W − 1`. */
  readonly numPositions: number;
}

/** One generated sequence in symbols. */
export interface TuringInstance {
  /** The random machine whose table is in the context. */
  readonly machine: TuringMachine;
  /** The input word. */
  readonly word: readonly number[];
  /** The `S + 1` configurations of the computation. */
  readonly history: readonly TuringConfiguration[];
  /** The history as tokens: `(S + 1)·W` of them, configuration by configuration, cell by cell. */
  readonly tokens: readonly TuringToken[];
  /** Table entries in context order; entry `e` is `(q, a) = (⌊e / 2⌋, e mod 2)`. */
  readonly tableOrder: readonly number[];
}

/** The result of {@link generateTuringTask}. */
export interface TuringTask {
  /** Discriminant of the task records of this package. */
  readonly kind: 'turing';
  /**
   * Sequences of `2|Q| + n + (S + 1)·W − 1` tokens in mode `'all'`; the target at position `t` is the output encoding
   * of history token `t + 1`, and zero where token `t + 1` belongs to the table or the word (not determined).
   */
  readonly dataset: Dataset;
  /** The exact four-head construction (lookup, copy 0, copy 1, copy 2). */
  readonly construction: MhlaModel;
  /** One record per sequence. */
  readonly instances: readonly TuringInstance[];
  /** The token layout. */
  readonly encoding: TuringEncoding;
  /** The options used, defaults filled in. */
  readonly options: ResolvedTuringTaskOptions;
}

/** Options of {@link runTuringWithModel}. */
export interface TuringRunOptions {
  /**
   * Called after each sequence with `{ stage: 'run', done, total }`.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** The result of {@link runTuringWithModel}. */
export interface TuringRun {
  /** Per sequence, the `(S + 1)·W` history tokens the model produced when fed its own decoded tokens. */
  readonly tokens: readonly (readonly TuringToken[])[];
  /** Whole-history exact match; scored positions are history tokens. */
  readonly score: ExactMatchScore;
}

const KNOWN = ['numSequences', 'numStates', 'wordLength', 'numSteps', 'seed'];

/**
 * Generates the Turing-machine history task: per sequence a uniformly random machine (see
 * `randomTuringMachine`) and a uniformly random word; the table and word in the context, the computation history
 * as the rest of the sequence, and the next history token as the target at every position.
 *
 * Notes: the construction is exact (its outputs are sums of products of 0/1 entries) for every machine with
 * `numStates` states, every word of length `wordLength` and `numSteps` steps; its dimension grows with the bounds
 * (`d = 6|Q| + 3 + n + (S + 1)(n + 2S) − 1`, four heads), because the copy heads address earlier cells by absolute
 * position. Longer histories need a larger model.
 *
 * @param options - See {@link TuringTaskOptions}.
 * @returns A {@link TuringTask}.
 * @throws `LattnError` `INVALID_ARGUMENT` for an unknown option or a value out of range; `TOO_LARGE` when the
 * dataset or the construction would exceed the size budget (2²⁵ float64 entries each).
 * @example
 * ```ts
 * const task = generateTuringTask({ numSequences: 4, numStates: 2, wordLength: 2, numSteps: 2, seed: 1 });
 * task.encoding.modelDim; // 15 + 2 + 3·6 − 1 = 34
 * exactMatchTuring(forward(task.construction, task.dataset.inputs), task).exactMatch; // 1
 * ```
 * @see packages/tasks/README.md
 */
export function generateTuringTask(options?: TuringTaskOptions): TuringTask {
  const fn = 'generateTuringTask';
  const raw = readOptions(fn, options, KNOWN);
  const resolved: ResolvedTuringTaskOptions = {
    numSequences: integerOption(fn, raw, 'numSequences', 16, { min: 1, max: 1_000_000 }),
    numStates: integerOption(fn, raw, 'numStates', 2, { min: 1, max: 32 }),
    wordLength: integerOption(fn, raw, 'wordLength', 3, { min: 1, max: 64 }),
    numSteps: integerOption(fn, raw, 'numSteps', 3, { min: 1, max: 64 }),
    seed: seedOption(fn, raw),
  };
  const { numSequences, numStates, wordLength, numSteps } = resolved;
  const encoding = turingEncoding(numStates, wordLength, numSteps);
  const length = sequenceLength(encoding);
  checkBudget(fn, encoding.modelDim, numSequences * length, numSequences * length * encoding.outputDim);
  checkConstructionBudget(fn, encoding.modelDim, encoding.outputDim, 4);

  const rng = createRng(resolved.seed);
  const instances: TuringInstance[] = [];
  const inputs: Matrix[] = [];
  const targets: Matrix[] = [];
  for (let b = 0; b < numSequences; b++) {
    const machine = randomTuringMachine(rng, numStates);
    const word = randomWord(rng, wordLength, 2);
    const tableOrder = randomOrder(rng, encoding.tableLength);
    const history = runTuringMachine(machine, word, numSteps);
    const tokens = historyTokens(machine, history);
    const instance: TuringInstance = { machine, word, history, tokens, tableOrder };
    instances.push(instance);
    inputs.push(encodeSequence(instance, tokens, encoding));
    targets.push(encodeTargets(tokens, encoding));
  }
  return {
    kind: 'turing',
    dataset: { inputs, targets, mode: 'all' },
    construction: turingConstruction(encoding),
    instances,
    encoding,
    options: resolved,
  };
}

/**
 * Decodes model outputs on a Turing task to history tokens (teacher forced: each prediction sees the true history
 * before it). The symbol bit is `output > 0.5`; the state and the action are the argmax of their blocks when that
 * entry exceeds `0.5`, else none.
 *
 * @param outputs - One matrix per sequence, as `forward(model, task.dataset.inputs)` returns.
 * @param task - The task the outputs belong to.
 * @returns Per sequence the `(S + 1)·W` predicted history tokens.
 * @throws `LattnError` `INVALID_ARGUMENT` for a task of another kind; `SHAPE_MISMATCH` when the outputs do not match
 * the targets; `NON_FINITE` for NaN or ±Infinity.
 * @example
 * ```ts
 * decodeTuringTokens(forward(task.construction, task.dataset.inputs), task)[0]; // equals task.instances[0].tokens
 * ```
 */
export function decodeTuringTokens(outputs: readonly Matrix[], task: TuringTask): TuringToken[][] {
  const fn = 'decodeTuringTokens';
  checkTaskKind(fn, task, 'turing');
  checkOutputs(fn, outputs, task.dataset);
  return decodeAll(outputs, task.encoding);
}

/**
 * Scores model outputs on a Turing task by exact match of the decoded history tokens (teacher forced).
 *
 * @param outputs - One matrix per sequence, shaped like the task's targets.
 * @param task - The task the outputs belong to.
 * @returns An {@link ExactMatchScore}: a sequence counts when all its `(S + 1)·W` history tokens are right.
 * @throws `LattnError` as {@link decodeTuringTokens}.
 * @example
 * ```ts
 * exactMatchTuring(forward(task.construction, task.dataset.inputs), task).exactMatch; // 1
 * ```
 */
export function exactMatchTuring(outputs: readonly Matrix[], task: TuringTask): ExactMatchScore {
  const fn = 'exactMatchTuring';
  checkTaskKind(fn, task, 'turing');
  checkOutputs(fn, outputs, task.dataset);
  return scoreSequences(
    decodeAll(outputs, task.encoding),
    task.instances.map((instance) => instance.tokens),
    sameToken,
  );
}

/**
 * Runs a model autoregressively on every sequence of a Turing task: given the table and the word, it produces the
 * whole history token by token, each decoded token fed back as the next input, and compares it with the true
 * history.
 *
 * Notes: cost `(S + 1)·W` forward passes per sequence over prefixes of up to `2|Q| + n + (S + 1)·W` tokens. The
 * model must have the task's `modelDim` and `outputDim`, which fix the bounds `n` and `S`.
 *
 * @param model - An MHLA with `modelDim = task.encoding.modelDim` and `outputDim = task.encoding.outputDim`, or
 * its folded weights `(outputDim, featureDim(modelDim))` — for example a fit's `weights`, run with `forwardFolded`.
 * @param task - The sequences to run.
 * @param options - See {@link TuringRunOptions}.
 * @returns The produced tokens and their exact-match score.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed model, a task of another kind or a bad option;
 * `SHAPE_MISMATCH` when the model's (or the weights') dimensions do not fit the task; `NON_FINITE` for NaN or
 * ±Infinity in the weights, or when an output overflows float64 (naming the sequence and the step).
 * @example
 * ```ts
 * runTuringWithModel(task.construction, task).score.exactMatch; // 1
 * ```
 */
export function runTuringWithModel(model: MhlaModel | Matrix, task: TuringTask, options?: TuringRunOptions): TuringRun {
  const fn = 'runTuringWithModel';
  const onProgress = progressOption(fn, readOptions(fn, options, ['onProgress']));
  checkTaskKind(fn, task, 'turing');
  const lastOutput = lastOutputOf(fn, model, task.encoding);
  const { encoding } = task;
  const start = encoding.tableLength + encoding.wordLength;
  const produced = task.instances.map((instance, b) => {
    const sequence = encodeSequence(instance, [], encoding);
    const tokens: TuringToken[] = [];
    for (let g = 0; g < encoding.historyLength; g++) {
      const output = lastOutput(sequence, start + g, b, g);
      const token = decodeToken(output.data, 0, encoding);
      tokens.push(token);
      if (g + 1 < encoding.historyLength) writeHistoryToken(sequence.data, start + g, g, token, encoding);
    }
    onProgress?.({ stage: 'run', done: b + 1, total: task.instances.length });
    return tokens;
  });
  return {
    tokens: produced,
    score: scoreSequences(
      produced,
      task.instances.map((instance) => instance.tokens),
      sameToken,
    ),
  };
}

/** The layout for the given bounds. */
function turingEncoding(numStates: number, wordLength: number, numSteps: number): TuringEncoding {
  const width = tapeLength(wordLength, numSteps);
  const historyLength = (numSteps + 1) * width;
  const keyOffset = 2 * (numStates + 1);
  const actionOffset = keyOffset + 2 * numStates;
  const writeOffset = actionOffset + 2 * numStates;
  const positionOffset = writeOffset + 1;
  const numPositions = wordLength + historyLength - 1;
  return {
    modelDim: positionOffset + numPositions,
    outputDim: 3 * numStates + 2,
    numStates,
    wordLength,
    numSteps,
    tapeLength: width,
    tableLength: 2 * numStates,
    historyLength,
    contentOffset: 0,
    keyOffset,
    actionOffset,
    writeOffset,
    positionOffset,
    numPositions,
  };
}

/** Tokens per input sequence: table, word and all history tokens but the last. */
function sequenceLength(encoding: TuringEncoding): number {
  return encoding.tableLength + encoding.wordLength + encoding.historyLength - 1;
}

/** The history of configurations as tokens, configuration by configuration, cell by cell. */
function historyTokens(machine: TuringMachine, history: readonly TuringConfiguration[]): TuringToken[] {
  const tokens: TuringToken[] = [];
  for (const { tape, head, state } of history) {
    tape.forEach((symbol, p) => {
      tokens.push({
        symbol,
        state: head === p ? state : null,
        action: head === p - 1 ? machine.transitions[state][tape[head]] : null,
      });
    });
  }
  return tokens;
}

/**
 * The input sequence of one instance: table, word, and the given history tokens (all but the last at most); slots
 * without a token stay zero, to be filled by the autoregressive run.
 */
function encodeSequence(instance: TuringInstance, tokens: readonly TuringToken[], encoding: TuringEncoding): Matrix {
  const d = encoding.modelDim;
  const numStates = encoding.numStates;
  const sequence = zeros(sequenceLength(encoding), d);
  const data = sequence.data;
  instance.tableOrder.forEach((entry, position) => {
    const transition = instance.machine.transitions[Math.floor(entry / 2)][entry % 2];
    data[position * d + encoding.keyOffset + entry] = 1;
    writeAction(data, position * d, transition, encoding);
  });
  instance.word.forEach((symbol, j) => {
    const row = (encoding.tableLength + j) * d;
    data[row + encoding.contentOffset + symbol * (numStates + 1)] = 1;
    data[row + encoding.positionOffset + j] = 1;
  });
  const count = Math.min(tokens.length, encoding.historyLength - 1);
  for (let g = 0; g < count; g++) {
    writeHistoryToken(data, encoding.tableLength + encoding.wordLength + g, g, tokens[g], encoding);
  }
  return sequence;
}

/** Writes history token `g` at sequence position `position`. */
function writeHistoryToken(
  data: Float64Array,
  position: number,
  g: number,
  token: TuringToken,
  encoding: TuringEncoding,
): void {
  const row = position * encoding.modelDim;
  const marker = token.state === null ? 0 : token.state + 1;
  data[row + encoding.contentOffset + token.symbol * (encoding.numStates + 1) + marker] = 1;
  if (token.action !== null) writeAction(data, row, token.action, encoding);
  data[row + encoding.positionOffset + encoding.wordLength + g] = 1;
}

/** Writes an action `(q', m)` one-hot and its write bit into the token starting at `row`. */
function writeAction(data: Float64Array, row: number, action: TuringTransition, encoding: TuringEncoding): void {
  data[row + encoding.actionOffset + action.nextState * 2 + (action.move === 1 ? 1 : 0)] = 1;
  data[row + encoding.writeOffset] = action.write;
}

/** Targets: the output encoding of the next token where it is a history token, zero elsewhere. */
function encodeTargets(tokens: readonly TuringToken[], encoding: TuringEncoding): Matrix {
  const out = encoding.outputDim;
  const targets = zeros(sequenceLength(encoding), out);
  const first = encoding.tableLength + encoding.wordLength - 1; // the position whose next token is history token 0
  tokens.forEach((token, g) => {
    const row = (first + g) * out;
    targets.data[row] = token.symbol;
    if (token.state !== null) targets.data[row + 1 + token.state] = 1;
    if (token.action !== null) {
      targets.data[row + 1 + encoding.numStates + token.action.nextState * 2 + (token.action.move === 1 ? 1 : 0)] = 1;
      targets.data[row + 1 + 3 * encoding.numStates] = token.action.write;
    }
  });
  return targets;
}

/** The four heads described in the module notes. */
function turingConstruction(encoding: TuringEncoding): MhlaModel {
  const d = encoding.modelDim;
  const out = encoding.outputDim;
  const { numStates: states, wordLength: n, numSteps, tapeLength: width } = encoding;
  const head = (): { value: Matrix; query: Matrix } => ({ value: zeros(out, d), query: zeros(d, d) });
  const set = (matrix: Matrix, i: number, j: number): void => {
    matrix.data[i * matrix.cols + j] = 1;
  };
  const content = (symbol: number, marker: number): number => encoding.contentOffset + symbol * (states + 1) + marker;
  const action = (nextState: number, right: number): number => encoding.actionOffset + nextState * 2 + right;
  const outState = (q: number): number => 1 + q;
  const outAction = (x: number): number => 1 + states + x;
  const outWrite = 1 + 3 * states;
  const position = (u: number): number => encoding.positionOffset + u;

  // Lookup: the current token's content (a, q) → key (q, a); copy the entry's action and write bit.
  const lookup = head();
  for (let q = 0; q < states; q++) {
    for (let a = 0; a < 2; a++) set(lookup.query, encoding.keyOffset + q * 2 + a, content(a, q + 1));
  }
  for (let x = 0; x < 2 * states; x++) set(lookup.value, outAction(x), encoding.actionOffset + x);
  set(lookup.value, outWrite, encoding.writeOffset);

  // Copy heads: for target history token g (cell p of configuration i), read cell p + k of configuration i − 1.
  const copies = [head(), head(), head()];
  for (let g = 0; g < encoding.historyLength; g++) {
    const i = Math.floor(g / width);
    const p = g % width;
    const current = position(n + g - 1);
    if (i === 0) {
      if (p >= numSteps && p < numSteps + n) set(copies[0].query, position(p - numSteps), current);
      continue;
    }
    copies.forEach((copy, k) => {
      if (p + k < width) set(copy.query, position(n + (i - 1) * width + p + k), current);
    });
  }
  // Copy 0: the symbol of a cell without the head; the state of an action that moved right; the start state.
  set(copies[0].value, 0, content(1, 0));
  for (let q = 0; q < states; q++) set(copies[0].value, outState(q), action(q, 1));
  set(copies[0].value, outState(0), position(0));
  // Copy 1: the bit written on this cell by the action announced after it.
  set(copies[1].value, 0, encoding.writeOffset);
  // Copy 2: the state of an action that moved left.
  for (let q = 0; q < states; q++) set(copies[2].value, outState(q), action(q, 0));

  return createModel({ heads: [lookup, ...copies] });
}

/** Decodes one output row (starting at `offset`) to a token. */
function decodeToken(data: Float64Array, offset: number, encoding: TuringEncoding): TuringToken {
  const states = encoding.numStates;
  const state = argmax(data, offset + 1, states);
  const x = argmax(data, offset + 1 + states, 2 * states);
  return {
    symbol: data[offset] > 0.5 ? 1 : 0,
    state: data[offset + 1 + state] > 0.5 ? state : null,
    action:
      data[offset + 1 + states + x] > 0.5
        ? {
            nextState: Math.floor(x / 2),
            write: data[offset + 1 + 3 * states] > 0.5 ? 1 : 0,
            move: x % 2 === 1 ? 1 : -1,
          }
        : null,
  };
}

/** Decodes the history rows of every sequence. */
function decodeAll(outputs: readonly Matrix[], encoding: TuringEncoding): TuringToken[][] {
  const first = encoding.tableLength + encoding.wordLength - 1;
  return outputs.map((output) =>
    Array.from({ length: encoding.historyLength }, (_, g) =>
      decodeToken(output.data, (first + g) * encoding.outputDim, encoding),
    ),
  );
}

/** Whether two history tokens are equal, field by field. */
function sameToken(a: TuringToken, b: TuringToken): boolean {
  if (a.symbol !== b.symbol || a.state !== b.state) return false;
  if (a.action === null || b.action === null) return a.action === b.action;
  return (
    a.action.nextState === b.action.nextState && a.action.write === b.action.write && a.action.move === b.action.move
  );
}
