import type { Matrix } from '@lattn/core';
import { expectLattnError, expectMatrixClose } from '@lattn/core/testing';
import { createModel, equivalent, forward, forwardFolded, type MhlaModel } from '@lattn/feature-map';
import { fitLinearAttention, recoverHeads } from '@lattn/learner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTaskGenerator, expectOutputsMatchTargets } from '../contract.test-utils.js';
import {
  exactMatchRandomMhla,
  generateRandomMhlaTask,
  INPUT_DISTRIBUTIONS,
  type RandomMhlaTask,
  type RandomMhlaTaskOptions,
} from './random-mhla-task.js';

describeTaskGenerator<RandomMhlaTaskOptions, RandomMhlaTask>({
  name: 'generateRandomMhlaTask',
  generate: generateRandomMhlaTask,
  small: { numSequences: 3, modelDim: 3, outputDim: 2, numHeads: 2, minSequenceLength: 2, maxSequenceLength: 4 },
  optionNames: [
    'numSequences',
    'modelDim',
    'outputDim',
    'numHeads',
    'inputDistribution',
    'minSequenceLength',
    'maxSequenceLength',
    'mode',
    'seed',
    'teacherSeed',
  ],
  honoured: [
    {
      title: 'modelDim, outputDim and numHeads in the teacher',
      options: { modelDim: 5, outputDim: 3, numHeads: 4 },
      check: (task) => {
        expect(task.construction.heads).toHaveLength(4);
        for (const head of task.construction.heads) {
          expect([head.value.rows, head.value.cols, head.query.rows, head.query.cols]).toEqual([3, 5, 5, 5]);
        }
      },
    },
    {
      title: 'the sequence length range, reaching both ends',
      options: { numSequences: 60, minSequenceLength: 3, maxSequenceLength: 5 },
      check: (task) => {
        const lengths = new Set(task.dataset.inputs.map((input) => input.rows));
        expect([...lengths].sort()).toEqual([3, 4, 5]);
      },
    },
    {
      title: "inputDistribution 'unit-norm': every token has norm 1",
      options: { inputDistribution: 'unit-norm', modelDim: 6 },
      check: (task) => {
        for (const input of task.dataset.inputs) {
          for (let t = 0; t < input.rows; t++) {
            const row = input.data.subarray(t * 6, (t + 1) * 6);
            expect(Math.abs(row.reduce((sum, x) => sum + x * x, 0) - 1)).toBeLessThan(1e-14);
          }
        }
      },
    },
    {
      title: "inputDistribution 'one-hot': every token is a standard basis vector",
      options: { inputDistribution: 'one-hot', modelDim: 6 },
      check: (task) => {
        for (const input of task.dataset.inputs) {
          for (let t = 0; t < input.rows; t++) {
            const row = Array.from(input.data.subarray(t * 6, (t + 1) * 6));
            expect(row.filter((x) => x === 1)).toHaveLength(1);
            expect(row.filter((x) => x === 0)).toHaveLength(5);
          }
        }
      },
    },
    {
      title: "mode 'last': one target row per sequence, the teacher's output at the last token",
      options: { mode: 'last' },
      check: (task) => {
        expect(task.dataset.mode).toBe('last');
        const all = forward(task.construction, task.dataset.inputs, { mode: 'all' });
        task.dataset.targets.forEach((target, b) => {
          expect(target.rows).toBe(1);
          expect(Array.from(target.data)).toEqual(Array.from(all[b].data.subarray((all[b].rows - 1) * 2)));
        });
      },
    },
  ],
  invalid: [
    { title: 'a fractional teacher seed', options: { teacherSeed: 0.5 }, code: 'INVALID_ARGUMENT' },
    {
      title: 'minSequenceLength above maxSequenceLength',
      options: { minSequenceLength: 5, maxSequenceLength: 4 },
      code: 'INVALID_ARGUMENT',
    },
    { title: 'zero heads', options: { numHeads: 0 }, code: 'INVALID_ARGUMENT' },
    { title: 'an unknown input distribution', options: { inputDistribution: 'uniform' }, code: 'INVALID_ARGUMENT' },
    { title: 'an unknown mode', options: { mode: 'first' }, code: 'INVALID_ARGUMENT' },
    { title: 'a token dimension beyond the budget', options: { modelDim: 5000 }, code: 'TOO_LARGE' },
  ],
  arbitrary: fc
    .record({
      numSequences: fc.integer({ min: 1, max: 4 }),
      modelDim: fc.integer({ min: 1, max: 4 }),
      outputDim: fc.integer({ min: 1, max: 3 }),
      numHeads: fc.integer({ min: 1, max: 3 }),
      inputDistribution: fc.constantFrom(...INPUT_DISTRIBUTIONS),
      lengths: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
      mode: fc.constantFrom('all' as const, 'last' as const),
      seed: fc.integer(),
      teacherSeed: fc.integer(),
    })
    .map(({ lengths, ...options }) => ({
      ...options,
      minSequenceLength: Math.min(...lengths),
      maxSequenceLength: Math.max(...lengths),
    })),
  exact: (task, outputs) => {
    // The teacher is the construction: its outputs are the targets, bit for bit.
    expectOutputsMatchTargets(outputs, task.dataset, 0);
  },
  readers: [{ name: 'exactMatchRandomMhla', read: exactMatchRandomMhla }],
});

