import { pseudoInverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fromMl, toMl } from './__fixtures__/oracles.js';
import { EPS, lowRank } from './__fixtures__/planted-matrices.js';
import { cholesky, choleskySolve } from './cholesky.js';
import { matmul } from './matmul.js';
import { fromRows, identity } from './matrix.js';
import { pinv } from './pinv.js';
import { createRng } from './rng.js';
import { expectLattnError, expectMatrixClose } from './testing/index.js';
import { transpose } from './transpose.js';

describe('pinv', () => {
  it.each([
    [30, 20, 8],
    [20, 30, 11],
    [25, 25, 25],
    [7, 130, 3],
  ])('satisfies the four Penrose conditions for a %i × %i matrix of rank %i', (m, n, r) => {
    const a = lowRank(m, n, r, m * n);
    const { inverse, rank } = pinv(a);
    expect(rank).toBe(r);
    expect([inverse.rows, inverse.cols]).toEqual([n, m]);
    const aPlus = inverse;
    const tolerance = { atol: 1e-10, rtol: 1e-10, relativeToMax: true };
    expectMatrixClose(matmul(matmul(a, aPlus), a), a, tolerance);
    expectMatrixClose(matmul(matmul(aPlus, a), aPlus), aPlus, tolerance);
    const left = matmul(a, aPlus);
    const right = matmul(aPlus, a);
    expectMatrixClose(left, transpose(left), { atol: 1e-12 });
    expectMatrixClose(right, transpose(right), { atol: 1e-12 });
  });

  it('equals (AᵀA)⁻¹Aᵀ for a tall matrix of full column rank', () => {
    const a = createRng(3).normalMatrix(40, 6);
    const { factor } = cholesky(matmul(transpose(a), a));
    expectMatrixClose(pinv(a).inverse, choleskySolve(factor, transpose(a)), { rtol: 1e-12, atol: 1e-13 });
  });

  it('is the inverse of an invertible matrix', () => {
    const a = createRng(4).normalMatrix(12, 12);
    const { inverse } = pinv(a);
    expectMatrixClose(matmul(a, inverse), identity(12), { atol: 1e-11 });
  });

  it('agrees with ml-matrix’s pseudoInverse', () => {
    const a = lowRank(15, 10, 6, 9);
    const { inverse, threshold } = pinv(a);
    const oracle = fromMl(pseudoInverse(toMl(a), threshold));
    expectMatrixClose(inverse, oracle, { rtol: 1e-9, atol: 1e-9, relativeToMax: true });
  });

  it('reports the default rtol max(m, n)·ε and honours atol', () => {
    const a = fromRows([
      [2, 0, 0],
      [0, 1e-3, 0],
    ]);
    const defaults = pinv(a);
    expect(defaults.rtol).toBe(3 * EPS);
    expect(defaults.rank).toBe(2);
    expectMatrixClose(
      defaults.inverse,
      [
        [0.5, 0],
        [0, 1000],
        [0, 0],
      ],
      { rtol: 1e-15 },
    );
    const cut = pinv(a, { atol: 0.01 });
    expect(cut.rank).toBe(1);
    expectMatrixClose(
      cut.inverse,
      [
        [0.5, 0],
        [0, 0],
        [0, 0],
      ],
      { rtol: 1e-15 },
    );
  });

  it('handles empty and zero matrices', () => {
    expect(pinv({ rows: 0, cols: 3, data: new Float64Array(0) }).inverse).toEqual({
      rows: 3,
      cols: 0,
      data: new Float64Array(0),
    });
    const zero = pinv({ rows: 2, cols: 3, data: new Float64Array(6) });
    expect(zero.rank).toBe(0);
    expect(zero.inverse).toEqual({ rows: 3, cols: 2, data: new Float64Array(6) });
  });

  it('throws for invalid input with its code', () => {
    expectLattnError(() => pinv(fromRows([[Number.POSITIVE_INFINITY]])), 'NON_FINITE', 'pinv');
    expectLattnError(() => pinv(fromRows([[1]]), { atol: -1 }), 'INVALID_ARGUMENT', 'pinv');
    expectLattnError(() => pinv(fromRows([[1]]), { tol: 1 } as never), 'INVALID_ARGUMENT', 'pinv');
  });
});
