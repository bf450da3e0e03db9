/**
 * Single-tape Turing machines over the binary alphabet `{0, 1}` (0 is also the blank): the plain record, a seeded
 * generator of random ones, and a simulator that records the computation history on a bounded tape.
 */
import { checkInteger, checkKnownKeys, describe, LattnError, type Rng } from '@lattn/core';
import { MAX_DATASET_ENTRIES } from '../internal/options.js';

/** One entry of a transition table: what the machine does in state `q` reading symbol `a`. */
export interface TuringTransition {
  /** The state entered, in `0 … numStates − 1`. */
  readonly nextState: number;
  /** The symbol written under the head, `0` or `1`. */
  readonly write: number;
  /** The head move: `-1` (left) or `1` (right). */
  readonly move: -1 | 1;
}

/**
 * A deterministic Turing machine with states `0 … numStates − 1` (start state `0`), tape alphabet `{0, 1}` with
 * `0` as the blank, and moves left or right. There is no halting state: histories have a fixed number of steps.
 */
export interface TuringMachine {
  /** Number of states `|Q|`. */
  readonly numStates: number;
  /** `transitions[q][a]` for state `q` and read symbol `a ∈ {0, 1}`. */
  readonly transitions: readonly (readonly [TuringTransition, TuringTransition])[];
}

/** A configuration: the whole (bounded) tape, the head cell and the state. */
export interface TuringConfiguration {
  /** Tape cells `0 … tapeLength − 1`, each `0` or `1`. */
  readonly tape: readonly number[];
  /** The cell under the head. */
  readonly head: number;
  /** The current state. */
  readonly state: number;
}

/** Options of {@link executeTuringMachine}. */
export interface TuringExecutionOptions {
  /**
   * Number of steps `S` to run (integer in `[0, 1000]`); the history has `S + 1` configurations.
   * @defaultValue `3`
   */
  readonly numSteps?: number;
}

/**
 * A uniformly random machine: every entry's next state, written symbol and move drawn independently and uniformly.
 */
export function randomTuringMachine(rng: Rng, numStates: number): TuringMachine {
  const transitions: [TuringTransition, TuringTransition][] = [];
  for (let q = 0; q < numStates; q++) {
    const entry = (): TuringTransition => ({
      nextState: rng.integer(0, numStates),
      write: rng.integer(0, 2),
      move: rng.integer(0, 2) === 0 ? -1 : 1,
    });
    transitions.push([entry(), entry()]);
  }
  return { numStates, transitions };
}

/**
 * The tape length that keeps `numSteps` steps on the tape whatever the machine does: `wordLength + 2 · numSteps`,
 * with the word written from cell `numSteps` on and the head starting there.
 */
export function tapeLength(wordLength: number, numSteps: number): number {
  return wordLength + 2 * numSteps;
}

/**
 * Runs a Turing machine for a fixed number of steps and records every configuration.
 *
 * The tape has `wordLength + 2·numSteps` cells, all `0` except the word, written from cell `numSteps` on; the head
 * starts on the first word cell in state `0`. With `numSteps` cells of margin on either side, the head never leaves
 * the tape. Each step applies `transitions[state][tape[head]]`: write, move, change state.
 *
 * @param machine - The machine; see {@link TuringMachine}.
 * @param word - The input, at least one symbol, each `0` or `1`.
 * @param options - See {@link TuringExecutionOptions}.
 * @returns The computation history: `numSteps + 1` configurations, the first one the start configuration.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed machine, an empty word, a symbol other than 0 and 1, or a
 * bad option; `SHAPE_MISMATCH` for a table of the wrong size; `TOO_LARGE` when the history, `numSteps + 1` copies of
 * the tape, would exceed 2²⁵ cells.
 * @example
 * ```ts
 * // Writes 1 and moves right forever.
 * const writer = { numStates: 1, transitions: [[{ nextState: 0, write: 1, move: 1 }, { nextState: 0, write: 1, move: 1 }]] };
 * executeTuringMachine(writer, [0], { numSteps: 2 }).at(-1); // { tape: [0, 0, 1, 1, 0], head: 4, state: 0 }
 * ```
 */
