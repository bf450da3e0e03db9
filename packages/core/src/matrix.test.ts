import { expect, it, describe as suite } from 'vitest';
import { describe, fromRows, get, identity, matrixFrom, shapeOf, toRows, zeros } from './matrix.js';
import { expectLattnError } from './testing/index.js';

suite('zeros and identity', () => {
  it('make fresh matrices of the requested shape', () => {
    expect(zeros(2, 3)).toEqual({ rows: 2, cols: 3, data: new Float64Array(6) });
    expect(zeros(0, 4)).toEqual({ rows: 0, cols: 4, data: new Float64Array(0) });
    expect(toRows(identity(3))).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(identity(0)).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
    expect(zeros(1, 1).data).not.toBe(zeros(1, 1).data);
  });

  it('throw INVALID_ARGUMENT naming the size for negative, fractional or non-numeric sizes', () => {
    expectLattnError(() => zeros(-1, 2), 'INVALID_ARGUMENT', 'zeros', [
      'zeros: rows must be a non-negative integer',
      'received -1',
    ]);
    expectLattnError(() => zeros(2, 1.5), 'INVALID_ARGUMENT', 'zeros', ['zeros: cols', 'received 1.5']);
    expectLattnError(() => identity(Number.NaN), 'INVALID_ARGUMENT', 'identity', ['identity: size', 'received NaN']);
    expectLattnError(() => zeros('2' as unknown as number, 2), 'INVALID_ARGUMENT', 'zeros', ["received '2'"]);
  });
});

suite('matrixFrom', () => {
  it('copies row-major data, so later changes to the source do not leak in', () => {
    const source = [1, 2, 3, 4, 5, 6];
    const a = matrixFrom(2, 3, source);
    source[0] = 100;
    expect(toRows(a)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const typed = new Float64Array([7, 8]);
    const b = matrixFrom(1, 2, typed);
    expect(b.data).not.toBe(typed);
  });

  it('throws SHAPE_MISMATCH when the data length is not rows · cols', () => {
    expectLattnError(() => matrixFrom(2, 2, [1, 2, 3]), 'SHAPE_MISMATCH', 'matrixFrom', [
      'matrixFrom: data has the wrong length',
      'Expected 4 entries for (2, 2); received 3',
    ]);
  });
});

suite('fromRows and toRows', () => {
  it('round-trip nested arrays', () => {
    const rows = [
      [1, -2.5],
      [3, 4e-300],
      [0, -0],
    ];
    expect(toRows(fromRows(rows))).toEqual(rows);
  });

  it('make (0, 0) from [] and (0, cols) when cols is given', () => {
    expect(fromRows([])).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
    expect(fromRows([], 3)).toEqual({ rows: 0, cols: 3, data: new Float64Array(0) });
    expect(toRows(zeros(0, 3))).toEqual([]);
    expect(toRows(zeros(2, 0))).toEqual([[], []]);
  });

  it('throws SHAPE_MISMATCH naming the first ragged row', () => {
    expectLattnError(() => fromRows([[1, 2], [3, 4], [5]]), 'SHAPE_MISMATCH', 'fromRows', [
      'fromRows: rows are ragged',
      'Expected row 2 to have 2 entries; received 1',
    ]);
    expectLattnError(() => fromRows([[1], 'x' as unknown as number[]]), 'SHAPE_MISMATCH', 'fromRows', ["received 'x'"]);
  });

  it('throws INVALID_ARGUMENT for a non-number entry or a non-array', () => {
    expectLattnError(() => fromRows([[1, '2' as unknown as number]]), 'INVALID_ARGUMENT', 'fromRows', [
      'fromRows: entry (0, 1) is not a number',
      "received '2'",
    ]);
    expectLattnError(() => fromRows('abc' as unknown as number[][]), 'INVALID_ARGUMENT', 'fromRows', [
      'fromRows: values must be an array of rows',
    ]);
  });
});

suite('get and shapeOf', () => {
  it('read an entry and format a shape', () => {
    const a = fromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(get(a, 1, 0)).toBe(3);
    expect(shapeOf(zeros(3, 4))).toBe('(3, 4)');
  });

  it('get throws INVALID_ARGUMENT for an index out of range or not an integer', () => {
    const a = zeros(2, 3);
    expectLattnError(() => get(a, 2, 0), 'INVALID_ARGUMENT', 'get', [
      'get: index out of range',
      'Expected 0 <= i < 2 and 0 <= j < 3; received (2, 0)',
    ]);
    expectLattnError(() => get(a, 0, -1), 'INVALID_ARGUMENT', 'get', ['received (0, -1)']);
    expectLattnError(() => get(a, 0.5, 0), 'INVALID_ARGUMENT', 'get', ['received (0.5, 0)']);
  });
});

suite('describe', () => {
  it('summarises any value for error messages', () => {
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('undefined');
    expect(describe(Number.NaN)).toBe('NaN');
    expect(describe(-3)).toBe('-3');
    expect(describe('abc')).toBe("'abc'");
    expect(describe('x'.repeat(50))).toBe(`'${'x'.repeat(40)}…'`);
    expect(describe(true)).toBe('true');
    expect(describe(10n)).toBe('10');
    expect(describe([1, 2, 3])).toBe('an array of length 3');
    expect(describe(new Float32Array(4))).toBe('a Float32Array of length 4');
    expect(describe(new DataView(new ArrayBuffer(8)))).toBe('a DataView of length 8');
    expect(describe(() => 1)).toBe('a function');
    expect(describe(zeros(3, 4))).toBe('a matrix of shape (3, 4)');
    expect(describe({ a: 1 })).toBe('an object');
  });
});
