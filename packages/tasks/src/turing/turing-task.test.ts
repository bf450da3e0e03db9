import { toRows } from '@lattn/core';
import { expectLattnError } from '@lattn/core/testing';
import { createModel, foldModel, forward } from '@lattn/feature-map';
import { fitLinearAttention } from '@lattn/learner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTaskGenerator, expectOutputsMatchTargets, hotIndices, scaleHeads } from '../contract.test-utils.js';
import { executeTuringMachine } from './turing-machine.js';
import {
  decodeTuringTokens,
  exactMatchTuring,
  generateTuringTask,
  runTuringWithModel,
  type TuringTask,
  type TuringTaskOptions,
} from './turing-task.js';

describeTaskGenerator<TuringTaskOptions, TuringTask>({
  name: 'generateTuringTask',
  generate: generateTuringTask,
  small: { numSequences: 3, numStates: 2, wordLength: 2, numSteps: 2 },
  optionNames: ['numSequences', 'numStates', 'wordLength', 'numSteps', 'seed'],
  honoured: [
    {
      title: 'numStates, wordLength and numSteps in d = 6|Q| + 3 + n + (S + 1)(n + 2S) − 1 and dOut = 3|Q| + 2',
      options: { numSequences: 2, numStates: 3, wordLength: 2, numSteps: 3 },
      check: (task) => {
        expect(task.construction.modelDim).toBe(18 + 3 + 2 + 4 * 8 - 1);
        expect(task.construction.outputDim).toBe(11);
        for (const input of task.dataset.inputs) expect(input.rows).toBe(6 + 2 + 4 * 8 - 1);
        for (const instance of task.instances) {
          expect(instance.machine.numStates).toBe(3);
          expect(instance.word).toHaveLength(2);
          expect(instance.history).toHaveLength(4);
          expect(instance.tokens).toHaveLength(32);
        }
      },
    },
    {
      title: 'numSequences in the sequence count',
      options: { numSequences: 5, numSteps: 1, wordLength: 1 },
      check: (task) => {
        expect(task.dataset.inputs).toHaveLength(5);
        expect(task.instances).toHaveLength(5);
      },
    },
  ],
  invalid: [
    { title: 'zero steps', options: { numSteps: 0 }, code: 'INVALID_ARGUMENT' },
    { title: 'more than 32 states', options: { numStates: 33 }, code: 'INVALID_ARGUMENT' },
    { title: 'an empty word', options: { wordLength: 0 }, code: 'INVALID_ARGUMENT' },
    {
      title: 'a dataset beyond the size budget',
      options: { numSequences: 100_000, numSteps: 20, wordLength: 20 },
      code: 'TOO_LARGE',
    },
  ],
  arbitrary: fc.record({
    numSequences: fc.integer({ min: 1, max: 2 }),
    numStates: fc.integer({ min: 1, max: 3 }),
    wordLength: fc.integer({ min: 1, max: 3 }),
    numSteps: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer(),
  }),
  exact: (task, outputs) => {
    // 0/1 weights on one-hot tokens: the outputs are the targets to the last bit, and they decode to the tokens of
    // the histories the public simulator computes.
    expectOutputsMatchTargets(outputs, task.dataset, 0);
    const decoded = decodeTuringTokens(outputs, task);
    task.instances.forEach((instance, b) => {
      const history = executeTuringMachine(instance.machine, instance.word, { numSteps: task.options.numSteps });
      expect(history).toEqual(instance.history);
      expect(decoded[b]).toEqual(instance.tokens);
      expect(decoded[b].map((token) => token.symbol)).toEqual(history.flatMap((configuration) => configuration.tape));
    });
  },
  readers: [
    { name: 'decodeTuringTokens', read: decodeTuringTokens },
    { name: 'exactMatchTuring', read: exactMatchTuring },
  ],
});

