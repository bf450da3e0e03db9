import { createRng, type EighResult } from '@lattn/core';
import type { LinearAttentionFit } from '@lattn/learner';
import { describe, expect, it } from 'vitest';
import { createFitSection, FIT_WORKLOAD, fitSection } from './fit.js';
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
    for (const op of fitSection.operations) expect(op.ownSizes).toEqual([8, 12, 16]);
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
    const cases = small.operations.map((op) => ({
      operation: op.name,
      size: 3,
      ...(op.numpy ?? { setup: '', run: '' }),
    }));
    const timings = timeWithNumpy(runtime, cases, { repeats: 1, minSampleSeconds: 0, singleRunSeconds: 0 }, true);
    expect([...timings.timings.keys()].sort()).toEqual(['fit-eigenvalues@3', 'fit@3']);
  });
});
