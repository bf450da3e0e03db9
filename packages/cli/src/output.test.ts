import { describe, expect, it } from 'vitest';
import { capturedIo } from './__fixtures__/captured-io.js';
import { formatNumber, formatTable, writeResult } from './output.js';

describe('formatTable', () => {
  it('left-aligns text columns and right-aligns numeric ones', () => {
    expect(
      formatTable([
        ['rank', '45'],
        ['smallest singular value', '1.2e-3'],
        ['identifiable', 'yes'],
      ]),
    ).toBe(
      ['rank                     45', 'smallest singular value  1.2e-3', 'identifiable             yes', ''].join('\n'),
    );
    expect(
      formatTable(
        [
          ['features', '0.52'],
          ['solve', '12.5'],
        ],
        { header: ['stage', 'seconds'] },
      ),
    ).toBe(['stage     seconds', '--------  -------', 'features     0.52', 'solve        12.5', ''].join('\n'));
  });

  it('handles rows of different lengths and an empty table', () => {
    expect(formatTable([['a'], ['bb', '1']])).toBe('a\nbb  1\n');
    expect(formatTable([])).toBe('');
  });
});

describe('formatNumber', () => {
  it.each([
    [42, '42'],
    [-3, '-3'],
    [1 / 3, '0.333333'],
    [123456.789, '123457'],
    [1.23456e-7, '1.235e-7'],
    [6.02e23, '6.020e23'],
    [Number.NaN, 'NaN'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('formats %d as %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe('writeResult', () => {
  it('prints exactly one JSON document on stdout in --json mode, and nothing on stderr', () => {
    const { io, out, err } = capturedIo();
    writeResult(io, { rank: 3, values: Float64Array.of(1, 2) }, { json: true, text: () => 'not this' });
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0])).toEqual({ rank: 3, values: [1, 2] });
    expect(out[0].endsWith('}\n')).toBe(true);
    expect(err).toEqual([]);
  });

  it('prints the text for people otherwise', () => {
    const { io, out } = capturedIo();
    writeResult(io, { rank: 3 }, { json: false, text: () => 'rank  3\n' });
    expect(out).toEqual(['rank  3\n']);
  });
});
