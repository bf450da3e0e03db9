/**
 * Property suites of `@lattn/certificate` (issue #9). What holds, precisely:
 *
 * - Adding examples adds a PSD term to `G = N·Λ`: the exact rank never drops and `λ_min(G)` never decreases (up to
 *   rounding). The numerical verdict compares `λ_min(G)` with `rtol·λ_max(G)`, and `λ_max` grows too, so it is
 *   monotone only in that form: identifiable data stay identifiable after additions whenever
 *   `λ_min(G_before) > rtol·λ_max(G_after)`.
 * - Adding every example once more doubles `G` and `N`: `Λ`, its eigenvalues, the rank and the verdict do not change.
 * - The verdict, the rank and the condition number do not depend on a common scale of the tokens; nor do the
 *   designs and sample estimates built on them, nor the drift bound of an input at the same scale.
 * - The drift bounds are ordered `tight <= spectral <= product <= frobenius`.
 */
import { createRng, type Matrix } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments, featureDim } from '@lattn/feature-map';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactFeatureRank } from './__fixtures__/exact-rank.js';
import { certifyFromMoments, certifyIdentifiability } from './certify.js';
import { designDataset } from './design-dataset.js';
import { driftBound } from './drift-bound.js';
import { estimateSamplesToCertify } from './estimate-samples.js';

const data = fc.record({
  seed: fc.nat(1_000_000),
  modelDim: fc.integer({ min: 1, max: 3 }),
  before: fc.integer({ min: 1, max: 12 }),
  added: fc.integer({ min: 1, max: 8 }),
  maxLength: fc.integer({ min: 1, max: 5 }),
  mode: fc.constantFrom('all' as const, 'last' as const),
  /** Makes some sequences structurally deficient (a zero coordinate, or length 1). */
  structured: fc.boolean(),
});

type Data = typeof data extends fc.Arbitrary<infer T> ? T : never;

function sequences(d: Data, count: number, salt: number): Matrix[] {
  const rng = createRng(d.seed + salt);
  return Array.from({ length: count }, (_, b) => {
    const z = rng.normalMatrix(1 + rng.integer(0, d.maxLength), d.modelDim);
    if (d.structured && b % 2 === 0 && d.modelDim > 1) for (let t = 0; t < z.rows; t++) z.data[t * d.modelDim] = 0;
    return z;
  });
}

/** Small integer tokens (exact features), for the exact-rank check. */
function integerSequences(d: Data, count: number, salt: number): Matrix[] {
  const rng = createRng(d.seed + salt);
  return Array.from({ length: count }, () => {
    const rows = 1 + rng.integer(0, d.maxLength);
    const data = new Float64Array(rows * d.modelDim);
    for (let i = 0; i < data.length; i++) data[i] = rng.integer(-2, 3);
    return { rows, cols: d.modelDim, data };
  });
}

describe('adding data', () => {
  it('never lowers the exact rank, never lowers λ_min(G) = N·λ_min(Λ), and keeps certified data certified when λ_min(G) > rtol·λ_max(G ∪ added)', () => {
    fc.assert(
      fc.property(data, (d) => {
        const before = sequences(d, d.before, 0);
        const after = [...before, ...sequences(d, d.added, 1)];
        const first = certifyIdentifiability(before, { mode: d.mode });
        const second = certifyIdentifiability(after, { mode: d.mode });
        const gramMin = (c: typeof first): number => c.lambdaMin * c.numExamples;
        const gramMax = (c: typeof first): number => c.lambdaMax * c.numExamples;
        // λ_min(G) is 0 (not computed) while N < D; it then can only grow.
        const slack = 1e-9 * gramMax(second);
        if (first.numExamples >= first.featureDim)
          expect(gramMin(second)).toBeGreaterThanOrEqual(gramMin(first) - slack);
        if (first.identifiable && gramMin(first) > (1 + 1e-6) * first.rtol * gramMax(second)) {
          expect(second.identifiable).toBe(true);
        }
        expect(gramMax(second)).toBeGreaterThanOrEqual(gramMax(first) * (1 - 1e-12));
        const exactBefore = integerSequences(d, d.before, 2);
        const exactAfter = [...exactBefore, ...integerSequences(d, d.added, 3)];
        expect(exactFeatureRank(exactAfter, d.mode)).toBeGreaterThanOrEqual(exactFeatureRank(exactBefore, d.mode));
      }),
      { seed: 71, numRuns: 60 },
    );
  });

  it('leaves Λ, its eigenvalues, the rank and the verdict unchanged when every example is added once more', () => {
    fc.assert(
      fc.property(data, (d) => {
        const inputs = sequences(d, d.before + d.added, 0);
        const once = certifyIdentifiability(inputs, { mode: d.mode });
        const twice = certifyIdentifiability([...inputs, ...inputs], { mode: d.mode });
        expect(twice.numExamples).toBe(2 * once.numExamples);
        expect([twice.identifiable, twice.rank]).toEqual([once.identifiable, once.rank]);
        expectVectorClose([twice.lambdaMax], [once.lambdaMax], { rtol: 1e-12 });
        expectVectorClose([twice.lambdaMin], [once.lambdaMin], { atol: 1e-10 * once.lambdaMax });
      }),
      { seed: 72, numRuns: 60 },
    );
  });

  it('gives the same certificate from merged shards as from one pass', () => {
    fc.assert(
      fc.property(data, (d) => {
        const inputs = sequences(d, d.before + d.added, 0);
        const onePass = certifyIdentifiability(inputs, { mode: d.mode });
        const merged = accumulateFeatureMoments(inputs.slice(d.before), {
          mode: d.mode,
          accumulator: accumulateFeatureMoments(inputs.slice(0, d.before), { mode: d.mode }),
        });
        const fromShards = certifyFromMoments(merged, { mode: d.mode });
        expect([fromShards.identifiable, fromShards.rank]).toEqual([onePass.identifiable, onePass.rank]);
        expectVectorClose([fromShards.lambdaMax], [onePass.lambdaMax], { rtol: 1e-12 });
      }),
      { seed: 73, numRuns: 40 },
    );
  });
});

