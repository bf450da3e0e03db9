/**
 * Deterministic finite automata: the plain record, a seeded generator of random ones, and their execution.
 */
import { checkInteger, checkKnownKeys, describe, LattnError, type Rng } from '@lattn/core';

/**
 * A deterministic finite automaton over the alphabet `0 … numSymbols − 1` with states `0 … numStates − 1`; it starts
 * in state `0`. There are no accepting states: the tasks score the whole computation history.
 */
export interface Automaton {
  /** Number of states `|Q|`. */
  readonly numStates: number;
  /** Alphabet size `|Σ|`. */
  readonly numSymbols: number;
  /** `transitions[q][σ]` is the state reached from state `q` on symbol `σ`. */
  readonly transitions: readonly (readonly number[])[];
}

/** A uniformly random automaton: every transition target drawn independently and uniformly from the states. */
export function randomAutomaton(rng: Rng, numStates: number, numSymbols: number): Automaton {
  const transitions: number[][] = [];
  for (let q = 0; q < numStates; q++) {
    const row: number[] = [];
    for (let symbol = 0; symbol < numSymbols; symbol++) row.push(rng.integer(0, numStates));
    transitions.push(row);
  }
  return { numStates, numSymbols, transitions };
}

/**
 * Runs an automaton on a word from state `0`.
 *
 * @param automaton - The automaton; see {@link Automaton}.
 * @param word - Symbols in `0 … numSymbols − 1`.
 * @returns The computation history `q_0 … q_n` (`word.length + 1` states, `q_0 = 0`,
 * `q_{i+1} = transitions[q_i][word[i]]`).
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed automaton or a symbol outside the alphabet.
 * @example
 * ```ts
 * const parity = { numStates: 2, numSymbols: 2, transitions: [[0, 1], [1, 0]] };
 * executeAutomaton(parity, [1, 1, 0, 1]); // [0, 1, 0, 0, 1]
 * ```
 */
export function executeAutomaton(automaton: Automaton, word: readonly number[]): number[] {
  const fn = 'executeAutomaton';
  checkAutomaton(fn, automaton);
  if (!Array.isArray(word)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: word must be an array of symbols. Expected number[]; received ${describe(word)}.`,
    );
  }
  word.forEach((symbol, i) => {
    checkInteger(fn, `word[${i}]`, symbol, { min: 0, max: automaton.numSymbols - 1 });
  });
  return runAutomaton(automaton, word);
}

/** The history `q_0 … q_n` of a validated automaton on a validated word. */
export function runAutomaton(automaton: Automaton, word: readonly number[]): number[] {
  const states = [0];
  let state = 0;
  for (const symbol of word) {
    state = automaton.transitions[state][symbol];
    states.push(state);
  }
  return states;
}

/** Validates an automaton record: sizes >= 1, a `numStates × numSymbols` table of states. */
export function checkAutomaton(fn: string, value: unknown): Automaton {
  if (typeof value !== 'object' || value === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: automaton must be an object. Expected { numStates, numSymbols, transitions }; received ${describe(value)}.`,
    );
  }
  checkKnownKeys(fn, 'automaton', value, ['numStates', 'numSymbols', 'transitions']);
  const record = value as Partial<Automaton>;
  const numStates = checkInteger(fn, 'automaton.numStates', record.numStates, { min: 1 });
  const numSymbols = checkInteger(fn, 'automaton.numSymbols', record.numSymbols, { min: 1 });
  const table = record.transitions;
  if (!Array.isArray(table) || table.length !== numStates) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: automaton.transitions must have one row per state. Expected ${numStates} rows; received ${describe(table)}.`,
    );
  }
  table.forEach((row: unknown, q: number) => {
    if (!Array.isArray(row) || row.length !== numSymbols) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `${fn}: automaton.transitions[${q}] must have one entry per symbol. Expected ${numSymbols} entries; received ${describe(row)}.`,
      );
    }
    row.forEach((next: unknown, symbol: number) => {
      checkInteger(fn, `automaton.transitions[${q}][${symbol}]`, next, { min: 0, max: numStates - 1 });
    });
  });
  return value as Automaton;
}
