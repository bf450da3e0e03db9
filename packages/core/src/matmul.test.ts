import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectLattnError, fromMl, naiveMatmul, toMl } from './__fixtures__/oracles.js';
import { matmul } from './matmul.js';
import { fromRows, identity, type Matrix, toRows, zeros } from './matrix.js';
import { createRng } from './rng.js';
import { expectMatrixClose } from './testing/index.js';

const ODD_SIZES = [1, 3, 7, 65, 130];

describe('matmul', () => {
  it('computes a small product exactly', () => {
    const a = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = fromRows([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    expect(toRows(matmul(a, b))).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });

  it.each(
    ODD_SIZES.flatMap((m) => [
      [m, 7, 130],
      [m, 65, 3],
      [m, 130, m],
    ]),
  )(
    'matches the naive triple loop and ml-matrix for (%i, %i)·(%i, ·) shapes that do not fill a tile or block',
    (m, k, n) => {
      const rng = createRng(m * 1000 + k);
      const a = rng.normalMatrix(m, k);
      const b = rng.normalMatrix(k, n);
      const product = matmul(a, b);
      // Sums of k products reorder their rounding only: 1e-13 of the largest entry is ~100× the expected error.
      expectMatrixClose(product, naiveMatmul(a, b), { rtol: 1e-13, relativeToMax: true, label: 'vs naive' });
      expectMatrixClose(product, fromMl(toMl(a).mmul(toMl(b))), { rtol: 1e-13, relativeToMax: true, label: 'vs ml' });
    },
  );

  it('matches the naive product when the inner dimension spans several slabs and column blocks (300 × 530 · 530 × 101)', () => {
    const rng = createRng(7);
    const a = rng.normalMatrix(300, 530);
    const b = rng.normalMatrix(530, 101);
    expectMatrixClose(matmul(a, b), naiveMatmul(a, b), { rtol: 1e-13, relativeToMax: true });
  });

  it('agrees with the naive product on random shapes from 0 to 20 (property)', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.nat(20), fc.nat(20), fc.nat(1000), (m, k, n, seed) => {
        const rng = createRng(seed);
        const a = rng.normalMatrix(m, k);
        const b = rng.normalMatrix(k, n);
        expectMatrixClose(matmul(a, b), naiveMatmul(a, b), { rtol: 1e-14, relativeToMax: true });
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('returns the exact product of integer matrices', () => {
    const rng = createRng(3);
    const integers = (rows: number, cols: number): Matrix => {
      const data = new Float64Array(rows * cols);
      for (let i = 0; i < data.length; i++) data[i] = rng.integer(-9, 10);
      return { rows, cols, data };
    };
    const a = integers(40, 70);
    const b = integers(70, 50);
    expectMatrixClose(matmul(a, b), naiveMatmul(a, b), { rtol: 0 });
  });

  it('leaves a matrix unchanged when multiplied by the identity on either side', () => {
    const a = createRng(1).normalMatrix(13, 8);
    expectMatrixClose(matmul(identity(13), a), a, { rtol: 0 });
    expectMatrixClose(matmul(a, identity(8)), a, { rtol: 0 });
  });

  it('handles 1 × 1 and empty shapes: (0, k)·(k, n), (m, 0)·(0, n) gives zeros, (m, k)·(k, 0)', () => {
    expect(toRows(matmul(fromRows([[3]]), fromRows([[-2]])))).toEqual([[-6]]);
    expect(matmul(zeros(0, 4), zeros(4, 3))).toEqual({ rows: 0, cols: 3, data: new Float64Array(0) });
    expect(toRows(matmul(zeros(2, 0), zeros(0, 3)))).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(matmul(zeros(2, 5), zeros(5, 0))).toEqual({ rows: 2, cols: 0, data: new Float64Array(0) });
  });

  it('does not modify its inputs and returns fresh memory', () => {
    const rng = createRng(4);
    const a = rng.normalMatrix(9, 11);
    const b = rng.normalMatrix(11, 5);
    const aCopy = a.data.slice();
    const bCopy = b.data.slice();
    const product = matmul(a, b);
    expect(a.data).toEqual(aCopy);
    expect(b.data).toEqual(bCopy);
    expect(product.data.buffer).not.toBe(a.data.buffer);
    expect(product.data.buffer).not.toBe(b.data.buffer);
  });

  it('throws SHAPE_MISMATCH naming both shapes when inner dimensions differ', () => {
    expectLattnError(() => matmul(zeros(2, 3), zeros(4, 5)), 'SHAPE_MISMATCH', [
      'matmul: inner dimensions differ',
      'Expected b to have 3 rows',
      '(2, 3)',
      'received b (4, 5)',
    ]);
  });

  it('throws NON_FINITE naming the argument and entry for NaN or Infinity', () => {
    const a = fromRows([
      [1, 2],
      [3, Number.NaN],
    ]);
    expectLattnError(() => matmul(a, identity(2)), 'NON_FINITE', ['matmul: a', 'entry (1, 1)', 'NaN']);
    const b = fromRows([[Number.POSITIVE_INFINITY], [0]]);
    expectLattnError(() => matmul(identity(2), b), 'NON_FINITE', ['matmul: b', 'entry (0, 0)', 'Infinity']);
  });

  it('throws INVALID_ARGUMENT when an argument is not a matrix', () => {
    expectLattnError(() => matmul([[1]] as unknown as Matrix, identity(1)), 'INVALID_ARGUMENT', [
      'matmul: a is not a matrix',
    ]);
  });
});
