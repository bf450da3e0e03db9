/**
 * The certificate against exact arithmetic (issue #9): on borderline data built from small integers and dyadic
 * rationals, `identifiable` may be cautious (say "no" for data that are regular but ill-conditioned) but must never
 * say "yes" when the exact rank of the feature matrix is below `featureDim`, and its numerical rank never exceeds
 * the exact rank.
 */
import { createRng, type Matrix, type PositionMode } from '@lattn/core';
import { withEntry } from '@lattn/core/testing';
import { featureDim } from '@lattn/feature-map';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactFeatureRank, exactRank, toDyadic } from './__fixtures__/exact-rank.js';
import { certifyIdentifiability } from './certify.js';

/** A `(rows, cols)` matrix of integers uniform in `[−range, range]`. */
function integers(rng: ReturnType<typeof createRng>, rows: number, cols: number, range = 3): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.integer(-range, range + 1);
  return { rows, cols, data };
}

/** Asserts the one-sided contract, and returns both ranks for further checks. */
function expectSound(inputs: readonly Matrix[], mode: PositionMode = 'all'): { exact: number; numerical: number } {
  const certificate = certifyIdentifiability(inputs, { mode });
  const exact = exactFeatureRank(inputs, mode);
  const dim = featureDim(inputs[0].cols);
  expect(certificate.rank, 'numerical rank above the exact rank').toBeLessThanOrEqual(exact);
  if (certificate.identifiable) expect(exact, 'identifiable although the exact rank is below D').toBe(dim);
  if (exact < dim) expect(certificate.identifiable).toBe(false);
  return { exact, numerical: certificate.rank };
}

describe('the exact-rank oracle', () => {
  it('reads doubles as exact dyadic rationals, subnormals and 1e-160 included', () => {
    for (const x of [1, -3, 0.1, 1e-160, 5e-324, 1.7976931348623157e308, -(2 ** -1022), 3 * 2 ** -40]) {
      const { mantissa, exponent } = toDyadic(x);
      // Reassemble in two steps so that 2^exponent cannot overflow or underflow on its own.
      const half = Math.trunc(exponent / 2);
      expect(Number(mantissa) * 2 ** half * 2 ** (exponent - half)).toBe(x);
    }
  });

  it('finds the planted rank of products of integer factors, and 0 for zero matrices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.nat(10_000),
        (rows, cols, inner, seed) => {
          const rng = createRng(seed);
          const left = Array.from({ length: rows }, () =>
            Array.from({ length: inner }, () => BigInt(rng.integer(-9, 10))),
          );
          const right = Array.from({ length: inner }, () =>
            Array.from({ length: cols }, () => BigInt(rng.integer(-9, 10))),
          );
          const product = left.map(
            (row) =>
              right[0]?.map((_, j) => row.reduce((sum, x, p) => sum + x * right[p][j], 0n)) ?? new Array(cols).fill(0n),
          );
          const rank = exactRank(product);
          expect(rank).toBeLessThanOrEqual(Math.min(rows, cols, inner));
          // Duplicating rows and adding multiples of rows never changes the rank.
          const grown = [
            ...product,
            ...product.map((row, i) => row.map((x, j) => 3n * x - 2n * product[(i + 1) % rows][j])),
          ];
          expect(exactRank(grown)).toBe(rank);
        },
      ),
      { seed: 61, numRuns: 60 },
    );
    expect(
      exactRank([
        [0n, 0n],
        [0n, 0n],
      ]),
    ).toBe(0);
    expect(
      exactRank([
        [2n, 4n],
        [1n, 2n],
      ]),
    ).toBe(1);
  });
});

