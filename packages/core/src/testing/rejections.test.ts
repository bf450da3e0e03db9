import { describe, expect, it } from 'vitest';
import { LattnError } from '../errors.js';
import { fromRows, type Matrix, zeros } from '../matrix.js';
import { transpose } from '../transpose.js';
import { checkMatrix } from '../validate.js';
import { expectLattnError, matrixArgumentRejections, withEntry } from './index.js';

const reject =
  (message: string, code: 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' = 'INVALID_ARGUMENT') =>
  () => {
    throw new LattnError(code, message);
  };
const conforming = 'f: x is negative. Expected x >= 0; received -1.';

describe('expectLattnError', () => {
  it('passes for a LattnError with the code, the function prefix, the template and every fragment, and returns it', () => {
    const error = expectLattnError(reject(conforming), 'INVALID_ARGUMENT', 'f', ['x >= 0', '-1']);
    expect(error.message).toBe(conforming);
  });

  it('accepts a multi-line message in the template', () => {
    expect(() =>
      expectLattnError(
        reject('f: bad file. Expected a header\nand rows; received a\nblank line.'),
        'INVALID_ARGUMENT',
        'f',
      ),
    ).not.toThrow();
  });

  it('fails when the call returns', () => {
    expect(() => expectLattnError(() => 1, 'INVALID_ARGUMENT', 'f')).toThrow(
      'expected f to throw a LattnError INVALID_ARGUMENT, but it returned',
    );
  });

  it('fails when the call throws something other than a LattnError', () => {
    expect(() =>
      expectLattnError(
        () => {
          throw new TypeError('x is undefined');
        },
        'INVALID_ARGUMENT',
        'f',
      ),
    ).toThrow('got TypeError: x is undefined');
  });

  it('fails on another code, another function, a message outside the template, or a missing fragment', () => {
    expect(() => expectLattnError(reject(conforming), 'SHAPE_MISMATCH', 'f')).toThrow(
      'expected code SHAPE_MISMATCH, got INVALID_ARGUMENT',
    );
    expect(() => expectLattnError(reject(conforming), 'INVALID_ARGUMENT', 'g')).toThrow("to start with 'g: '");
    expect(() => expectLattnError(reject('f: x is negative.'), 'INVALID_ARGUMENT', 'f')).toThrow(
      "to follow '… Expected …; received ….'",
    );
    expect(() => expectLattnError(reject('f: x. Expected y; received z'), 'INVALID_ARGUMENT', 'f')).toThrow(
      'to follow',
    );
    expect(() => expectLattnError(reject(conforming), 'INVALID_ARGUMENT', 'f', ['-1', 'NaN', 'y'])).toThrow(
      "to contain 'NaN', 'y'",
    );
  });
});

describe('withEntry', () => {
  it('returns a copy with one entry replaced and leaves the input untouched', () => {
    const m = fromRows([
      [1, 2],
      [3, 4],
    ]);
    const copy = withEntry(m, 2, Number.NaN);
    expect([copy.rows, copy.cols, Array.from(copy.data)]).toEqual([2, 2, [1, 2, Number.NaN, 4]]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('matrixArgumentRejections', () => {
  const args = [
    { fn: 'transpose', argument: 'a', call: (m: unknown) => transpose(m as Matrix), valid: zeros(2, 3) },
    { fn: 'f', argument: 'weights', call: (m: unknown) => checkMatrix('f', 'weights', m), valid: zeros(3, 1) },
  ];

  it('lists eleven malformed values and NaN, Infinity, -Infinity at the first, an inner and the last entry', () => {
    const rows = matrixArgumentRejections(args);
    expect(rows.map(([title]) => title).filter((title) => title.startsWith('f weights: '))).toEqual([
      'f weights: undefined',
      'f weights: null',
      'f weights: a number',
      'f weights: a string',
      'f weights: nested arrays',
      'f weights: plain-array data',
      'f weights: Float32Array data',
      'f weights: data of the wrong length',
      'f weights: negative sizes',
      'f weights: fractional sizes',
      'f weights: NaN sizes',
      ...['NaN', 'Infinity', '-Infinity']
        .flatMap((v) => [`${v} at (0, 0)`, `${v} at (1, 0)`, `${v} at (2, 0)`])
        .map((title) => `f weights: ${title}`),
    ]);
    expect(rows.filter(([, , code]) => code === 'NON_FINITE').map(([, , , , parts]) => parts)).toContainEqual([
      'a',
      '-Infinity',
    ]);
  });

  it('gives rows that a validating function passes', () => {
    for (const [, run, code, fn, parts] of matrixArgumentRejections(args)) expectLattnError(run, code, fn, parts);
  });

  it('gives rows that fail for a function that does not validate its argument', () => {
    const rows = matrixArgumentRejections([{ fn: 'f', argument: 'a', call: () => 0, valid: zeros(1, 1) }]);
    for (const [, run, code, fn, parts] of rows) expect(() => expectLattnError(run, code, fn, parts)).toThrow();
  });

  it('mirrors each non-finite entry with symmetric', () => {
    const seen: Matrix[] = [];
    const rows = matrixArgumentRejections(
      [{ fn: 'f', argument: 'a', call: (m) => seen.push(m as Matrix), valid: zeros(2, 2) }],
      { symmetric: true },
    );
    const inner = rows.find(([title]) => title === 'f a: NaN at (0, 1)');
    inner?.[1]();
    expect(Array.from(seen[0].data)).toEqual([0, Number.NaN, Number.NaN, 0]);
  });
});