describe('generateRandomMhlaTask', () => {
  it('labels every position with Σ_h Σ_{s<=t} V_h z_s (z_sᵀ Q_h z_t), computed here by the attention sum', () => {
    const task = generateRandomMhlaTask({ numSequences: 4, modelDim: 4, outputDim: 3, numHeads: 3, seed: 8 });
    task.dataset.inputs.forEach((input, b) => {
      expectMatrixClose(task.dataset.targets[b], attentionSum(task.construction, input), {
        rtol: 1e-12,
        relativeToMax: true,
      });
    });
  });

  it('keeps the teacher for a new input seed when teacherSeed is kept, and draws new inputs', () => {
    const task = generateRandomMhlaTask({ numSequences: 3, seed: 1 });
    expect(task.options.teacherSeed).toBe(1);
    const fresh = generateRandomMhlaTask({ ...task.options, seed: 2 });
    expect(fresh.construction).toEqual(task.construction);
    expect(fresh.dataset.inputs[0].data).not.toEqual(task.dataset.inputs[0].data);
    const otherTeacher = generateRandomMhlaTask({ ...task.options, teacherSeed: 3 });
    expect(otherTeacher.dataset.inputs).toEqual(task.dataset.inputs);
    expect(otherTeacher.construction).not.toEqual(task.construction);
  });

  it('draws the inputs independently of the teacher when both seeds are equal', () => {
    const task = generateRandomMhlaTask({ numSequences: 1, modelDim: 3, outputDim: 3, numHeads: 1, seed: 4 });
    const firstInputs = Array.from(task.dataset.inputs[0].data.subarray(0, 3));
    const teacherStart = Array.from(task.construction.heads[0].value.data.subarray(0, 3)).map((x) => x * Math.sqrt(3));
    expect(firstInputs).not.toEqual(teacherStart);
  });

  it('draws teacher entries with mean 0 and variance 1/d', () => {
    const task = generateRandomMhlaTask({ modelDim: 8, outputDim: 8, numHeads: 64, seed: 2 });
    const entries = task.construction.heads.flatMap((head) => [...head.value.data, ...head.query.data]);
    const mean = entries.reduce((sum, x) => sum + x, 0) / entries.length;
    const variance = entries.reduce((sum, x) => sum + (x - mean) ** 2, 0) / entries.length;
    // 8192 entries: the standard error of the mean is 0.004 and of the variance about 0.002.
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(variance - 1 / 8)).toBeLessThan(0.008);
  });
});

