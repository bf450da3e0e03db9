import { describe, expect, it } from 'vitest';
import { expectLattnError } from './__fixtures__/oracles.js';
import { EPS, lowRank, plantedSymmetric, randomSymmetric } from './__fixtures__/planted-matrices.js';
import { eigh } from './eigh.js';
import { gram } from './gram.js';
import { matmul } from './matmul.js';
import { fromRows, type Matrix } from './matrix.js';
import { minEigenvalue } from './min-eigenvalue.js';
import { createRng } from './rng.js';
import { expectVectorClose } from './testing/index.js';

/** `‖A·x − λ·x‖₂` measured independently of the implementation. */
function residual(a: Matrix, x: Float64Array, lambda: number): number {
  const ax = matmul(a, { rows: a.rows, cols: 1, data: x }).data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (ax[i] - lambda * x[i]) ** 2;
  return Math.sqrt(sum);
}

const cases: [string, () => Matrix][] = [
  ['a random SPD Gram matrix (n = 130)', () => gram(createRng(1).normalMatrix(260, 130))],
  ['a singular PSD Gram matrix of rank 100 (n = 200)', () => gram(createRng(2).normalMatrix(100, 200))],
  [
    'condition 1e12 (n = 90)',
    () =>
      plantedSymmetric(
        Array.from({ length: 90 }, (_, i) => 10 ** (-12 * (i / 89))),
        3,
      ),
  ],
  [
    'a cluster of 10 nearly equal smallest eigenvalues (n = 80)',
    () =>
      plantedSymmetric(
        Array.from({ length: 80 }, (_, i) => (i < 10 ? 1e-6 * (1 + i * 1e-9) : i)),
        4,
      ),
  ],
  ['an indefinite matrix (n = 65)', () => randomSymmetric(65, 5)],
  [
    'a negative definite matrix (n = 70)',
    () =>
      plantedSymmetric(
        Array.from({ length: 70 }, (_, i) => -1 - i),
        6,
      ),
  ],
];