describe('certifyIdentifiability against the exact rank', () => {
  it('says "not identifiable" for D − 1 generic examples (exact rank D − 1), d = 2 and 3', () => {
    for (const d of [2, 3]) {
      const rng = createRng(d);
      const dim = featureDim(d);
      const inputs = Array.from({ length: dim - 1 }, () => integers(rng, 1 + rng.integer(1, 4), d));
      const { exact } = expectSound(inputs, 'last');
      expect(exact).toBe(dim - 1);
    }
  });

  it('stays sound when a tiny dyadic example (tokens at 2^-20) lifts the exact rank from D − 1 to D', () => {
    const rng = createRng(8);
    const dim = featureDim(2);
    const inputs = Array.from({ length: dim - 1 }, () => integers(rng, 3, 2));
    const tiny = integers(rng, 3, 2);
    const lifted = [...inputs, { ...tiny, data: tiny.data.map((x) => x * 2 ** -20) }];
    expect(expectSound(inputs, 'last').exact).toBe(dim - 1);
    const { exact, numerical } = expectSound(lifted, 'last');
    expect(exact).toBe(dim);
    // The new direction carries an eigenvalue about 2^-120 times the others: regular, but not certifiably so.
    expect(numerical).toBe(dim - 1);
  });

  it('stays sound for near-duplicates: a sequence repeated with one token moved by 2^-40', () => {
    const rng = createRng(8);
    const base = Array.from({ length: 4 }, () => integers(rng, 3, 3));
    const near = base.map((z) => withEntry(z, 4, z.data[4] + 2 ** -40));
    expectSound([...base, ...near]);
    expectSound([...base, ...base]); // exact duplicates
  });

  it('says "not identifiable" for length-1 sequences: rank C(d+2, 3) < D exactly', () => {
    for (const d of [2, 3]) {
      const rng = createRng(10 + d);
      const inputs = Array.from({ length: 60 }, () => integers(rng, 1, d, 5));
      const { exact } = expectSound(inputs);
      expect(exact).toBe((d * (d + 1) * (d + 2)) / 6);
    }
  });

  it('stays sound when a coordinate that is 0 in every token is 1e-160 in one token', () => {
    const rng = createRng(12);
    const zeroed = Array.from({ length: 30 }, () => {
      const z = integers(rng, 3, 3);
      for (let t = 0; t < 3; t++) z.data[t * 3 + 2] = 0;
      return z;
    });
    const before = expectSound(zeroed);
    expect(before.exact).toBeLessThan(featureDim(3));
    const lifted = [withEntry(zeroed[0], 2, 1e-160), ...zeroed.slice(1)];
    const after = expectSound(lifted);
    expect(after.exact).toBeGreaterThan(before.exact); // exactly, the tiny coordinate excites new features
    expect(after.numerical).toBe(before.numerical); // numerically, 1e-160 next to integers is zero
  });

  it('stays sound for constant inputs (every token the same vector): rank 1', () => {
    const token = [1, -2, 3];
    const inputs = [1, 2, 3, 5].map((n) => ({
      rows: n,
      cols: 3,
      data: Float64Array.from({ length: 3 * n }, (_, i) => token[i % 3]),
    }));
    const { exact, numerical } = expectSound(inputs);
    expect([exact, numerical]).toEqual([1, 1]);
  });

  it('never says "identifiable" above the exact rank on random small-integer data with planted structure', () => {
    const structure = fc.record({
      seed: fc.nat(1_000_000),
      modelDim: fc.integer({ min: 1, max: 3 }),
      numSequences: fc.integer({ min: 1, max: 14 }),
      maxLength: fc.integer({ min: 1, max: 4 }),
      range: fc.integer({ min: 1, max: 3 }),
      zeroCoordinate: fc.boolean(),
      duplicate: fc.boolean(),
      mode: fc.constantFrom('all' as const, 'last' as const),
      scale: fc.constantFrom(1, 2 ** -500, 2 ** 500, 2 ** -30),
    });
    fc.assert(
      fc.property(structure, (s) => {
        const rng = createRng(s.seed);
        let inputs = Array.from({ length: s.numSequences }, () =>
          integers(rng, rng.integer(1, s.maxLength + 1), s.modelDim, s.range),
        );
        if (s.zeroCoordinate && s.modelDim > 1) {
          inputs = inputs.map((z) => ({ ...z, data: z.data.map((x, i) => (i % s.modelDim === 0 ? 0 : x)) }));
        }
        if (s.duplicate) inputs = [...inputs, ...inputs];
        inputs = inputs.map((z) => ({ ...z, data: z.data.map((x) => x * s.scale) }));
        fc.pre(inputs.some((z) => z.data.some((x) => x !== 0)));
        expectSound(inputs, s.mode);
      }),
      { seed: 62, numRuns: 120 },
    );
  });
});