describe('exactMatchRandomMhla', () => {
  const task = generateRandomMhlaTask({ numSequences: 5, seed: 3 });

  it('scores the teacher itself 100% and reports the tolerances applied', () => {
    const score = exactMatchRandomMhla(forward(task.construction, task.dataset.inputs), task);
    expect(score.exactMatch).toBe(1);
    expect(score.numPositions).toBe(task.dataset.inputs.reduce((sum, input) => sum + input.rows, 0));
    expect(score.maxAbsError).toBe(0);
    expect(score.rtol).toBe(1e-8);
    let scale = 0;
    for (const target of task.dataset.targets) for (const y of target.data) scale = Math.max(scale, Math.abs(y));
    expect(score.atol).toBe(1e-8 * scale);
  });

  it('scores a teacher perturbed by 1e-4 as wrong at every position, and right again with atol 1', () => {
    const perturbed = createModel({
      heads: task.construction.heads.map((head) => ({
        value: { ...head.value, data: head.value.data.map((x) => x + 1e-4) },
        query: head.query,
      })),
    });
    const outputs = forward(perturbed, task.dataset.inputs);
    const strict = exactMatchRandomMhla(outputs, task);
    expect(strict.exactMatch).toBe(0);
    expect(strict.numCorrectPositions).toBe(0);
    expect(strict.maxAbsError).toBeGreaterThan(0);
    expect(exactMatchRandomMhla(outputs, task, { atol: 1 }).exactMatch).toBe(1);
  });

  it('throws INVALID_ARGUMENT for a negative tolerance or an unknown option', () => {
    const outputs = forward(task.construction, task.dataset.inputs);
    expectLattnError(
      () => exactMatchRandomMhla(outputs, task, { rtol: -1 }),
      'INVALID_ARGUMENT',
      'exactMatchRandomMhla',
    );
    expectLattnError(
      () => exactMatchRandomMhla(outputs, task, { tol: 1 } as never),
      'INVALID_ARGUMENT',
      'exactMatchRandomMhla',
      ['tol'],
    );
  });
});

describe('learning a random teacher with @lattn/learner', () => {
  it('recovers the 2-head teacher exactly from 16 sequences (99 examples, D = 40) and matches fresh inputs 100%', () => {
    const task = generateRandomMhlaTask({ numSequences: 16, seed: 1 });
    const fit = fitLinearAttention(task.dataset);
    expect(fit.rank).toBe(40);
    expect(equivalent(fit.weights, task.construction).equivalent).toBe(true);
    const fresh = generateRandomMhlaTask({ ...task.options, numSequences: 50, seed: 99 });
    expect(exactMatchRandomMhla(forwardFolded(fit.weights, fresh.dataset.inputs), fresh).exactMatch).toBe(1);
    const heads = recoverHeads(fit, { heads: 'auto' });
    expect(heads.numHeads).toBe(2);
    expect(heads.equivalent).toBe(true);
  }, 60_000); // a fit plus evaluation: about 1–3 s alone, much longer on a loaded machine
});

/** The attention form of SPEC §1, summed directly: `(n, dOut)`. */
function attentionSum(model: MhlaModel, input: Matrix): Matrix {
  const d = model.modelDim;
  const out = model.outputDim;
  const n = input.rows;
  const z = (t: number): Float64Array => input.data.subarray(t * d, (t + 1) * d);
  const result = new Float64Array(n * out);
  for (const { value, query } of model.heads) {
    for (let t = 0; t < n; t++) {
      const qz = new Float64Array(d);
      for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) qz[k] += query.data[k * d + l] * z(t)[l];
      for (let s = 0; s <= t; s++) {
        let score = 0;
        for (let k = 0; k < d; k++) score += z(s)[k] * qz[k];
        for (let a = 0; a < out; a++) {
          let vz = 0;
          for (let j = 0; j < d; j++) vz += value.data[a * d + j] * z(s)[j];
          result[t * out + a] += vz * score;
        }
      }
    }
  }
  return { rows: n, cols: out, data: result };
}
