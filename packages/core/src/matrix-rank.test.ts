import { SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { toMl } from './__fixtures__/oracles.js';
import { EPS, lowRank, plantedSingular } from './__fixtures__/planted-matrices.js';
import { fromRows, identity } from './matrix.js';
import { matrixRank } from './matrix-rank.js';
import { expectLattnError, expectVectorClose } from './testing/index.js';

describe('matrixRank', () => {
  it.each([
    [1, 1, 1],
    [2, 3, 1],
    [7, 7, 4],
    [65, 40, 17],
    [40, 65, 39],
    [130, 130, 64],
  ])('finds the planted rank of a %i × %i product of rank %i', (m, n, r) => {
    expect(matrixRank(lowRank(m, n, r, 7 * m + n)).rank).toBe(r);
  });

  it('agrees with ml-matrix’s singular values', () => {
    const a = lowRank(30, 20, 9, 1);
    const { singularValues } = matrixRank(a);
    const oracle = new SingularValueDecomposition(toMl(a), { autoTranspose: true });
    expectVectorClose(singularValues, oracle.diagonal, { atol: 1e-12 * singularValues[0], rtol: 0 });
  });

  it('counts singular values strictly above max(atol, rtol·σ₁)', () => {
    const a = plantedSingular(6, 6, [1, 1e-4, 1e-8, 1e-12, 1e-15, 0], 5);
    const defaults = matrixRank(a);
    expect(defaults.rtol).toBe(6 * EPS);
    expect(defaults.threshold).toBe(6 * EPS * defaults.singularValues[0]);
    expect(defaults.rank).toBe(4);
    expect(matrixRank(a, { rtol: 1e-6 }).rank).toBe(2);
    expect(matrixRank(a, { atol: 0.5 }).rank).toBe(1);
    expect(matrixRank(a, { atol: 2 }).rank).toBe(0);
    // A singular value equal to the threshold counts as zero.
    expect(
      matrixRank(
        fromRows([
          [1, 0],
          [0, 0.5],
        ]),
        { atol: 0.5 },
      ).rank,
    ).toBe(1);
  });

  it('gives full rank for the identity and rank 0 for zero and empty matrices', () => {
    expect(matrixRank(identity(9)).rank).toBe(9);
    expect(matrixRank({ rows: 4, cols: 3, data: new Float64Array(12) }).rank).toBe(0);
    const empty = matrixRank({ rows: 0, cols: 5, data: new Float64Array(0) });
    expect([empty.rank, empty.singularValues.length, empty.threshold]).toEqual([0, 0, 0]);
  });

  it('throws for invalid input with its code', () => {
    expectLattnError(() => matrixRank(fromRows([[Number.NaN]])), 'NON_FINITE', 'matrixRank');
    expectLattnError(() => matrixRank(fromRows([[1]]), { rtol: Number.NaN }), 'INVALID_ARGUMENT', 'matrixRank');
    expectLattnError(() => matrixRank(fromRows([[1]]), { tol: 1 } as never), 'INVALID_ARGUMENT', 'matrixRank');
    expectLattnError(() => matrixRank('a' as never), 'INVALID_ARGUMENT', 'matrixRank');
  });
});
