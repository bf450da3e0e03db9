import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectLattnError, naiveGram, naiveMatmul, stackRows } from './__fixtures__/oracles.js';
import { gram } from './gram.js';
import {
  accumulateGram,
  createGramAccumulator,
  type GramAccumulator,
  gramMoments,
  mergeGram,
} from './gram-accumulator.js';
import { fromRows, type Matrix, zeros } from './matrix.js';
import { createRng } from './rng.js';
import { scaleByPowerOfTwo, timesPowerOfTwo } from './scale-by-power-of-two.js';
import { expectLattnError as expectLattnErrorOf, expectMatrixClose } from './testing/index.js';
import { transpose } from './transpose.js';

const CHUNK_ROWS = [0, 1, 5, 300, 37, 2];

function chunks(seed: number, dim: number, targetDim: number): { rows: Matrix[]; targets: Matrix[] } {
  const rng = createRng(seed);
  return {
    rows: CHUNK_ROWS.map((n) => rng.normalMatrix(n, dim)),
    targets: CHUNK_ROWS.map((n) => rng.normalMatrix(n, targetDim)),
  };
}

function upperOf(a: Float64Array, n: number): Matrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) data[i * n + j] = a[i * n + j];
  return { rows: n, cols: n, data };
}

describe('createGramAccumulator', () => {
  it('starts with zero sums of the documented sizes', () => {
    const accumulator = createGramAccumulator(4, { targetDim: 2 });
    expect(accumulator).toEqual({
      dim: 4,
      targetDim: 2,
      count: 0,
      gram: new Float64Array(16),
      cross: new Float64Array(8),
      targetGram: new Float64Array(4),
    });
    expect(createGramAccumulator(3).targetDim).toBe(0);
  });

  it('throws INVALID_ARGUMENT for a negative or fractional size and for unknown options', () => {
    expectLattnError(() => createGramAccumulator(-1), 'INVALID_ARGUMENT', ['createGramAccumulator: dim', '-1']);
    expectLattnError(() => createGramAccumulator(2.5), 'INVALID_ARGUMENT', ['received 2.5']);
    expectLattnError(() => createGramAccumulator(2, { targetDim: -3 }), 'INVALID_ARGUMENT', ['options.targetDim']);
    expectLattnError(
      () => createGramAccumulator(2, { targetdim: 1 } as unknown as { targetDim: number }),
      'INVALID_ARGUMENT',
      ["unknown field 'targetdim'", "'targetDim'"],
    );
  });

  it('throws TOO_LARGE stating the size when the Gram matrix cannot be allocated', () => {
    expectLattnError(() => createGramAccumulator(2 ** 20), 'TOO_LARGE', [
      'createGramAccumulator',
      '(1048576, 1048576) Gram matrix',
      '8192.0 GiB',
    ]);
  });
});

