/**
 * Property suites for the non-kernel parts of `@lattn/core` (issue #9): random shapes from 0 and 1 up, random
 * ranks and scales (including 1e±150), each property checked against an independent route — ml-matrix, a planted
 * rank or spectrum, or an identity that holds exactly.
 */
import fc from 'fast-check';
import { EigenvalueDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { toMl } from './__fixtures__/oracles.js';
import { EPS, gramOfColumns, mirrorLower } from './__fixtures__/planted-matrices.js';
import { checkDataset } from './dataset.js';
import { lstsq } from './lstsq.js';
import { matmul } from './matmul.js';
import { fromRows, identity, type Matrix, matrixFrom, toRows } from './matrix.js';
import { matrixRank } from './matrix-rank.js';
import { maxEigenvalue } from './max-eigenvalue.js';
import { minEigenvalue } from './min-eigenvalue.js';
import { pinv } from './pinv.js';
import { createRng } from './rng.js';
import { svd } from './svd.js';
import { expectMatrixClose, expectVectorClose } from './testing/index.js';
import { transpose } from './transpose.js';

/** Frobenius norm, accumulated on entries divided by the largest so it cannot overflow or underflow. */
function norm(data: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < data.length; i++) largest = Math.max(largest, Math.abs(data[i]));
  if (largest === 0) return 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += (data[i] / largest) ** 2;
  return largest * Math.sqrt(sum);
}

function scaled(a: Matrix, factor: number): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.map((x) => x * factor) };
}

function difference(a: Matrix, b: Matrix): Float64Array {
  return a.data.map((x, i) => x - b.data[i]);
}

/** A random `(rows, cols)` matrix of rank `min(rank, rows, cols)`: a product of Gaussian factors. */
function ofRank(rows: number, cols: number, rank: number, seed: number): Matrix {
  const rng = createRng(seed);
  const inner = Math.min(rank, rows, cols);
  return matmul(rng.normalMatrix(rows, inner), rng.normalMatrix(inner, cols));
}

const shape = fc.record({
  rows: fc.integer({ min: 0, max: 12 }),
  cols: fc.integer({ min: 0, max: 12 }),
  rank: fc.integer({ min: 0, max: 12 }),
  seed: fc.nat(1_000_000),
});
/** Powers of ten whose squares leave float64 (1e±150, 1e±200) next to ordinary ones. */
const scale = fc.constantFrom(1, 1e-150, 1e150, 1e-200, 1e200, 3.7);

describe('matrices: constructors and accessors', () => {
  it('toRows inverts fromRows, and matrixFrom copies, for any shape', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.double({ noNaN: false }), { minLength: 36, maxLength: 36 }),
        (rows, cols, pool) => {
          const values = Array.from({ length: rows }, (_, i) => pool.slice(i * cols, (i + 1) * cols));
          const matrix = fromRows(values, rows === 0 ? cols : undefined);
          expect([matrix.rows, matrix.cols]).toEqual([rows, rows === 0 ? cols : cols]);
          expect(toRows(matrix)).toEqual(values);
          const copy = matrixFrom(rows, cols, matrix.data);
          expect(copy.data).not.toBe(matrix.data);
          expect(Array.from(copy.data)).toEqual(Array.from(matrix.data));
        },
      ),
      { seed: 11, numRuns: 100 },
    );
  });
});

describe('svd', () => {
  it('reconstructs A with orthonormal factors and descending non-negative values, at any shape and scale', () => {
    fc.assert(
      fc.property(shape, scale, ({ rows, cols, rank, seed }, factor) => {
        const a = scaled(ofRank(rows, cols, rank, seed), factor);
        const { u, s, v } = svd(a);
        const k = Math.min(rows, cols);
        expect(s.length).toBe(k);
        for (let i = 0; i < k; i++) {
          expect(s[i]).toBeGreaterThanOrEqual(0);
          if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        }
        const left = u as Matrix;
        const right = v as Matrix;
        expectMatrixClose(gramOfColumns(left), identity(k), { atol: 20 * k * EPS });
        expectMatrixClose(gramOfColumns(right), identity(k), { atol: 20 * k * EPS });
        const us = { rows, cols: k, data: left.data.map((x, i) => x * s[i % k]) };
        const rebuilt = matmul(us, transpose(right));
        expect(norm(difference(rebuilt, a))).toBeLessThanOrEqual(20 * Math.max(k, 1) * EPS * (s[0] ?? 0));
      }),
      { seed: 1, numRuns: 60 },
    );
  });

  it('agrees with ml-matrix on the singular values', () => {
    fc.assert(
      fc.property(shape, ({ rows, cols, rank, seed }) => {
        fc.pre(rows > 0 && cols > 0);
        const a = ofRank(rows, cols, rank, seed);
        const { s } = svd(a, { vectors: false });
        const oracle = new SingularValueDecomposition(toMl(a), { autoTranspose: true }).diagonal;
        expectVectorClose(s, oracle.slice(0, s.length), { atol: 50 * EPS * (s[0] ?? 0) });
      }),
      { seed: 2, numRuns: 60 },
    );
  });

  it('scales its singular values exactly with a power-of-two multiple of A', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: -900, max: 900 }), ({ rows, cols, rank, seed }, exponent) => {
        const a = ofRank(rows, cols, rank, seed);
        const { s } = svd(a, { vectors: false });
        const power = svd(scaled(a, 2 ** exponent), { vectors: false }).s;
        // Exact while both stay normal numbers; compare in the units of A.
        expectVectorClose(
          power.map((x) => x * 2 ** -exponent),
          s,
          { atol: 4 * EPS * (s[0] ?? 0) },
        );
      }),
      { seed: 3, numRuns: 40 },
    );
  });
});

