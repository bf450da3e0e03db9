import { describe, expect, it } from 'vitest';
import { fromRows, zeros } from './matrix.js';
import { expectLattnError } from './testing/index.js';
import { checkFinite, checkInteger, checkKnownKeys, checkMatrix, checkNumber, checkOneOf } from './validate.js';

describe('checkMatrix', () => {
  it('returns a well-formed matrix unchanged', () => {
    const a = zeros(2, 3);
    expect(checkMatrix('f', 'a', a)).toBe(a);
    expect(checkMatrix('f', 'a', a, { rows: 2, cols: 3 })).toBe(a);
    expect(checkMatrix('f', 'a', zeros(0, 0))).toEqual(zeros(0, 0));
  });

  it.each([
    ['null', null, 'received null'],
    ['a number', 3, 'received 3'],
    ['nested arrays', [[1]], 'received an array of length 1'],
    ['a Float32Array', { rows: 1, cols: 2, data: new Float32Array(2) }, 'data: a Float32Array of length 2'],
    ['a short array', { rows: 2, cols: 2, data: new Float64Array(3) }, 'data: a Float64Array of length 3'],
    ['a fractional size', { rows: 1.5, cols: 2, data: new Float64Array(3) }, 'rows: 1.5'],
    ['a negative size', { rows: -1, cols: -2, data: new Float64Array(2) }, 'rows: -1, cols: -2'],
  ])(
    'throws INVALID_ARGUMENT for %s, naming function, argument, expectation and what was received',
    (_, value, received) => {
      expectLattnError(() => checkMatrix('fit', 'weights', value), 'INVALID_ARGUMENT', 'fit', [
        'fit: weights is not a matrix',
        'Expected { rows, cols, data: Float64Array of length rows·cols }',
        received,
      ]);
    },
  );

  it('throws SHAPE_MISMATCH with both shapes when rows or cols differ', () => {
    expectLattnError(() => checkMatrix('fit', 'targets', zeros(2, 2), { rows: 3 }), 'SHAPE_MISMATCH', 'fit', [
      'fit: targets has the wrong shape',
      'Expected (3, any); received (2, 2)',
    ]);
    expectLattnError(() => checkMatrix('fit', 'targets', zeros(2, 2), { cols: 1 }), 'SHAPE_MISMATCH', 'fit', [
      'Expected (any, 1); received (2, 2)',
    ]);
  });

  it('throws NON_FINITE at the first NaN or ±Infinity by default, and accepts them with finite: false', () => {
    const a = fromRows([
      [1, 2, 3],
      [4, Number.NEGATIVE_INFINITY, Number.NaN],
    ]);
    expectLattnError(() => checkMatrix('fit', 'inputs', a), 'NON_FINITE', 'fit', [
      'fit: inputs contains a non-finite value at entry (1, 1)',
      'Expected finite numbers; received -Infinity',
    ]);
    expect(checkMatrix('fit', 'inputs', a, { finite: false })).toBe(a);
  });
});

describe('checkFinite', () => {
  it('accepts finite numbers, including ±0 and the extremes', () => {
    expect(() => checkFinite('f', 'x', [0, -0, Number.MAX_VALUE, -Number.MIN_VALUE])).not.toThrow();
  });

  it('reports a flat index without cols and a (row, col) entry with cols', () => {
    expectLattnError(() => checkFinite('f', 'x', new Float64Array([1, Number.NaN])), 'NON_FINITE', 'f', [
      'f: x contains a non-finite value at index 1',
      'received NaN',
    ]);
    expectLattnError(() => checkFinite('f', 'x', [0, 0, 0, 0, Number.POSITIVE_INFINITY], 2), 'NON_FINITE', 'f', [
      'at entry (2, 0)',
      'received Infinity',
    ]);
  });
});

