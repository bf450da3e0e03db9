import { accumulateGram, createGramAccumulator, gramMoments, type Matrix } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { expectLattnError, randomSequences, rngFor, stackRows } from './__fixtures__/random.js';
import { cubicFeatures } from './features.js';
import { featureDim } from './layout.js';
import { accumulateFeatureMoments } from './moments.js';

const close = { rtol: 1e-12, relativeToMax: true };

/** The plain route: explicit features `(N, D)` and core's SYRK `accumulateGram`. */
function plainMoments(inputs: readonly Matrix[], targets: readonly Matrix[], mode: 'all' | 'last') {
  const d = inputs[0].cols;
  const accumulator = createGramAccumulator(featureDim(d), { targetDim: targets[0].cols });
  accumulateGram(accumulator, stackRows(inputs.map((z) => cubicFeatures(z, { mode }))), stackRows(targets));
  return gramMoments(accumulator);
}

describe('accumulateFeatureMoments: structure-aware Gram and shards', () => {
  it.each([1, 3, 5, 7])(
    'equals the plain SYRK of the explicit features to 1e-12 (d = %i, odd lengths, both modes, chunks that split sequences)',
    (d) => {
      const inputs = randomSequences(rngFor(300 + d), d, [1, 7, 3, 16, 5, 9]);
      for (const mode of ['all', 'last'] as const) {
        const rng = rngFor(400 + d);
        const targets = inputs.map((z) => rng.normalMatrix(mode === 'all' ? z.rows : 1, 2));
        const expected = plainMoments(inputs, targets, mode);
        for (const chunkSize of [4, 2048]) {
          const moments = gramMoments(accumulateFeatureMoments(inputs, { mode, targets, chunkSize }));
          expect(moments.count).toBe(expected.count);
          expectMatrixClose(moments.gram, expected.gram, close);
          expectMatrixClose(moments.cross, expected.cross, close);
          expectMatrixClose(moments.targetGram, expected.targetGram, close);
        }
      }
    },
  );

  it.each([2, 3, 6])('gives one pass’s moments to 1e-12 with %i shards, reproducibly', (workers) => {
    const inputs = randomSequences(rngFor(500), 4, [5, 9, 2, 16, 7, 3, 11]);
    const rng = rngFor(501);
    const targets = inputs.map((z) => rng.normalMatrix(z.rows, 3));
    const single = gramMoments(accumulateFeatureMoments(inputs, { targets, workers: 1 }));
    const sharded = gramMoments(accumulateFeatureMoments(inputs, { targets, workers }));
    expect(sharded.count).toBe(single.count);
    expectMatrixClose(sharded.gram, single.gram, close);
    expectMatrixClose(sharded.cross, single.cross, close);
    expect(gramMoments(accumulateFeatureMoments(inputs, { targets, workers }))).toEqual(sharded);
  });

  it('adds the shards into a given accumulator and reports progress up to the total', () => {
    const inputs = randomSequences(rngFor(510), 2, [3, 4, 5, 6]);
    const accumulator = accumulateFeatureMoments(inputs.slice(0, 1));
    const reports: number[] = [];
    accumulateFeatureMoments(inputs.slice(1), { accumulator, workers: 2, onProgress: (p) => reports.push(p.done) });
    expect(reports.at(-1)).toBe(3);
    expectMatrixClose(gramMoments(accumulator).gram, gramMoments(accumulateFeatureMoments(inputs)).gram, close);
    expect(accumulator.count).toBe(18);
  });

  it('uses at most one shard per sequence', () => {
    const inputs = randomSequences(rngFor(520), 3, [4, 2]);
    const moments = gramMoments(accumulateFeatureMoments(inputs, { workers: 8 }));
    expectMatrixClose(moments.gram, gramMoments(accumulateFeatureMoments(inputs)).gram, close);
  });

  it("throws INVALID_ARGUMENT when workers is not 'auto' or a positive integer", () => {
    const inputs = randomSequences(rngFor(530), 2, [3]);
    for (const workers of [0, 1.5, 'all', -1]) {
      expectLattnError(
        () => accumulateFeatureMoments(inputs, { workers: workers as number }),
        'INVALID_ARGUMENT',
        'accumulateFeatureMoments',
      );
    }
  });
});