describe('accumulateGram', () => {
  it('sums chunks of varying size (0, 1, 5, 300, 37, 2 rows) to the Gram matrix of the stacked rows', () => {
    const dim = 67;
    const { rows } = chunks(1, dim, 0);
    const accumulator = createGramAccumulator(dim);
    for (const chunk of rows) accumulateGram(accumulator, chunk);
    const stacked = stackRows(rows, dim);
    expect(accumulator.count).toBe(345);
    expectMatrixClose(upperOf(accumulator.gram, dim), upperOf(naiveGram(stacked).data, dim), {
      rtol: 1e-13,
      relativeToMax: true,
    });
    expectMatrixClose(gramMoments(accumulator).gram, gram(stacked), { rtol: 1e-13, relativeToMax: true });
  });

  it('maintains only the upper triangle: the lower triangle stays zero', () => {
    const accumulator = createGramAccumulator(10);
    accumulateGram(accumulator, createRng(2).normalMatrix(50, 10));
    for (let i = 0; i < 10; i++) for (let j = 0; j < i; j++) expect(accumulator.gram[i * 10 + j]).toBe(0);
    expect(accumulator.gram[0 * 10 + 9]).not.toBe(0);
  });

  it('accumulates Σ x yᵀ and Σ y yᵀ of the targets', () => {
    const dim = 13;
    const targetDim = 4;
    const { rows, targets } = chunks(3, dim, targetDim);
    const accumulator = createGramAccumulator(dim, { targetDim });
    for (let c = 0; c < rows.length; c++) accumulateGram(accumulator, rows[c], targets[c]);
    const x = stackRows(rows, dim);
    const y = stackRows(targets, targetDim);
    const moments = gramMoments(accumulator);
    expect(moments.count).toBe(x.rows);
    expectMatrixClose(moments.cross, naiveMatmul(transpose(x), y), { rtol: 1e-13, relativeToMax: true });
    expectMatrixClose(moments.targetGram, naiveGram(y), { rtol: 1e-13, relativeToMax: true });
    expectMatrixClose(moments.gram, naiveGram(x), { rtol: 1e-13, relativeToMax: true });
  });

  it('does not modify the rows or targets it is given', () => {
    const rng = createRng(4);
    const rows = rng.normalMatrix(8, 5);
    const targets = rng.normalMatrix(8, 2);
    const rowsCopy = rows.data.slice();
    const targetsCopy = targets.data.slice();
    accumulateGram(createGramAccumulator(5, { targetDim: 2 }), rows, targets);
    expect(rows.data).toEqual(rowsCopy);
    expect(targets.data).toEqual(targetsCopy);
  });

  it('continues on a structuredClone as on the original (the record crosses postMessage)', () => {
    const rng = createRng(5);
    const first = rng.normalMatrix(20, 6);
    const second = rng.normalMatrix(9, 6);
    const original = createGramAccumulator(6);
    accumulateGram(original, first);
    const clone: GramAccumulator = structuredClone(original);
    expect(clone).toEqual(original);
    expect(clone.gram).toBeInstanceOf(Float64Array);
    accumulateGram(clone, second);
    accumulateGram(original, second);
    expect(clone).toEqual(original);
  });

  it('throws SHAPE_MISMATCH for rows or targets of the wrong size and leaves the accumulator unchanged', () => {
    const accumulator = createGramAccumulator(3, { targetDim: 2 });
    accumulateGram(accumulator, fromRows([[1, 2, 3]]), fromRows([[1, 1]]));
    const before = structuredClone(accumulator);
    expectLattnError(() => accumulateGram(accumulator, zeros(2, 4), zeros(2, 2)), 'SHAPE_MISMATCH', [
      'accumulateGram: rows has the wrong shape',
      'Expected (any, 3); received (2, 4)',
    ]);
    expectLattnError(() => accumulateGram(accumulator, zeros(2, 3), zeros(3, 2)), 'SHAPE_MISMATCH', [
      'accumulateGram: targets has the wrong shape',
      'Expected (2, 2); received (3, 2)',
    ]);
    expect(accumulator).toEqual(before);
  });

  it('throws INVALID_ARGUMENT when targets are missing for an accumulator with targets', () => {
    expectLattnError(
      () => accumulateGram(createGramAccumulator(3, { targetDim: 2 }), zeros(4, 3)),
      'INVALID_ARGUMENT',
      ['accumulateGram: targets are missing', 'Expected a (4, 2) matrix', 'received undefined'],
    );
  });

  it('throws NON_FINITE for NaN in a chunk before changing anything', () => {
    const accumulator = createGramAccumulator(2);
    const rows = fromRows([
      [1, 2],
      [Number.NaN, 0],
    ]);
    expectLattnError(() => accumulateGram(accumulator, rows), 'NON_FINITE', ['rows', 'entry (1, 0)']);
    expect(accumulator).toEqual(createGramAccumulator(2));
  });

  it('throws INVALID_ARGUMENT for something that is not an accumulator', () => {
    const broken = { ...createGramAccumulator(3), gram: new Float64Array(8) };
    expectLattnError(() => accumulateGram(broken, zeros(1, 3)), 'INVALID_ARGUMENT', [
      'accumulateGram: accumulator is not a Gram accumulator',
    ]);
    expectLattnError(() => accumulateGram({} as GramAccumulator, zeros(1, 3)), 'INVALID_ARGUMENT', ['an object']);
  });
});

