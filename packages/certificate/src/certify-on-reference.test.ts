import { createRng } from '@lattn/core';
import { expectLattnError, expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import fc from 'fast-check';
import { CholeskyDecomposition, EigenvalueDecomposition, type Matrix as MlMatrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { gaussianSequences, referenceSecondMoment, toMl } from './__fixtures__/oracle.js';
import { certifyOnReference } from './certify-on-reference.js';

/** The largest generalised eigenvalue of `(B, A)` for `A ≻ 0`, i.e. `λ_max(L⁻¹ B L⁻ᵀ)` with `A = LLᵀ`, by ml-matrix. */
function largestGeneralised(b: MlMatrix, a: MlMatrix): number {
  const l = new CholeskyDecomposition(a).lowerTriangularMatrix;
  const left = solve(l, b); // L⁻¹ B
  const whitened = solve(l, left.transpose()); // L⁻¹ (L⁻¹ B)ᵀ = L⁻¹ B L⁻ᵀ
  const values = new EigenvalueDecomposition(whitened.add(whitened.transpose()).div(2), { assumeSymmetric: true })
    .realEigenvalues;
  return Math.max(...values);
}

const train = gaussianSequences(1, 40, 5, 2);
const reference = gaussianSequences(2, 30, 3, 2).map((z) => {
  const data = z.data.slice();
  for (let i = 0; i < data.length; i++) data[i] *= 1 + (i % 2); // a different distribution
  return { rows: z.rows, cols: 2, data };
});

describe('certifyOnReference', () => {
  it('gives μ = 1/λ_max(Λ_train⁻¹ Λ_ref) when the training set is identifying, as ml-matrix confirms', () => {
    const certificate = certifyOnReference(accumulateFeatureMoments(train), accumulateFeatureMoments(reference));
    expect(certificate.identifiable).toBe(true);
    expect(certificate.trainRank).toBe(6);
    expect(certificate.referenceRank).toBe(6);
    const expected =
      1 / largestGeneralised(referenceSecondMoment(reference, 'all'), referenceSecondMoment(train, 'all'));
    expectVectorClose([certificate.lambdaMin], [expected], { rtol: 1e-9 });
    expect(certificate.reasons[0]).toContain(
      'every empirical risk minimiser gives the same output on every reference input',
    );
  });

  it('bounds the mean squared deviation on the reference by ε/μ, and the bound is attained', () => {
    const certificate = certifyOnReference(accumulateFeatureMoments(train), accumulateFeatureMoments(reference));
    const lambdaTrain = referenceSecondMoment(train, 'all');
    const lambdaRef = referenceSecondMoment(reference, 'all');
    const excess = (delta: MlMatrix, lambda: MlMatrix): number => delta.mmul(lambda).mmul(delta.transpose()).trace();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), (seed) => {
        const delta = toMl(createRng(seed).normalMatrix(2, 6));
        const epsilon = excess(delta, lambdaTrain);
        expect(excess(delta, lambdaRef)).toBeLessThanOrEqual((epsilon / certificate.lambdaMin) * (1 + 1e-10));
      }),
      { numRuns: 100, seed: 3 },
    );
    // The top generalised eigenvector attains it: Λ_ref v = (1/μ) Λ_train v.
    const l = new CholeskyDecomposition(lambdaTrain).lowerTriangularMatrix;
    const whitened = solve(l, solve(l, lambdaRef).transpose());
    const decomposition = new EigenvalueDecomposition(whitened.add(whitened.transpose()).div(2), {
      assumeSymmetric: true,
    });
    const top = decomposition.realEigenvalues.indexOf(Math.max(...decomposition.realEigenvalues));
    const v = solve(l.transpose(), decomposition.eigenvectorMatrix.getColumnVector(top)); // L⁻ᵀ u
    const delta = v.transpose(); // (1, 6)
    expectVectorClose([excess(delta, lambdaRef)], [excess(delta, lambdaTrain) / certificate.lambdaMin], { rtol: 1e-9 });
  });

  it('holds for a singular training set whose missing directions the reference never excites', () => {
    // Trained on single tokens (rank 10 of 18); single tokens of another distribution excite nothing new.
    const singles = accumulateFeatureMoments(gaussianSequences(3, 200, 1, 3));
    const otherSingles = accumulateFeatureMoments(
      gaussianSequences(4, 100, 1, 3).map((z) => ({ ...z, data: z.data.map((x) => x * x) })),
    );
    const certificate = certifyOnReference(singles, otherSingles);
    expect(certificate.trainRank).toBe(10);
    expect(certificate.referenceRank).toBe(10);
    expect(certificate.identifiable).toBe(true);
    expect(certificate.lambdaMin).toBeGreaterThan(0);
  });

  it('fails, naming the broken relations, when the reference excites directions the training set misses', () => {
    const singles = accumulateFeatureMoments(gaussianSequences(3, 200, 1, 3));
    const certificate = certifyOnReference(singles, accumulateFeatureMoments(gaussianSequences(5, 40, 3, 3)));
    expect(certificate.identifiable).toBe(false);
    expect(certificate.lambdaMin).toBe(0);
    expect(certificate.numUndetermined).toBe(8);
    expect(certificate.missingDirections).toHaveLength(8);
    expect(certificate.reasons[0]).toBe(
      '8 directions of the 18-dimensional span of the reference features are not determined by the training data: models that fit the training set equally well give different outputs on reference inputs',
    );
    for (const direction of certificate.missingDirections) expect(direction.kind).toBe('combination');
  });

  it('rejects accumulators of different dimensions and unknown options', () => {
    const a = accumulateFeatureMoments(train);
    expectLattnError(
      () => certifyOnReference(a, accumulateFeatureMoments(gaussianSequences(6, 2, 2, 3))),
      'SHAPE_MISMATCH',
      'certifyOnReference',
      ['reference.dim 6'],
    );
    expectLattnError(
      () => certifyOnReference(a, a, { tolerance: 1 } as never),
      'INVALID_ARGUMENT',
      'certifyOnReference',
      ["'tolerance'"],
    );
    expectLattnError(() => certifyOnReference(a, null as never), 'INVALID_ARGUMENT', 'certifyOnReference', [
      'reference',
    ]);
  });
});