describe('matrixRank', () => {
  it('finds the planted rank of a product of Gaussian factors at any scale', () => {
    fc.assert(
      fc.property(shape, scale, ({ rows, cols, rank, seed }, factor) => {
        const a = scaled(ofRank(rows, cols, rank, seed), factor);
        const result = matrixRank(a);
        expect(result.rank).toBe(Math.min(rank, rows, cols));
        expect(result.threshold).toBe(result.rtol * (result.singularValues[0] ?? 0));
      }),
      { seed: 4, numRuns: 80 },
    );
  });
});

describe('lstsq and pinv', () => {
  it('lstsq solves the normal equations (Aᵀ(AX − B) ≈ 0) for full-rank, rank-deficient and empty systems', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 1, max: 3 }), scale, ({ rows, cols, rank, seed }, k, factor) => {
        const a = scaled(ofRank(rows, cols, rank, seed), factor);
        const b = scaled(createRng(seed + 1).normalMatrix(rows, k), factor);
        const { solution, rank: found } = lstsq(a, b);
        expect(found).toBe(Math.min(rank, rows, cols));
        const residual = { rows, cols: k, data: difference(matmul(a, solution), b) };
        // Aᵀ(AX − B) vanishes at every minimiser; it is formed in the units of A / factor, where it cannot overflow.
        const gradient = matmul(transpose(scaled(a, 1 / factor)), scaled(residual, 1 / factor));
        const sigma = (matrixRank(a).singularValues[0] ?? 0) / factor;
        const bound =
          200 * Math.max(rows, cols, 1) * EPS * sigma * (sigma * norm(solution.data) + norm(b.data) / factor);
        expect(norm(gradient.data)).toBeLessThanOrEqual(bound);
      }),
      { seed: 5, numRuns: 80 },
    );
  });

  it('lstsq returns the minimum-norm solution: orthogonal to the null space of A, equal to pinv(A)·B', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 1, max: 3 }), ({ rows, cols, rank, seed }, k) => {
        fc.pre(rows > 0 && cols > 0);
        const a = ofRank(rows, cols, rank, seed);
        const b = createRng(seed + 2).normalMatrix(rows, k);
        const { solution } = lstsq(a, b);
        const decomposition = svd(a);
        const r = Math.min(rank, rows, cols);
        const v = decomposition.v as Matrix; // (cols, min(rows, cols)); columns r… span part of the null space
        // The columns of V beyond r, together with those of a full V, span null(A); test against an explicit basis:
        // the projection of X onto null(A) is X − V_r V_rᵀ X.
        const vr = { rows: cols, cols: r, data: new Float64Array(cols * r) };
        for (let i = 0; i < cols; i++) for (let p = 0; p < r; p++) vr.data[i * r + p] = v.data[i * v.cols + p];
        const projected = matmul(vr, matmul(transpose(vr), solution));
        const sigma = decomposition.s;
        const scaleOfX = norm(solution.data) + norm(b.data) / (sigma[0] || 1);
        expect(norm(difference(solution, projected))).toBeLessThanOrEqual(1e-10 * scaleOfX);
        const viaPinv = matmul(pinv(a).inverse, b);
        const condition = r > 0 ? sigma[0] / sigma[r - 1] : 1;
        expectMatrixClose(solution, viaPinv, { relativeToMax: true, rtol: 1e-13 * condition, atol: 1e-300 });
      }),
      { seed: 6, numRuns: 60 },
    );
  });

  it('pinv satisfies the four Penrose conditions', () => {
    fc.assert(
      fc.property(shape, ({ rows, cols, rank, seed }) => {
        const a = ofRank(rows, cols, rank, seed);
        const x = pinv(a).inverse;
        const axa = matmul(matmul(a, x), a);
        const xax = matmul(matmul(x, a), x);
        const ax = matmul(a, x);
        const xa = matmul(x, a);
        const s = svd(a, { vectors: false }).s;
        const r = Math.min(rank, rows, cols);
        const condition = r > 0 ? s[0] / s[r - 1] : 1;
        const tolerance = 1e-12 * condition;
        expect(norm(difference(axa, a))).toBeLessThanOrEqual(tolerance * (norm(a.data) + 1e-300));
        expect(norm(difference(xax, x))).toBeLessThanOrEqual(tolerance * condition * (norm(x.data) + 1e-300));
        expect(norm(difference(ax, transpose(ax)))).toBeLessThanOrEqual(tolerance * Math.max(r, 1));
        expect(norm(difference(xa, transpose(xa)))).toBeLessThanOrEqual(tolerance * Math.max(r, 1));
      }),
      { seed: 7, numRuns: 60 },
    );
  });
});