describe('scale invariance', () => {
  const scales = fc.constantFrom(2 ** 500, 2 ** -500, 1e150, 1e-150, 2 ** 40, 2 ** -40);

  it('keeps the verdict, rank and condition of certifyIdentifiability at any common token scale', () => {
    fc.assert(
      fc.property(data, scales, (d, factor) => {
        const inputs = sequences(d, d.before + d.added, 0);
        const unit = certifyIdentifiability(inputs, { mode: d.mode });
        const moved = certifyIdentifiability(
          inputs.map((z) => ({ ...z, data: z.data.map((x) => x * factor) })),
          { mode: d.mode },
        );
        expect([moved.identifiable, moved.rank, moved.nullity]).toEqual([unit.identifiable, unit.rank, unit.nullity]);
        if (unit.identifiable) expectVectorClose([moved.condition], [unit.condition], { rtol: 1e-8 });
      }),
      { seed: 74, numRuns: 60 },
    );
  });

  it('designs, estimates and bounds drift identically at 2^±500 (powers of two: bit for bit)', () => {
    const d: Data = { seed: 5, modelDim: 2, before: 0, added: 0, maxLength: 4, mode: 'all', structured: false };
    const pool = sequences(d, 40, 0);
    for (const exponent of [500, -500]) {
      const factor = 2 ** exponent;
      const moved = pool.map((z) => ({ ...z, data: z.data.map((x) => x * factor) }));
      const design = designDataset(pool);
      const movedDesign = designDataset(moved);
      expect(movedDesign.indices).toEqual(design.indices);
      expect([movedDesign.certified, movedDesign.randomSize]).toEqual([design.certified, design.randomSize]);
      expect(movedDesign.certificate.inputScale).not.toBe(1);

      const generator = (scale: number) => (seed: number) =>
        sequences({ ...d, seed }, 3, 0).map((z) => ({ ...z, data: z.data.map((x) => x * scale) }));
      const estimate = estimateSamplesToCertify(generator(1));
      const movedEstimate = estimateSamplesToCertify(generator(factor));
      expect([movedEstimate.certified, movedEstimate.numBatches]).toEqual([estimate.certified, estimate.numBatches]);
      expect(movedEstimate.certificate.inputScale).not.toBe(1);

      const certificate = certifyIdentifiability(pool);
      const movedCertificate = certifyIdentifiability(moved);
      const input = pool[0];
      const bound = driftBound(certificate, { excessLoss: 1e-6, input });
      const movedBound = driftBound(movedCertificate, {
        excessLoss: 1e-6,
        input: { ...input, data: input.data.map((x) => x * factor) },
      });
      // The drift bound is in output units: homogeneous of degree 0 in a common token scale.
      expectVectorClose(movedBound.spectral, bound.spectral, { rtol: 1e-12 });
      expectVectorClose([movedBound.frobenius], [bound.frobenius], { rtol: 1e-12 });
    }
  });
});

describe('driftBound', () => {
  it('orders its bounds tight <= spectral <= product <= frobenius at every position', () => {
    fc.assert(
      fc.property(data, fc.double({ min: 1e-12, max: 1, noNaN: true }), (d, excessLoss) => {
        const train = sequences({ ...d, structured: false }, 3 * featureDim(d.modelDim), 0);
        const moments = accumulateFeatureMoments(train, { mode: d.mode });
        const [input] = sequences(d, 1, 9);
        const drift = driftBound(moments, { excessLoss, input, mode: d.mode });
        for (let t = 0; t < drift.numPositions; t++) {
          const slack = 1 + 1e-9;
          if (drift.tight !== null) expect(drift.tight[t]).toBeLessThanOrEqual(drift.spectral[t] * slack);
          expect(drift.spectral[t]).toBeLessThanOrEqual(drift.product[t] * slack);
          expect(drift.product[t]).toBeLessThanOrEqual(drift.frobenius * slack);
        }
      }),
      { seed: 75, numRuns: 40 },
    );
  });
});
