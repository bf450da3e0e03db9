import { createRng } from '@lattn/core';
import { expectLattnError } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { executeAutomaton, randomAutomaton } from './automaton.js';

const parity = {
  numStates: 2,
  numSymbols: 2,
  transitions: [
    [0, 1],
    [1, 0],
  ],
};

describe('executeAutomaton', () => {
  it('returns the state history q_0 … q_n of a hand-checked parity automaton', () => {
    expect(executeAutomaton(parity, [1, 1, 0, 1])).toEqual([0, 1, 0, 0, 1]);
    expect(executeAutomaton(parity, [])).toEqual([0]);
  });

  it('ends in the state given by counting, for a mod-3 counter on random words', () => {
    const counter = {
      numStates: 3,
      numSymbols: 2,
      transitions: [
        [0, 1],
        [1, 2],
        [2, 0],
      ],
    };
    const rng = createRng(3);
    for (let trial = 0; trial < 20; trial++) {
      const word = Array.from({ length: 15 }, () => rng.integer(0, 2));
      const history = executeAutomaton(counter, word);
      expect(history.at(-1)).toBe(word.reduce((sum, symbol) => sum + symbol, 0) % 3);
    }
  });

  it('throws INVALID_ARGUMENT for a symbol outside the alphabet', () => {
    expectLattnError(() => executeAutomaton(parity, [0, 2]), 'INVALID_ARGUMENT', 'executeAutomaton', ['word[1]']);
  });

  it('throws for a malformed automaton: SHAPE_MISMATCH for a short table, INVALID_ARGUMENT for a bad target', () => {
    expectLattnError(
      () => executeAutomaton({ numStates: 2, numSymbols: 2, transitions: [[0, 1]] }, [0]),
      'SHAPE_MISMATCH',
      'executeAutomaton',
    );
    expectLattnError(
      () =>
        executeAutomaton(
          {
            numStates: 2,
            numSymbols: 2,
            transitions: [
              [0, 1],
              [1, 5],
            ],
          },
          [0],
        ),
      'INVALID_ARGUMENT',
      'executeAutomaton',
      ['transitions[1][1]'],
    );
  });
});

describe('randomAutomaton', () => {
  it('draws every transition target uniformly: each state about equally often over many draws', () => {
    const rng = createRng(11);
    const counts = [0, 0, 0, 0];
    for (let trial = 0; trial < 500; trial++) {
      for (const row of randomAutomaton(rng, 4, 3).transitions) for (const next of row) counts[next]++;
    }
    // 6000 draws, 1500 expected per state; 4 standard deviations is about 134.
    for (const count of counts) expect(Math.abs(count - 1500)).toBeLessThan(134);
  });
});