describe('mergeGram', () => {
  it('equals one pass over both shards, and leaves both shards unchanged', () => {
    const dim = 11;
    const targetDim = 3;
    const { rows, targets } = chunks(6, dim, targetDim);
    const onePass = createGramAccumulator(dim, { targetDim });
    const shardA = createGramAccumulator(dim, { targetDim });
    const shardB = createGramAccumulator(dim, { targetDim });
    for (let c = 0; c < rows.length; c++) {
      accumulateGram(onePass, rows[c], targets[c]);
      accumulateGram(c % 2 === 0 ? shardA : shardB, rows[c], targets[c]);
    }
    const beforeA = structuredClone(shardA);
    const beforeB = structuredClone(shardB);
    const merged = mergeGram(shardA, shardB);
    expect(shardA).toEqual(beforeA);
    expect(shardB).toEqual(beforeB);
    expect(merged.count).toBe(onePass.count);
    const mergedMoments = gramMoments(merged);
    const onePassMoments = gramMoments(onePass);
    expectMatrixClose(mergedMoments.gram, onePassMoments.gram, { rtol: 1e-13, relativeToMax: true });
    expectMatrixClose(mergedMoments.cross, onePassMoments.cross, { rtol: 1e-13, relativeToMax: true });
    expectMatrixClose(mergedMoments.targetGram, onePassMoments.targetGram, { rtol: 1e-13, relativeToMax: true });
  });

  it('merges shards that went through structuredClone, as from workers', () => {
    const rng = createRng(7);
    const a = createGramAccumulator(4);
    const b = createGramAccumulator(4);
    const rowsA = rng.normalMatrix(10, 4);
    const rowsB = rng.normalMatrix(6, 4);
    accumulateGram(a, rowsA);
    accumulateGram(b, rowsB);
    const merged = mergeGram(structuredClone(a), structuredClone(b));
    expectMatrixClose(gramMoments(merged).gram, naiveGram(stackRows([rowsA, rowsB], 4)), {
      rtol: 1e-13,
      relativeToMax: true,
    });
  });

  it('returns a new accumulator that later accumulation does not share with its inputs', () => {
    const a = createGramAccumulator(2);
    const merged = mergeGram(a, createGramAccumulator(2));
    accumulateGram(merged, fromRows([[1, 1]]));
    expect(a.gram).toEqual(new Float64Array(4));
    expect(a.count).toBe(0);
  });

  it('throws SHAPE_MISMATCH for accumulators of different sizes', () => {
    expectLattnError(() => mergeGram(createGramAccumulator(3), createGramAccumulator(4)), 'SHAPE_MISMATCH', [
      'mergeGram: the accumulators have different sizes',
      'dim 3 and targetDim 0',
      'received dim 4 and targetDim 0',
    ]);
    expectLattnError(
      () => mergeGram(createGramAccumulator(3, { targetDim: 1 }), createGramAccumulator(3)),
      'SHAPE_MISMATCH',
      ['targetDim 1'],
    );
  });

  it('throws NON_FINITE naming the entry when a shard holds NaN', () => {
    const bad = createGramAccumulator(3);
    bad.gram[1 * 3 + 2] = Number.NaN;
    expectLattnError(() => mergeGram(createGramAccumulator(3), bad), 'NON_FINITE', [
      'mergeGram: b.gram',
      'entry (1, 2)',
    ]);
  });
});

describe('gramMoments', () => {
  it('mirrors the upper triangle into a full symmetric matrix and copies every array', () => {
    const accumulator = createGramAccumulator(3, { targetDim: 1 });
    accumulateGram(
      accumulator,
      fromRows([
        [1, 2, 3],
        [0, 1, -1],
      ]),
      fromRows([[2], [5]]),
    );
    const moments = gramMoments(accumulator);
    expectMatrixClose(
      moments.gram,
      [
        [1, 2, 3],
        [2, 5, 5],
        [3, 5, 10],
      ],
      { rtol: 0 },
    );
    expectMatrixClose(moments.cross, [[2], [9], [1]], { rtol: 0 });
    expectMatrixClose(moments.targetGram, [[29]], { rtol: 0 });
    moments.gram.data[0] = 100;
    moments.cross.data[0] = 100;
    expect(accumulator.gram[0]).toBe(1);
    expect(accumulator.cross[0]).toBe(2);
  });

  it('ignores whatever a caller wrote below the diagonal', () => {
    const accumulator = createGramAccumulator(2);
    accumulator.gram.set([4, 1, 99, 9]);
    expectMatrixClose(
      gramMoments(accumulator).gram,
      [
        [4, 1],
        [1, 9],
      ],
      { rtol: 0 },
    );
  });

  it('throws NON_FINITE when the accumulator holds Infinity', () => {
    const accumulator = createGramAccumulator(1, { targetDim: 1 });
    accumulator.cross[0] = Number.POSITIVE_INFINITY;
    expectLattnError(() => gramMoments(accumulator), 'NON_FINITE', ['gramMoments: accumulator.cross']);
  });
});

