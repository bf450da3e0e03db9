import { createGramAccumulator, fromRows, gramMoments, type Matrix, mergeGram, zeros } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { expectLattnError, fromMl, randomSequences, rngFor, stackRows, toMl } from './__fixtures__/random.js';
import { cubicFeatures } from './features.js';
import { featureDim } from './layout.js';
import { accumulateFeatureMoments } from './moments.js';

function transposeTimes(a: Matrix, b: Matrix): Matrix {
  return fromMl(toMl(a).transpose().mmul(toMl(b)));
}

function randomTargets(seed: number, inputs: readonly Matrix[], outputDim: number, mode: 'all' | 'last'): Matrix[] {
  const rng = rngFor(seed);
  return inputs.map((z) => rng.normalMatrix(mode === 'all' ? z.rows : 1, outputDim));
}

describe('accumulateFeatureMoments', () => {
  it('equals ΨᵀΨ, ΨᵀY and YᵀY of the stacked features and targets, in both modes', () => {
    for (const d of [1, 2, 3]) {
      const inputs = randomSequences(rngFor(120 + d), d, [4, 1, 6]);
      for (const mode of ['all', 'last'] as const) {
        const targets = randomTargets(130 + d, inputs, 2, mode);
        const psi = stackRows(inputs.map((z) => cubicFeatures(z, { mode })));
        const y = stackRows(targets);
        const moments = gramMoments(accumulateFeatureMoments(inputs, { mode, targets }));
        expect(moments.count).toBe(mode === 'all' ? 11 : 3);
        const close = { rtol: 1e-12, relativeToMax: true };
        expectMatrixClose(moments.gram, transposeTimes(psi, psi), close);
        expectMatrixClose(moments.cross, transposeTimes(psi, y), close);
        expectMatrixClose(moments.targetGram, transposeTimes(y, y), close);
      }
    }
  });

  it("uses one row per sequence in mode 'last': the last row of each sequence's features", () => {
    const inputs = randomSequences(rngFor(140), 2, [3, 5]);
    const lastRows = stackRows(inputs.map((z) => cubicFeatures(z, { mode: 'last' })));
    const moments = gramMoments(accumulateFeatureMoments(inputs, { mode: 'last' }));
    expect(moments.count).toBe(2);
    expectMatrixClose(moments.gram, transposeTimes(lastRows, lastRows), { rtol: 1e-12, relativeToMax: true });
  });

  it('does not depend on the chunk size', () => {
    const inputs = randomSequences(rngFor(141), 3, [5, 2, 7, 1]);
    const targets = randomTargets(142, inputs, 3, 'all');
    const reference = gramMoments(accumulateFeatureMoments(inputs, { targets, chunkSize: 1000 }));
    for (const chunkSize of [1, 2, 3, 7, 15]) {
      const moments = gramMoments(accumulateFeatureMoments(inputs, { targets, chunkSize }));
      expect(moments.count).toBe(reference.count);
      const close = { rtol: 1e-13, relativeToMax: true };
      expectMatrixClose(moments.gram, reference.gram, close);
      expectMatrixClose(moments.cross, reference.cross, close);
      expectMatrixClose(moments.targetGram, reference.targetGram, close);
    }
  });

  it('gives one pass’s moments when two shards are added into one accumulator or merged', () => {
    const inputs = randomSequences(rngFor(143), 2, [3, 4, 2, 5]);
    const targets = randomTargets(144, inputs, 1, 'all');
    const whole = gramMoments(accumulateFeatureMoments(inputs, { targets }));
    const shared = accumulateFeatureMoments(inputs.slice(0, 2), { targets: targets.slice(0, 2) });
    const returned = accumulateFeatureMoments(inputs.slice(2), { targets: targets.slice(2), accumulator: shared });
    expect(returned).toBe(shared);
    const second = accumulateFeatureMoments(inputs.slice(2), { targets: targets.slice(2), chunkSize: 2 });
    const first = accumulateFeatureMoments(inputs.slice(0, 2), { targets: targets.slice(0, 2) });
    for (const combined of [gramMoments(shared), gramMoments(mergeGram(first, second))]) {
      expect(combined.count).toBe(whole.count);
      const close = { rtol: 1e-13, relativeToMax: true };
      expectMatrixClose(combined.gram, whole.gram, close);
      expectMatrixClose(combined.cross, whole.cross, close);
      expectMatrixClose(combined.targetGram, whole.targetGram, close);
    }
  });

  it('accumulates only the feature Gram and the count without targets', () => {
    const inputs = randomSequences(rngFor(145), 2, [3]);
    const accumulator = accumulateFeatureMoments(inputs);
    expect([accumulator.dim, accumulator.targetDim, accumulator.count]).toEqual([featureDim(2), 0, 3]);
  });

  it("reports progress per chunk in whole sequences, ending with done === total, at stage 'features'", () => {
    const inputs = randomSequences(rngFor(146), 1, [3, 3, 3, 3]);
    const reports: { stage: string; done: number; total: number }[] = [];
    accumulateFeatureMoments(inputs, { chunkSize: 4, onProgress: (progress) => reports.push({ ...progress }) });
    // 12 examples in chunks of 4: full chunks after tokens 4, 8 and 12 (1, 2, 3 sequences done), then the end.
    expect(reports).toEqual([
      { stage: 'features', done: 1, total: 4 },
      { stage: 'features', done: 2, total: 4 },
      { stage: 'features', done: 3, total: 4 },
      { stage: 'features', done: 4, total: 4 },
    ]);
  });

  it('does not mutate inputs or targets', () => {
    const inputs = randomSequences(rngFor(147), 2, [3, 2]);
    const targets = randomTargets(148, inputs, 2, 'all');
    const snapshot = structuredClone({ inputs, targets });
    accumulateFeatureMoments(inputs, { targets, chunkSize: 2 });
    expect({ inputs, targets }).toEqual(snapshot);
  });

  it('throws SHAPE_MISMATCH for ragged or miscounted targets and leaves a given accumulator untouched', () => {
    const inputs = randomSequences(rngFor(149), 2, [3, 2]);
    const accumulator = createGramAccumulator(featureDim(2), { targetDim: 1 });
    const fn = 'accumulateFeatureMoments';
    expectLattnError(
      () => accumulateFeatureMoments(inputs, { targets: [zeros(3, 1), zeros(3, 1)], accumulator }),
      'SHAPE_MISMATCH',
      fn,
    );
    expectLattnError(
      () => accumulateFeatureMoments(inputs, { targets: [zeros(3, 1)], accumulator }),
      'SHAPE_MISMATCH',
      fn,
    );
    expectLattnError(
      () => accumulateFeatureMoments(inputs, { targets: [zeros(3, 1), zeros(2, 2)], accumulator }),
      'SHAPE_MISMATCH',
      fn,
    );
    expectLattnError(
      () => accumulateFeatureMoments(inputs, { mode: 'last', targets: [zeros(3, 1), zeros(2, 1)], accumulator }),
      'SHAPE_MISMATCH',
      fn,
    );
    expect(accumulator.count).toBe(0);
    expect(accumulator.gram.every((x) => x === 0)).toBe(true);
  });

  it('throws SHAPE_MISMATCH for an accumulator of the wrong dimensions', () => {
    const inputs = [zeros(2, 2)];
    const fn = 'accumulateFeatureMoments';
    expectLattnError(
      () => accumulateFeatureMoments(inputs, { accumulator: createGramAccumulator(18) }),
      'SHAPE_MISMATCH',
      fn,
    );
    expectLattnError(
      () => accumulateFeatureMoments(inputs, { accumulator: createGramAccumulator(6, { targetDim: 2 }) }),
      'SHAPE_MISMATCH',
      fn,
    );
    expectLattnError(() => accumulateFeatureMoments(inputs, { accumulator: {} as never }), 'INVALID_ARGUMENT', fn);
  });

  it('throws NON_FINITE for NaN in inputs or targets and INVALID_ARGUMENT for bad options', () => {
    const fn = 'accumulateFeatureMoments';
    const inputs = [fromRows([[1], [2]])];
    expectLattnError(() => accumulateFeatureMoments([fromRows([[Number.NaN]])]), 'NON_FINITE', fn);
    expectLattnError(
      () => accumulateFeatureMoments(inputs, { targets: [fromRows([[1], [Number.NaN]])] }),
      'NON_FINITE',
      fn,
    );
    expectLattnError(() => accumulateFeatureMoments(inputs, { chunkSize: 0 }), 'INVALID_ARGUMENT', fn);
    expectLattnError(() => accumulateFeatureMoments(inputs, { batchSize: 2 } as never), 'INVALID_ARGUMENT', fn);
    expectLattnError(() => accumulateFeatureMoments(inputs, { onProgress: 1 } as never), 'INVALID_ARGUMENT', fn);
    expectLattnError(() => accumulateFeatureMoments([]), 'INVALID_ARGUMENT', fn);
  });
});