describe('minEigenvalue', () => {
  it.each([
    [80, 1e160],
    [80, 1e-160],
    [80, 1e300],
    [80, 1e-300],
    [12, 1e-160],
  ])('returns λ_min of an (%i, %i)-scaled Gram matrix (regression: residuals over- or underflowed)', (n, factor) => {
    // Before the fix, every one of these threw NOT_CONVERGED ("no candidate"): the residual squares left float64.
    const a = gram(createRng(9).normalMatrix(2 * n, n));
    const scaled = { rows: n, cols: n, data: a.data.map((x) => x * factor) };
    const reference = minEigenvalue(a);
    const result = minEigenvalue(scaled, { vector: true });
    expectVectorClose([result.value], [reference.value * factor], { rtol: 1e-10 });
    expect(result.residualNorm).toBeLessThanOrEqual(result.tolerance);
    expect(result.shift).toBeLessThan(result.value);
    expectVectorClose([result.tolerance], [reference.tolerance * factor], { rtol: 1e-12 });
  });

  it('returns bitwise the unscaled result for a power-of-four multiple of the matrix', () => {
    const a = gram(createRng(10).normalMatrix(160, 80));
    const reference = minEigenvalue(a, { vector: true });
    const scaled = minEigenvalue({ rows: 80, cols: 80, data: a.data.map((x) => x * 4 ** -300) }, { vector: true });
    expect(scaled.value).toBe(reference.value * 4 ** -300);
    expect(scaled.vector).toEqual(reference.vector);
  });
  it.each(cases)('agrees with eigh on %s', (_label, make) => {
    const a = make();
    const result = minEigenvalue(a, { vector: true });
    const reference = eigh(a, { vectors: false }).values[0];
    expect(result.method).toBe('shift-invert-lanczos');
    expect(result.residualNorm).toBeLessThanOrEqual(result.tolerance);
    // Both are accurate to the tolerance n·ε·‖A‖_F, which bounds their distance.
    expect(Math.abs(result.value - reference)).toBeLessThanOrEqual(2 * result.tolerance);
    // The bracket (shift, value] contains λ_min.
    expect(result.shift).toBeLessThan(reference);
    expect(result.value).toBeGreaterThanOrEqual(reference - 2 * result.tolerance);
    // The returned vector is a unit eigenvector, checked through matmul.
    const vector = result.vector ?? new Float64Array(0);
    expectVectorClose([Math.hypot(...vector)], [1], { rtol: 1e-14 });
    expect(residual(a, vector, result.value)).toBeLessThanOrEqual(1.01 * result.residualNorm + 4 * a.rows * EPS);
  });

  it('returns λ_min = 0 up to roundoff for an exactly singular matrix, in a few steps', () => {
    const a = gram(lowRank(80, 200, 50, 7)); // rank 50 of 200
    const result = minEigenvalue(a);
    expect(Math.abs(result.value)).toBeLessThanOrEqual(result.tolerance);
    expect(result.shift).toBe(-result.tolerance);
    expect(result.iterations).toBeLessThanOrEqual(10);
  });

  it('resolves an isolated smallest eigenvalue to many digits (error ≈ residual²/gap)', () => {
    const spectrum = Array.from({ length: 150 }, (_, i) => (i === 0 ? 1e-3 : 1 + i / 150));
    const result = minEigenvalue(plantedSymmetric(spectrum, 8));
    expectVectorClose([result.value], [1e-3], { rtol: 1e-9 });
  });

  it.each([1, 2, 3, 7, 64])('solves densely for n = %i and matches eigh exactly', (n) => {
    const a = randomSymmetric(n, 40 + n);
    const result = minEigenvalue(a, { vector: true });
    expect(result.method).toBe('dense');
    expect(result.shift).toBe(0);
    expect(result.value).toBe(eigh(a).values[0]);
    expect(result.residualNorm).toBeLessThanOrEqual(result.tolerance);
  });

  it('matches the 2 × 2 closed form', () => {
    const { value } = minEigenvalue(
      fromRows([
        [2, 1],
        [1, 2],
      ]),
    );
    expectVectorClose([value], [1], { rtol: 4 * EPS });
  });

  it('reports its tolerances: rtol = n·ε by default, tolerance = rtol·‖A‖_F', () => {
    const a = gram(createRng(9).normalMatrix(100, 70));
    let frobenius = 0;
    for (const x of a.data) frobenius += x * x;
    frobenius = Math.sqrt(frobenius);
    const result = minEigenvalue(a);
    expect(result.rtol).toBe(70 * EPS);
    expectVectorClose([result.tolerance], [70 * EPS * frobenius], { rtol: 1e-12 });
    expect(result.vector).toBeUndefined();
    const loose = minEigenvalue(a, { rtol: 1e-6 });
    expect(loose.rtol).toBe(1e-6);
    expect(loose.iterations).toBeLessThanOrEqual(result.iterations);
  });

  it('is deterministic for a seed and seed-independent up to the tolerance', () => {
    const a = gram(createRng(10).normalMatrix(150, 100));
    expect(minEigenvalue(a, { seed: 3 })).toEqual(minEigenvalue(a, { seed: 3 }));
    const other = minEigenvalue(a, { seed: 4 });
    const base = minEigenvalue(a);
    expect(Math.abs(other.value - base.value)).toBeLessThanOrEqual(2 * base.tolerance);
  });

  it('does not mutate its input', () => {
    const a = gram(createRng(11).normalMatrix(90, 70));
    const copy = Float64Array.from(a.data);
    minEigenvalue(a);
    expect(Array.from(a.data)).toEqual(Array.from(copy));
  });

  it('throws NOT_CONVERGED with the residual reached when maxIterations is too small', () => {
    const a = gram(createRng(12).normalMatrix(200, 100));
    expectLattnError(() => minEigenvalue(a, { maxIterations: 2 }), 'NOT_CONVERGED');
    expect(() => minEigenvalue(a, { maxIterations: 2 })).toThrow(
      /minEigenvalue: the Lanczos iteration did not converge/,
    );
  });

  it('throws SHAPE_MISMATCH for empty or non-square matrices', () => {
    expectLattnError(() => minEigenvalue({ rows: 0, cols: 0, data: new Float64Array(0) }), 'SHAPE_MISMATCH');
    expectLattnError(() => minEigenvalue(fromRows([[1, 2]])), 'SHAPE_MISMATCH');
  });

  it('throws INVALID_ARGUMENT for asymmetric input and bad options, NON_FINITE for NaN', () => {
    expectLattnError(
      () =>
        minEigenvalue(
          fromRows([
            [1, 0],
            [1, 1],
          ]),
        ),
      'INVALID_ARGUMENT',
    );
    const a = fromRows([[1]]);
    expectLattnError(() => minEigenvalue(a, { rtol: 0 }), 'INVALID_ARGUMENT');
    expectLattnError(() => minEigenvalue(a, { maxIterations: 0 }), 'INVALID_ARGUMENT');
    expectLattnError(() => minEigenvalue(a, { seed: 0.5 }), 'INVALID_ARGUMENT');
    expectLattnError(() => minEigenvalue(a, { vectors: true } as never), 'INVALID_ARGUMENT');
    expectLattnError(() => minEigenvalue(fromRows([[Number.NaN]])), 'NON_FINITE');
  });
});