describe('generateTuringTask', () => {
  const task = generateTuringTask({ numSequences: 12, numStates: 3, wordLength: 3, numSteps: 4, seed: 21 });

  it('records the true history of each machine on its word (checked by re-execution) and its tokens', () => {
    for (const instance of task.instances) {
      expect(instance.history).toEqual(executeTuringMachine(instance.machine, instance.word, { numSteps: 4 }));
      const width = task.encoding.tapeLength;
      instance.history.forEach((configuration, i) => {
        const tokens = instance.tokens.slice(i * width, (i + 1) * width);
        expect(tokens.map((token) => token.symbol)).toEqual(configuration.tape);
        expect(tokens.map((token) => token.state !== null)).toEqual(
          configuration.tape.map((_, p) => p === configuration.head),
        );
        expect(tokens[configuration.head].state).toBe(configuration.state);
        if (configuration.head + 1 < width) {
          const rule = instance.machine.transitions[configuration.state][configuration.tape[configuration.head]];
          expect(tokens[configuration.head + 1].action).toEqual(rule);
        }
        expect(tokens.filter((token) => token.action !== null).length).toBe(configuration.head + 1 < width ? 1 : 0);
      });
    }
  });

  it('encodes table | word | history as documented, read back token by token', () => {
    const { encoding } = task;
    const q = 3;
    task.instances.forEach((instance, b) => {
      const rows = toRows(task.dataset.inputs[b]);
      instance.tableOrder.forEach((entry, position) => {
        const rule = instance.machine.transitions[Math.floor(entry / 2)][entry % 2];
        const expected = [
          encoding.keyOffset + entry,
          encoding.actionOffset + rule.nextState * 2 + (rule.move === 1 ? 1 : 0),
          ...(rule.write === 1 ? [encoding.writeOffset] : []),
        ];
        expect(hotIndices(rows[position])).toEqual(expected);
      });
      instance.word.forEach((symbol, j) => {
        expect(hotIndices(rows[6 + j])).toEqual([symbol * (q + 1), encoding.positionOffset + j]);
      });
      instance.tokens.slice(0, -1).forEach((token, g) => {
        const expected = [symbol(token.symbol, token.state, q)];
        if (token.action !== null) {
          expected.push(encoding.actionOffset + token.action.nextState * 2 + (token.action.move === 1 ? 1 : 0));
          if (token.action.write === 1) expected.push(encoding.writeOffset);
        }
        expected.push(encoding.positionOffset + 3 + g);
        expect(hotIndices(rows[6 + 3 + g])).toEqual(expected);
      });
    });
  });

  it('gives a four-head construction whose outputs equal the symbolic targets to 1e-12 at every position', () => {
    expect(task.construction.heads).toHaveLength(4);
    const outputs = forward(task.construction, task.dataset.inputs);
    expectOutputsMatchTargets(outputs, task.dataset, 1e-12);
  });

  it('is exact across bounds: one state, one input symbol, one step, and wider settings', () => {
    for (const options of [
      { numStates: 1, wordLength: 1, numSteps: 1 },
      { numStates: 1, wordLength: 4, numSteps: 2 },
      { numStates: 4, wordLength: 1, numSteps: 5 },
      { numStates: 2, wordLength: 5, numSteps: 3 },
    ]) {
      const other = generateTuringTask({ numSequences: 6, seed: 3, ...options });
      const outputs = forward(other.construction, other.dataset.inputs);
      expectOutputsMatchTargets(outputs, other.dataset, 1e-12);
      expect(exactMatchTuring(outputs, other).exactMatch).toBe(1);
    }
  }, 60_000); // four tasks and forward passes: under 1 s alone, longer on a loaded machine

  it('throws TOO_LARGE for a construction beyond the size budget before building it (regression: numSteps 44 built four (4014, 4014) heads and peaked at 2.5 GB)', () => {
    expectLattnError(
      () => generateTuringTask({ numSequences: 1, numStates: 1, wordLength: 1, numSteps: 44 }),
      'TOO_LARGE',
      'generateTuringTask',
      ['the 4-head construction would hold'],
    );
  });

  it('decodes the construction outputs to the true history tokens', () => {
    const outputs = forward(task.construction, task.dataset.inputs);
    expect(decodeTuringTokens(outputs, task)).toEqual(task.instances.map((instance) => instance.tokens));
    const score = exactMatchTuring(outputs, task);
    expect(score).toEqual({
      exactMatch: 1,
      numCorrect: 12,
      numSequences: 12,
      positionAccuracy: 1,
      numCorrectPositions: 12 * 5 * 11,
      numPositions: 12 * 5 * 11,
    });
  });

  it('fails exactly the sequences whose machine moved left when the move-left head is removed', () => {
    const [lookup, copy0, copy1] = task.construction.heads;
    const broken = createModel({ heads: [lookup, copy0, copy1] });
    const score = exactMatchTuring(forward(broken, task.dataset.inputs), task);
    const movedLeft = task.instances.filter((instance) =>
      instance.history.slice(1).some((configuration, i) => configuration.head < instance.history[i].head),
    ).length;
    expect(movedLeft).toBeGreaterThan(0);
    expect(score.numCorrect).toBe(12 - movedLeft);
  });
});

