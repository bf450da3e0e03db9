import { createRng, fromRows } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { meanSquare, meanSquaredError, median, rootMeanSquareDistance, spearman } from './stats.js';

describe('errors between outputs and targets', () => {
  const outputs = [
    fromRows([
      [1, 2],
      [3, 4],
    ]),
    fromRows([[0, 0]]),
  ];
  const targets = [
    fromRows([
      [1, 0],
      [3, 1],
    ]),
    fromRows([[2, 0]]),
  ];

  it('averages squared entries over all entries (meanSquaredError, meanSquare)', () => {
    expectVectorClose([meanSquaredError(outputs, targets)], [(4 + 9 + 4) / 6], { rtol: 1e-15 });
    expectVectorClose([meanSquare(targets)], [(1 + 9 + 1 + 4) / 6], { rtol: 1e-15 });
  });

  it('averages squared distances over sequences (rootMeanSquareDistance)', () => {
    expectVectorClose([rootMeanSquareDistance(outputs, targets)], [Math.sqrt((13 + 4) / 2)], { rtol: 1e-15 });
  });
});

describe('median', () => {
  it('returns the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('spearman', () => {
  it('is ±1 for monotone relations and invariant to monotone transforms', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [1e-1, 1e-5, 1e-9, 1e-15])).toBe(-1);
  });

  it('equals the Pearson correlation of the ranks, with average ranks for ties', () => {
    const rng = createRng(2);
    const a = Array.from({ length: 30 }, () => Math.round(rng.uniform() * 5));
    const b = a.map((value) => value + rng.normal());
    const rank = (values: number[]) =>
      values.map((value) => {
        const below = values.filter((other) => other < value).length;
        const equal = values.filter((other) => other === value).length;
        return below + (equal + 1) / 2;
      });
    const pearson = (x: number[], y: number[]) => {
      const mx = x.reduce((s, v) => s + v, 0) / x.length;
      const my = y.reduce((s, v) => s + v, 0) / y.length;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      x.forEach((v, i) => {
        sxy += (v - mx) * (y[i] - my);
        sxx += (v - mx) ** 2;
        syy += (y[i] - my) ** 2;
      });
      return sxy / Math.sqrt(sxx * syy);
    };
    expectVectorClose([spearman(a, b)], [pearson(rank(a), rank(b))], { rtol: 1e-12 });
  });

  it('is NaN for a constant list or fewer than two values', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
  });
});
