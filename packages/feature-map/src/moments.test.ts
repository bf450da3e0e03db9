import {
  createGramAccumulator,
  fromRows,
  gramMoments,
  largestMagnitude,
  type Matrix,
  mergeGram,
  scaleByPowerOfTwo,
  timesPowerOfTwo,
  zeros,
} from '@lattn/core';
import { expectMatrixClose, withEntry } from '@lattn/core/testing';
import fc from 'fast-check';
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

describe('accumulateFeatureMoments on sizes and scales beyond float64 and memory', () => {
  const fn = 'accumulateFeatureMoments';

  it.each([
    [32, '(16896, 16896)', '2.13 GiB'],
    [1000, '(500500000, 500500000)', 'GiB'],
  ])(
    'throws TOO_LARGE naming itself, the (D, D) shape and the GiB for modelDim %i, before allocating (regression: d = 1000 was refused by createGramAccumulator, d = 32 allocated 2.1 GiB)',
    (d, shape, gib) => {
      const inputs = [zeros(2, d)];
      for (const workers of [1, 2]) {
        const error = expectLattnError(() => accumulateFeatureMoments(inputs, { workers }), 'TOO_LARGE', fn, [
          `the ${shape} feature moment Σψψᵀ of tokens of dimension d = ${d}`,
          gib,
          'Expected at most 268435456 entries',
        ]);
        expect(error.details).toMatchObject({ limit: 2 ** 28 });
      }
    },
  );

  it('throws TOO_LARGE for a chunkSize whose prefix-moment buffer would exceed MAX_ARRAY_ENTRIES, before allocating the moments', () => {
    const token = zeros(1, 31); // D = 15376: the (D, D) moment itself (1.76 GiB) is allowed
    const inputs: Matrix[] = new Array(600_000).fill(token);
    expectLattnError(() => accumulateFeatureMoments(inputs, { chunkSize: 1_000_000 }), 'TOO_LARGE', fn, [
      'the (600000, 496) prefix moments of a chunk (options.chunkSize 1000000)',
    ]);
  });

  it.each([
    ['1e120, whose features are Infinity', 1e120],
    ['1e60, whose features are finite but Σψψᵀ is not', 1e60],
  ])(
    'throws NON_FINITE naming itself for tokens of %s, and a given accumulator keeps its sums (regression: the moments were silently Infinity)',
    (_title, scale) => {
      const good = randomSequences(rngFor(150), 2, [3, 4]);
      const more = randomSequences(rngFor(151), 2, [5]);
      const huge = [good[0], { ...good[1], data: good[1].data.map((x) => x * scale) }];
      for (const workers of [1, 2]) {
        const accumulator = accumulateFeatureMoments(good);
        const error = expectLattnError(
          () => accumulateFeatureMoments(huge, { accumulator, workers }),
          'NON_FINITE',
          fn,
          [
            'the features overflow float64 in their moment Σψψᵀ',
            'at most 2^1023',
            'inputScale',
            `from tokens as large as ${largestMagnitude(huge[1].data)}`,
          ],
        );
        expect(error.details).toMatchObject({ moment: 'gram' });
        accumulateFeatureMoments(more, { accumulator });
        const fresh = accumulateFeatureMoments(good);
        accumulateFeatureMoments(more, { accumulator: fresh });
        expect(accumulator).toEqual(fresh);
      }
    },
  );

  it('counts what the accumulator already holds: a batch that fits alone is refused when the sums would pass 2^1023', () => {
    const token = [fromRows([[2 ** 170]])]; // ψ = 2^510, ψ² = 2^1020
    const accumulator = accumulateFeatureMoments(token);
    for (let i = 0; i < 7; i++) accumulateFeatureMoments(token, { accumulator });
    expect(accumulator.gram[0]).toBe(2 ** 1023);
    expectLattnError(() => accumulateFeatureMoments(token, { accumulator }), 'NON_FINITE', fn, [
      `received ${1.125 * 2 ** 1023} at feature 0 = (j, k, l) = (0, 0, 0), of which ${2 ** 1023} already in options.accumulator`,
    ]);
    expect([accumulator.gram[0], accumulator.count]).toEqual([2 ** 1023, 8]);
  });

  it('accepts moments up to 2^1023 and gives exactly the unit-scale moments times 2^(6k) (tokens times 2^k, both modes)', () => {
    const inputs = randomSequences(rngFor(152), 3, [4, 6, 2]);
    for (const mode of ['all', 'last'] as const) {
      const targets = randomTargets(153, inputs, 2, mode);
      const unit = accumulateFeatureMoments(inputs, { mode, targets });
      let largest = 0;
      for (let i = 0; i < unit.dim; i++) largest = Math.max(largest, unit.gram[i * unit.dim + i]);
      const k = Math.floor((1023 - Math.log2(largest)) / 6);
      const scaled = accumulateFeatureMoments(
        inputs.map((z) => scaleByPowerOfTwo(z, k)),
        { mode, targets },
      );
      expect(Math.max(...scaled.gram)).toBeGreaterThan(2 ** 1016);
      expect(scaleByPowerOfTwo(gramMoments(scaled).gram, -6 * k)).toEqual(gramMoments(unit).gram);
      expect(scaleByPowerOfTwo(gramMoments(scaled).cross, -3 * k)).toEqual(gramMoments(unit).cross);
    }
  });

  it("throws NON_FINITE in mode 'last' when a small last token after large ones keeps the features finite but the prefix-moment products overflow (regression: the Kronecker update gave Infinity)", () => {
    const inputs = [fromRows([[1e100], [1e-100]])]; // M = 1e200, ψ = 1e100: Σψ² = 1e200, but M·M = Infinity
    const error = expectLattnError(() => accumulateFeatureMoments(inputs, { mode: 'last' }), 'NON_FINITE', fn, [
      'the prefix moments overflow float64 in the Gram update',
      'received |M_t[j,k]| up to 1e+200',
    ]);
    expect(error.details).toMatchObject({ moment: 'gram', largestMoment: 1e200 });
    const rescaled = gramMoments(accumulateFeatureMoments([scaleByPowerOfTwo(inputs[0], -166)], { mode: 'last' }));
    expectMatrixClose(scaleByPowerOfTwo(rescaled.gram, 6 * 166), [[1e200]], { rtol: 1e-14 });
  });

  it('throws NON_FINITE naming the targets when finite targets of 1e200 make Σyyᵀ overflow, changing nothing', () => {
    const inputs = randomSequences(rngFor(154), 2, [3, 2]);
    const targets = randomTargets(155, inputs, 2, 'all');
    const accumulator = accumulateFeatureMoments(inputs, { targets });
    const before = structuredClone(accumulator);
    const huge = [targets[0], withEntry(targets[1], 3, 1e200)];
    const error = expectLattnError(
      () => accumulateFeatureMoments(inputs, { targets: huge, accumulator }),
      'NON_FINITE',
      fn,
      ['the targets overflow float64 in their moment Σyyᵀ', 'at output 1 from targets as large as 1e+200'],
    );
    expect(error.details).toMatchObject({ moment: 'targetGram', output: 1 });
    expect(accumulator).toEqual(before);
  });
});