export function executeTuringMachine(
  machine: TuringMachine,
  word: readonly number[],
  options?: TuringExecutionOptions,
): TuringConfiguration[] {
  const fn = 'executeTuringMachine';
  checkKnownKeys(fn, 'options', options, ['numSteps']);
  const numSteps =
    options?.numSteps === undefined ? 3 : checkInteger(fn, 'options.numSteps', options.numSteps, { min: 0, max: 1000 });
  checkTuringMachine(fn, machine);
  if (!Array.isArray(word) || word.length === 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: word must be a non-empty array of 0s and 1s. Expected at least one symbol; received ${describe(word)}.`,
    );
  }
  word.forEach((symbol, i) => {
    checkInteger(fn, `word[${i}]`, symbol, { min: 0, max: 1 });
  });
  const cells = (numSteps + 1) * tapeLength(word.length, numSteps);
  if (cells > MAX_DATASET_ENTRIES) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: the history would hold ${numSteps + 1} tapes of ${tapeLength(word.length, numSteps)} cells, ${cells} in all. Expected at most ${MAX_DATASET_ENTRIES} cells (fewer steps or a shorter word); received a word of ${word.length} symbols and numSteps ${numSteps}.`,
      { details: { cells, max: MAX_DATASET_ENTRIES } },
    );
  }
  return runTuringMachine(machine, word, numSteps);
}

/** The history of a validated machine on a validated word. */
export function runTuringMachine(
  machine: TuringMachine,
  word: readonly number[],
  numSteps: number,
): TuringConfiguration[] {
  const tape = new Array<number>(tapeLength(word.length, numSteps)).fill(0);
  word.forEach((symbol, i) => {
    tape[numSteps + i] = symbol;
  });
  let head = numSteps;
  let state = 0;
  const history: TuringConfiguration[] = [{ tape: tape.slice(), head, state }];
  for (let step = 0; step < numSteps; step++) {
    const { nextState, write, move } = machine.transitions[state][tape[head]];
    tape[head] = write;
    head += move;
    state = nextState;
    history.push({ tape: tape.slice(), head, state });
  }
  return history;
}

/** Validates a machine record: `numStates >= 1` and a `numStates × 2` table of well-formed transitions. */
export function checkTuringMachine(fn: string, value: unknown): TuringMachine {
  if (typeof value !== 'object' || value === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: machine must be an object. Expected { numStates, transitions }; received ${describe(value)}.`,
    );
  }
  checkKnownKeys(fn, 'machine', value, ['numStates', 'transitions']);
  const record = value as Partial<TuringMachine>;
  const numStates = checkInteger(fn, 'machine.numStates', record.numStates, { min: 1 });
  const table = record.transitions;
  if (!Array.isArray(table) || table.length !== numStates) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: machine.transitions must have one row per state. Expected ${numStates} rows; received ${describe(table)}.`,
    );
  }
  table.forEach((row: unknown, q: number) => {
    if (!Array.isArray(row) || row.length !== 2) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `${fn}: machine.transitions[${q}] must have one entry per symbol. Expected 2 entries; received ${describe(row)}.`,
      );
    }
    row.forEach((entry: unknown, a: number) => {
      const name = `machine.transitions[${q}][${a}]`;
      if (typeof entry !== 'object' || entry === null) {
        throw new LattnError(
          'INVALID_ARGUMENT',
          `${fn}: ${name} must be a transition. Expected { nextState, write, move }; received ${describe(entry)}.`,
        );
      }
      checkKnownKeys(fn, name, entry, ['nextState', 'write', 'move']);
      const transition = entry as Partial<TuringTransition>;
      checkInteger(fn, `${name}.nextState`, transition.nextState, { min: 0, max: numStates - 1 });
      checkInteger(fn, `${name}.write`, transition.write, { min: 0, max: 1 });
      if (transition.move !== -1 && transition.move !== 1) {
        throw new LattnError(
          'INVALID_ARGUMENT',
          `${fn}: ${name}.move must be a head move. Expected -1 or 1; received ${describe(transition.move)}.`,
        );
      }
    });
  });
  return value as TuringMachine;
}
