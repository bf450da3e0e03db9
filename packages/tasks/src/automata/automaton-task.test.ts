import { toRows, zeros } from '@lattn/core';
import { expectLattnError } from '@lattn/core/testing';
import { createModel, foldModel, forward } from '@lattn/feature-map';
import { fitLinearAttention } from '@lattn/learner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTaskGenerator, expectOutputsMatchTargets, hotIndices, scaleHeads } from '../contract.test-utils.js';
import { executeAutomaton } from './automaton.js';
import {
  type AutomatonTask,
  type AutomatonTaskOptions,
  decodeAutomatonStates,
  exactMatchAutomaton,
  generateAutomatonTask,
  runAutomatonWithModel,
} from './automaton-task.js';

describeTaskGenerator<AutomatonTaskOptions, AutomatonTask>({
  name: 'generateAutomatonTask',
  generate: generateAutomatonTask,
  small: { numSequences: 3, numStates: 3, numSymbols: 2, wordLength: 4 },
  optionNames: ['numSequences', 'numStates', 'numSymbols', 'wordLength', 'seed'],
  honoured: [
    {
      title: 'numStates and numSymbols in the token and output dimensions',
      options: { numSequences: 2, numStates: 5, numSymbols: 3 },
      check: (task) => {
        expect(task.construction.modelDim).toBe(5 * 3 + 5 + 3);
        expect(task.construction.outputDim).toBe(5);
        for (const { automaton } of task.instances) {
          expect(automaton.numStates).toBe(5);
          expect(automaton.transitions.flat().every((q) => q >= 0 && q < 5)).toBe(true);
        }
      },
    },
    {
      title: 'wordLength and numSequences in the sequence count and length',
      options: { numSequences: 6, numStates: 2, numSymbols: 2, wordLength: 9 },
      check: (task) => {
        expect(task.dataset.inputs).toHaveLength(6);
        for (const input of task.dataset.inputs) expect(input.rows).toBe(2 * 2 + 2 * 9);
        for (const instance of task.instances) expect(instance.states).toHaveLength(10);
      },
    },
  ],
  invalid: [
    { title: 'zero states', options: { numStates: 0 }, code: 'INVALID_ARGUMENT' },
    { title: 'more than 64 symbols', options: { numSymbols: 65 }, code: 'INVALID_ARGUMENT' },
    { title: 'a fractional word length', options: { wordLength: 2.5 }, code: 'INVALID_ARGUMENT' },
    { title: 'a non-integer seed', options: { seed: 'x' }, code: 'INVALID_ARGUMENT' },
    {
      title: 'a dataset beyond the size budget',
      options: { numSequences: 1_000_000, numStates: 64, numSymbols: 8 },
      code: 'TOO_LARGE',
    },
  ],
  arbitrary: fc.record({
    numSequences: fc.integer({ min: 1, max: 3 }),
    numStates: fc.integer({ min: 1, max: 4 }),
    numSymbols: fc.integer({ min: 1, max: 3 }),
    wordLength: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer(),
  }),
  exact: (task, outputs) => {
    // 0/1 weights on one-hot tokens: the outputs are the targets to the last bit, and they decode to the histories
    // of the automata run by the public simulator.
    expectOutputsMatchTargets(outputs, task.dataset, 0);
    decodeAutomatonStates(outputs, task).forEach((states, b) => {
      const { automaton, word } = task.instances[b];
      expect(states).toEqual(executeAutomaton(automaton, word).slice(1));
    });
  },
  readers: [
    { name: 'decodeAutomatonStates', read: decodeAutomatonStates },
    { name: 'exactMatchAutomaton', read: exactMatchAutomaton },
  ],
});

describe('generateAutomatonTask', () => {
  const task = generateAutomatonTask({ numSequences: 8, numStates: 4, numSymbols: 3, wordLength: 7, seed: 5 });

  it('records the true history of each automaton on its word (checked by re-execution)', () => {
    for (const instance of task.instances) {
      expect(instance.states).toEqual(executeAutomaton(instance.automaton, instance.word));
      expect([...instance.tableOrder].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, e) => e));
    }
  });

  it('encodes table | word | history as documented, read back token by token', () => {
    const { encoding } = task;
    task.instances.forEach((instance, b) => {
      const rows = toRows(task.dataset.inputs[b]);
      const n = instance.word.length;
      instance.tableOrder.forEach((entry, position) => {
        const q = Math.floor(entry / 3);
        expect(hotIndices(rows[position])).toEqual([
          entry,
          encoding.valueOffset + instance.automaton.transitions[q][entry % 3],
        ]);
      });
      instance.word.forEach((symbol, i) => {
        expect(hotIndices(rows[encoding.tableLength + i])).toEqual([encoding.symbolOffset + symbol]);
      });
      for (let i = 0; i < n; i++) {
        expect(hotIndices(rows[encoding.tableLength + n + i])).toEqual([instance.states[i] * 3 + instance.word[i]]);
      }
    });
  });

  it('gives a construction whose outputs equal the symbolic targets to 1e-12 at every position', () => {
    const outputs = forward(task.construction, task.dataset.inputs);
    expectOutputsMatchTargets(outputs, task.dataset, 1e-12);
  });

  it('decodes the construction outputs to the true next states: 100% exact match', () => {
    const outputs = forward(task.construction, task.dataset.inputs);
    expect(decodeAutomatonStates(outputs, task)).toEqual(task.instances.map((instance) => instance.states.slice(1)));
    expect(exactMatchAutomaton(outputs, task)).toEqual({
      exactMatch: 1,
      numCorrect: 8,
      numSequences: 8,
      positionAccuracy: 1,
      numCorrectPositions: 56,
      numPositions: 56,
    });
  });

  it('counts a sequence as wrong when one decoded state is wrong', () => {
    const outputs = forward(task.construction, task.dataset.inputs).map((output) => ({
      ...output,
      data: output.data.slice(),
    }));
    const n = 7;
    const row = task.encoding.tableLength + n + 3;
    const truth = task.instances[2].states[4];
    outputs[2].data.fill(0, row * 4, row * 4 + 4);
    outputs[2].data[row * 4 + ((truth + 1) % 4)] = 1;
    const score = exactMatchAutomaton(outputs, task);
    expect(score.numCorrect).toBe(7);
    expect(score.numCorrectPositions).toBe(55);
  });
});

