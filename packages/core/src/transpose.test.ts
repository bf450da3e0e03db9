import { describe, expect, it } from 'vitest';
import { fromMl, toMl } from './__fixtures__/oracles.js';
import { fromRows, type Matrix, toRows, zeros } from './matrix.js';
import { createRng } from './rng.js';
import { expectLattnError, expectMatrixClose } from './testing/index.js';
import { transpose } from './transpose.js';

describe('transpose', () => {
  it('swaps rows and columns', () => {
    expect(
      toRows(
        transpose(
          fromRows([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        ),
      ),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it.each([
    [1, 1],
    [1, 130],
    [65, 3],
    [33, 31],
    [130, 97],
  ])('matches ml-matrix exactly for (%i, %i), across 32 × 32 block edges', (rows, cols) => {
    const a = createRng(rows * cols).normalMatrix(rows, cols);
    const t = transpose(a);
    expect([t.rows, t.cols]).toEqual([cols, rows]);
    expectMatrixClose(t, fromMl(toMl(a).transpose()), { rtol: 0 });
  });

  it('is an involution: transpose(transpose(a)) equals a bitwise', () => {
    const a = createRng(2).normalMatrix(70, 45);
    expectMatrixClose(transpose(transpose(a)), a, { rtol: 0 });
  });

  it('maps (0, n) to (n, 0) and does not modify its input', () => {
    expect(transpose(zeros(0, 4))).toEqual({ rows: 4, cols: 0, data: new Float64Array(0) });
    const a = createRng(3).normalMatrix(5, 6);
    const copy = a.data.slice();
    transpose(a);
    expect(a.data).toEqual(copy);
  });

  it('throws NON_FINITE for NaN and INVALID_ARGUMENT for a non-matrix', () => {
    expectLattnError(() => transpose(fromRows([[Number.NaN]])), 'NON_FINITE', 'transpose', [
      'transpose: a',
      'entry (0, 0)',
    ]);
    expectLattnError(
      () => transpose({ rows: 2, cols: 2, data: new Float64Array(3) }),
      'INVALID_ARGUMENT',
      'transpose',
      ['transpose: a is not a matrix'],
    );
    expectLattnError(() => transpose(null as unknown as Matrix), 'INVALID_ARGUMENT', 'transpose', ['received null']);
  });
});
