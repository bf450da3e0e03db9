import { createRng, type Matrix } from '@lattn/core';
import { expectLattnError } from '@lattn/core/testing';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';
import { gaussianSequences } from './__fixtures__/oracle.js';
import { certifyIdentifiability } from './certify.js';
import { estimateSamplesToCertify } from './estimate-samples.js';

/** Two Gaussian sequences of 3 tokens per seed (6 examples in mode 'all'), d = 3 (D = 18). */
const gaussian = (seed: number): Matrix[] => gaussianSequences(1000 + seed, 2, 3, 3);

function drawn(generator: (seed: number) => Matrix[], first: number, count: number): Matrix[] {
  return Array.from({ length: count }, (_, i) => generator(first + i)).flat();
}

describe('estimateSamplesToCertify', () => {
  it('finds the fewest batches that certify, as certifyIdentifiability confirms on either side', () => {
    const estimate = estimateSamplesToCertify(gaussian);
    expect(estimate.certified).toBe(true);
    expect(estimate.numExamples).toBeGreaterThanOrEqual(18);
    expect(estimate.numSequences).toBe(2 * estimate.numBatches);
    expect(estimate.numExamples).toBe(6 * estimate.numBatches);
    expect(estimate.totalExamples).toBe(estimate.numExamples);
    expect(estimate.seeds).toEqual(Array.from({ length: estimate.numBatches }, (_, i) => i));
    expect(estimate.certificate.identifiable).toBe(true);
    expect(certifyIdentifiability(drawn(gaussian, 0, estimate.numBatches)).identifiable).toBe(true);
    expect(certifyIdentifiability(drawn(gaussian, 0, estimate.numBatches - 1)).identifiable).toBe(false);
  });

  it('agrees with a linear scan while testing only O(log b) prefixes', () => {
    // One length-1 sequence per batch until seed 8, then one of 12 tokens: only batches 8, 9, … can certify.
    const generator = (seed: number): Matrix[] => gaussianSequences(seed, 1, seed >= 8 ? 12 : 1, 3);
    let linear = 1;
    while (!certifyIdentifiability(drawn(generator, 0, linear)).identifiable) linear++;
    const estimate = estimateSamplesToCertify(generator);
    expect(estimate.numBatches).toBe(linear);
    expect(linear).toBeGreaterThan(8);
    // Prefixes below D = 18 examples are skipped without an eigenvalue test; then 16 passes and bisection on (8, 16].
    expect(estimate.checks[0]).toMatchObject({ numBatches: 16, identifiable: true });
    expect(estimate.checks.length).toBeLessThanOrEqual(4);
    for (const check of estimate.checks.slice(1)) expect(check.identifiable).toBe(check.numBatches >= linear);
  });

  it('counts only the batches needed on top of initial moments, and none when they already certify', () => {
    const base = gaussian(0).concat(gaussian(1)); // 12 examples: not enough alone
    const initial = accumulateFeatureMoments(base);
    const before = structuredClone(initial);
    const estimate = estimateSamplesToCertify(gaussian, { initial, seed: 2 });
    expect(initial).toEqual(before);
    expect(estimate.certified).toBe(true);
    expect(estimate.totalExamples).toBe(12 + estimate.numExamples);
    expect(certifyIdentifiability(base.concat(drawn(gaussian, 2, estimate.numBatches))).identifiable).toBe(true);
    expect(certifyIdentifiability(base.concat(drawn(gaussian, 2, estimate.numBatches - 1))).identifiable).toBe(false);

    const enough = accumulateFeatureMoments(drawn(gaussian, 0, 20));
    const none = estimateSamplesToCertify(gaussian, { initial: enough });
    expect(none.numBatches).toBe(0);
    expect(none.numExamples).toBe(0);
    expect(none.certified).toBe(true);
  });

  it('gives up after maxBatches when the design can never certify, with the certificate saying why', () => {
    const single = (seed: number): Matrix[] => gaussianSequences(seed, 3, 1, 3);
    const estimate = estimateSamplesToCertify(single, { maxBatches: 40 });
    expect(estimate.certified).toBe(false);
    expect(estimate.numBatches).toBe(40);
    expect(estimate.numExamples).toBe(120);
    expect(estimate.certificate.rank).toBe(10);
    expect(estimate.certificate.missingDirections[0].kind).toBe('coincident-features');
  });

  it("works in mode 'last' and is deterministic", () => {
    const generator = (seed: number): Matrix[] => gaussianSequences(seed, 3, 4, 2);
    const first = estimateSamplesToCertify(generator, { mode: 'last' });
    expect(first.certified).toBe(true);
    expect(first.numExamples).toBe(first.numSequences);
    expect(first.numExamples).toBeGreaterThanOrEqual(6);
    expect(estimateSamplesToCertify(generator, { mode: 'last' })).toEqual(first);
  });

  it('reports sampling progress', () => {
    const done: number[] = [];
    estimateSamplesToCertify(gaussian, { onProgress: (p) => done.push(p.done) });
    expect(done[0]).toBe(1);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('rejects bad generators, batches and options', () => {
    expectLattnError(() => estimateSamplesToCertify(42 as never), 'INVALID_ARGUMENT', 'estimateSamplesToCertify', [
      'generator must be a function',
    ]);
    expectLattnError(() => estimateSamplesToCertify(() => []), 'INVALID_ARGUMENT', 'estimateSamplesToCertify', [
      'generator(0)',
    ]);
    const rng = createRng(1);
    expectLattnError(
      () => estimateSamplesToCertify((seed) => [rng.normalMatrix(2, seed === 0 ? 2 : 3)]),
      'SHAPE_MISMATCH',
      'estimateSamplesToCertify',
      ['generator(1)'],
    );
    expectLattnError(
      () => estimateSamplesToCertify(gaussian, { maxBatches: 0 }),
      'INVALID_ARGUMENT',
      'estimateSamplesToCertify',
      ['maxBatches'],
    );
    expectLattnError(
      () => estimateSamplesToCertify(gaussian, { batches: 3 } as never),
      'INVALID_ARGUMENT',
      'estimateSamplesToCertify',
      ["'batches'"],
    );
    expectLattnError(
      () => estimateSamplesToCertify(gaussian, { initial: accumulateFeatureMoments(gaussianSequences(1, 2, 2, 2)) }),
      'SHAPE_MISMATCH',
      'estimateSamplesToCertify',
      ['generator(0)'],
    );
  });
});
