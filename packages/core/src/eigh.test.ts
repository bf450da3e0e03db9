import { EigenvalueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { expectLattnError, toMl } from './__fixtures__/oracles.js';
import { EPS, gramOfColumns, mirrorLower, plantedSymmetric, randomSymmetric } from './__fixtures__/planted-matrices.js';
import { eigh } from './eigh.js';
import { matmul } from './matmul.js';
import { fromRows, identity, type Matrix } from './matrix.js';
import { expectMatrixClose, expectVectorClose } from './testing/index.js';
import { transpose } from './transpose.js';

/** `Q·diag(λ)·Qᵀ` from a decomposition. */
function reconstruct(vectors: Matrix, values: Float64Array): Matrix {
  const n = values.length;
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled[i * n + j] = vectors.data[i * n + j] * values[j];
  return matmul({ rows: n, cols: n, data: scaled }, transpose(vectors));
}

function largest(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** The symmetric tridiagonal matrix with the given diagonal and constant off-diagonal. */
function tridiagonal(diagonal: readonly number[], off: number): Matrix {
  const n = diagonal.length;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = diagonal[i];
    if (i + 1 < n) {
      data[i * n + i + 1] = off;
      data[(i + 1) * n + i] = off;
    }
  }
  return { rows: n, cols: n, data };
}

describe('eigh', () => {
  it.each([1, 2, 3, 7, 65, 130])(
    'reconstructs a random symmetric matrix of size %i with orthonormal eigenvectors',
    (n) => {
      const a = randomSymmetric(n, n);
      const { values, vectors } = eigh(a);
      if (vectors === undefined) throw new Error('vectors missing');
      const scale = largest(values);
      // Backward stability: ‖A − QΛQᵀ‖ and ‖QᵀQ − I‖ of order n·ε (times ‖A‖).
      expectMatrixClose(reconstruct(vectors, values), a, { atol: 4 * n * EPS * scale, rtol: 0 });
      expectMatrixClose(gramOfColumns(vectors), identity(n), { atol: 4 * n * EPS, rtol: 0 });
      for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    },
  );

  it('prints what the README shows for the 1-2-1 matrix of size 3', () => {
    const g = fromRows([
      [2, 1, 0],
      [1, 2, 1],
      [0, 1, 2],
    ]);
    expect(Array.from(eigh(g).values)).toEqual([0.5857864376269051, 2, 3.414213562373095]);
    expectVectorClose(eigh(g).values, [2 - Math.SQRT2, 2, 2 + Math.SQRT2], { rtol: 4 * EPS });
  });

  it('matches the 2 × 2 closed form', () => {
    const [p, q, r] = [3, -2, 0.5];
    const { values, vectors } = eigh(
      fromRows([
        [p, q],
        [q, r],
      ]),
    );
    const mean = (p + r) / 2;
    const radius = Math.hypot((p - r) / 2, q);
    expectVectorClose(values, [mean - radius, mean + radius], { rtol: 4 * EPS });
    // The eigenvector of λ is ∝ (q, λ − p).
    const lambda = values[0];
    const norm = Math.hypot(q, lambda - p);
    const sign = Math.sign(vectors?.data[0] ?? 1) * Math.sign(q);
    expectVectorClose(
      [vectors?.data[0] ?? 0, vectors?.data[2] ?? 0],
      [(sign * q) / norm, (sign * (lambda - p)) / norm],
      {
        atol: 8 * EPS,
      },
    );
  });

  it('returns a diagonal matrix’s entries sorted, with permutation eigenvectors', () => {
    const { values, vectors } = eigh(
      fromRows([
        [5, 0, 0],
        [0, -1, 0],
        [0, 0, 2],
      ]),
    );
    expect(Array.from(values)).toEqual([-1, 2, 5]);
    expectMatrixClose(
      vectors ?? [],
      [
        [0, 0, 1],
        [1, 0, 0],
        [0, 1, 0],
      ],
      { atol: 0, rtol: 0 },
    );
  });

  it.each([
    ['a cluster of nearly equal eigenvalues', [1, 1 + 1e-14, 1 + 2e-14, 1 + 3e-14, 2, 3, -4]],
    ['exact zeros (rank 3 of 9)', [0, 0, 0, 0, 0, 0, 5, 1, 2]],
    ['condition 1e8', [1e-8, 1e-4, 0.5, 1, 1, 3, 7]],
    ['condition 1e12', [1e-12, 1e-9, 1e-6, 1e-3, 1]],
    ['a repeated eigenvalue of multiplicity 10', [...Array(10).fill(2), -3, 7]],
    [
      'a null space of dimension 100 (n = 130, divide and conquer)',
      Array.from({ length: 130 }, (_, i) => (i < 100 ? 0 : i)),
    ],
    ['three eigenvalues of multiplicity 50 (n = 150)', Array.from({ length: 150 }, (_, i) => (i % 3) - 1)],
    [
      'a cluster of 40 within 1e-13 (n = 120)',
      Array.from({ length: 120 }, (_, i) => (i < 40 ? 1 + i * 2.5e-15 : i / 60)),
    ],
    ['condition 1e12 (n = 200)', Array.from({ length: 200 }, (_, i) => 10 ** (-12 * (i / 199)))],
  ])('recovers a planted spectrum with %s to absolute accuracy n·ε·‖A‖', (_label, spectrum) => {
    const n = spectrum.length;
    const a = plantedSymmetric(spectrum, 42);
    const { values, vectors } = eigh(a);
    const sorted = [...spectrum].sort((x, y) => x - y);
    const scale = largest(spectrum);
    expectVectorClose(values, sorted, { atol: 4 * n * EPS * scale, rtol: 0 });
    if (vectors === undefined) throw new Error('vectors missing');
    expectMatrixClose(gramOfColumns(vectors), identity(n), { atol: 4 * n * EPS, rtol: 0 });
    expectMatrixClose(reconstruct(vectors, values), a, { atol: 4 * n * EPS * scale, rtol: 0 });
  });

  it('agrees with ml-matrix’s EigenvalueDecomposition on random symmetric matrices', () => {
    for (const n of [5, 40, 97]) {
      const a = randomSymmetric(n, 1000 + n);
      const { values, vectors } = eigh(a);
      const oracle = new EigenvalueDecomposition(toMl(a), { assumeSymmetric: true });
      const expected = [...oracle.realEigenvalues].sort((x, y) => x - y);
      expectVectorClose(values, expected, { atol: 4 * n * EPS * largest(expected), rtol: 0 });
      // Eigenvectors agree up to sign (random spectra are well separated).
      const v = oracle.eigenvectorMatrix;
      const order = oracle.realEigenvalues.map((value, i) => ({ value, i })).sort((x, y) => x.value - y.value);
      for (let c = 0; c < n; c++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += (vectors?.data[r * n + c] ?? 0) * v.get(r, order[c].i);
        expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-9);
      }
    }
  });

  it('returns the eigenvalues of the vectors route (QL versus divide and conquer) without vectors, and omits them', () => {
    for (const n of [50, 200]) {
      const a = randomSymmetric(n, 7 + n);
      const full = eigh(a);
      const valuesOnly = eigh(a, { vectors: false });
      expect(valuesOnly.vectors).toBeUndefined();
      expectVectorClose(valuesOnly.values, full.values, { atol: 4 * n * EPS * largest(full.values), rtol: 0 });
    }
  });

  it('diagonalises the Wilkinson matrix W⁺₁₅₁ (pairs of nearly equal eigenvalues) through divide and conquer', () => {
    const n = 151;
    const a = tridiagonal(
      Array.from({ length: n }, (_, i) => Math.abs(i - (n - 1) / 2)),
      1,
    );
    const { values, vectors } = eigh(a);
    if (vectors === undefined) throw new Error('vectors missing');
    const scale = largest(values);
    expectMatrixClose(reconstruct(vectors, values), a, { atol: 4 * n * EPS * scale, rtol: 0 });
    expectMatrixClose(gramOfColumns(vectors), identity(n), { atol: 4 * n * EPS, rtol: 0 });
  });

  it('diagonalises glued Wilkinson matrices (blocks W⁺₂₁ joined by 1e-14: near-degenerate clusters)', () => {
    const n = 147;
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      data[i * n + i] = Math.abs((i % 21) - 10);
      if (i + 1 < n) {
        const glue = i % 21 === 20 ? 1e-14 : 1;
        data[i * n + i + 1] = glue;
        data[(i + 1) * n + i] = glue;
      }
    }
    const a = { rows: n, cols: n, data };
    const { values, vectors } = eigh(a);
    if (vectors === undefined) throw new Error('vectors missing');
    const scale = largest(values);
    expectMatrixClose(reconstruct(vectors, values), a, { atol: 4 * n * EPS * scale, rtol: 0 });
    expectMatrixClose(gramOfColumns(vectors), identity(n), { atol: 4 * n * EPS, rtol: 0 });
  });

  it('diagonalises a matrix of small integers (exact ties between the halves of each merge)', () => {
    const n = 120;
    const rounded = randomSymmetric(n, 13).data.map((x) => Math.round(x));
    const a = mirrorLower({ rows: n, cols: n, data: rounded });
    const { values, vectors } = eigh(a);
    if (vectors === undefined) throw new Error('vectors missing');
    const scale = largest(values);
    expectMatrixClose(reconstruct(vectors, values), a, { atol: 4 * n * EPS * scale, rtol: 0 });
    expectMatrixClose(gramOfColumns(vectors), identity(n), { atol: 4 * n * EPS, rtol: 0 });
  });

  it('matches the closed-form spectrum 2 − 2cos(kπ/(n+1)) of the 1-2-1 matrix (n = 151)', () => {
    const n = 151;
    const a = tridiagonal(new Array(n).fill(2), -1);
    const { values, vectors } = eigh(a);
    if (vectors === undefined) throw new Error('vectors missing');
    const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    expectVectorClose(values, exact, { atol: 4 * n * EPS * 4, rtol: 0 });
    expectMatrixClose(gramOfColumns(vectors), identity(n), { atol: 4 * n * EPS, rtol: 0 });
  });

  it('reads only the lower triangle, accepting asymmetry within symmetryRtol', () => {
    const a = randomSymmetric(9, 3);
    const perturbed = Float64Array.from(a.data);
    perturbed[1 * 9 + 4] += 1e-12; // strictly upper entry (1, 4)
    const result = eigh({ rows: 9, cols: 9, data: perturbed });
    expect(Array.from(result.values)).toEqual(Array.from(eigh(a).values));
    expect(result.symmetryRtol).toBeCloseTo(Math.sqrt(EPS), 20);
  });

  it('scales: eigenvalues of 1e200·A and 1e-200·A are 1e±200 times those of A', () => {
    const a = randomSymmetric(12, 5);
    const base = eigh(a, { vectors: false }).values;
    for (const factor of [1e200, 1e-200]) {
      const scaled = { rows: 12, cols: 12, data: a.data.map((x) => x * factor) };
      const values = eigh(scaled, { vectors: false }).values;
      expectVectorClose(
        values,
        base.map((x) => x * factor),
        { atol: 48 * EPS * largest(base) * factor, rtol: 0 },
      );
    }
  });

  it('handles 0 × 0 and 1 × 1 matrices', () => {
    const empty = eigh({ rows: 0, cols: 0, data: new Float64Array(0) });
    expect(empty.values.length).toBe(0);
    expect(empty.vectors).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
    const one = eigh(fromRows([[-2.5]]));
    expect(Array.from(one.values)).toEqual([-2.5]);
    expect(Array.from(one.vectors?.data ?? [])).toEqual([1]);
  });

  it('does not mutate its input and returns a structured-cloneable result', () => {
    const a = randomSymmetric(20, 11);
    const copy = Float64Array.from(a.data);
    const result = eigh(a);
    expect(Array.from(a.data)).toEqual(Array.from(copy));
    expect(structuredClone(result)).toEqual(result);
  });

  it('is deterministic, also with heavily repeated eigenvalues', () => {
    const a = plantedSymmetric(
      Array.from({ length: 30 }, (_, i) => (i % 3) - 1),
      9,
    );
    expect(eigh(a)).toEqual(eigh(a));
  });

  it('throws SHAPE_MISMATCH for a non-square matrix', () => {
    expectLattnError(
      () =>
        eigh(
          fromRows([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        ),
      'SHAPE_MISMATCH',
    );
  });

  it('throws INVALID_ARGUMENT for an asymmetric matrix, naming the worst entry', () => {
    expect(() =>
      eigh(
        fromRows([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow(/eigh: a is not symmetric.*a\[1\]\[0\] − a\[0\]\[1\]\| = 1/);
  });

  it('throws NON_FINITE for NaN or Infinity', () => {
    expectLattnError(
      () =>
        eigh(
          fromRows([
            [1, Number.NaN],
            [Number.NaN, 1],
          ]),
        ),
      'NON_FINITE',
    );
    expectLattnError(() => eigh(fromRows([[Number.POSITIVE_INFINITY]])), 'NON_FINITE');
  });

  it('throws INVALID_ARGUMENT for unknown or invalid options and non-matrices', () => {
    const a = mirrorLower(
      fromRows([
        [1, 0],
        [2, 1],
      ]),
    );
    expectLattnError(() => eigh(a, { vector: true } as never), 'INVALID_ARGUMENT');
    expectLattnError(() => eigh(a, { vectors: 'yes' } as never), 'INVALID_ARGUMENT');
    expectLattnError(() => eigh(a, { symmetryRtol: -1 }), 'INVALID_ARGUMENT');
    expectLattnError(() => eigh([[1]] as never), 'INVALID_ARGUMENT');
  });
});
