import { expectLattnError } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { featureDim, featureTriple, pairIndex } from './layout.js';

describe('featureDim', () => {
  it('is d · d(d+1)/2', () => {
    expect([1, 2, 3, 4, 8, 16].map(featureDim)).toEqual([1, 6, 18, 40, 288, 2176]);
  });

  it('throws INVALID_ARGUMENT for a modelDim that is not an integer >= 1', () => {
    expectLattnError(() => featureDim(0), 'INVALID_ARGUMENT', 'featureDim');
    expectLattnError(() => featureDim(2.5), 'INVALID_ARGUMENT', 'featureDim');
  });
});

describe('pairIndex', () => {
  it('enumerates pairs j <= k in row-major upper-triangle order', () => {
    for (let d = 1; d <= 6; d++) {
      let expected = 0;
      for (let j = 0; j < d; j++) {
        for (let k = j; k < d; k++) expect(pairIndex(j, k, d)).toBe(expected++);
      }
      expect(expected).toBe((d * (d + 1)) / 2);
    }
  });

  it('is symmetric in j and k', () => {
    for (let j = 0; j < 5; j++) {
      for (let k = 0; k < 5; k++) expect(pairIndex(j, k, 5)).toBe(pairIndex(k, j, 5));
    }
  });

  it('throws INVALID_ARGUMENT for an index out of range', () => {
    expectLattnError(() => pairIndex(0, 3, 3), 'INVALID_ARGUMENT', 'pairIndex');
    expectLattnError(() => pairIndex(-1, 0, 3), 'INVALID_ARGUMENT', 'pairIndex');
    expectLattnError(() => pairIndex(0, 0, 0), 'INVALID_ARGUMENT', 'pairIndex');
  });
});

describe('featureTriple', () => {
  it('inverts pairIndex(j, k) · d + l for every index, d = 1..6', () => {
    for (let d = 1; d <= 6; d++) {
      const seen = new Set<number>();
      for (let j = 0; j < d; j++) {
        for (let k = j; k < d; k++) {
          for (let l = 0; l < d; l++) {
            const index = pairIndex(j, k, d) * d + l;
            expect(featureTriple(index, d)).toEqual({ j, k, l });
            seen.add(index);
          }
        }
      }
      expect(seen.size).toBe(featureDim(d));
      for (let index = 0; index < featureDim(d); index++) {
        const { j, k, l } = featureTriple(index, d);
        expect(j <= k).toBe(true);
        expect(pairIndex(j, k, d) * d + l).toBe(index);
      }
    }
  });

  it('throws INVALID_ARGUMENT for an index outside [0, D)', () => {
    expectLattnError(() => featureTriple(18, 3), 'INVALID_ARGUMENT', 'featureTriple');
    expectLattnError(() => featureTriple(-1, 3), 'INVALID_ARGUMENT', 'featureTriple');
    expectLattnError(() => featureTriple(0.5, 3), 'INVALID_ARGUMENT', 'featureTriple');
  });
});
