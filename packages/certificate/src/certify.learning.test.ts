/**
 * The certificate against learning (SPEC §4–5): on planted teachers, a certificate that holds makes every fitting
 * route agree, and a certificate that fails comes with two exact fits that differ on a fresh input, where the
 * difference is exactly what the missing directions say. Then the paper's associative-memory experiment.
 */
import { createRng, type Matrix } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import {
  accumulateFeatureMoments,
  createModel,
  cubicFeatures,
  equivalent,
  foldModel,
  forward,
  forwardFolded,
  type MhlaModel,
} from '@lattn/feature-map';
import { fitFromMoments, fitLinearAttention, recoverHeads, trainBaseline } from '@lattn/learner';
import { generateAssociativeMemoryTask } from '@lattn/tasks';
import { describe, expect, it } from 'vitest';
import { gaussianSequences } from './__fixtures__/oracle.js';
import { certifyFromMoments, certifyIdentifiability } from './certify.js';
import { certifyOnReference } from './certify-on-reference.js';

function plantedTeacher(seed: number, modelDim: number, outputDim: number, numHeads: number): MhlaModel {
  const rng = createRng(seed);
  return createModel({
    heads: Array.from({ length: numHeads }, () => ({
      value: rng.normalMatrix(outputDim, modelDim),
      query: rng.normalMatrix(modelDim, modelDim),
    })),
  });
}

/** Folded weights plus `u vᵀ` for an output direction `u` and a feature direction `v` (both as plain arrays). */
function plusOuter(weights: Matrix, u: readonly number[], v: ArrayLike<number>): Matrix {
  const data = weights.data.slice();
  for (let a = 0; a < weights.rows; a++) {
    for (let p = 0; p < weights.cols; p++) data[a * weights.cols + p] += u[a] * v[p];
  }
  return { rows: weights.rows, cols: weights.cols, data };
}

function maxAbsDifference(a: readonly Matrix[], b: readonly Matrix[]): number {
  let worst = 0;
  a.forEach((m, i) => {
    for (let k = 0; k < m.data.length; k++) worst = Math.max(worst, Math.abs(m.data[k] - b[i].data[k]));
  });
  return worst;
}