describe('checkInteger', () => {
  it('returns integers within the bounds', () => {
    expect(checkInteger('f', 'n', 3, { min: 1, max: 3 })).toBe(3);
    expect(checkInteger('f', 'n', -7)).toBe(-7);
    expect(checkInteger('f', 'n', 1, { min: 0, exclusiveMin: true })).toBe(1);
  });

  it.each([
    ['a fraction', 1.5, {}, 'received 1.5'],
    ['NaN', Number.NaN, {}, 'received NaN'],
    ['an unsafe integer', 2 ** 53, {}, `received ${2 ** 53}`],
    ['a string', '3', {}, "received '3'"],
    ['a value below min', 0, { min: 1 }, 'Expected an integer >= 1; received 0'],
    ['a value above max', 9, { min: 1, max: 8 }, 'Expected an integer >= 1 and <= 8; received 9'],
    ['the excluded min', 0, { min: 0, exclusiveMin: true }, 'Expected an integer > 0; received 0'],
  ])('throws INVALID_ARGUMENT for %s, stating the bounds', (_, value, range, text) => {
    expectLattnError(() => checkInteger('generate', 'numHeads', value, range), 'INVALID_ARGUMENT', 'generate', [
      'generate: numHeads must be an integer',
      text,
    ]);
  });
});

describe('checkNumber', () => {
  it('returns finite numbers within the bounds', () => {
    expect(checkNumber('f', 'ridge', 0, { min: 0 })).toBe(0);
    expect(checkNumber('f', 'ridge', 1e-300, { min: 0, exclusiveMin: true })).toBe(1e-300);
  });

  it('throws INVALID_ARGUMENT for NaN, ±Infinity, non-numbers and values out of range', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '1', null]) {
      expectLattnError(() => checkNumber('fit', 'ridge', value), 'INVALID_ARGUMENT', 'fit', [
        'fit: ridge must be a finite number',
      ]);
    }
    expectLattnError(() => checkNumber('fit', 'ridge', -1e-3, { min: 0 }), 'INVALID_ARGUMENT', 'fit', [
      'Expected a number >= 0; received -0.001',
    ]);
    expectLattnError(() => checkNumber('fit', 'rtol', 0, { min: 0, exclusiveMin: true }), 'INVALID_ARGUMENT', 'fit', [
      'Expected a number > 0; received 0',
    ]);
  });
});

describe('checkOneOf', () => {
  it('returns an accepted value and lists the accepted values otherwise', () => {
    expect(checkOneOf('forward', 'mode', 'last', ['all', 'last'])).toBe('last');
    expectLattnError(() => checkOneOf('forward', 'mode', 'first', ['all', 'last']), 'INVALID_ARGUMENT', 'forward', [
      'forward: mode is not recognised',
      "Expected one of 'all', 'last'; received 'first'",
    ]);
    expectLattnError(() => checkOneOf('forward', 'mode', 1, ['all']), 'INVALID_ARGUMENT', 'forward', ['received 1']);
  });
});

describe('checkKnownKeys', () => {
  it('accepts undefined and objects with known fields only', () => {
    expect(() => checkKnownKeys('fit', 'options', undefined, ['ridge'])).not.toThrow();
    expect(() => checkKnownKeys('fit', 'options', {}, ['ridge'])).not.toThrow();
    expect(() => checkKnownKeys('fit', 'options', { ridge: 1 }, ['ridge', 'rtol'])).not.toThrow();
  });

  it('throws INVALID_ARGUMENT naming the unknown field and the known ones', () => {
    expectLattnError(
      () => checkKnownKeys('fit', 'options', { ridge: 1, rtoll: 2 }, ['ridge', 'rtol']),
      'INVALID_ARGUMENT',
      'fit',
      ["fit: options has an unknown field 'rtoll'", "Expected only 'ridge', 'rtol'; received 'rtoll'"],
    );
  });

  it('throws INVALID_ARGUMENT for null, arrays and primitives', () => {
    for (const value of [null, [], 3, 'x']) {
      expectLattnError(() => checkKnownKeys('fit', 'options', value, []), 'INVALID_ARGUMENT', 'fit', [
        'fit: options must be an object',
      ]);
    }
  });
});