describe('runTuringWithModel', () => {
  it('produces whole histories from the table and the word alone: 100% exact match', () => {
    const task = generateTuringTask({ numSequences: 5, numStates: 3, wordLength: 2, numSteps: 3, seed: 4 });
    const run = runTuringWithModel(task.construction, task);
    expect(run.tokens).toEqual(task.instances.map((instance) => instance.tokens));
    expect(run.score.exactMatch).toBe(1);
    expect(run.score.numPositions).toBe(5 * 4 * 8);
  });

  it('runs folded weights (as a fit returns them) to the same histories', () => {
    const task = generateTuringTask({ numSequences: 3, numStates: 1, wordLength: 1, numSteps: 2, seed: 6 });
    expect(runTuringWithModel(foldModel(task.construction), task).tokens).toEqual(
      task.instances.map((instance) => instance.tokens),
    );
  });

  it('compounds errors when fed its own tokens: a model without the lookup head gets no history right', () => {
    const task = generateTuringTask({ numSequences: 4, numStates: 2, wordLength: 2, numSteps: 2, seed: 5 });
    const [, ...copies] = task.construction.heads;
    const run = runTuringWithModel(createModel({ heads: copies }), task, {});
    expect(run.score.exactMatch).toBe(0);
    // Configuration 0 up to the head is copied from the word, so it is still right; the token after the head misses
    // the action.
    run.tokens.forEach((tokens, b) => {
      expect(tokens.slice(0, 3)).toEqual(task.instances[b].tokens.slice(0, 3));
      expect(tokens[3].action).toBeNull();
      expect(task.instances[b].tokens[3].action).not.toBeNull();
    });
  });

  it('throws NON_FINITE naming the sequence and the step when the outputs overflow, instead of decoding tokens from Infinity (regression: a 1e200-scaled construction scored 100%)', () => {
    const task = generateTuringTask({ numSequences: 2, numStates: 2, wordLength: 2, numSteps: 2, seed: 1 });
    const scaled = scaleHeads(task.construction, 1e200);
    expectLattnError(() => runTuringWithModel(scaled, task), 'NON_FINITE', 'runTuringWithModel', ['of sequence 0']);
  });

  it('throws SHAPE_MISMATCH for a model of another size', () => {
    const task = generateTuringTask({ numSequences: 1, numSteps: 1, wordLength: 1 });
    const other = generateTuringTask({ numSequences: 1, numSteps: 2, wordLength: 1 });
    expectLattnError(() => runTuringWithModel(other.construction, task), 'SHAPE_MISMATCH', 'runTuringWithModel');
    expectLattnError(() => runTuringWithModel(null as never, task), 'INVALID_ARGUMENT', 'runTuringWithModel');
  });
});

describe('learning Turing-machine histories with @lattn/learner', () => {
  it('learns from 40 histories a model that writes fresh histories token by token with 100% exact match', () => {
    const options = { numStates: 1, wordLength: 1, numSteps: 1 };
    const train = generateTuringTask({ ...options, numSequences: 40, seed: 1 });
    const fit = fitLinearAttention(train.dataset);
    expect([fit.solver, fit.featureDim]).toEqual(['dual', 1800]);
    const fresh = generateTuringTask({ ...options, numSequences: 40, seed: 99 });
    expect(runTuringWithModel(fit.weights, fresh).score.exactMatch).toBe(1);
  }, 60_000); // a fit plus evaluation: about 1–3 s alone, much longer on a loaded machine
});

describe('decodeTuringTokens', () => {
  it('reads symbol, state and action with 0.5 thresholds: weak entries decode to none', () => {
    const task = generateTuringTask({ numSequences: 1, numStates: 2, wordLength: 1, numSteps: 1, seed: 2 });
    const outputs = forward(task.construction, task.dataset.inputs).map((output) => ({
      ...output,
      data: output.data.map((x) => 0.49 * x),
    }));
    for (const token of decodeTuringTokens(outputs, task)[0]) {
      expect(token).toEqual({ symbol: 0, state: null, action: null });
    }
  });

  it('throws INVALID_ARGUMENT for a task of another kind', () => {
    const task = generateTuringTask({ numSequences: 1, numSteps: 1, wordLength: 1 });
    expectLattnError(
      () => decodeTuringTokens(task.dataset.targets, { ...task, kind: 'automaton' } as unknown as TuringTask),
      'INVALID_ARGUMENT',
      'decodeTuringTokens',
    );
  });
});

function symbol(bit: number, state: number | null, numStates: number): number {
  return bit * (numStates + 1) + (state === null ? 0 : state + 1);
}
