import { createRng, isLattnError, type Matrix } from '@lattn/core';
import { expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import type { NpyArray } from './npy.js';
import { lastTargetsFromArray, lastTargetsToArray, sequencesFromArray, sequencesToArray } from './sequences.js';

function codeAndMessage(run: () => unknown): [string, string] {
  try {
    run();
  } catch (error) {
    if (isLattnError(error)) return [error.code, error.message];
    throw error;
  }
  throw new Error('expected a LattnError');
}

const rng = createRng(3);
const array3: NpyArray = { shape: [3, 4, 2], data: Float64Array.from({ length: 24 }, () => rng.normal()) };

describe('sequencesFromArray', () => {
  it('splits a (B, n, d) array into B fresh (n, d) matrices in C order', () => {
    const sequences = sequencesFromArray(array3, { path: 'X.npy' });
    expect(sequences).toHaveLength(3);
    sequences.forEach((sequence, b) => {
      expect([sequence.rows, sequence.cols]).toEqual([4, 2]);
      for (let t = 0; t < 4; t++) {
        expectVectorClose(
          sequence.data.subarray(t * 2, t * 2 + 2),
          array3.data.subarray(b * 8 + t * 2, b * 8 + t * 2 + 2),
          { rtol: 0, atol: 0 },
        );
      }
      expect(sequence.data.buffer).not.toBe(array3.data.buffer);
    });
  });

  it('round-trips through sequencesToArray', () => {
    const back = sequencesToArray(sequencesFromArray(array3, { path: 'X.npy' }));
    expect(back.shape).toEqual([3, 4, 2]);
    expectVectorClose(back.data, array3.data, { rtol: 0, atol: 0 });
  });

  it('throws SHAPE_MISMATCH for a rank-2 array, suggesting x[None]', () => {
    const [code, message] = codeAndMessage(() =>
      sequencesFromArray({ shape: [4, 2], data: new Float64Array(8) }, { path: 'X.npy' }),
    );
    expect(code).toBe('SHAPE_MISMATCH');
    expect(message).toBe(
      "'X.npy' has 2 axes. Expected shape (B, n, d) (for example save x[None] when the leading axis is missing); received (4, 2).",
    );
  });

  it('throws SHAPE_MISMATCH for an empty axis', () => {
    const [code, message] = codeAndMessage(() =>
      sequencesFromArray({ shape: [2, 0, 3], data: new Float64Array(0) }, { path: 'X.npy' }),
    );
    expect(code).toBe('SHAPE_MISMATCH');
    expect(message).toContain('received (2, 0, 3)');
  });

  it('throws NON_FINITE naming the [b, t, j] index in the file, offset by the chunk start', () => {
    const data = Float64Array.from(array3.data);
    data[1 * 8 + 2 * 2 + 1] = Number.NaN;
    const [code, message] = codeAndMessage(() =>
      sequencesFromArray({ shape: [3, 4, 2], data }, { path: 'X.npy', start: 100 }),
    );
    expect(code).toBe('NON_FINITE');
    expect(message).toBe("'X.npy' contains a non-finite value at [101, 2, 1]. Expected finite numbers; received NaN.");
  });
});

describe('lastTargetsFromArray and lastTargetsToArray', () => {
  const targets: NpyArray = { shape: [3, 2], data: Float64Array.of(1, 2, 3, 4, 5, 6) };

  it('turn a (B, dOut) array into B (1, dOut) matrices and back', () => {
    const matrices = lastTargetsFromArray(targets, { path: 'Y.npy' });
    expect(matrices).toHaveLength(3);
    expectMatrixClose(matrices[1], [[3, 4]], { rtol: 0, atol: 0 });
    const back = lastTargetsToArray(matrices);
    expect(back.shape).toEqual([3, 2]);
    expectVectorClose(back.data, targets.data, { rtol: 0, atol: 0 });
  });

  it('throws SHAPE_MISMATCH for (B, n, dOut) targets, suggesting y[:, -1, :]', () => {
    const [code, message] = codeAndMessage(() => lastTargetsFromArray(array3, { path: 'Y.npy' }));
    expect(code).toBe('SHAPE_MISMATCH');
    expect(message).toContain('Expected shape (B, dOut) (for example save y[:, -1, :]');
  });

  it('throws NON_FINITE naming the [b, j] index', () => {
    const [code, message] = codeAndMessage(() =>
      lastTargetsFromArray({ shape: [3, 2], data: Float64Array.of(1, 2, 3, Infinity, 5, 6) }, { path: 'Y.npy' }),
    );
    expect(code).toBe('NON_FINITE');
    expect(message).toContain('at [1, 1]');
  });

  it('lastTargetsToArray throws SHAPE_MISMATCH for matrices with more than one row', () => {
    const [code] = codeAndMessage(() => lastTargetsToArray([{ rows: 2, cols: 1, data: new Float64Array(2) }]));
    expect(code).toBe('SHAPE_MISMATCH');
  });
});

describe('sequencesToArray', () => {
  it('throws SHAPE_MISMATCH for ragged sequences, naming the first different one', () => {
    const a: Matrix = { rows: 2, cols: 3, data: new Float64Array(6) };
    const b: Matrix = { rows: 3, cols: 3, data: new Float64Array(9) };
    const [code, message] = codeAndMessage(() => sequencesToArray([a, a, b]));
    expect(code).toBe('SHAPE_MISMATCH');
    expect(message).toContain('Expected every matrix to be (2, 3) like the first; received (3, 3) at index 2.');
  });

  it('throws INVALID_ARGUMENT for an empty list', () => {
    expect(codeAndMessage(() => sequencesToArray([]))[0]).toBe('INVALID_ARGUMENT');
  });
});