describe('accumulateGram and mergeGram on finite data whose sums overflow', () => {
  const limit = 2 ** 1023;

  it('throws NON_FINITE naming accumulateGram for a chunk of 1e200 rows, and the accumulator stays as it was (regression: the Gram became Infinity)', () => {
    const rng = createRng(20);
    const good = [rng.normalMatrix(7, 4), rng.normalMatrix(5, 4)];
    const targets = [rng.normalMatrix(7, 2), rng.normalMatrix(5, 2)];
    const accumulator = createGramAccumulator(4, { targetDim: 2 });
    accumulateGram(accumulator, good[0], targets[0]);
    const huge = fromRows([
      [1, 2, 3, 4],
      [1e200, 0, -1, 0],
    ]);
    const error = expectLattnErrorOf(
      () => accumulateGram(accumulator, huge, zeros(2, 2)),
      'NON_FINITE',
      'accumulateGram',
      ['sums of squares of rows overflow float64', 'accumulator.gram entry (0, 0)', 'received Infinity', '1e+200'],
    );
    expect(error.details).toMatchObject({ argument: 'rows', entry: 0 });
    accumulateGram(accumulator, good[1], targets[1]);
    const fresh = createGramAccumulator(4, { targetDim: 2 });
    accumulateGram(fresh, good[0], targets[0]);
    accumulateGram(fresh, good[1], targets[1]);
    expect(accumulator).toEqual(fresh);
  });

  it('throws NON_FINITE naming the targets when finite targets of 1e200 make Σ y yᵀ overflow, changing nothing', () => {
    const accumulator = createGramAccumulator(2, { targetDim: 2 });
    accumulateGram(accumulator, fromRows([[1, 2]]), fromRows([[3, 4]]));
    const before = structuredClone(accumulator);
    expectLattnErrorOf(
      () => accumulateGram(accumulator, fromRows([[1, 1]]), fromRows([[0, 1e200]])),
      'NON_FINITE',
      'accumulateGram',
      ['sums of squares of targets overflow float64', 'accumulator.targetGram entry (1, 1)', 'divide the targets'],
    );
    expect(accumulator).toEqual(before);
  });

  it('counts the sums already accumulated: rows that fit alone are rejected when the total would pass 2^1023', () => {
    const accumulator = createGramAccumulator(1);
    const row = fromRows([[2 ** 511]]); // squares to 2^1022
    accumulateGram(accumulator, row);
    accumulateGram(accumulator, row); // 2^1023: at the limit, accepted
    expect(accumulator.gram[0]).toBe(limit);
    // 1.5 · 2^1023 is finite, but within a factor 2 of overflow no off-diagonal partial sum would be bounded.
    expectLattnErrorOf(() => accumulateGram(accumulator, row), 'NON_FINITE', 'accumulateGram', [
      'at most 2^1023',
      `received ${1.5 * limit}`,
    ]);
    expect(accumulator.gram[0]).toBe(limit);
    expect(accumulator.count).toBe(2);
  });

  it('keeps every entry finite when the diagonal is just below 2^1023 and the columns are nearly parallel (off-diagonal entries as large as the diagonal)', () => {
    const rng = createRng(21);
    const n = 40;
    const dim = 6;
    const base = rng.normalMatrix(n, 1);
    const noise = rng.normalMatrix(n, dim);
    const rows = zeros(n, dim);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < dim; j++) rows.data[r * dim + j] = base.data[r] * (1 + 1e-3 * noise.data[r * dim + j]);
    }
    const unscaled = naiveGram(rows);
    let largestDiagonal = 0;
    for (let j = 0; j < dim; j++) largestDiagonal = Math.max(largestDiagonal, unscaled.data[j * dim + j]);
    // Rows times 2^e put the largest diagonal entry in (2^1022, 2^1023].
    const e = Math.floor((1023 - Math.log2(largestDiagonal)) / 2);
    const accumulator = createGramAccumulator(dim);
    accumulateGram(accumulator, scaleByPowerOfTwo(rows, e));
    const moments = gramMoments(accumulator);
    expect(moments.gram.data.every((x) => Number.isFinite(x))).toBe(true);
    expect(Math.max(...moments.gram.data)).toBeGreaterThan(2 ** 1021);
    expectMatrixClose(scaleByPowerOfTwo(moments.gram, -2 * e), unscaled, { rtol: 1e-13, relativeToMax: true });
  });

  it('throws NON_FINITE naming mergeGram, the entry and both addends when two finite shards sum beyond float64, leaving both unchanged', () => {
    const shard = createGramAccumulator(2, { targetDim: 1 });
    accumulateGram(shard, fromRows([[9e153, 1]]), fromRows([[1]])); // gram (0, 0) = 8.1e307
    const twice = mergeGram(shard, shard); // 1.62e308: still finite
    expect(twice.gram[0]).toBe(2 * shard.gram[0]);
    const before = structuredClone({ twice, shard });
    expectLattnErrorOf(() => mergeGram(twice, shard), 'NON_FINITE', 'mergeGram', [
      'overflows float64 at gram entry (0, 0)',
      `a.gram ${twice.gram[0]} + b.gram ${shard.gram[0]} = Infinity`,
    ]);
    expect({ twice, shard }).toEqual(before);
  });

  it('throws NON_FINITE naming mergeGram when the cross or target sums overflow', () => {
    const shard = createGramAccumulator(1, { targetDim: 1 });
    accumulateGram(shard, fromRows([[9e153]]), fromRows([[9e153]])); // every sum 8.1e307
    const twice = mergeGram(shard, shard);
    const copy = { ...structuredClone(twice), gram: new Float64Array(1) };
    expectLattnErrorOf(() => mergeGram(copy, twice), 'NON_FINITE', 'mergeGram', ['at cross entry (0, 0)']);
    copy.cross[0] = 0;
    expectLattnErrorOf(() => mergeGram(copy, twice), 'NON_FINITE', 'mergeGram', ['at targetGram entry (0, 0)']);
  });
});

