import { fromRows, type Matrix, toRows } from '@lattn/core';
import { expectLattnError, expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { equivalent, forward, forwardFolded } from '@lattn/feature-map';
import { fitLinearAttention } from '@lattn/learner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTaskGenerator, expectOutputsMatchTargets } from '../contract.test-utils.js';
import {
  type AssociativeMemoryTask,
  type AssociativeMemoryTaskOptions,
  decodeAssociativeMemory,
  exactMatchAssociativeMemory,
  generateAssociativeMemoryTask,
  KEY_DISTRIBUTIONS,
} from './associative-memory-task.js';

describeTaskGenerator<AssociativeMemoryTaskOptions, AssociativeMemoryTask>({
  name: 'generateAssociativeMemoryTask',
  generate: generateAssociativeMemoryTask,
  small: { numSequences: 4, keyDim: 3, numPairs: 3 },
  optionNames: ['numSequences', 'keyDim', 'numPairs', 'keyDistribution', 'mixingFraction', 'seed'],
  honoured: [
    {
      title: 'keyDim and numPairs in the sequence shape',
      options: { numSequences: 2, keyDim: 5, numPairs: 2 },
      check: (task) => {
        for (const input of task.dataset.inputs) expect([input.rows, input.cols]).toEqual([3, 10]);
        for (const target of task.dataset.targets) expect([target.rows, target.cols]).toEqual([1, 5]);
      },
    },
    {
      title: "keyDistribution 'orthogonal': orthonormal keys in every sequence",
      options: { keyDistribution: 'orthogonal', keyDim: 4, numPairs: 4 },
      check: (task) => {
        for (const input of task.dataset.inputs) {
          expectMatrixClose(keyGram(input, 4, 4), identityRows(4), { rtol: 0, atol: 1e-14 });
        }
      },
    },
    {
      title: "keyDistribution 'gaussian': unit keys, not orthogonal, and more pairs than dimensions allowed",
      options: { keyDistribution: 'gaussian', keyDim: 3, numPairs: 6 },
      check: (task) => {
        expect(task.options.mixingFraction).toBe(0);
        for (const input of task.dataset.inputs) {
          const gram = keyGram(input, 3, 6);
          expectVectorClose(
            gram.map((row, i) => row[i]),
            [1, 1, 1, 1, 1, 1],
            { rtol: 1e-14 },
          );
          expect(Math.abs(gram[0][1])).toBeGreaterThan(1e-6);
        }
      },
    },
    {
      title: "keyDistribution 'mixture': exactly round(mixingFraction · numSequences) orthogonal sequences",
      options: { numSequences: 10, keyDistribution: 'mixture', mixingFraction: 0.34 },
      check: (task) => {
        const orthogonal = task.instances.filter((instance) => instance.keyDistribution === 'orthogonal');
        expect(orthogonal).toHaveLength(3);
        task.instances.forEach((instance, b) => {
          const gram = keyGram(task.dataset.inputs[b], 4, 4);
          const offDiagonal = Math.abs(gram[0][1]) + Math.abs(gram[2][3]);
          expect(offDiagonal < 1e-14).toBe(instance.keyDistribution === 'orthogonal');
        });
      },
    },
    {
      title: 'the query: it repeats key queryIndex with a zero value, and the target is value queryIndex',
      options: { numSequences: 8, keyDim: 3, numPairs: 3 },
      check: (task) => {
        task.instances.forEach(({ queryIndex }, b) => {
          const input = task.dataset.inputs[b];
          const row = (i: number): number[] => Array.from(input.data.subarray(i * 6, (i + 1) * 6));
          expect(row(3)).toEqual([...row(queryIndex).slice(0, 3), 0, 0, 0]);
          expect(Array.from(task.dataset.targets[b].data)).toEqual(row(queryIndex).slice(3));
        });
      },
    },
  ],
  invalid: [
    {
      title: 'a mixing fraction above 1',
      options: { keyDistribution: 'mixture', mixingFraction: 1.5 },
      code: 'INVALID_ARGUMENT',
    },
    {
      title: 'a negative mixing fraction',
      options: { keyDistribution: 'mixture', mixingFraction: -0.1 },
      code: 'INVALID_ARGUMENT',
    },
    {
      title: 'a mixing fraction contradicting Gaussian keys',
      options: { keyDistribution: 'gaussian', mixingFraction: 0.5 },
      code: 'INVALID_ARGUMENT',
    },
    { title: 'more orthogonal keys than dimensions', options: { keyDim: 3, numPairs: 4 }, code: 'INVALID_ARGUMENT' },
    { title: 'an unknown key distribution', options: { keyDistribution: 'uniform' }, code: 'INVALID_ARGUMENT' },
    { title: 'zero pairs', options: { numPairs: 0 }, code: 'INVALID_ARGUMENT' },
    {
      title: 'a dataset beyond the size budget',
      options: { keyDistribution: 'gaussian', numSequences: 100_000, numPairs: 100 },
      code: 'TOO_LARGE',
    },
  ],
  arbitrary: fc
    .record({
      numSequences: fc.integer({ min: 1, max: 5 }),
      keyDim: fc.integer({ min: 1, max: 4 }),
      numPairs: fc.integer({ min: 1, max: 5 }),
      keyDistribution: fc.constantFrom(...KEY_DISTRIBUTIONS),
      mixingFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      seed: fc.integer(),
    })
    .map(({ keyDistribution, mixingFraction, numPairs, keyDim, ...options }) => ({
      ...options,
      keyDim,
      keyDistribution,
      numPairs: keyDistribution === 'gaussian' ? numPairs : Math.min(numPairs, keyDim),
      ...(keyDistribution === 'mixture' ? { mixingFraction } : {}),
    })),
  exact: (task, outputs) => {
    // An independent route: the output at the query is Σ_i v_i ⟨k_i, k_query⟩, read off the tokens; with orthonormal
    // keys it is the target itself.
    const { keyDim, numPairs } = task.options;
    outputs.forEach((output, b) => {
      const rows = toRows(task.dataset.inputs[b]);
      const query = rows[numPairs].slice(0, keyDim);
      const expected = new Array<number>(keyDim).fill(0);
      for (let i = 0; i < numPairs; i++) {
        const weight = rows[i].slice(0, keyDim).reduce((sum, k, a) => sum + k * query[a], 0);
        for (let a = 0; a < keyDim; a++) expected[a] += weight * rows[i][keyDim + a];
      }
      expectVectorClose(output.data, expected, { rtol: 0, atol: 1e-14 * numPairs });
      if (task.instances[b].keyDistribution === 'orthogonal') {
        expectMatrixClose(output, task.dataset.targets[b], { rtol: 0, atol: 1e-14 * numPairs });
      }
    });
  },
  readers: [
    { name: 'decodeAssociativeMemory', read: decodeAssociativeMemory },
    { name: 'exactMatchAssociativeMemory', read: exactMatchAssociativeMemory },
  ],
});

describe('generateAssociativeMemoryTask', () => {
  it('gives the paper construction V = [0, I], Q = [[I, 0], [0, 0]]', () => {
    const task = generateAssociativeMemoryTask({ numSequences: 1, keyDim: 2, numPairs: 2 });
    expect(task.construction.heads).toHaveLength(1);
    expectMatrixClose(task.construction.heads[0].value, [
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    expectMatrixClose(task.construction.heads[0].query, [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('is exact for orthogonal keys: outputs equal the stored values to 1e-14 and decode 100%', () => {
    const task = generateAssociativeMemoryTask({ numSequences: 40, keyDim: 5, numPairs: 5, seed: 9 });
    const outputs = forward(task.construction, task.dataset.inputs, { mode: 'last' });
    expectOutputsMatchTargets(outputs, task.dataset, 1e-14);
    expect(decodeAssociativeMemory(outputs, task)).toEqual(task.instances.map((instance) => instance.queryIndex));
    expect(exactMatchAssociativeMemory(outputs, task).exactMatch).toBe(1);
  });

  it('adds exactly the cross-talk Σ_{i≠j} v_i ⟨k_i, k_j⟩ for Gaussian keys (closed form)', () => {
    const task = generateAssociativeMemoryTask({
      keyDistribution: 'gaussian',
      numSequences: 10,
      keyDim: 4,
      numPairs: 6,
    });
    const outputs = forward(task.construction, task.dataset.inputs, { mode: 'last' });
    task.instances.forEach(({ queryIndex }, b) => {
      const input = task.dataset.inputs[b];
      const key = (i: number): Float64Array => input.data.subarray(i * 8, i * 8 + 4);
      const value = (i: number): Float64Array => input.data.subarray(i * 8 + 4, i * 8 + 8);
      const expected = Array.from(value(queryIndex));
      for (let i = 0; i < 6; i++) {
        if (i === queryIndex) continue;
        const overlap = key(i).reduce((sum, x, a) => sum + x * key(queryIndex)[a], 0);
        for (let a = 0; a < 4; a++) expected[a] += overlap * value(i)[a];
      }
      expectVectorClose(outputs[b].data, expected, { rtol: 1e-12, relativeToMax: true });
    });
  });

  it('decodes Gaussian-key answers approximately: more right than chance, not all right', () => {
    const task = generateAssociativeMemoryTask({
      keyDistribution: 'gaussian',
      numSequences: 400,
      keyDim: 8,
      numPairs: 8,
    });
    const score = exactMatchAssociativeMemory(forward(task.construction, task.dataset.inputs, { mode: 'last' }), task);
    expect(score.exactMatch).toBeGreaterThan(0.3);
    expect(score.exactMatch).toBeLessThan(1);
  });
});

describe('learning associative memory with @lattn/learner', () => {
  it('learns the paper construction from 120 orthogonal-key sequences although Λ has rank 120 of D = 288', () => {
    const task = generateAssociativeMemoryTask({ numSequences: 120, seed: 1 });
    const fit = fitLinearAttention(task.dataset);
    expect(fit.rank).toBe(120);
    expect(equivalent(fit.weights, task.construction, { rtol: 1e-9 }).equivalent).toBe(true);
    const fresh = generateAssociativeMemoryTask({ numSequences: 200, seed: 99 });
    const outputs = forwardFolded(fit.weights, fresh.dataset.inputs, { mode: 'last' });
    expect(exactMatchAssociativeMemory(outputs, fresh).exactMatch).toBe(1);
  }, 60_000); // a fit plus evaluation: about 1–3 s alone, much longer on a loaded machine
});

describe('decodeAssociativeMemory', () => {
  const task = generateAssociativeMemoryTask({ numSequences: 2, keyDim: 2, numPairs: 2, seed: 4 });

  it('returns the index of the stored value nearest to the output', () => {
    const values = task.dataset.inputs.map((input) => [
      Array.from(input.data.subarray(2, 4)),
      Array.from(input.data.subarray(6, 8)),
    ]);
    const outputs = values.map(([, second]) => fromRows([second.map((x) => 0.9 * x)]));
    expect(decodeAssociativeMemory(outputs, task)).toEqual([1, 1]);
  });

  it('decodes huge finite outputs to the nearest stored value (regression: every distance overflowed to Infinity and index 0 won)', () => {
    const many = generateAssociativeMemoryTask({ numSequences: 40, keyDim: 4, numPairs: 3, seed: 2 });
    const truth = many.instances.map((instance) => instance.queryIndex);
    const outputs = forward(many.construction, many.dataset.inputs, { mode: 'last' });
    for (const scale of [1e150, 1e200, 1e300]) {
      const scaled = outputs.map((output) => ({ ...output, data: output.data.map((x) => x * scale) }));
      expect(decodeAssociativeMemory(scaled, many), `scale ${scale}`).toEqual(truth);
    }
  });

  it('throws SHAPE_MISMATCH for outputs of the wrong shape and INVALID_ARGUMENT for a task of another kind', () => {
    expectLattnError(
      () => decodeAssociativeMemory([fromRows([[0, 0, 0]]), fromRows([[0, 0, 0]])], task),
      'SHAPE_MISMATCH',
      'decodeAssociativeMemory',
    );
    expectLattnError(
      () =>
        exactMatchAssociativeMemory(task.dataset.targets, {
          ...task,
          kind: 'automaton',
        } as unknown as AssociativeMemoryTask),
      'INVALID_ARGUMENT',
      'exactMatchAssociativeMemory',
    );
  });
});

/** The `(numPairs, numPairs)` Gram matrix of the keys of one sequence, as rows. */
function keyGram(input: Matrix, keyDim: number, numPairs: number): number[][] {
  const d = 2 * keyDim;
  return Array.from({ length: numPairs }, (_, i) =>
    Array.from({ length: numPairs }, (_, j) => {
      let sum = 0;
      for (let a = 0; a < keyDim; a++) sum += input.data[i * d + a] * input.data[j * d + a];
      return sum;
    }),
  );
}

function identityRows(size: number): number[][] {
  return Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (i === j ? 1 : 0)));
}
