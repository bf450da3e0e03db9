import { SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { toMl } from './__fixtures__/oracles.js';
import { EPS, gramOfColumns, lowRank, plantedSingular } from './__fixtures__/planted-matrices.js';
import { matmul } from './matmul.js';
import { fromRows, identity, type Matrix } from './matrix.js';
import { createRng } from './rng.js';
import { svd } from './svd.js';
import { expectLattnError, expectMatrixClose, expectVectorClose } from './testing/index.js';
import { transpose } from './transpose.js';

/** `U·diag(s)·Vᵀ`. */
function reconstruct(u: Matrix, s: Float64Array, v: Matrix): Matrix {
  const k = s.length;
  const scaled = new Float64Array(u.rows * k);
  for (let i = 0; i < u.rows; i++) for (let p = 0; p < k; p++) scaled[i * k + p] = u.data[i * k + p] * s[p];
  return matmul({ rows: u.rows, cols: k, data: scaled }, transpose(v));
}

function decompose(a: Matrix): { u: Matrix; s: Float64Array; v: Matrix } {
  const { u, s, v } = svd(a);
  if (u === undefined || v === undefined) throw new Error('vectors missing');
  return { u, s, v };
}

describe('svd', () => {
  it.each([
    [1, 1],
    [2, 1],
    [1, 3],
    [3, 3],
    [7, 5],
    [5, 7],
    [65, 65],
    [130, 7],
    [7, 130],
    [300, 120],
  ])('reconstructs a random %i × %i matrix with orthonormal singular vectors', (m, n) => {
    const a = createRng(m * 1000 + n).normalMatrix(m, n);
    const { u, s, v } = decompose(a);
    const k = Math.min(m, n);
    expect([u.rows, u.cols, s.length, v.rows, v.cols]).toEqual([m, k, k, n, k]);
    const tolerance = 4 * Math.max(m, n) * EPS;
    expectMatrixClose(reconstruct(u, s, v), a, { atol: tolerance * s[0], rtol: 0 });
    expectMatrixClose(gramOfColumns(u), identity(k), { atol: tolerance, rtol: 0 });
    expectMatrixClose(gramOfColumns(v), identity(k), { atol: tolerance, rtol: 0 });
    for (let i = 1; i < k; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
    expect(s[k - 1]).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['condition 1e8', 40, 30, Array.from({ length: 30 }, (_, i) => 10 ** (-8 * (i / 29)))],
    ['condition 1e12', 25, 25, Array.from({ length: 25 }, (_, i) => 10 ** (-12 * (i / 24)))],
    ['a cluster and exact zeros', 20, 12, [3, 2, 2, 2 - 1e-13, 2 + 1e-13, 1, 0.5, 0, 0, 0, 0, 0]],
    ['a wide matrix of condition 1e10', 10, 35, [1, 0.9, 0.1, 1e-3, 1e-5, 1e-7, 1e-8, 1e-9, 1e-9, 1e-10]],
  ])('recovers planted singular values with %s to absolute accuracy k·ε·σ₁', (_label, m, n, planted) => {
    const a = plantedSingular(m, n, planted, 17);
    const { u, s, v } = decompose(a);
    const k = Math.min(m, n);
    const expected = [...planted, ...Array(k - planted.length).fill(0)].sort((x, y) => y - x);
    expectVectorClose(s, expected, { atol: 4 * k * EPS * expected[0], rtol: 0 });
    expectMatrixClose(gramOfColumns(u), identity(k), { atol: 4 * Math.max(m, n) * EPS, rtol: 0 });
    expectMatrixClose(gramOfColumns(v), identity(k), { atol: 4 * Math.max(m, n) * EPS, rtol: 0 });
    expectMatrixClose(reconstruct(u, s, v), a, { atol: 4 * k * EPS * expected[0], rtol: 0 });
  });

  it('keeps the relative accuracy of well-separated singular values at condition 1e8', () => {
    const planted = [1, 1e-2, 1e-4, 1e-6, 1e-8];
    const { s } = svd(plantedSingular(9, 5, planted, 3), { vectors: false });
    // Absolute error ≈ ε·σ₁, so σ = 1e-8 keeps about 8 digits.
    expectVectorClose(s, planted, { rtol: 1e-7 });
  });

  it('agrees with ml-matrix’s SingularValueDecomposition on random matrices', () => {
    for (const [m, n] of [
      [30, 20],
      [20, 30],
      [64, 64],
    ]) {
      const a = createRng(m + n).normalMatrix(m, n);
      const { u, s, v } = decompose(a);
      const oracle = new SingularValueDecomposition(toMl(a), { autoTranspose: true });
      expectVectorClose(s, oracle.diagonal, { atol: 8 * Math.max(m, n) * EPS * s[0], rtol: 0 });
      // Singular vectors agree up to sign (random singular values are distinct).
      const k = s.length;
      for (let p = 0; p < k; p++) {
        let dotU = 0;
        let dotV = 0;
        for (let i = 0; i < m; i++) dotU += u.data[i * k + p] * oracle.leftSingularVectors.get(i, p);
        for (let j = 0; j < n; j++) dotV += v.data[j * k + p] * oracle.rightSingularVectors.get(j, p);
        expect(Math.abs(Math.abs(dotU) - 1)).toBeLessThan(1e-9);
        expect(Math.abs(dotV - dotU)).toBeLessThan(1e-9);
      }
    }
  });

  it('returns the rank-r structure of a rank-deficient matrix: r non-zero singular values', () => {
    const a = lowRank(50, 40, 12, 8);
    const { s } = svd(a, { vectors: false });
    expect(s[11] / s[0]).toBeGreaterThan(1e-6);
    for (let i = 12; i < 40; i++) expect(s[i]).toBeLessThanOrEqual(4 * 50 * EPS * s[0]);
  });

  it('returns the same singular values bit for bit without vectors, and omits them', () => {
    const a = createRng(4).normalMatrix(33, 21);
    const full = svd(a);
    const valuesOnly = svd(a, { vectors: false });
    expect(valuesOnly.u).toBeUndefined();
    expect(valuesOnly.v).toBeUndefined();
    expect(Array.from(valuesOnly.s)).toEqual(Array.from(full.s));
  });

  it('matches the closed form of a 2 × 2 example', () => {
    const { s } = svd(
      fromRows([
        [3, 0],
        [4, 5],
      ]),
    );
    expectVectorClose(s, [Math.sqrt(45), Math.sqrt(5)], { rtol: 4 * EPS });
  });

  it('handles empty matrices: k = 0 with correctly shaped factors', () => {
    for (const [m, n] of [
      [0, 0],
      [0, 3],
      [4, 0],
    ]) {
      const { u, s, v } = svd({ rows: m, cols: n, data: new Float64Array(0) });
      expect(s.length).toBe(0);
      expect([u?.rows, u?.cols, v?.rows, v?.cols]).toEqual([m, 0, n, 0]);
    }
  });

  it('handles the zero matrix', () => {
    const { u, s, v } = decompose({ rows: 3, cols: 2, data: new Float64Array(6) });
    expect(Array.from(s)).toEqual([0, 0]);
    expectMatrixClose(gramOfColumns(u), identity(2), { atol: 0 });
    expectMatrixClose(gramOfColumns(v), identity(2), { atol: 0 });
  });

  it('scales: singular values of 1e250·A and 1e-250·A are 1e±250 times those of A', () => {
    const a = createRng(6).normalMatrix(8, 6);
    const base = svd(a, { vectors: false }).s;
    for (const factor of [1e250, 1e-250]) {
      const s = svd({ rows: 8, cols: 6, data: a.data.map((x) => x * factor) }, { vectors: false }).s;
      expectVectorClose(
        s,
        base.map((x) => x * factor),
        { atol: 32 * EPS * base[0] * factor, rtol: 0 },
      );
    }
  });

  it('does not mutate its input and returns a structured-cloneable result', () => {
    const a = createRng(12).normalMatrix(9, 14);
    const copy = Float64Array.from(a.data);
    const result = svd(a);
    expect(Array.from(a.data)).toEqual(Array.from(copy));
    expect(structuredClone(result)).toEqual(result);
  });

  it('throws NON_FINITE for NaN or Infinity', () => {
    expectLattnError(() => svd(fromRows([[1, Number.NaN]])), 'NON_FINITE', 'svd');
  });

  it('throws INVALID_ARGUMENT for unknown or invalid options and non-matrices', () => {
    const a = fromRows([[1, 2]]);
    expectLattnError(() => svd(a, { rtol: 1 } as never), 'INVALID_ARGUMENT', 'svd');
    expectLattnError(() => svd(a, { vectors: 1 } as never), 'INVALID_ARGUMENT', 'svd');
    expectLattnError(() => svd({ rows: 2, cols: 2, data: new Float64Array(3) }), 'INVALID_ARGUMENT', 'svd');
  });
});
