import { describe, expect, it } from 'vitest';
import { expectLattnError, fromMl, naiveGram, toMl } from './__fixtures__/oracles.js';
import { gram } from './gram.js';
import { matmul } from './matmul.js';
import { fromRows, type Matrix, toRows, zeros } from './matrix.js';
import { createRng } from './rng.js';
import { expectMatrixClose } from './testing/index.js';
import { transpose } from './transpose.js';

describe('gram', () => {
  it('computes AᵀA of a small matrix exactly', () => {
    expect(
      toRows(
        gram(
          fromRows([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    ).toEqual([
      [10, 14],
      [14, 20],
    ]);
  });

  it.each([
    [1, 1],
    [3, 7],
    [7, 3],
    [65, 65],
    [130, 7],
    [7, 130],
    [300, 130],
  ])(
    'matches the naive sum and ml-matrix for (%i, %i), shapes that do not fill a tile, slab or block',
    (rows, cols) => {
      const a = createRng(rows + 1000 * cols).normalMatrix(rows, cols);
      const g = gram(a);
      expectMatrixClose(g, naiveGram(a), { rtol: 1e-13, relativeToMax: true, label: 'vs naive' });
      expectMatrixClose(g, fromMl(toMl(a).transpose().mmul(toMl(a))), {
        rtol: 1e-13,
        relativeToMax: true,
        label: 'vs ml',
      });
    },
  );

  it('equals matmul(transpose(a), a)', () => {
    const a = createRng(5).normalMatrix(290, 101);
    expectMatrixClose(gram(a), matmul(transpose(a), a), { rtol: 1e-14, relativeToMax: true });
  });

  it('is exactly symmetric', () => {
    const g = gram(createRng(6).normalMatrix(40, 67));
    expectMatrixClose(g, transpose(g), { rtol: 0 });
  });

  it('returns the exact Gram matrix of integer data', () => {
    const rng = createRng(8);
    const data = new Float64Array(257 * 50);
    for (let i = 0; i < data.length; i++) data[i] = rng.integer(-5, 6);
    const a: Matrix = { rows: 257, cols: 50, data };
    expectMatrixClose(gram(a), naiveGram(a), { rtol: 0 });
  });

  it('gives a (cols, cols) zero matrix for a matrix with no rows and (0, 0) for no columns', () => {
    expect(toRows(gram(zeros(0, 2)))).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(gram(zeros(5, 0))).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
  });

  it('does not modify its input', () => {
    const a = createRng(9).normalMatrix(20, 10);
    const copy = a.data.slice();
    gram(a);
    expect(a.data).toEqual(copy);
  });

  it('throws NON_FINITE for NaN and INVALID_ARGUMENT for a non-matrix', () => {
    expectLattnError(() => gram(fromRows([[1, Number.NEGATIVE_INFINITY]])), 'NON_FINITE', [
      'gram: a contains a non-finite value at entry (0, 1)',
    ]);
    expectLattnError(() => gram({ rows: 1, cols: 1, data: [1] } as unknown as Matrix), 'INVALID_ARGUMENT', [
      'gram: a is not a matrix',
    ]);
  });
});
