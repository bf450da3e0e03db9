import { describe, expect, it } from 'vitest';
import { EPS, lowRank, plantedSingular } from './__fixtures__/planted-matrices.js';
import { cholesky, choleskySolve } from './cholesky.js';
import { lstsq } from './lstsq.js';
import { matmul } from './matmul.js';
import { fromRows, type Matrix, toRows } from './matrix.js';
import { pinv } from './pinv.js';
import { createRng } from './rng.js';
import { svd } from './svd.js';
import { expectLattnError, expectMatrixClose, expectVectorClose } from './testing/index.js';
import { transpose } from './transpose.js';

/** The normal-equations solution `(AᵀA)⁻¹Aᵀb` by Cholesky: an independent route for full column rank. */
function normalEquations(a: Matrix, b: Matrix): Matrix {
  const { factor, positiveDefinite } = cholesky(matmul(transpose(a), a));
  if (!positiveDefinite) throw new Error('AᵀA not positive definite');
  return choleskySolve(factor, matmul(transpose(a), b));
}

function norm(data: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
  return Math.sqrt(sum);
}

describe('lstsq', () => {
  it('matches the normal equations on well-conditioned overdetermined problems', () => {
    for (const [m, n, k] of [
      [10, 3, 1],
      [65, 7, 3],
      [200, 40, 2],
    ]) {
      const rng = createRng(m + n);
      const a = rng.normalMatrix(m, n);
      const b = rng.normalMatrix(m, k);
      const result = lstsq(a, b);
      expect(result.rank).toBe(n);
      // Condition of AᵀA ≈ κ(A)² ≲ 10 here, so both routes agree to a few hundred ε.
      expectMatrixClose(result.solution, normalEquations(a, b), { rtol: 1e-12, atol: 1e-13 });
    }
  });

  it('solves a consistent square system exactly', () => {
    const rng = createRng(2);
    const a = rng.normalMatrix(30, 30);
    const x = rng.normalMatrix(30, 2);
    const result = lstsq(a, matmul(a, x));
    const { s } = svd(a, { vectors: false });
    // Forward error of a backward-stable solve: about κ(A)·ε.
    expectMatrixClose(result.solution, x, { atol: 30 * (s[0] / s[29]) * EPS * 10, rtol: 0 });
    for (const r of result.residualNorms) expect(r).toBeLessThan(1e-12);
  });

  it('returns the minimum-norm solution for rank-deficient systems: orthogonal to the null space', () => {
    const a = lowRank(40, 25, 10, 5); // null space of dimension 15
    const b = createRng(6).normalMatrix(40, 3);
    const result = lstsq(a, b);
    expect(result.rank).toBe(10);
    const { v } = svd(a);
    if (v === undefined) throw new Error('vectors missing');
    // Vᵀ_null · X = 0: the solution has no component along the 15 null directions.
    const nullBasis: Matrix = {
      rows: 25,
      cols: 15,
      data: Float64Array.from({ length: 25 * 15 }, (_, i) => v.data[Math.floor(i / 15) * 25 + 10 + (i % 15)]),
    };
    const scale = norm(result.solution.data);
    expectMatrixClose(matmul(transpose(nullBasis), result.solution), new Array(15).fill(new Array(3).fill(0)), {
      atol: 1e-12 * scale,
    });
    // Adding a null vector keeps the residual and lengthens the solution.
    const shifted = result.solution.data.map((x, i) => x + nullBasis.data[Math.floor(i / 3) * 15] * 0.1);
    const shiftedSolution = { rows: 25, cols: 3, data: shifted };
    const residual = matmul(a, shiftedSolution).data.map((x, i) => x - b.data[i]);
    expect(norm(residual)).toBeCloseTo(norm(result.residualNorms), 10);
    expect(norm(shifted)).toBeGreaterThan(norm(result.solution.data));
  });

  it('returns Aᵀ(AAᵀ)⁻¹b for an underdetermined full-row-rank system', () => {
    const rng = createRng(8);
    const a = rng.normalMatrix(6, 20);
    const b = rng.normalMatrix(6, 2);
    const { factor } = cholesky(matmul(a, transpose(a)));
    const expected = matmul(transpose(a), choleskySolve(factor, b));
    const result = lstsq(a, b);
    expect(result.rank).toBe(6);
    expectMatrixClose(result.solution, expected, { rtol: 1e-12, atol: 1e-13 });
    for (const r of result.residualNorms) expect(r).toBeLessThan(1e-13);
  });

  it('equals pinv(A)·b', () => {
    const a = plantedSingular(15, 9, [4, 3, 2, 1, 1e-3, 1e-6, 0, 0, 0], 4);
    const b = createRng(3).normalMatrix(15, 2);
    const result = lstsq(a, b);
    expectMatrixClose(result.solution, matmul(pinv(a).inverse, b), { rtol: 1e-9, atol: 1e-9 });
  });

  it('splits the weight of a duplicated column evenly, as the README shows', () => {
    const fit = lstsq(
      fromRows([
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
      fromRows([[2], [4], [6]]),
    );
    expect(toRows(fit.solution)).toEqual([[0.9999999999999998], [1]]);
    expect([fit.rank, fit.threshold]).toEqual([1, 3.524848827571324e-15]);
  });

  it('reports residual norms equal to ‖A·x − b‖ column by column', () => {
    const rng = createRng(10);
    const a = rng.normalMatrix(12, 4);
    const b = rng.normalMatrix(12, 3);
    const result = lstsq(a, b);
    const residual = matmul(a, result.solution).data.map((x, i) => x - b.data[i]);
    const perColumn = [0, 1, 2].map((j) => norm(residual.filter((_, i) => i % 3 === j)));
    expectVectorClose(result.residualNorms, perColumn, { rtol: 1e-14 });
  });

  it('reports the default rtol max(m, n)·ε and its threshold, and honours rtol and atol', () => {
    const a = plantedSingular(8, 5, [1, 0.5, 1e-3, 1e-7, 1e-20], 2);
    const b = createRng(1).normalMatrix(8, 1);
    const defaults = lstsq(a, b);
    expect(defaults.rtol).toBe(8 * EPS);
    expect(defaults.atol).toBe(0);
    expect(defaults.threshold).toBe(8 * EPS * defaults.singularValues[0]);
    expect(defaults.rank).toBe(4);
    const coarse = lstsq(a, b, { rtol: 1e-5 });
    expect(coarse.rank).toBe(3);
    expect(coarse.threshold).toBeCloseTo(1e-5 * coarse.singularValues[0], 20);
    const absolute = lstsq(a, b, { atol: 0.1 });
    expect(absolute.rank).toBe(2);
    expect(absolute.threshold).toBe(0.1);
  });

  it('handles empty shapes', () => {
    const b = fromRows([[1], [2]]);
    const noColumns = lstsq({ rows: 2, cols: 0, data: new Float64Array(0) }, b);
    expect([noColumns.solution.rows, noColumns.solution.cols, noColumns.rank]).toEqual([0, 1, 0]);
    expectVectorClose(noColumns.residualNorms, [Math.sqrt(5)], { rtol: 1e-15 });
    const noRows = lstsq(
      { rows: 0, cols: 3, data: new Float64Array(0) },
      { rows: 0, cols: 2, data: new Float64Array(0) },
    );
    expect(noRows.solution).toEqual({ rows: 3, cols: 2, data: new Float64Array(6) });
    expect(Array.from(noRows.residualNorms)).toEqual([0, 0]);
  });

  it('solves the 1 × 1 case and the zero matrix', () => {
    expect(Array.from(lstsq(fromRows([[4]]), fromRows([[2]])).solution.data)).toEqual([0.5]);
    const zero = lstsq({ rows: 3, cols: 2, data: new Float64Array(6) }, fromRows([[1], [1], [1]]));
    expect(zero.rank).toBe(0);
    expect(Array.from(zero.solution.data)).toEqual([0, 0]);
  });

  it('does not mutate its inputs', () => {
    const rng = createRng(5);
    const a = rng.normalMatrix(7, 3);
    const b = rng.normalMatrix(7, 2);
    const copies = [Float64Array.from(a.data), Float64Array.from(b.data)];
    lstsq(a, b);
    expect([Array.from(a.data), Array.from(b.data)]).toEqual(copies.map((c) => Array.from(c)));
  });

  it('throws SHAPE_MISMATCH when b has a different number of rows', () => {
    expectLattnError(
      () =>
        lstsq(
          fromRows([
            [1, 2],
            [3, 4],
          ]),
          fromRows([[1], [2], [3]]),
        ),
      'SHAPE_MISMATCH',
      'lstsq',
    );
  });

  it('throws NON_FINITE for NaN in b and INVALID_ARGUMENT for bad options', () => {
    const a = fromRows([[1], [2]]);
    expectLattnError(() => lstsq(a, fromRows([[1], [Number.NaN]])), 'NON_FINITE', 'lstsq');
    expectLattnError(() => lstsq(a, fromRows([[1], [2]]), { rtol: -1 }), 'INVALID_ARGUMENT', 'lstsq');
    expectLattnError(() => lstsq(a, fromRows([[1], [2]]), { rcond: 1 } as never), 'INVALID_ARGUMENT', 'lstsq');
  });
});
