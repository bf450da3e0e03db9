import { describe, expect, it } from 'vitest';
import { naiveMatmul } from './__fixtures__/oracles.js';
import { identity } from './matrix.js';
import { createRng } from './rng.js';
import { expectLattnError, expectMatrixClose } from './testing/index.js';
import { transpose } from './transpose.js';

const SAMPLES = 200_000;

function moments(
  draw: () => number,
  count: number,
): { mean: number; variance: number; skew: number; kurtosis: number } {
  const values = new Float64Array(count);
  let mean = 0;
  for (let i = 0; i < count; i++) {
    values[i] = draw();
    mean += values[i];
  }
  mean /= count;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const value of values) {
    const d = value - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= count;
  return { mean, variance: m2, skew: m3 / count / m2 ** 1.5, kurtosis: m4 / count / (m2 * m2) };
}

describe('createRng determinism', () => {
  it('gives the same bytes for the same seed, across every method', () => {
    const run = (seed: number): unknown[] => {
      const rng = createRng(seed);
      return [
        rng.uniform(),
        rng.normal(),
        rng.integer(-5, 5),
        rng.shuffle([1, 2, 3, 4, 5, 6]),
        Array.from(rng.normalMatrix(3, 4).data),
        Array.from(rng.uniformMatrix(2, 2).data),
        Array.from(rng.orthogonal(3).data),
        rng.fork().uniform(),
      ];
    };
    expect(run(123)).toEqual(run(123));
    expect(createRng().normalMatrix(5, 5)).toEqual(createRng(0).normalMatrix(5, 5));
  });

  it('gives different streams for different seeds, including seeds that differ only above 2³² or in sign', () => {
    const first = (seed: number): number[] => Array.from(createRng(seed).uniformMatrix(1, 8).data);
    const seeds = [0, 1, 2, 2 ** 32, 2 ** 32 + 1, -1, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    const streams = seeds.map((seed) => first(seed).join(','));
    expect(new Set(streams).size).toBe(seeds.length);
  });

  it('reports its seed and makes forks that are reproducible and differ from the parent', () => {
    const a = createRng(9);
    const b = createRng(9);
    expect(a.seed).toBe(9);
    const forkA = a.fork();
    const forkB = b.fork();
    expect(forkA.uniformMatrix(1, 6)).toEqual(forkB.uniformMatrix(1, 6));
    expect(forkA.uniformMatrix(1, 6)).not.toEqual(a.uniformMatrix(1, 6));
  });

  it('throws INVALID_ARGUMENT for a seed that is not a safe integer', () => {
    for (const seed of [1.5, Number.NaN, 2 ** 53, '3']) {
      expectLattnError(() => createRng(seed as number), 'INVALID_ARGUMENT', 'createRng', [
        'createRng: seed must be a safe integer',
      ]);
    }
  });
});

describe('Rng distributions (fixed seed, 200 000 draws, bounds at 5 standard errors)', () => {
  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(1);
    let min = 1;
    let max = 0;
    const stats = moments(() => {
      const u = rng.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      return u;
    }, SAMPLES);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Standard errors: sqrt(1/12 / n) = 6.5e-4 for the mean, sqrt((1/80 − 1/144) / n) = 1.7e-4 for the variance.
    expect(Math.abs(stats.mean - 0.5)).toBeLessThan(5 * 6.5e-4);
    expect(Math.abs(stats.variance - 1 / 12)).toBeLessThan(5 * 1.7e-4);
  });

  it('draws normals with mean 0, variance 1, skew 0 and kurtosis 3', () => {
    const rng = createRng(2);
    const stats = moments(() => rng.normal(), SAMPLES);
    // Standard errors: 1/√n = 2.2e-3, √(2/n) = 3.2e-3, √(6/n) = 5.5e-3, √(24/n) = 1.1e-2.
    expect(Math.abs(stats.mean)).toBeLessThan(5 * 2.2e-3);
    expect(Math.abs(stats.variance - 1)).toBeLessThan(5 * 3.2e-3);
    expect(Math.abs(stats.skew)).toBeLessThan(5 * 5.5e-3);
    expect(Math.abs(stats.kurtosis - 3)).toBeLessThan(5 * 1.1e-2);
  });

  it('draws integers in [min, maxExclusive) with equal frequencies (chi-square, 5 degrees of freedom)', () => {
    const rng = createRng(3);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.integer(-2, 4) + 2]++;
    // Every draw landed on one of the six integers.
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(60_000);
    const expected = 10_000;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(20.5); // the 0.999 quantile of χ²(5)
  });

  it('has no modulo bias over a span of 3·2³⁰ (modulo reduction would put 1/2 of the draws in the first third)', () => {
    const rng = createRng(4);
    const span = 3 * 2 ** 30;
    let firstThird = 0;
    const draws = 30_000;
    for (let i = 0; i < draws; i++) if (rng.integer(0, span) < 2 ** 30) firstThird++;
    // Unbiased: 1/3 with standard error √(2/9 / n) = 2.7e-3.
    expect(Math.abs(firstThird / draws - 1 / 3)).toBeLessThan(5 * 2.7e-3);
  });

  it('accepts the full 2³² span and throws INVALID_ARGUMENT for empty or oversized ranges', () => {
    const rng = createRng(5);
    const value = rng.integer(0, 2 ** 32);
    expect(value >= 0 && value < 2 ** 32).toBe(true);
    expectLattnError(() => rng.integer(3, 3), 'INVALID_ARGUMENT', 'Rng.integer', ['Rng.integer', 'received (3, 3)']);
    expectLattnError(() => rng.integer(0, 2 ** 32 + 1), 'INVALID_ARGUMENT', 'Rng.integer', ['Rng.integer']);
    expectLattnError(() => rng.integer(0.5, 2), 'INVALID_ARGUMENT', 'Rng.integer', ['received (0.5, 2)']);
  });
});