describe('minEigenvalue and maxEigenvalue', () => {
  const symmetric = fc.record({
    n: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 65, max: 90 })),
    rank: fc.integer({ min: 1, max: 90 }),
    indefinite: fc.boolean(),
    seed: fc.nat(1_000_000),
  });
  it('agree with ml-matrix within their own residual bound, dense and Lanczos, definite, singular and indefinite', () => {
    fc.assert(
      fc.property(symmetric, scale, ({ n, rank, indefinite, seed }, factor) => {
        const base = indefinite
          ? mirrorLower(createRng(seed).normalMatrix(n, n))
          : matmul(ofRank(n, n + 1, rank, seed), transpose(ofRank(n, n + 1, rank, seed)));
        const a = scaled(mirrorLower(base), factor);
        const values = new EigenvalueDecomposition(toMl(mirrorLower(base)), { assumeSymmetric: true }).realEigenvalues;
        const smallest = Math.min(...values) * factor;
        const largest = Math.max(...values) * factor;
        const low = minEigenvalue(a);
        const high = maxEigenvalue(a);
        // Each is within its residual of an eigenvalue, and the oracle itself is good to a few ε·‖A‖.
        const slack = (x: { residualNorm: number; tolerance: number }): number =>
          x.residualNorm + 4 * x.tolerance + 1e-300;
        expect(Math.abs(low.value - smallest)).toBeLessThanOrEqual(slack(low));
        expect(Math.abs(high.value - largest)).toBeLessThanOrEqual(slack(high));
        expect(low.residualNorm).toBeLessThanOrEqual(low.tolerance);
        expect(high.residualNorm).toBeLessThanOrEqual(high.tolerance);
      }),
      { seed: 8, numRuns: 40 },
    );
  });
});

describe('createRng', () => {
  it('gives the same stream for the same seed and integers inside their range', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (seed) => {
        const a = createRng(seed);
        const b = createRng(seed);
        const draws = Array.from({ length: 8 }, () => [a.uniform(), a.normal(), a.integer(-3, 4)]);
        expect(Array.from({ length: 8 }, () => [b.uniform(), b.normal(), b.integer(-3, 4)])).toEqual(draws);
        for (const [uniform, , integer] of draws) {
          expect(uniform).toBeGreaterThanOrEqual(0);
          expect(uniform).toBeLessThan(1);
          expect(integer).toBeGreaterThanOrEqual(-3);
          expect(integer).toBeLessThan(4);
        }
        const q = a.orthogonal(1 + (Math.abs(seed) % 6));
        expectMatrixClose(gramOfColumns(q), identity(q.rows), { atol: 10 * EPS });
      }),
      { seed: 9, numRuns: 100 },
    );
  });
});

describe('checkDataset', () => {
  it('accepts every well-formed dataset and reports its sizes, with d = 1, n = 1 and dOut = 1 included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('all' as const, 'last' as const),
        fc.nat(1000),
        (lengths, modelDim, outputDim, mode, seed) => {
          const rng = createRng(seed);
          const inputs = lengths.map((n) => rng.normalMatrix(n, modelDim));
          const targets = lengths.map((n) => rng.normalMatrix(mode === 'all' ? n : 1, outputDim));
          const sizes = checkDataset('f', { inputs, targets, mode });
          const tokens = lengths.reduce((sum, n) => sum + n, 0);
          expect(sizes).toEqual({
            numSequences: lengths.length,
            modelDim,
            numTokens: tokens,
            maxSequenceLength: Math.max(...lengths),
            outputDim,
            numExamples: mode === 'all' ? tokens : lengths.length,
            mode,
          });
        },
      ),
      { seed: 10, numRuns: 80 },
    );
  });
});
