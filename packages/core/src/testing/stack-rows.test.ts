import { describe, expect, it } from 'vitest';
import { fromRows, zeros } from '../matrix.js';
import { stackRows } from './index.js';

describe('stackRows', () => {
  it('stacks matrices of equal width in order', () => {
    const stacked = stackRows([
      fromRows([[1, 2]]),
      zeros(0, 2),
      fromRows([
        [3, 4],
        [5, 6],
      ]),
    ]);
    expect([stacked.rows, stacked.cols, Array.from(stacked.data)]).toEqual([3, 2, [1, 2, 3, 4, 5, 6]]);
  });

  it('gives a (0, cols) matrix for no parts', () => {
    expect(stackRows([], 4)).toEqual({ rows: 0, cols: 4, data: new Float64Array(0) });
    expect(stackRows([]).cols).toBe(0);
  });

  it('refuses parts of another width', () => {
    expect(() => stackRows([zeros(1, 2), zeros(1, 3)])).toThrow('stackRows: a part has 3 columns, expected 2');
  });
});
