import { describe, expect, it } from 'vitest';
import { fromRows } from '../matrix.js';
import { expectMatrixClose, expectVectorClose } from './index.js';

describe('expectMatrixClose', () => {
  it('passes within tolerance, for matrices and nested rows alike', () => {
    const expected = fromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(() =>
      expectMatrixClose(
        fromRows([
          [1 + 1e-11, 2],
          [3, 4 - 3e-10],
        ]),
        expected,
      ),
    ).not.toThrow();
    expect(() =>
      expectMatrixClose(
        [
          [1, 2],
          [3, 4.001],
        ],
        [
          [1, 2],
          [3, 4],
        ],
        { rtol: 1e-3 },
      ),
    ).not.toThrow();
    expect(() => expectMatrixClose([[1e-9]], [[0]], { atol: 1e-8 })).not.toThrow();
    expect(() =>
      expectMatrixClose([[Number.NaN, Number.POSITIVE_INFINITY]], [[Number.NaN, Number.POSITIVE_INFINITY]]),
    ).not.toThrow();
  });

  it('fails naming the first (i, j) entry out of tolerance, both values, the tolerances and the worst error', () => {
    expect(() =>
      expectMatrixClose(
        [
          [1, 2, 3],
          [4, 5.5, 6.6],
        ],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { rtol: 1e-6, atol: 1e-9 },
      ),
    ).toThrow('matrix: entry (1, 1) is 5.5, expected 5 (rtol 0.000001, atol 1e-9); worst relative error 1.000e-1');
  });

  it('fails on a shape mismatch and uses the label', () => {
    expect(() => expectMatrixClose([[1, 2]], [[1], [2]], { label: 'factor' })).toThrow(
      'factor: shape (1, 2) differs from expected (2, 1)',
    );
  });

  it('compares against the largest |expected| entry with relativeToMax', () => {
    const expected = [[1000, 1e-8]];
    const actual = [[1000, 2e-8]];
    expect(() => expectMatrixClose(actual, expected, { rtol: 1e-10 })).toThrow('entry (0, 1)');
    expect(() => expectMatrixClose(actual, expected, { rtol: 1e-10, relativeToMax: true })).not.toThrow();
    expect(() => expectMatrixClose([[1000, 1e-3]], expected, { rtol: 1e-10, relativeToMax: true })).toThrow(
      'relative to max|expected|',
    );
  });

  it('fails when a value is NaN but the reference is not, or when infinities differ in sign', () => {
    expect(() => expectMatrixClose([[Number.NaN]], [[0]], { atol: 1 })).toThrow('entry (0, 0) is NaN, expected 0');
    expect(() => expectMatrixClose([[Number.NEGATIVE_INFINITY]], [[Number.POSITIVE_INFINITY]])).toThrow('entry (0, 0)');
    expect(() => expectMatrixClose([[1e308]], [[Number.POSITIVE_INFINITY]], { rtol: 1 })).toThrow('entry (0, 0)');
    expect(() =>
      expectVectorClose([Number.POSITIVE_INFINITY, 1.5], [Number.POSITIVE_INFINITY, 1], { relativeToMax: true }),
    ).toThrow('entry [1]');
  });

  it('defaults to rtol 1e-10 and atol 0, so an exact zero must be matched exactly', () => {
    expect(() => expectMatrixClose([[1 + 2e-10]], [[1]])).toThrow('rtol 1e-10, atol 0');
    expect(() => expectMatrixClose([[1e-300]], [[0]])).toThrow('entry (0, 0)');
  });
});

describe('expectVectorClose', () => {
  it('passes within tolerance and fails naming the index', () => {
    expect(() => expectVectorClose(new Float64Array([1, 2, 3]), [1, 2, 3 + 1e-12])).not.toThrow();
    expect(() => expectVectorClose([1, 2, 3.5], [1, 2, 3], { rtol: 0.1 })).toThrow(
      'vector: entry [2] is 3.5, expected 3 (rtol 0.1, atol 0); worst relative error 1.667e-1',
    );
  });

  it('fails on a length mismatch, with the label', () => {
    expect(() => expectVectorClose([1, 2], [1, 2, 3], { label: 'eigenvalues' })).toThrow(
      'eigenvalues: length 2 differs from expected 3',
    );
  });
});
