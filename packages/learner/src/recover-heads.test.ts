import { createRng, type Matrix, type Progress } from '@lattn/core';
import { expectLattnError, expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { equivalent, featureDim, foldModel, type MhlaModel, unfoldWeights } from '@lattn/feature-map';
import { SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fromMl, gaussianSequences, randomTeacher, teacherDataset, toMl } from './__fixtures__/planted.js';
import { fitLinearAttention } from './fit.js';
import { recoverHeads } from './recover-heads.js';

/** A fit of a random teacher's noiseless outputs (mode 'last', 3·D sequences: well posed). */
function plantedFit(seed: number, modelDim: number, numHeads: number, outputDim = 2) {
  const rng = createRng(seed);
  const teacher = randomTeacher(rng, { modelDim, outputDim, numHeads });
  const count = 3 * featureDim(modelDim);
  const fit = fitLinearAttention(teacherDataset(teacher, gaussianSequences(rng, modelDim, count, [3, 5, 8]), 'last'));
  return { teacher, fit };
}

/** The generic minimal head count of a 2-output teacher: d = 2 needs at most 2 heads (2·7 parameters >= 12). */
function expectedHeads(modelDim: number, numHeads: number): number {
  return modelDim === 2 ? Math.min(numHeads, 2) : numHeads;
}

describe('recoverHeads on planted teachers (acceptance)', () => {
  for (const d of [2, 4, 8]) {
    for (const numHeads of [1, 2, 4]) {
      it(`finds the minimal ${expectedHeads(d, numHeads)}-head model and the paper's SVD model, both equivalent to the teacher (d = ${d}, H = ${numHeads})`, () => {
        const { teacher, fit } = plantedFit(100 * d + numHeads, d, numHeads);
        const minimal = recoverHeads(fit, { heads: 'auto' });
        expect(minimal.numHeads).toBe(expectedHeads(d, numHeads));
        expect(minimal.equivalent).toBe(true);
        expect(minimal.converged || minimal.method === 'svd').toBe(true);
        expect(equivalent(minimal.model, teacher, { rtol: 1e-8 }).equivalent).toBe(true);
        const paper = recoverHeads(fit, { heads: 'full' });
        expect(paper.method).toBe('svd');
        expect(paper.numHeads).toBeLessThanOrEqual(d * d);
        expect(paper.numHeads).toBe(paper.svdRank);
        expect(equivalent(paper.model, teacher, { rtol: 1e-8 }).equivalent).toBe(true);
        expect(paper.truncationError.relativeWeightError).toBeLessThan(1e-13);
      }, 60_000);
    }
  }
});

describe('recoverHeads', () => {
  it("cuts each singular triple σ u vᵀ of the symmetric unfolding into a head (checked against ml-matrix's SVD)", () => {
    const weights = createRng(6).normalMatrix(2, featureDim(2));
    const recovered = recoverHeads({ weights, modelDim: 2 });
    const oracle = new SingularValueDecomposition(toMl(unfoldWeights(weights)));
    expect(recovered.svdRank).toBe(4);
    expectVectorClose(recovered.singularValues, oracle.diagonal, { rtol: 1e-12 });
    recovered.model.heads.forEach((head, h) => {
      // vec(V_h) vec(Q_h)ᵀ = σ_h u_h v_hᵀ, whatever the sign of the pair (u_h, v_h).
      const outer = toMl({ rows: 4, cols: 1, data: head.value.data }).mmul(
        toMl({ rows: 1, cols: 4, data: head.query.data }),
      );
      const expected = oracle.leftSingularVectors
        .getColumnVector(h)
        .mmul(oracle.rightSingularVectors.getColumnVector(h).transpose())
        .mul(oracle.diagonal[h]);
      expectMatrixClose(fromMl(outer), fromMl(expected), { rtol: 1e-10, relativeToMax: true, label: `head ${h}` });
    });
    expect(recovered.equivalent).toBe(true);
  });

  it('recovers exactly H heads for a fixed H equal to the teacher’s, converging to the tolerance', () => {
    const { teacher, fit } = plantedFit(7, 4, 2);
    const recovered = recoverHeads(fit, { heads: 2, tolerance: 1e-13 });
    expect(recovered.method).toBe('alternating-projection');
    expect(recovered.numHeads).toBe(2);
    expect(recovered.converged).toBe(true);
    expect(recovered.truncationError.relativeWeightError).toBeLessThan(1e-12);
    expect(recovered.truncationError.singularValueRatio).toBeLessThan(1e-12);
    expect(equivalent(recovered.model, teacher, { rtol: 1e-8 }).equivalent).toBe(true);
  });

  it('returns the best approximation with converged: false and a warning when no H-head model exists', () => {
    const { fit } = plantedFit(8, 4, 3);
    const recovered = recoverHeads(fit, { heads: 1, restarts: 1 });
    expect(recovered.numHeads).toBe(1);
    expect(recovered.converged).toBe(false);
    expect(recovered.equivalent).toBe(false);
    expect(recovered.attempts.map((attempt) => attempt.outcome)).toEqual(['stagnated', 'stagnated']);
    expect(recovered.warnings[0]).toContain('no 1-head model equivalent to the weights was found');
    expect(recovered.truncationError.relativeWeightError).toBeGreaterThan(1e-3);
  });

  it('proves a lower bound on the head count that equals H for generic teachers with 2H <= d', () => {
    for (const numHeads of [1, 2, 3, 4]) {
      const { fit } = plantedFit(20 + numHeads, 8, numHeads);
      expect(recoverHeads(fit).headLowerBound).toBe(numHeads);
    }
    const { fit } = plantedFit(25, 4, 3);
    expect(recoverHeads(fit).headLowerBound).toBe(2); // ⌈min(d, 2H) / 2⌉
    const below = recoverHeads(fit, { heads: 1, restarts: 0 });
    expect(below.warnings[0]).toContain('None exists: every equivalent model has at least 2 heads');
  });

  it('uses the SVD route when the requested head count reaches the SVD rank', () => {
    const { fit } = plantedFit(9, 2, 1);
    const recovered = recoverHeads(fit, { heads: 100 });
    expect(recovered.method).toBe('svd');
    expect(recovered.numHeads).toBe(recovered.svdRank);
  });

  it.each([1e-200, 1e200, 2 ** -1000])(
    'finds the minimal heads of weights scaled by %s (regression: norms underflowed to 0 or overflowed to Infinity)',
    (factor) => {
      // Before the fix, 1e-200 returned the 6-head SVD model with a relative weight error of 0, and 1e200 threw a
      // Cholesky NON_FINITE error from inside the polish.
      const teacher = randomTeacher(createRng(4), { modelDim: 3, outputDim: 2, numHeads: 2 });
      const unit = foldModel(teacher);
      const weights = { ...unit, data: unit.data.map((x) => x * factor) };
      const minimal = recoverHeads({ weights, modelDim: 3 }, { heads: 'auto' });
      expect(minimal.numHeads).toBe(2);
      expect(minimal.equivalent).toBe(true);
      expect(minimal.truncationError.relativeWeightError).toBeGreaterThan(0);
      expect(minimal.truncationError.relativeWeightError).toBeLessThan(1e-9);
      const reference = recoverHeads({ weights: unit, modelDim: 3 });
      expectVectorClose(
        recoverHeads({ weights, modelDim: 3 }).singularValues,
        reference.singularValues.map((x) => x * factor),
        { rtol: 1e-12, relativeToMax: true },
      );
      // atol is in the units of the weights as given.
      const absolute = recoverHeads({ weights, modelDim: 3 }, { equivalence: { rtol: 0, atol: 1e-6 * factor } });
      expect(absolute.equivalent).toBe(true);
    },
  );

  it('returns zero heads for zero weights', () => {
    const recovered = recoverHeads({ weights: { rows: 1, cols: 6, data: new Float64Array(6) }, modelDim: 2 });
    expect(recovered.numHeads).toBe(0);
    expect(recovered.equivalent).toBe(true);
    const auto = recoverHeads(
      { weights: { rows: 1, cols: 6, data: new Float64Array(6) }, modelDim: 2 },
      { heads: 'auto' },
    );
    expect(auto.numHeads).toBe(0);
  });

  it('is deterministic for a seed', () => {
    const { fit } = plantedFit(10, 2, 2);
    const strip = (model: MhlaModel) => model.heads.map((head) => [...head.value.data, ...head.query.data]);
    const a = recoverHeads(fit, { heads: 2, seed: 3 });
    const b = recoverHeads(fit, { heads: 2, seed: 3 });
    expect(strip(a.model)).toEqual(strip(b.model));
    expect(a.iterations).toBe(b.iterations);
  });

  it('reports the head counts tried by the auto search (from the lower bound up) and projection progress', () => {
    const { fit } = plantedFit(11, 2, 2);
    const seen: Progress[] = [];
    recoverHeads(fit, { heads: 'auto', onProgress: (progress) => seen.push(progress) });
    expect(seen.filter((p) => p.stage === 'heads').map((p) => p.done)).toEqual([1, 2]);
    expect(seen.some((p) => p.stage === 'projection')).toBe(true);
  });

  it('accepts plain { weights, modelDim } and leaves them untouched', () => {
    const { fit } = plantedFit(12, 2, 2);
    const input = { weights: fit.weights, modelDim: 2 };
    const copy = structuredClone(input);
    const recovered = recoverHeads(input, { heads: 'auto' });
    expect(input).toEqual(copy);
    expect(structuredClone(recovered)).toEqual(recovered);
  });

  it('throws with a clear code for bad inputs and options', () => {
    const weights: Matrix = { rows: 1, cols: 6, data: new Float64Array(6).fill(1) };
    expectLattnError(() => recoverHeads({ weights, modelDim: 3 }), 'SHAPE_MISMATCH', 'recoverHeads', ['fit.weights']);
    expectLattnError(
      () => recoverHeads(null as unknown as { weights: Matrix; modelDim: number }),
      'INVALID_ARGUMENT',
      'recoverHeads',
    );
    expectLattnError(() => recoverHeads({ weights, modelDim: 2 }, { heads: 0 }), 'INVALID_ARGUMENT', 'recoverHeads', [
      'options.heads',
    ]);
    expectLattnError(
      () => recoverHeads({ weights, modelDim: 2 }, { heads: 'min' as 'auto' }),
      'INVALID_ARGUMENT',
      'recoverHeads',
      ["'full', 'auto' or an integer"],
    );
    expectLattnError(
      () => recoverHeads({ weights, modelDim: 2 }, { iterations: 3 } as object),
      'INVALID_ARGUMENT',
      'recoverHeads',
      ["unknown field 'iterations'"],
    );
    const nan = { rows: 1, cols: 6, data: new Float64Array(6).fill(Number.NaN) };
    expectLattnError(() => recoverHeads({ weights: nan, modelDim: 2 }), 'NON_FINITE', 'recoverHeads');
  });
});
