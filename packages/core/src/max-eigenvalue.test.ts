import { describe, expect, it } from 'vitest';
import { expectLattnError } from './__fixtures__/oracles.js';
import { EPS, plantedSymmetric, randomSymmetric } from './__fixtures__/planted-matrices.js';
import { eigh } from './eigh.js';
import { gram } from './gram.js';
import { matmul } from './matmul.js';
import { fromRows, type Matrix } from './matrix.js';
import { maxEigenvalue } from './max-eigenvalue.js';
import { createRng } from './rng.js';
import { expectVectorClose } from './testing/index.js';

function residual(a: Matrix, x: Float64Array, lambda: number): number {
  const ax = matmul(a, { rows: a.rows, cols: 1, data: x }).data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (ax[i] - lambda * x[i]) ** 2;
  return Math.sqrt(sum);
}

const cases: [string, () => Matrix][] = [
  ['a random SPD Gram matrix (n = 130)', () => gram(createRng(1).normalMatrix(260, 130))],
  ['a singular PSD Gram matrix (n = 200)', () => gram(createRng(2).normalMatrix(100, 200))],
  [
    'condition 1e12 (n = 90)',
    () =>
      plantedSymmetric(
        Array.from({ length: 90 }, (_, i) => 10 ** (-12 * (i / 89))),
        3,
      ),
  ],
  ['an indefinite matrix (n = 65)', () => randomSymmetric(65, 5)],
  [
    'a repeated largest eigenvalue (n = 100)',
    () =>
      plantedSymmetric(
        Array.from({ length: 100 }, (_, i) => (i < 5 ? 10 : i / 100)),
        6,
      ),
  ],
];

describe('maxEigenvalue', () => {
  it.each(cases)('agrees with eigh on %s', (_label, make) => {
    const a = make();
    const result = maxEigenvalue(a, { vector: true });
    const values = eigh(a, { vectors: false }).values;
    const reference = values[values.length - 1];
    expect(result.method).toBe('lanczos');
    expect(result.shift).toBe(0);
    expect(result.residualNorm).toBeLessThanOrEqual(result.tolerance);
    expect(Math.abs(result.value - reference)).toBeLessThanOrEqual(2 * result.tolerance);
    const vector = result.vector ?? new Float64Array(0);
    expectVectorClose([Math.hypot(...vector)], [1], { rtol: 1e-14 });
    expect(residual(a, vector, result.value)).toBeLessThanOrEqual(1.01 * result.residualNorm + 4 * a.rows * EPS);
  });

  it.each([1, 2, 3, 7, 64])('solves densely for n = %i and matches eigh exactly', (n) => {
    const a = randomSymmetric(n, 70 + n);
    const result = maxEigenvalue(a);
    const values = eigh(a).values;
    expect(result.method).toBe('dense');
    expect(result.value).toBe(values[n - 1]);
  });

  it('matches the 2 × 2 closed form and the zero matrix', () => {
    expectVectorClose(
      [
        maxEigenvalue(
          fromRows([
            [2, 1],
            [1, 2],
          ]),
        ).value,
      ],
      [3],
      { rtol: 4 * EPS },
    );
    const zero = maxEigenvalue({ rows: 80, cols: 80, data: new Float64Array(6400) });
    expect([zero.value, zero.residualNorm]).toEqual([0, 0]);
  });

  it.each([
    [80, 1e160],
    [80, 1e-160],
    [80, 1e300],
    [80, 1e-300],
    [12, 1e-160],
  ])('returns λ_max of an (%i, %i)-scaled Gram matrix (regression: residuals over- or underflowed)', (n, factor) => {
    // Before the fix, 1e±160 threw NOT_CONVERGED or, for 1e-160, accepted a 2 % wrong value with residual 0.
    const a = gram(createRng(8).normalMatrix(2 * n, n));
    const scaled = { rows: n, cols: n, data: a.data.map((x) => x * factor) };
    const reference = maxEigenvalue(a);
    const result = maxEigenvalue(scaled, { vector: true });
    expectVectorClose([result.value], [reference.value * factor], { rtol: 1e-12 });
    expect(result.residualNorm).toBeGreaterThan(0);
    expect(result.residualNorm).toBeLessThanOrEqual(result.tolerance);
    expectVectorClose([result.tolerance], [reference.tolerance * factor], { rtol: 1e-12 });
  });

  it('is deterministic for a seed', () => {
    const a = gram(createRng(3).normalMatrix(120, 90));
    expect(maxEigenvalue(a, { seed: 5 })).toEqual(maxEigenvalue(a, { seed: 5 }));
  });

  it('throws NOT_CONVERGED when maxIterations is too small', () => {
    const a = gram(createRng(4).normalMatrix(200, 100));
    expectLattnError(() => maxEigenvalue(a, { maxIterations: 3 }), 'NOT_CONVERGED');
  });

  it('throws with the documented codes for invalid input', () => {
    expectLattnError(() => maxEigenvalue({ rows: 0, cols: 0, data: new Float64Array(0) }), 'SHAPE_MISMATCH');
    expectLattnError(
      () =>
        maxEigenvalue(
          fromRows([
            [1, 2],
            [0, 1],
          ]),
        ),
      'INVALID_ARGUMENT',
    );
    expectLattnError(() => maxEigenvalue(fromRows([[1]]), { rtol: -1 }), 'INVALID_ARGUMENT');
    expectLattnError(() => maxEigenvalue(fromRows([[Number.POSITIVE_INFINITY]])), 'NON_FINITE');
  });
});
