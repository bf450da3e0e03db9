/** The usage example of the package README, run as written, so the README cannot go stale. */
import { createRng } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';
import { certifyIdentifiability } from './certify.js';
import { designDataset } from './design-dataset.js';
import { driftBound } from './drift-bound.js';
import { estimateSamplesToCertify } from './estimate-samples.js';

describe('README usage example', () => {
  it('prints what the README shows', () => {
    const rng = createRng(0);
    const inputs = Array.from({ length: 40 }, () => rng.normalMatrix(5, 3));
    const certificate = certifyIdentifiability(inputs);
    expect([certificate.identifiable, certificate.rank]).toEqual([true, 18]);
    expectVectorClose([certificate.lambdaMin, certificate.condition, certificate.tolerance], [0.798, 88.9, 2.84e-11], {
      rtol: 5e-3,
    });

    const single = certifyIdentifiability(inputs.map((z) => ({ rows: 1, cols: 3, data: z.data.slice(0, 3) })));
    expect([single.identifiable, single.rank, single.nullity]).toEqual([false, 10, 8]);
    expect(single.reasons[1]).toContain('at most 10 of the 18 features are distinct');
    expect(single.missingDirections[0].description).toBe(
      'M[0,0]·z[1] and M[0,1]·z[0] are equal on every example: each is the monomial z[0]²·z[1] whenever the prefix moment M_t is z_t z_tᵀ, as in sequences of one token',
    );

    const moments = accumulateFeatureMoments(inputs);
    const drift = driftBound(moments, { excessLoss: 1e-6, input: rng.normalMatrix(4, 3) });
    expectVectorClose(drift.tight as Float64Array, [0.00021, 0.0035, 0.0067, 0.0057], { rtol: 0.02 });
    expectVectorClose([drift.bound, drift.frobenius], [0.0067, 0.059], { rtol: 0.01 });

    const estimate = estimateSamplesToCertify((seed) => [createRng(seed).normalMatrix(5, 3)]);
    expect([estimate.numSequences, estimate.numExamples]).toEqual([4, 20]);

    const pool = Array.from({ length: 120 }, (_, b) =>
      b % 10 === 3 ? rng.normalMatrix(4, 3) : rng.normalMatrix(1, 3),
    );
    const design = designDataset(pool);
    expect(design.indices).toEqual([63, 13, 3, 43, 103]);
    expect([design.numExamples, design.randomSize, design.randomNumExamples]).toEqual([20, 22, 31]);
  });
});