describe('runAutomatonWithModel', () => {
  const short = generateAutomatonTask({ numSequences: 6, numStates: 4, numSymbols: 2, wordLength: 5, seed: 1 });

  it('runs the construction step by step to 100% whole-history exact match on words 6x longer', () => {
    const longer = generateAutomatonTask({ numSequences: 6, numStates: 4, numSymbols: 2, wordLength: 30, seed: 2 });
    const run = runAutomatonWithModel(short.construction, longer);
    expect(run.histories).toEqual(longer.instances.map((instance) => instance.states));
    expect(run.score.exactMatch).toBe(1);
    expect(run.score.numPositions).toBe(180);
  });

  it('feeds back the model’s own states: a model that answers a constant state yields that constant history', () => {
    const d = short.encoding.modelDim;
    // The construction's lookup with V reading the whole value block into output 2: the one matching table entry
    // contributes e_2 whatever its next state is.
    const value = zeros(4, d);
    for (let q = 0; q < 4; q++) value.data[2 * d + short.encoding.valueOffset + q] = 1;
    const query = zeros(d, d);
    for (let e = 0; e < short.encoding.tableLength; e++) query.data[e * d + e] = 1;
    const constant = createModel({ heads: [{ value, query }] });
    const run = runAutomatonWithModel(constant, short);
    for (const history of run.histories) expect(history).toEqual([0, 2, 2, 2, 2, 2]);
    const expected = short.instances.filter((instance) => instance.states.slice(1).every((q) => q === 2)).length;
    expect(run.score.numCorrect).toBe(expected);
  });

  it('accepts folded weights in place of a model (as a fit returns them) with the same result', () => {
    const run = runAutomatonWithModel(foldModel(short.construction), short);
    expect(run.histories).toEqual(short.instances.map((instance) => instance.states));
    expectLattnError(() => runAutomatonWithModel(zeros(4, 10), short), 'SHAPE_MISMATCH', 'runAutomatonWithModel');
  });

  it('throws NON_FINITE naming the sequence and the step when the outputs overflow, instead of decoding states from Infinity (regression: a 1e200-scaled construction scored 100%)', () => {
    const scaled = scaleHeads(short.construction, 1e200);
    expectLattnError(() => runAutomatonWithModel(scaled, short), 'NON_FINITE', 'runAutomatonWithModel', [
      'step 0 of sequence 0',
    ]);
  });

  it('reports progress once per sequence', () => {
    const seen: number[] = [];
    runAutomatonWithModel(short.construction, short, { onProgress: ({ done }) => seen.push(done) });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('throws SHAPE_MISMATCH for a model of another size and INVALID_ARGUMENT for a task of another kind', () => {
    const other = generateAutomatonTask({ numSequences: 1, numStates: 3, numSymbols: 2, wordLength: 2 });
    expectLattnError(() => runAutomatonWithModel(other.construction, short), 'SHAPE_MISMATCH', 'runAutomatonWithModel');
    expectLattnError(
      () => runAutomatonWithModel(short.construction, { ...short, kind: 'turing' } as unknown as AutomatonTask),
      'INVALID_ARGUMENT',
      'runAutomatonWithModel',
    );
    expectLattnError(
      () => runAutomatonWithModel(short.construction, short, { verbose: true } as never),
      'INVALID_ARGUMENT',
      'runAutomatonWithModel',
      ['verbose'],
    );
    expectLattnError(
      () => runAutomatonWithModel(short.construction, short, { onProgress: 'yes' } as never),
      'INVALID_ARGUMENT',
      'runAutomatonWithModel',
      ['onProgress'],
    );
  });
});

describe('learning to execute automata with @lattn/learner', () => {
  it('learns from 30 random 3-state DFAs a model that runs fresh DFAs on words 5x longer with 100% exact match', () => {
    const options = { numStates: 3, numSymbols: 2 };
    const train = generateAutomatonTask({ ...options, numSequences: 30, wordLength: 8, seed: 1 });
    const fit = fitLinearAttention(train.dataset);
    // Λ is singular (rank 234 of D = 726): one-hot tokens never excite most cubic features, so the fit differs from
    // the construction off the data's span, yet agrees with it on every automaton history.
    expect(fit.rank).toBe(234);
    const fresh = generateAutomatonTask({ ...options, numSequences: 50, wordLength: 40, seed: 99 });
    expect(runAutomatonWithModel(fit.weights, fresh).score.exactMatch).toBe(1);
  }, 60_000); // a fit plus evaluation: about 1–3 s alone, much longer on a loaded machine
});

describe('decodeAutomatonStates', () => {
  it('throws SHAPE_MISMATCH when the outputs do not match the targets', () => {
    const task = generateAutomatonTask({ numSequences: 2, wordLength: 3 });
    const outputs = forward(task.construction, task.dataset.inputs);
    expectLattnError(() => decodeAutomatonStates(outputs.slice(1), task), 'SHAPE_MISMATCH', 'decodeAutomatonStates');
    expectLattnError(
      () => decodeAutomatonStates([outputs[0], zeros(1, 4)], task),
      'SHAPE_MISMATCH',
      'decodeAutomatonStates',
    );
  });
});