describe('Rng.shuffle', () => {
  it('returns a permutation of its input without modifying the input', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const copy = items.slice();
    const shuffled = createRng(6).shuffle(items);
    expect(items).toEqual(copy);
    expect(shuffled).not.toBe(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });

  it('puts each element in each position about equally often', () => {
    const rng = createRng(7);
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 8000; i++) counts[rng.shuffle([0, 1, 2, 3]).indexOf(0)]++;
    const chiSquare = counts.reduce((sum, count) => sum + (count - 2000) ** 2 / 2000, 0);
    expect(chiSquare).toBeLessThan(16.3); // the 0.999 quantile of χ²(3)
  });

  it('handles empty and single-element arrays', () => {
    expect(createRng(8).shuffle([])).toEqual([]);
    expect(createRng(8).shuffle(['a'])).toEqual(['a']);
  });
});

describe('Rng matrices', () => {
  it('fill normal and uniform matrices of the requested shape', () => {
    const rng = createRng(9);
    expect(rng.normalMatrix(3, 2).data.length).toBe(6);
    expect(rng.uniformMatrix(0, 5)).toEqual({ rows: 0, cols: 5, data: new Float64Array(0) });
    expectLattnError(() => rng.normalMatrix(-1, 2), 'INVALID_ARGUMENT', 'Rng.normalMatrix', [
      'Rng.normalMatrix',
      'received (-1, 2)',
    ]);
    expectLattnError(() => rng.uniformMatrix(1, 0.5), 'INVALID_ARGUMENT', 'Rng.uniformMatrix', ['Rng.uniformMatrix']);
  });

  it.each([1, 2, 5, 50])('draws orthogonal matrices: QᵀQ = QQᵀ = I to 1e-13 for n = %i', (n) => {
    const q = createRng(10 + n).orthogonal(n);
    expectMatrixClose(naiveMatmul(transpose(q), q), identity(n), { atol: 1e-13, rtol: 0 });
    expectMatrixClose(naiveMatmul(q, transpose(q)), identity(n), { atol: 1e-13, rtol: 0 });
  });

  it('draws orthogonal matrices whose entries have the Haar mean 0 and variance 1/n', () => {
    const rng = createRng(11);
    const n = 4;
    let sum = 0;
    let sumSquares = 0;
    let determinantPositive = 0;
    const draws = 2000;
    for (let t = 0; t < draws; t++) {
      const q = rng.orthogonal(n).data;
      sum += q[0];
      sumSquares += q[0] * q[0];
      // Haar measure on O(n) gives det = ±1 with equal probability; the sign of det is the sign of the
      // product of the R diagonal, so half the draws are rotations.
      if (determinant(q, n) > 0) determinantPositive++;
    }
    expect(Math.abs(sum / draws)).toBeLessThan(5 * Math.sqrt(1 / n / draws));
    expect(Math.abs(sumSquares / draws - 1 / n)).toBeLessThan(0.03);
    expect(Math.abs(determinantPositive / draws - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / draws));
  });
});

/** Determinant by Gaussian elimination with partial pivoting (a test-only oracle). */
function determinant(data: Float64Array, n: number): number {
  const a = data.slice();
  let det = 1;
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[pivot * n + k])) pivot = i;
    if (pivot !== k) {
      for (let j = 0; j < n; j++) [a[k * n + j], a[pivot * n + j]] = [a[pivot * n + j], a[k * n + j]];
      det = -det;
    }
    det *= a[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const factor = a[i * n + k] / a[k * n + k];
      for (let j = k; j < n; j++) a[i * n + j] -= factor * a[k * n + j];
    }
  }
  return det;
}
