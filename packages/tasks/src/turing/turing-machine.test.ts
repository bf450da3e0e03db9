import { createRng } from '@lattn/core';
import { expectLattnError } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { executeTuringMachine, randomTuringMachine, type TuringMachine } from './turing-machine.js';

/** Flips every bit while moving right; in state 1 (never entered) it would move left. */
const flipper: TuringMachine = {
  numStates: 2,
  transitions: [
    [
      { nextState: 0, write: 1, move: 1 },
      { nextState: 0, write: 0, move: 1 },
    ],
    [
      { nextState: 1, write: 0, move: -1 },
      { nextState: 1, write: 0, move: -1 },
    ],
  ],
};

/** Bounces: moves right to state 1, which moves left back to state 0, writing 1s. */
const bouncer: TuringMachine = {
  numStates: 2,
  transitions: [
    [
      { nextState: 1, write: 1, move: 1 },
      { nextState: 1, write: 1, move: 1 },
    ],
    [
      { nextState: 0, write: 1, move: -1 },
      { nextState: 0, write: 1, move: -1 },
    ],
  ],
};

describe('executeTuringMachine', () => {
  it('records numSteps + 1 configurations on a tape of wordLength + 2·numSteps cells, head starting on the word', () => {
    const history = executeTuringMachine(flipper, [1, 0, 1], { numSteps: 3 });
    expect(history).toHaveLength(4);
    expect(history[0]).toEqual({ tape: [0, 0, 0, 1, 0, 1, 0, 0, 0], head: 3, state: 0 });
    expect(history[3]).toEqual({ tape: [0, 0, 0, 0, 1, 0, 0, 0, 0], head: 6, state: 0 });
  });

  it('follows a hand-traced bouncing machine step by step', () => {
    const history = executeTuringMachine(bouncer, [0], { numSteps: 4 });
    expect(history.map(({ head, state }) => [head, state])).toEqual([
      [4, 0],
      [5, 1],
      [4, 0],
      [5, 1],
      [4, 0],
    ]);
    expect(history[4].tape).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0]);
  });

  it('keeps the head on the tape for every random machine (the margins are enough)', () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 200; trial++) {
      const history = executeTuringMachine(randomTuringMachine(rng, 3), [1, 1], { numSteps: 6 });
      for (const { tape, head } of history) {
        expect(tape).toHaveLength(14);
        expect(head >= 0 && head < 14).toBe(true);
      }
    }
  });

  it('changes exactly the cell under the head at each step', () => {
    const rng = createRng(6);
    const machine = randomTuringMachine(rng, 4);
    const history = executeTuringMachine(machine, [1, 0, 0, 1], { numSteps: 8 });
    for (let step = 1; step < history.length; step++) {
      const before = history[step - 1];
      const after = history[step];
      const rule = machine.transitions[before.state][before.tape[before.head]];
      expect(after.tape).toEqual(before.tape.map((symbol, p) => (p === before.head ? rule.write : symbol)));
      expect([after.head, after.state]).toEqual([before.head + rule.move, rule.nextState]);
    }
  });

  it('throws INVALID_ARGUMENT for an empty word, a symbol other than 0 or 1, or a bad move', () => {
    expectLattnError(() => executeTuringMachine(flipper, []), 'INVALID_ARGUMENT', 'executeTuringMachine');
    expectLattnError(() => executeTuringMachine(flipper, [0, 2]), 'INVALID_ARGUMENT', 'executeTuringMachine', [
      'word[1]',
    ]);
    const bad = { numStates: 1, transitions: [[flipper.transitions[0][0], { nextState: 0, write: 1, move: 0 }]] };
    expectLattnError(
      () => executeTuringMachine(bad as unknown as TuringMachine, [0]),
      'INVALID_ARGUMENT',
      'executeTuringMachine',
      ['move'],
    );
    expectLattnError(
      () => executeTuringMachine(flipper, [0], { numSteps: -1 }),
      'INVALID_ARGUMENT',
      'executeTuringMachine',
    );
  });

  it('throws TOO_LARGE before simulating when numSteps + 1 tapes would exceed 2^25 cells (a 100000-symbol word, 1000 steps)', () => {
    expectLattnError(
      () => executeTuringMachine(flipper, new Array<number>(100_000).fill(1), { numSteps: 1000 }),
      'TOO_LARGE',
      'executeTuringMachine',
      ['1001 tapes of 102000 cells'],
    );
  });

  it('throws SHAPE_MISMATCH for a table with the wrong number of rows', () => {
    expectLattnError(
      () => executeTuringMachine({ numStates: 3, transitions: flipper.transitions }, [0]),
      'SHAPE_MISMATCH',
      'executeTuringMachine',
    );
  });
});