describe('planted teachers', () => {
  it.each([
    { mode: 'all' as const, count: 40, length: 5 },
    { mode: 'last' as const, count: 80, length: 4 },
  ])(
    'when the certificate holds, Cholesky, eigen and dual fits and the heads recovered from them are equivalent to the teacher (mode $mode)',
    ({ mode, count, length }) => {
      const teacher = plantedTeacher(1, 3, 2, 2);
      const inputs = gaussianSequences(2, count, length, 3);
      const dataset = { inputs, targets: forward(teacher, inputs, { mode }), mode };
      expect(certifyIdentifiability(inputs, { mode }).identifiable).toBe(true);

      const fits = (['cholesky', 'eigen', 'dual'] as const).map((solver) => fitLinearAttention(dataset, { solver }));
      expect(fits.map((fit) => fit.solver)).toEqual(['cholesky', 'eigen', 'dual']);
      for (const fit of fits) expect(equivalent(fit.weights, teacher).equivalent).toBe(true);
      expect(equivalent(fits[0].weights, fits[2].weights).equivalent).toBe(true);
      // A different head count: the SVD route returns min(dOut·d, d²) = 6 heads for the 2-head teacher.
      const recovered = recoverHeads(fits[2], { heads: 'full' });
      expect(recovered.model.heads).toHaveLength(6);
      expect(equivalent(recovered.model, teacher).equivalent).toBe(true);
    },
  );

  it('serves the certificate and the learner from one streaming pass', () => {
    const teacher = plantedTeacher(6, 2, 3, 1);
    const inputs = gaussianSequences(7, 20, 4, 2);
    const moments = accumulateFeatureMoments(inputs, { targets: forward(teacher, inputs) });
    const certificate = certifyFromMoments(moments);
    const fit = fitFromMoments(moments, { mode: 'all' });
    expect(certificate.identifiable).toBe(true);
    expect(fit.rank).toBe(certificate.rank);
    expect(equivalent(fit.weights, teacher).equivalent).toBe(true);
  });

  it('when it fails, two exact fits differ on a fresh input by exactly the coincident features it names', () => {
    const teacher = plantedTeacher(3, 3, 2, 2);
    const inputs = gaussianSequences(4, 100, 1, 3); // one token each: rank 10 of 18
    const targets = forward(teacher, inputs);
    const certificate = certifyIdentifiability(inputs, { includeNullSpace: true });
    expect(certificate.identifiable).toBe(false);
    expect(certificate.nullity).toBe(8);

    // Two models that fit the training data exactly: the teacher and the minimum-norm least-squares fit.
    const fit = fitLinearAttention({ inputs, targets, mode: 'all' });
    const teacherWeights = foldModel(teacher);
    expectMatrixClose(forwardFolded(fit.weights, inputs).flatMap(toArrays), targets.flatMap(toArrays), {
      rtol: 1e-10,
      relativeToMax: true,
    });
    expect(equivalent(fit.weights, teacherWeights).equivalent).toBe(false);

    // They differ on a fresh sequence of three tokens, except at its first position (M_0 = z_0 z_0ᵀ).
    const fresh = gaussianSequences(5, 1, 3, 3);
    const byTeacher = forward(teacher, fresh)[0];
    const byFit = forwardFolded(fit.weights, fresh)[0];
    const gap = (t: number): number =>
      Math.hypot(byTeacher.data[2 * t] - byFit.data[2 * t], byTeacher.data[2 * t + 1] - byFit.data[2 * t + 1]);
    expect(gap(0)).toBeLessThan(1e-9);
    expect(gap(1)).toBeGreaterThan(1e-2);
    expect(gap(2)).toBeGreaterThan(1e-2);

    // The difference Δ = w_teacher − w_fit lives on the named classes, summing to zero within each (ratios 1), so
    // Δψ = Σ_classes Σ_{p∈S} Δ[a,p] (ψ_p − ψ_first): differences of features the training data never told apart.
    const delta = teacherWeights.data.map((w, i) => w - fit.weights.data[i]);
    const onClasses = new Set<number>();
    for (const direction of certificate.missingDirections) {
      expect(direction.kind).toBe('coincident-features');
      expect(direction.triples).toHaveLength(direction.numTriples);
      for (const t of direction.triples) onClasses.add(t.index);
    }
    for (let p = 0; p < 18; p++) {
      if (onClasses.has(p)) continue;
      for (let a = 0; a < 2; a++) expect(Math.abs(delta[a * 18 + p])).toBeLessThan(1e-9);
    }
    const psi = cubicFeatures(fresh[0]);
    for (let t = 0; t < 3; t++) {
      for (let a = 0; a < 2; a++) {
        let predicted = 0;
        for (const direction of certificate.missingDirections) {
          const first = direction.triples[0].index;
          for (const { index } of direction.triples) {
            predicted += delta[a * 18 + index] * (psi.data[t * 18 + index] - psi.data[t * 18 + first]);
          }
        }
        const actual = byTeacher.data[2 * t + a] - byFit.data[2 * t + a];
        expect(Math.abs(predicted - actual)).toBeLessThan(1e-9 * (1 + Math.abs(actual)));
      }
    }
  });
});