describe('accumulateFeatureMoments at the edge of float64 (fast-check)', () => {
  it('refuses exactly when the largest diagonal entry of Σψψᵀ passes 2^1023, leaving the accumulator unchanged, and otherwise returns bitwise the unit-scale moments times 2^(6k)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('all' as const, 'last' as const),
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.integer({ min: -3, max: 3 }),
        (d, lengths, mode, seed, offset) => {
          const inputs = randomSequences(rngFor(seed), d, lengths);
          const unit = accumulateFeatureMoments(inputs, { mode });
          let largest = 0;
          for (let i = 0; i < unit.dim; i++) largest = Math.max(largest, unit.gram[i * unit.dim + i]);
          // k puts the largest diagonal entry near 2^1023: at offset 0 in (2^1017, 2^1023], beyond it above.
          const k = Math.floor((1023 - Math.log2(largest)) / 6) + offset;
          const expected = timesPowerOfTwo(largest, 6 * k);
          const accumulator = createGramAccumulator(unit.dim);
          let refused = false;
          try {
            accumulateFeatureMoments(
              inputs.map((z) => scaleByPowerOfTwo(z, k)),
              { mode, accumulator },
            );
          } catch (error) {
            expect(error).toMatchObject({ code: 'NON_FINITE' });
            refused = true;
          }
          if (refused) {
            expect(expected).toBeGreaterThan(2 ** 1023 * (1 - 1e-12));
            expect(accumulator).toEqual(createGramAccumulator(unit.dim));
          } else {
            expect(expected).toBeLessThanOrEqual(2 ** 1023 * (1 + 1e-12));
            expect(accumulator.gram.every((x) => Number.isFinite(x))).toBe(true);
            const dim = unit.dim;
            expect(scaleByPowerOfTwo({ rows: dim, cols: dim, data: accumulator.gram }, -6 * k).data).toEqual(unit.gram);
          }
        },
      ),
      { seed: 32, numRuns: 150 },
    );
  });
});