describe('accumulateGram at the edge of float64 (fast-check)', () => {
  it('refuses a chunk exactly when its largest diagonal entry passes 2^1023, and otherwise returns bitwise the unit-scale sums times 4^k', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.integer({ min: -3, max: 3 }),
        (n, dim, seed, offset) => {
          const rows = createRng(seed).normalMatrix(n, dim);
          const unit = createGramAccumulator(dim);
          accumulateGram(unit, rows);
          let largest = 0;
          for (let i = 0; i < dim; i++) largest = Math.max(largest, unit.gram[i * dim + i]);
          // k puts the largest diagonal entry near 2^1023: at offset 0 in (2^1021, 2^1023], beyond it above.
          const k = Math.floor((1023 - Math.log2(largest)) / 2) + offset;
          const expected = timesPowerOfTwo(largest, 2 * k);
          const accumulator = createGramAccumulator(dim);
          let refused = false;
          try {
            accumulateGram(accumulator, scaleByPowerOfTwo(rows, k));
          } catch (error) {
            expect(error).toMatchObject({ code: 'NON_FINITE' });
            refused = true;
          }
          if (refused) {
            expect(expected).toBeGreaterThan(2 ** 1023 * (1 - 1e-12));
            expect(accumulator).toEqual(createGramAccumulator(dim));
          } else {
            expect(expected).toBeLessThanOrEqual(2 ** 1023 * (1 + 1e-12));
            expect(accumulator.gram.every((x) => Number.isFinite(x))).toBe(true);
            expect(scaleByPowerOfTwo({ rows: dim, cols: dim, data: accumulator.gram }, -2 * k).data).toEqual(unit.gram);
          }
        },
      ),
      { seed: 31, numRuns: 200 },
    );
  });
});