function toArrays(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

describe('associative memory (paper §4.2): keys from orthogonal/Gaussian mixtures', () => {
  const keyDim = 2;
  const numPairs = 2;
  // The teacher is the paper's one-head construction; targets are its outputs, so it is an empirical risk minimiser.
  const reference = generateAssociativeMemoryTask({
    keyDim,
    numPairs,
    numSequences: 300,
    keyDistribution: 'gaussian',
    seed: 99,
  });
  const teacher = reference.construction;
  const referenceInputs = reference.dataset.inputs;
  const referenceOutputs = forward(teacher, referenceInputs, { mode: 'last' });
  const referenceMoments = accumulateFeatureMoments(referenceInputs, { mode: 'last' });
  const fractions = [1, 0.9, 0.75, 0]; // share of sequences with orthogonal keys
  const tasks = fractions.map((mixingFraction) => {
    const task = generateAssociativeMemoryTask({
      keyDim,
      numPairs,
      numSequences: 200,
      keyDistribution: 'mixture',
      mixingFraction,
      seed: 1,
    });
    const inputs = task.dataset.inputs;
    return { inputs, dataset: { inputs, targets: forward(teacher, inputs, { mode: 'last' }), mode: 'last' as const } };
  });
  const certificates = tasks.map(({ inputs }) =>
    certifyOnReference(accumulateFeatureMoments(inputs, { mode: 'last' }), referenceMoments, { mode: 'last' }),
  );

  it('is never identifiable on all inputs: the query carries no value, as the certificate says', () => {
    const certificate = certifyIdentifiability(tasks[3].inputs, { mode: 'last' });
    expect(certificate.identifiable).toBe(false);
    expect(certificate.reasons).toContain(
      'coordinate 2 is zero in the last token of every sequence, so no feature M[j,k]·z[2] is excited (10 directions)',
    );
  });

  it('is identifiable on the task inputs with any Gaussian keys, and not with orthogonal keys only', () => {
    expect(certificates.map((c) => c.identifiable)).toEqual([false, true, true, true]);
    expect(certificates[0].numUndetermined).toBe(2);
    expect(certificates[0].reasons[0]).toContain('2 directions of the');
    const lambdas = certificates.map((c) => c.lambdaMin);
    expect(lambdas[0]).toBe(0);
    for (let i = 1; i < lambdas.length; i++) expect(lambdas[i]).toBeGreaterThan(lambdas[i - 1]);

    // Orthogonal keys only: the teacher plus a missing direction fits the training set exactly but not the reference.
    const [missing] = certificates[0].missingDirections;
    const v = new Float64Array(40);
    for (const t of missing.triples) v[t.index] = t.coefficient;
    expect(missing.triples).toHaveLength(missing.numTriples);
    const other = plusOuter(foldModel(teacher), [1, -1], v);
    const train = tasks[0].dataset;
    expect(maxAbsDifference(forwardFolded(other, train.inputs, { mode: 'last' }), train.targets)).toBeLessThan(1e-12);
    expect(maxAbsDifference(forwardFolded(other, referenceInputs, { mode: 'last' }), referenceOutputs)).toBeGreaterThan(
      1e-2,
    );
    // With some Gaussian keys, the exact learner recovers the teacher on the reference inputs.
    const fit = fitLinearAttention(tasks[1].dataset);
    expect(
      maxAbsDifference(forwardFolded(fit.weights, referenceInputs, { mode: 'last' }), referenceOutputs),
    ).toBeLessThan(1e-9);
  });

  it('gives gradient-trained models that land closer to the teacher as λ_min grows', () => {
    const distances = tasks.map(({ dataset }) => {
      const runs = [1, 2, 3].map((seed) => {
        const trained = trainBaseline(dataset, { numHeads: 8, learningRate: 0.01, epochs: 50, batchSize: 20, seed });
        const outputs = forward(trained.model, referenceInputs, { mode: 'last' });
        let sum = 0;
        outputs.forEach((o, b) => {
          for (let a = 0; a < keyDim; a++) sum += (o.data[a] - referenceOutputs[b].data[a]) ** 2;
        });
        return Math.sqrt(sum / outputs.length);
      });
      return runs.sort((x, y) => x - y)[1]; // the median of three seeds
    });
    for (let i = 1; i < distances.length; i++) expect(distances[i]).toBeLessThan(distances[i - 1]);
    expect(distances[0]).toBeGreaterThan(0.1); // orthogonal keys only: fits the data, not the task
    expect(distances[3]).toBeLessThan(distances[0] / 20);
  }, 60_000); // twelve training runs of about 0.15 s each
});
