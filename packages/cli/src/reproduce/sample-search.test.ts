import { forwardFolded } from '@lattn/feature-map';
import { exactMatchRandomMhla, generateRandomMhlaTask } from '@lattn/tasks';
import { describe, expect, it } from 'vitest';
import { fitAndScore, formatSamplesNeeded, type SamplePoint, searchSamples } from './sample-search.js';

function threshold(needed: number, calls: number[]): (n: number) => SamplePoint {
  return (n) => {
    calls.push(n);
    return {
      numSequences: n,
      numExamples: 10 * n,
      exactMatch: n >= needed ? 1 : n / needed,
      positionAccuracy: 1,
      rank: n,
      solver: 'dual',
      seconds: 0,
    };
  };
}

describe('searchSamples', () => {
  it.each([1, 2, 3, 10, 37, 100, 129])(
    'brackets a threshold of %i sequences to within 1/8, with a failure just below the answer',
    (needed) => {
      const calls: number[] = [];
      const search = searchSamples(threshold(needed, calls), 512);
      expect(search.samplesNeeded).not.toBeNull();
      const found = search.samplesNeeded as number;
      expect(found).toBeGreaterThanOrEqual(needed);
      expect(found - search.lastFailure).toBeLessThanOrEqual(Math.max(1, Math.floor(found / 8)));
      expect(search.lastFailure).toBeLessThan(needed);
      expect(search.points.map((point) => point.numSequences)).toEqual([...calls].sort((a, b) => a - b));
      expect(new Set(calls).size).toBe(calls.length);
    },
  );

  it('returns null after trying the maximum when no size is enough, ending exactly at the maximum', () => {
    const calls: number[] = [];
    const search = searchSamples(threshold(1000, calls), 100);
    expect(search.samplesNeeded).toBeNull();
    expect(calls).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(search.lastFailure).toBe(100);
  });
});

describe('fitAndScore', () => {
  it('fits the exact learner on the training set and reports its score, size, rank and solver', () => {
    const task = generateRandomMhlaTask({ numSequences: 12, modelDim: 2, outputDim: 1, numHeads: 1, seed: 3 });
    const { point, fit } = fitAndScore(12, task.dataset, (weights) =>
      exactMatchRandomMhla(forwardFolded(weights, task.dataset.inputs), task),
    );
    expect(point).toMatchObject({ numSequences: 12, numExamples: fit.numExamples, exactMatch: 1, positionAccuracy: 1 });
    expect([point.rank, point.solver]).toEqual([fit.rank, fit.solver]);
    expect(point.seconds).toBeGreaterThanOrEqual(0);
  });
});

describe('formatSamplesNeeded', () => {
  it('gives the answer with the failure below it, or more than the maximum', () => {
    expect(formatSamplesNeeded({ samplesNeeded: 14, lastFailure: 12 }, 512)).toBe('14 (12 failed)');
    expect(formatSamplesNeeded({ samplesNeeded: null, lastFailure: 512 }, 512)).toBe('> 512');
  });
});
