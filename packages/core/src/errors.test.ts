import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { isLattnError, LattnError } from './errors.js';

describe('LattnError', () => {
  it('carries its code, message, name, details and native cause', () => {
    const cause = new RangeError('inner');
    const error = new LattnError('SHAPE_MISMATCH', 'f: bad. Expected (2, 2); received (2, 3).', {
      cause,
      details: { expected: '(2, 2)' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(LattnError);
    expect(error.name).toBe('LattnError');
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toBe('f: bad. Expected (2, 2); received (2, 3).');
    expect(error.details).toEqual({ expected: '(2, 2)' });
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('LattnError');
  });

  it('defaults details to an empty object and leaves cause unset', () => {
    const error = new LattnError('INVALID_ARGUMENT', 'f: bad.');
    expect(error.details).toEqual({});
    expect('cause' in error).toBe(false);
  });

  it('keeps its brand out of enumeration and JSON', () => {
    const error = new LattnError('NON_FINITE', 'f: NaN.');
    const brand = Object.getOwnPropertyDescriptor(error, Symbol.for('@lattn/error'));
    expect(brand).toMatchObject({ value: true, enumerable: false, writable: false });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'LattnError', code: 'NON_FINITE', details: {} });
  });
});

describe('isLattnError', () => {
  it('recognises a LattnError of every code', () => {
    for (const code of [
      'INVALID_ARGUMENT',
      'SHAPE_MISMATCH',
      'NON_FINITE',
      'NOT_CONVERGED',
      'INVALID_FORMAT',
      'TOO_LARGE',
    ] as const) {
      expect(isLattnError(new LattnError(code, 'f: x.'))).toBe(true);
    }
  });

  it('rejects plain errors, look-alikes without the brand, and non-objects', () => {
    expect(isLattnError(new Error('x'))).toBe(false);
    expect(isLattnError({ name: 'LattnError', code: 'INVALID_ARGUMENT', message: 'x' })).toBe(false);
    expect(isLattnError({ [Symbol('@lattn/error')]: true })).toBe(false);
    expect(isLattnError({ [Symbol.for('@lattn/error')]: 'yes' })).toBe(false);
    for (const value of [null, undefined, 'LattnError', 42, true]) expect(isLattnError(value)).toBe(false);
  });

  it('recognises an error from another copy of the library by its Symbol.for brand', () => {
    const fromOtherCopy = { code: 'INVALID_ARGUMENT', message: 'f: bad.', [Symbol.for('@lattn/error')]: true };
    expect(isLattnError(fromOtherCopy)).toBe(true);
  });

  it('recognises a branded error created in another realm (a vm context with its own Error class)', () => {
    const foreign: unknown = runInNewContext(`
      class LattnError extends Error {}
      const error = new LattnError('f: bad.');
      Object.defineProperty(error, Symbol.for('@lattn/error'), { value: true });
      error;
    `);
    expect(foreign instanceof Error).toBe(false);
    expect(isLattnError(foreign)).toBe(true);
  });
});
