import { createRng, type EighResult, type GramAccumulator, gramMoments } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import type { LinearAttentionFit } from '@lattn/learner';
import { describe, expect, it } from 'vitest';
import { createFitSection, FIT_WORKLOAD, fitSection } from './fit.js';
import { MEMORY_WORKLOAD, measureMomentMemory } from './memory.js';
import { findNumpy, timeWithNumpy } from './numpy.js';
import { runBench } from './run.js';

const small = createFitSection({ sequences: 6, length: 4, outputDim: 2, modelDims: [2, 3] });

function operation(name: string) {
  const found = small.operations.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no operation ${name}`);
  return found;
}

describe('fitSection', () => {
  it('runs 2000 sequences of 16 tokens at d = 8, 12, 16 whatever --sizes says', () => {
    expect(FIT_WORKLOAD).toMatchObject({ sequences: 2000, length: 16 });
    for (const op of fitSection.operations) {
      expect(op.ownSizes).toEqual(op.name === 'moments-memory' ? [10_000, 100_000] : [8, 12, 16]);
    }
    const report = runBench({
      sections: [small],
      sizes: [256],
      only: ['fit'],
      measure: { repeats: 1, minSampleSeconds: 0, singleRunSeconds: 0 },
      numpy: false,
      onProgress: () => {},
    });
    expect(report.rows.map((row) => row.size)).toEqual([2, 3]);
  });

  it('counts flops as N·D² + D³/3 for the fit and 4·D³/3 for the eigenvalues', () => {
    const examples = 6 * 4;
    expect(operation('fit').flops(2)).toBe(examples * 36 + 216 / 3);
    expect(operation('fit-eigenvalues').flops(2)).toBe((4 * 216) / 3);
    expect(operation('moments').flops(2)).toBe(examples * 36);
  });

  it('accumulates the same moments on worker threads as on one thread (to 1e-12)', () => {
    const threaded = createFitSection({ sequences: 40, length: 5, outputDim: 2, modelDims: [3] });
    const run = (name: string) => {
      const found = threaded.operations.find((candidate) => candidate.name === name);
      return gramMoments(found?.prepare(3, createRng(3))() as GramAccumulator);
    };
    const one = run('moments');
    const two = run('moments-2-threads');
    expect(two.count).toBe(200);
    expectMatrixClose(two.gram, one.gram, { rtol: 1e-12, relativeToMax: true });
    expectMatrixClose(two.cross, one.cross, { rtol: 1e-12, relativeToMax: true });
  });

  it('measures the peak memory of the moment pass in a child process', () => {
    const memory = measureMomentMemory(30);
    expect(memory.count).toBe(30 * MEMORY_WORKLOAD.length);
    expect(memory.peakRssMiB).toBeGreaterThan(10);
  });

  it('times a complete fit and the eigenvalues of the accumulated Gram matrix', () => {
    const fit = operation('fit').prepare(3, createRng(3))() as LinearAttentionFit;
    expect(fit.numExamples).toBe(24);
    expect(fit.featureDim).toBe(18);
    const values = operation('fit-eigenvalues').prepare(3, createRng(3))() as EighResult;
    expect(values.values).toHaveLength(18);
  });

  it('has numpy snippets that run (when a Python with numpy is available)', () => {
    const runtime = findNumpy();
    if (runtime === undefined) return;
    const cases = small.operations
      .filter((op) => op.numpy !== undefined)
      .map((op) => ({
        operation: op.name,
        size: 3,
        ...(op.numpy ?? { setup: '', run: '' }),
      }));
    const timings = timeWithNumpy(runtime, cases, { repeats: 1, minSampleSeconds: 0, singleRunSeconds: 0 }, true);
    expect([...timings.timings.keys()].sort()).toEqual([
      'fit-eigenvalues@3',
      'fit@3',
      'moments-2-threads@3',
      'moments@3',
    ]);
  });
});
