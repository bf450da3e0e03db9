import { fromRows, zeros } from '@lattn/core';
import { expectLattnError, expectMatrixClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { lastRow, prefixMomentReference, randomSequences, rngFor } from './__fixtures__/random.js';
import { cubicFeatures, unfoldedFeatures } from './features.js';
import { featureDim, featureTriple } from './layout.js';

describe('cubicFeatures', () => {
  it('holds M_t[j,k] · z_t[l] at column pairIndex(j, k) · d + l, with M_t from ml-matrix', () => {
    for (const d of [1, 2, 3, 5]) {
      const [sequence] = randomSequences(rngFor(10 + d), d, [6]);
      const psi = cubicFeatures(sequence);
      expect([psi.rows, psi.cols]).toEqual([6, featureDim(d)]);
      const expected: number[][] = [];
      for (let t = 0; t < 6; t++) {
        const moment = prefixMomentReference(sequence, t);
        const row: number[] = [];
        for (let index = 0; index < featureDim(d); index++) {
          const { j, k, l } = featureTriple(index, d);
          row.push(moment[j][k] * sequence.data[t * d + l]);
        }
        expected.push(row);
      }
      expectMatrixClose(psi, expected, { rtol: 1e-13, relativeToMax: true });
    }
  });

  it('gives the worked example of the README', () => {
    const psi = cubicFeatures(
      fromRows([
        [1, 2],
        [3, 0],
      ]),
    );
    // M_1 = [[10, 2], [2, 4]], z_1 = (3, 0)
    expectMatrixClose(
      psi,
      [
        [1, 2, 2, 4, 4, 8],
        [30, 0, 6, 0, 12, 0],
      ],
      { rtol: 0 },
    );
  });

  it("returns in mode 'last' exactly the last row of mode 'all'", () => {
    const [sequence] = randomSequences(rngFor(20), 3, [5]);
    expectMatrixClose(cubicFeatures(sequence, { mode: 'last' }), lastRow(cubicFeatures(sequence)), { rtol: 0 });
  });

  it('handles a single token', () => {
    const psi = cubicFeatures(fromRows([[2]]));
    expectMatrixClose(psi, [[8]], { rtol: 0 });
  });

  it('throws for an empty sequence, NaN, a bad mode or unknown options', () => {
    expectLattnError(() => cubicFeatures(zeros(0, 2)), 'INVALID_ARGUMENT', 'cubicFeatures');
    expectLattnError(() => cubicFeatures(zeros(2, 0)), 'INVALID_ARGUMENT', 'cubicFeatures');
    expectLattnError(() => cubicFeatures(fromRows([[Number.NaN]])), 'NON_FINITE', 'cubicFeatures');
    expectLattnError(() => cubicFeatures(zeros(1, 1), { mode: 'every' } as never), 'INVALID_ARGUMENT', 'cubicFeatures');
    expectLattnError(() => cubicFeatures(zeros(1, 1), { chunkSize: 2 } as never), 'INVALID_ARGUMENT', 'cubicFeatures');
    expectLattnError(() => cubicFeatures([[1]] as never), 'INVALID_ARGUMENT', 'cubicFeatures');
  });
});

describe('unfoldedFeatures', () => {
  it('holds M_t[j,k] · z_t[l] at column (j·d + k)·d + l, with M_t from ml-matrix', () => {
    for (const d of [1, 2, 4]) {
      const [sequence] = randomSequences(rngFor(30 + d), d, [5]);
      for (const mode of ['all', 'last'] as const) {
        const features = unfoldedFeatures(sequence, { mode });
        const times = mode === 'all' ? [0, 1, 2, 3, 4] : [4];
        const expected = times.map((t) => {
          const moment = prefixMomentReference(sequence, t);
          const row: number[] = [];
          for (let j = 0; j < d; j++) {
            for (let k = 0; k < d; k++) {
              for (let l = 0; l < d; l++) row.push(moment[j][k] * sequence.data[t * d + l]);
            }
          }
          return row;
        });
        expectMatrixClose(features, expected, { rtol: 1e-13, relativeToMax: true });
      }
    }
  });

  it('repeats each folded off-diagonal feature at (j,k,l) and (k,j,l)', () => {
    const d = 3;
    const [sequence] = randomSequences(rngFor(40), d, [4]);
    const folded = cubicFeatures(sequence);
    const unfolded = unfoldedFeatures(sequence);
    for (let t = 0; t < 4; t++) {
      for (let index = 0; index < folded.cols; index++) {
        const { j, k, l } = featureTriple(index, d);
        const value = folded.data[t * folded.cols + index];
        expect(unfolded.data[t * unfolded.cols + (j * d + k) * d + l]).toBe(value);
        expect(unfolded.data[t * unfolded.cols + (k * d + j) * d + l]).toBe(value);
      }
    }
  });

  it('throws INVALID_ARGUMENT for unknown options', () => {
    expectLattnError(
      () => unfoldedFeatures(zeros(1, 1), { space: 'x' } as never),
      'INVALID_ARGUMENT',
      'unfoldedFeatures',
    );
  });
});
