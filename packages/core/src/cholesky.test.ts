import { CholeskyDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { expectLattnError, fromMl, naiveMatmul, toMl } from './__fixtures__/oracles.js';
import { cholesky, choleskySolve } from './cholesky.js';
import { gram } from './gram.js';
import { wasmKernels, withBackend } from './internal/wasm/instance.js';
import { productThreads } from './internal/wasm/threads.js';
import { fromRows, identity, type Matrix, toRows, zeros } from './matrix.js';
import { createRng } from './rng.js';
import { expectMatrixClose, expectVectorClose } from './testing/index.js';
import { transpose } from './transpose.js';

/** A well-conditioned SPD matrix: BᵀB + n·I with B Gaussian (n + 3, n). */
function spd(n: number, seed: number): Matrix {
  const a = gram(createRng(seed).normalMatrix(n + 3, n));
  for (let i = 0; i < n; i++) a.data[i * n + i] += n;
  return a;
}

/** Q · diag(values) · Qᵀ with Q Haar-orthogonal: a symmetric matrix with exactly these eigenvalues (to rounding). */
function withEigenvalues(values: readonly number[], seed: number): Matrix {
  const n = values.length;
  const q = createRng(seed).orthogonal(n);
  const scaled = q.data.slice();
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled[i * n + j] *= values[j];
  const a = naiveMatmul({ rows: n, cols: n, data: scaled }, transpose(q));
  // Symmetrise exactly: the lower triangle is what cholesky reads, the oracle sees the same matrix.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
  return a;
}

function reconstruct(factor: Matrix): Matrix {
  return naiveMatmul(factor, transpose(factor));
}

function expectLowerTriangular(l: Matrix): void {
  for (let i = 0; i < l.rows; i++) for (let j = i + 1; j < l.cols; j++) expect(l.data[i * l.cols + j]).toBe(0);
}

function residualRatio(a: Matrix, x: Matrix, b: Matrix): number {
  const ax = naiveMatmul(a, x);
  let residual = 0;
  let normA = 0;
  let normX = 0;
  for (let i = 0; i < ax.data.length; i++) residual = Math.max(residual, Math.abs(ax.data[i] - b.data[i]));
  for (const value of a.data) normA = Math.max(normA, Math.abs(value));
  for (const value of x.data) normX = Math.max(normX, Math.abs(value));
  return residual / (a.rows * normA * normX);
}

describe('cholesky', () => {
  it('factors a small SPD matrix: [[4, 2], [2, 3]] = L Lᵀ', () => {
    const result = cholesky(
      fromRows([
        [4, 2],
        [2, 3],
      ]),
    );
    expect(result.positiveDefinite).toBe(true);
    expect(result.failedAt).toBeUndefined();
    expectMatrixClose(
      result.factor,
      [
        [2, 0],
        [1, Math.SQRT2],
      ],
      { rtol: 1e-15 },
    );
  });

  it.each([1, 3, 7, 65, 130, 200])(
    'reconstructs A = L Lᵀ with L lower triangular and matches ml-matrix for n = %i (several 48-row blocks)',
    (n) => {
      const a = spd(n, n);
      const { factor, positiveDefinite } = cholesky(a);
      expect(positiveDefinite).toBe(true);
      expectLowerTriangular(factor);
      for (let i = 0; i < n; i++) expect(factor.data[i * n + i]).toBeGreaterThan(0);
      expectMatrixClose(reconstruct(factor), a, { rtol: 1e-14, relativeToMax: true, label: 'L Lᵀ' });
      const reference = fromMl(new CholeskyDecomposition(toMl(a)).lowerTriangularMatrix);
      expectMatrixClose(factor, reference, { rtol: 1e-12, relativeToMax: true, label: 'vs ml-matrix' });
    },
  );

  it('reads only the lower triangle: garbage above the diagonal changes nothing', () => {
    const a = spd(60, 1);
    const garbled = { ...a, data: a.data.slice() };
    for (let i = 0; i < 60; i++) for (let j = i + 1; j < 60; j++) garbled.data[i * 60 + j] = 1e6 * (i - j);
    expectMatrixClose(cholesky(garbled).factor, cholesky(a).factor, { rtol: 0 });
  });

  it('factors an ill-conditioned SPD matrix (condition 1e8) with a backward-stable reconstruction', () => {
    const n = 40;
    const values = Array.from({ length: n }, (_, i) => 10 ** (-8 * (i / (n - 1))));
    const a = withEigenvalues(values, 2);
    const { factor, positiveDefinite } = cholesky(a);
    expect(positiveDefinite).toBe(true);
    expectMatrixClose(reconstruct(factor), a, { rtol: 1e-14, relativeToMax: true });
    const b = createRng(3).normalMatrix(n, 2);
    // The solve is backward stable: the residual is a few ε relative to ‖A‖‖x‖ despite cond(A) = 1e8.
    expect(residualRatio(a, choleskySolve(factor, b), b)).toBeLessThan(1e-14);
  });

  it('reports positiveDefinite false at the zero pivot of a singular matrix, with a partial factor', () => {
    const a = fromRows([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    const result = cholesky(a);
    expect(result.positiveDefinite).toBe(false);
    expect(result.failedAt).toBe(1);
    expect(toRows(result.factor)).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('stops at the rank of a positive semi-definite Gram matrix (rank 3 in dimension 6)', () => {
    const a = gram(createRng(4).normalMatrix(3, 6));
    const result = cholesky(a);
    expect(result.positiveDefinite).toBe(false);
    expect(result.failedAt).toBe(3);
    // A − L Lᵀ vanishes outside the trailing (3, 3) block: the first three columns are an exact partial factor.
    const difference = reconstruct(result.factor);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        if (i >= 3 && j >= 3) continue;
        expect(Math.abs(difference.data[i * 6 + j] - a.data[i * 6 + j])).toBeLessThan(1e-13 * a.data[0]);
      }
    }
  });

  it('reports indefinite matrices at the first non-positive pivot', () => {
    const indefinite = fromRows([
      [1, 2],
      [2, 1],
    ]);
    expect(cholesky(indefinite)).toMatchObject({ positiveDefinite: false, failedAt: 1 });
    expect(cholesky(fromRows([[-1]]))).toMatchObject({ positiveDefinite: false, failedAt: 0 });
    expect(cholesky(zeros(4, 4))).toMatchObject({ positiveDefinite: false, failedAt: 0 });
    const late = withEigenvalues([3, 2, 1, 0.5, -0.25], 5);
    expect(cholesky(late).positiveDefinite).toBe(false);
  });

  it('reports the tolerances used: rtol = n·ε by default and the pivot threshold atol + rtol·max a_ii', () => {
    const a = fromRows([
      [4, 0],
      [0, 1],
    ]);
    const result = cholesky(a);
    expect(result.rtol).toBe(2 * Number.EPSILON);
    expect(result.atol).toBe(0);
    expect(result.pivotThreshold).toBe(8 * Number.EPSILON);
    const strict = cholesky(a, { rtol: 0.3, atol: 0.1 });
    expect(strict).toMatchObject({ positiveDefinite: false, failedAt: 1, rtol: 0.3, atol: 0.1 });
    expect(strict.pivotThreshold).toBeCloseTo(1.3, 15);
  });

  it('factors a 0 × 0 matrix and returns fresh memory without modifying the input', () => {
    expect(cholesky(zeros(0, 0))).toMatchObject({ positiveDefinite: true, factor: { rows: 0, cols: 0 } });
    const a = spd(5, 6);
    const copy = a.data.slice();
    const { factor } = cholesky(a);
    expect(a.data).toEqual(copy);
    expect(factor.data.buffer).not.toBe(a.data.buffer);
  });

  it('survives structuredClone as a plain record', () => {
    const result = cholesky(spd(4, 7));
    expect(structuredClone(result)).toEqual(result);
  });

  it('throws SHAPE_MISMATCH for a non-square matrix', () => {
    expectLattnError(() => cholesky(zeros(2, 3)), 'SHAPE_MISMATCH', [
      'cholesky: a must be square',
      'Expected (n, n); received (2, 3)',
    ]);
  });

  it('throws NON_FINITE for NaN and INVALID_ARGUMENT for bad options', () => {
    const a = identity(3);
    a.data[5] = Number.NaN;
    expectLattnError(() => cholesky(a), 'NON_FINITE', ['cholesky: a', 'entry (1, 2)']);
    expectLattnError(() => cholesky(identity(2), { rtol: -1 }), 'INVALID_ARGUMENT', ['options.rtol', '>= 0']);
    expectLattnError(() => cholesky(identity(2), { tol: 1 } as unknown as { rtol: number }), 'INVALID_ARGUMENT', [
      "unknown field 'tol'",
    ]);
  });
});

describe('choleskySolve', () => {
  it('solves [[4, 2], [2, 3]] x = [6, 5] exactly', () => {
    const { factor } = cholesky(
      fromRows([
        [4, 2],
        [2, 3],
      ]),
    );
    expectMatrixClose(choleskySolve(factor, fromRows([[6], [5]])), [[1], [1]], { rtol: 1e-15 });
  });

  it.each([1, 7, 65, 130])('solves every column of B with a residual of a few ε for n = %i', (n) => {
    const a = spd(n, 10 + n);
    const b = createRng(n).normalMatrix(n, 3);
    const x = choleskySolve(cholesky(a).factor, b);
    expect(residualRatio(a, x, b)).toBeLessThan(1e-15);
    const reference = fromMl(new CholeskyDecomposition(toMl(a)).solve(toMl(b)));
    expectMatrixClose(x, reference, { rtol: 1e-12, relativeToMax: true });
  });

  it('recovers a planted solution', () => {
    const a = spd(30, 11);
    const planted = createRng(12).normalMatrix(30, 1);
    const x = choleskySolve(cholesky(a).factor, naiveMatmul(a, planted));
    expectVectorClose(x.data, planted.data, { rtol: 1e-12, relativeToMax: true });
  });

  it('reads only the lower triangle of the factor and handles zero right-hand sides and n = 0', () => {
    const { factor } = cholesky(spd(4, 13));
    const garbled = { ...factor, data: factor.data.slice() };
    garbled.data[1] = 123;
    const b = createRng(14).normalMatrix(4, 2);
    expectMatrixClose(choleskySolve(garbled, b), choleskySolve(factor, b), { rtol: 0 });
    expect(choleskySolve(factor, zeros(4, 0))).toEqual({ rows: 4, cols: 0, data: new Float64Array(0) });
    expect(choleskySolve(zeros(0, 0), zeros(0, 3))).toEqual({ rows: 0, cols: 3, data: new Float64Array(0) });
  });

  it('throws SHAPE_MISMATCH when b has the wrong number of rows or the factor is not square', () => {
    const { factor } = cholesky(identity(3));
    expectLattnError(() => choleskySolve(factor, zeros(2, 1)), 'SHAPE_MISMATCH', [
      'choleskySolve: b has the wrong shape',
      'Expected (3, any); received (2, 1)',
    ]);
    expectLattnError(() => choleskySolve(zeros(3, 2), zeros(3, 1)), 'SHAPE_MISMATCH', ['factor must be square']);
  });

  it('throws INVALID_ARGUMENT for the partial factor of a failed factorisation', () => {
    const { factor } = cholesky(
      fromRows([
        [1, 1],
        [1, 1],
      ]),
    );
    expectLattnError(() => choleskySolve(factor, zeros(2, 1)), 'INVALID_ARGUMENT', [
      'choleskySolve: factor is not a complete Cholesky factor',
      'received 0 at entry (1, 1)',
    ]);
  });

  it.each([1, 2])(
    'throws NON_FINITE for NaN or Infinity in the lower triangle of the factor (%i right-hand sides)',
    (m) => {
      const factor = fromRows([
        [2, 0, 0],
        [1, 3, 0],
        [Number.NaN, 1, 4],
      ]);
      expectLattnError(() => choleskySolve(factor, zeros(3, m)), 'NON_FINITE', [
        'choleskySolve: factor',
        'entry (2, 0)',
      ]);
      const infinite = fromRows([
        [2, 0, 0],
        [Number.POSITIVE_INFINITY, 3, 0],
        [0, 1, 4],
      ]);
      expectLattnError(() => choleskySolve(infinite, zeros(3, m)), 'NON_FINITE', ['entry (1, 0)']);
      const diagonal = fromRows([
        [2, 0],
        [0, Number.NaN],
      ]);
      expectLattnError(() => choleskySolve(diagonal, zeros(2, m)), 'NON_FINITE', ['entry (1, 1)']);
    },
  );

  it('ignores NaN above the diagonal of the factor, which it never reads', () => {
    const factor = fromRows([
      [2, Number.NaN],
      [1, 1],
    ]);
    expectMatrixClose(choleskySolve(factor, fromRows([[4], [3]])), [[0.5], [1]], { rtol: 1e-15 });
  });

  it('throws NON_FINITE for NaN in b', () => {
    expectLattnError(() => choleskySolve(identity(2), fromRows([[1], [Number.NaN]])), 'NON_FINITE', [
      'choleskySolve: b',
      'entry (1, 0)',
    ]);
  });
});

describe('cholesky with threaded trailing updates', () => {
  // The first trailing update of n = 1100 is 48 · 1052² ≈ 5.3e7 flops, just above the 'auto' threshold of the threads.
  const n = 1100;

  it('runs its first trailing update on every core at this size', () => {
    const kernels = wasmKernels();
    if (kernels === undefined) throw new Error('this Node has WASM SIMD');
    expect(productThreads(kernels, 48 * (n - 48) ** 2, 'auto')).toBe(productThreads(kernels, 1e12, 'auto'));
  });

  it('gives the single-threaded JavaScript factor on well and ill-conditioned matrices', () => {
    const well = spd(n, 71);
    // D·A·D with D = diag(10^(−3i/n)): condition about 1e6 · cond(A), pivots spanning six orders of magnitude.
    const ill = spd(n, 72);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) ill.data[i * n + j] *= 10 ** ((-3 * (i + j)) / n);
    }
    for (const a of [well, ill]) {
      const threaded = withBackend('wasm', () => cholesky(a));
      const single = withBackend('js', () => cholesky(a));
      expect(threaded.positiveDefinite).toBe(true);
      // The plain SIMD build repeats the JavaScript operations in order; relaxed SIMD fuses them (1e-12).
      const rtol = wasmKernels()?.flavor === 'simd' ? 0 : 1e-12;
      expectMatrixClose(threaded.factor, single.factor, { rtol, relativeToMax: rtol > 0 });
    }
  });
});
