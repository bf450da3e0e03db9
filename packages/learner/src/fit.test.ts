import {
  createRng,
  type Dataset,
  type GramAccumulator,
  lstsq,
  type Matrix,
  mergeGram,
  type Progress,
  transpose,
} from '@lattn/core';
import { expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments, featureDim, foldModel, forward, forwardFolded, pairIndex } from '@lattn/feature-map';
import { EigenvalueDecomposition, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  expectLattnError,
  fromMl,
  gaussianSequences,
  randomTeacher,
  stackedProblem,
  teacherDataset,
  toMl,
} from './__fixtures__/planted.js';
import { type FitFromMomentsOptions, fitFromMoments, fitLinearAttention } from './fit.js';

/** A noisy (agnostic) dataset: a random 2-head teacher plus N(0, 0.3²) target noise. */
function noisyData(seed: number, modelDim: number, count: number, mode: 'all' | 'last', lengths = [3, 5, 6]): Dataset {
  const rng = createRng(seed);
  const teacher = randomTeacher(rng, { modelDim, outputDim: 2, numHeads: 2 });
  return teacherDataset(teacher, gaussianSequences(rng, modelDim, count, lengths), mode, { rng, noise: 0.3 });
}

/** The normal-equations solution `(ΨᵀΨ + λI)⁻¹ ΨᵀY` by ml-matrix (LU), returned as folded weights `(dOut, D)`. */
function normalEquations(dataset: Dataset, ridge = 0): Matrix {
  const { features, targets } = stackedProblem(dataset);
  const x = toMl(features);
  const gram = x.transpose().mmul(x);
  for (let i = 0; i < gram.rows; i++) gram.set(i, i, gram.get(i, i) + ridge);
  return transpose(fromMl(solve(gram, x.transpose().mmul(toMl(targets)))));
}

describe('fitLinearAttention on planted teachers (acceptance)', () => {
  for (const d of [2, 4, 8]) {
    for (const numHeads of [1, 2, 4]) {
      for (const mode of ['all', 'last'] as const) {
        it(`recovers the folded weights to 1e-9 and predicts longer sequences to 1e-8 (d = ${d}, H = ${numHeads}, mode '${mode}')`, () => {
          const rng = createRng(1000 * d + 10 * numHeads + (mode === 'all' ? 0 : 1));
          const teacher = randomTeacher(rng, { modelDim: d, outputDim: 2, numHeads });
          const dim = featureDim(d);
          const lengths = mode === 'all' ? [4, 6, 8] : [3, 4, 5, 6, 7, 8];
          const count = mode === 'all' ? Math.ceil((3 * dim) / 6) : 3 * dim;
          const fit = fitLinearAttention(teacherDataset(teacher, gaussianSequences(rng, d, count, lengths), mode));
          expect(fit.solver).toBe('cholesky');
          expect(fit.rank).toBe(dim);
          expect(fit.warnings).toEqual([]);
          expectMatrixClose(fit.weights, foldModel(teacher), { rtol: 1e-9, relativeToMax: true, label: 'weights' });
          const fresh = gaussianSequences(rng, d, 3, [24]);
          const predicted = forwardFolded(fit.weights, fresh);
          forward(teacher, fresh).forEach((expected, b) => {
            expectMatrixClose(predicted[b], expected, { rtol: 1e-8, relativeToMax: true, label: 'predictions' });
          });
        });
      }
    }
  }
});

describe('fitLinearAttention', () => {
  it('returns the least-squares solution on noisy targets, matching an independent normal-equations solve', () => {
    const dataset = noisyData(1, 3, 30, 'all');
    const fit = fitLinearAttention(dataset);
    expect(fit.solver).toBe('cholesky');
    expectMatrixClose(fit.weights, normalEquations(dataset), { rtol: 1e-9, relativeToMax: true });
    const { features, targets } = stackedProblem(dataset);
    const residual = toMl(targets).sub(toMl(features).mmul(toMl(fit.weights).transpose()));
    const sumOfSquares = residual.to1DArray().reduce((sum, r) => sum + r * r, 0);
    expectVectorClose([fit.residual.sumOfSquares], [sumOfSquares], { rtol: 1e-10 });
    expectVectorClose([fit.residual.meanSquaredError], [sumOfSquares / (targets.rows * 2)], { rtol: 1e-10 });
    expect(fit.residual.method).toBe('second-pass');
    expect(fit.residual.sumOfSquares).toBeGreaterThan(0);
  });

  it('agrees across the Cholesky, eigen and dual routes on a well-posed problem', () => {
    const dataset = noisyData(2, 3, 40, 'last');
    const cholesky = fitLinearAttention(dataset, { solver: 'cholesky' });
    const eigen = fitLinearAttention(dataset, { solver: 'eigen' });
    const dual = fitLinearAttention(dataset, { solver: 'dual' });
    expect([cholesky.solver, eigen.solver, dual.solver]).toEqual(['cholesky', 'eigen', 'dual']);
    expect([cholesky.rank, eigen.rank, dual.rank]).toEqual([18, 18, 18]);
    expectMatrixClose(eigen.weights, cholesky.weights, { rtol: 1e-10, relativeToMax: true });
    expectMatrixClose(dual.weights, cholesky.weights, { rtol: 1e-8, relativeToMax: true });
    expectVectorClose([dual.residual.sumOfSquares], [cholesky.residual.sumOfSquares], { rtol: 1e-8 });
  });

  it('reports the extreme eigenvalues of G: exact on the eigen route, estimates on the Cholesky route', () => {
    const dataset = noisyData(3, 2, 30, 'last');
    const { features } = stackedProblem(dataset);
    const x = toMl(features);
    const values = new EigenvalueDecomposition(x.transpose().mmul(x), { assumeSymmetric: true }).realEigenvalues;
    const expected = [Math.min(...values), Math.max(...values)];
    const eigen = fitLinearAttention(dataset, { solver: 'eigen' });
    const cholesky = fitLinearAttention(dataset);
    expect(eigen.eigenvalues?.method).toBe('eigh');
    expect(cholesky.eigenvalues?.method).toBe('estimate');
    expectVectorClose([eigen.eigenvalues?.min ?? 0, eigen.eigenvalues?.max ?? 0], expected, { rtol: 1e-8 });
    expectVectorClose([cholesky.eigenvalues?.max ?? 0], [expected[1]], { rtol: 1e-8, label: 'λ_max (Lanczos)' });
    // λ_min by inverse iteration: an upper bound (within 1e-3 here; a few percent high for larger continua).
    expect(cholesky.eigenvalues?.min).toBeGreaterThanOrEqual(expected[0] * (1 - 1e-12));
    expectVectorClose([cholesky.eigenvalues?.min ?? 0], [expected[0]], {
      rtol: 1e-3,
      label: 'λ_min (inverse iteration)',
    });
  });

  it('returns the minimum-norm solution when a coordinate is always zero (rank-deficient G)', () => {
    const rng = createRng(4);
    const teacher = randomTeacher(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
    const inputs = gaussianSequences(rng, 3, 30, [3, 4]);
    for (const sequence of inputs) for (let t = 0; t < sequence.rows; t++) sequence.data[t * 3 + 2] = 0;
    const dataset = teacherDataset(teacher, inputs, 'all', { rng, noise: 0.1 });
    const fit = fitLinearAttention(dataset);
    expect(fit.solver).toBe('eigen');
    expect(fit.rank).toBe(featureDim(2));
    expect(fit.warnings.join(' ')).toContain(`numerical rank 6 < featureDim 18`);
    const { features, targets } = stackedProblem(dataset);
    const oracle = transpose(lstsq(features, targets).solution);
    expectMatrixClose(fit.weights, oracle, { rtol: 1e-9, relativeToMax: true });
    // Orthogonal to the null space: every weight on a feature that involves coordinate 2 is zero.
    for (let a = 0; a < 2; a++) {
      for (let j = 0; j < 3; j++) {
        for (let k = j; k < 3; k++) {
          for (let l = 0; l < 3; l++) {
            if (j === 2 || k === 2 || l === 2) {
              expect(Math.abs(fit.weights.data[a * 18 + pairIndex(j, k, 3) * 3 + l])).toBeLessThan(1e-12);
            }
          }
        }
      }
    }
  });

  it('returns the minimum-norm solution for sequences of length 1 (only cubic monomials are visible)', () => {
    const dataset = noisyData(5, 3, 40, 'all', [1]);
    const fit = fitLinearAttention(dataset);
    expect(fit.solver).toBe('eigen');
    expect(fit.rank).toBe(10); // the cubic monomials in 3 variables
    const { features, targets } = stackedProblem(dataset);
    expectMatrixClose(fit.weights, transpose(lstsq(features, targets).solution), { rtol: 1e-9, relativeToMax: true });
    // z0·z1·z2 appears as (j,k,l) = (0,1,2), (0,2,1) and (1,2,0): the minimum-norm solution weighs them equally.
    const w = (j: number, k: number, l: number) => fit.weights.data[pairIndex(j, k, 3) * 3 + l];
    expectVectorClose([w(0, 2, 1), w(1, 2, 0)], [w(0, 1, 2), w(0, 1, 2)], { rtol: 1e-9 });
  });

  it('matches the ridge closed form (G + λI)⁻¹B', () => {
    const dataset = noisyData(6, 2, 20, 'last');
    const fit = fitLinearAttention(dataset, { ridge: 5 });
    expect(fit.ridge).toBe(5);
    expectMatrixClose(fit.weights, normalEquations(dataset, 5), { rtol: 1e-10, relativeToMax: true });
    const eigen = fitLinearAttention(dataset, { ridge: 5, solver: 'eigen' });
    expectMatrixClose(eigen.weights, fit.weights, { rtol: 1e-10, relativeToMax: true });
  });

  it('chooses the dual when there are fewer examples than features, agreeing with the primal minimum-norm route', () => {
    const dataset = noisyData(7, 4, 25, 'last');
    const dual = fitLinearAttention(dataset);
    expect(dual.solver).toBe('dual');
    expect(dual.rank).toBe(25);
    expect(dual.eigenvalues?.min).toBe(0);
    expect(dual.warnings.join(' ')).toContain('do not determine the weights uniquely');
    const primal = fitLinearAttention(dataset, { solver: 'eigen' });
    expect(primal.rank).toBe(25);
    expectMatrixClose(dual.weights, primal.weights, { rtol: 1e-8, relativeToMax: true });
    expect(dual.residual.meanSquaredError).toBeLessThan(1e-16);
  });

  it('falls back from a requested Cholesky to the eigen route when G is singular, with a warning', () => {
    const dataset = noisyData(8, 3, 20, 'all', [1]);
    const fit = fitLinearAttention(dataset, { solver: 'cholesky' });
    expect(fit.solver).toBe('eigen');
    expect(fit.warnings[0]).toContain('fell back to the minimum-norm eigen solution');
  });

  it('returns zero weights and rank 0 when every token is zero', () => {
    const inputs = [new Float64Array(6), new Float64Array(4)].map((data) => ({ rows: data.length / 2, cols: 2, data }));
    const targets = inputs.map((x) => ({ rows: x.rows, cols: 1, data: new Float64Array(x.rows).fill(1) }));
    const fit = fitLinearAttention({ inputs, targets, mode: 'all' }, { solver: 'eigen' });
    expect(fit.rank).toBe(0);
    expect(Array.from(fit.weights.data)).toEqual(new Array(6).fill(0));
    expect(fit.residual.sumOfSquares).toBe(5);
  });

  it('reports progress for every stage, ending each with done === total', () => {
    const stages = (dataset: Dataset, solver: 'auto' | 'dual'): string[] => {
      const seen: Progress[] = [];
      fitLinearAttention(dataset, { solver, onProgress: (progress) => seen.push(progress) });
      const finished = seen.filter((progress) => progress.done === progress.total).map((progress) => progress.stage);
      return [...new Set(finished)];
    };
    const dataset = noisyData(9, 2, 12, 'all');
    expect(stages(dataset, 'auto')).toEqual(['features', 'solve', 'residual']);
    expect(stages(dataset, 'dual')).toEqual(['kernel', 'solve', 'weights', 'residual']);
  });

  it('returns plain serialisable data and leaves the dataset untouched', () => {
    const dataset = noisyData(10, 2, 10, 'last');
    const copy = structuredClone(dataset);
    const fit = fitLinearAttention(dataset);
    expect(dataset).toEqual(copy);
    expect(structuredClone(fit)).toEqual(fit);
    expect(fit.rtol).toBe(6 * 2 ** -52);
    expect(Object.keys(fit.timings)).toEqual(['moments', 'kernel', 'solve', 'weights', 'residual', 'total']);
  });

  it('throws with a clear code for bad datasets and options', () => {
    const dataset = noisyData(11, 2, 4, 'all');
    const ragged = { ...dataset, targets: dataset.targets.slice(1) };
    expectLattnError(() => fitLinearAttention(ragged), 'SHAPE_MISMATCH', 'fitLinearAttention', 'dataset.targets');
    expectLattnError(
      () => fitLinearAttention(dataset, { lambda: 1 } as object),
      'INVALID_ARGUMENT',
      "unknown field 'lambda'",
    );
    expectLattnError(() => fitLinearAttention(dataset, { ridge: -1 }), 'INVALID_ARGUMENT', 'options.ridge');
    expectLattnError(() => fitLinearAttention(dataset, { rtol: 2 }), 'INVALID_ARGUMENT', 'options.rtol');
    expectLattnError(
      () => fitLinearAttention(dataset, { solver: 'qr' as 'auto' }),
      'INVALID_ARGUMENT',
      "'auto', 'cholesky', 'eigen', 'dual'",
    );
    expectLattnError(() => fitLinearAttention(dataset, { chunkSize: 0 }), 'INVALID_ARGUMENT', 'options.chunkSize');
  });
});

describe('fitFromMoments', () => {
  function shardedMoments(dataset: Dataset): GramAccumulator {
    const half = Math.floor(dataset.inputs.length / 2);
    const shard = (from: number, to: number) =>
      accumulateFeatureMoments(dataset.inputs.slice(from, to), {
        mode: dataset.mode,
        targets: dataset.targets.slice(from, to),
      });
    return mergeGram(shard(0, half), shard(half, dataset.inputs.length));
  }

  it('on merged shards equals one pass over the data', () => {
    const dataset = noisyData(12, 3, 30, 'all');
    const moments = shardedMoments(dataset);
    const before = structuredClone(moments);
    const fromShards = fitFromMoments(moments, { mode: 'all' });
    const onePass = fitLinearAttention(dataset);
    expect(moments).toEqual(before);
    expect(fromShards.numExamples).toBe(onePass.numExamples);
    expect(fromShards.modelDim).toBe(3);
    expectMatrixClose(fromShards.weights, onePass.weights, { rtol: 1e-10, relativeToMax: true });
  });

  it('computes the residual from the moments within its reported accuracy', () => {
    const dataset = noisyData(13, 2, 30, 'last');
    const fromMoments = fitFromMoments(shardedMoments(dataset), { mode: 'last' });
    const direct = fitLinearAttention(dataset);
    expect(fromMoments.residual.method).toBe('moments');
    expect(fromMoments.residual.accuracy).toBeGreaterThan(0);
    expect(Math.abs(fromMoments.residual.sumOfSquares - direct.residual.sumOfSquares)).toBeLessThan(
      fromMoments.residual.accuracy + 1e-10 * direct.residual.sumOfSquares,
    );
  });

  it('throws for a missing mode, the dual solver, moments without targets and mismatched dimensions', () => {
    const dataset = noisyData(14, 2, 6, 'all');
    const moments = shardedMoments(dataset);
    expectLattnError(
      () => fitFromMoments(moments, undefined as unknown as FitFromMomentsOptions),
      'INVALID_ARGUMENT',
      'options are required',
    );
    expectLattnError(() => fitFromMoments(moments, {} as FitFromMomentsOptions), 'INVALID_ARGUMENT', 'options.mode');
    expectLattnError(
      () => fitFromMoments(moments, { mode: 'all', solver: 'dual' as 'auto' }),
      'INVALID_ARGUMENT',
      'dual solver needs the data',
    );
    const bare = accumulateFeatureMoments(dataset.inputs, { mode: 'all' });
    expectLattnError(() => fitFromMoments(bare, { mode: 'all' }), 'INVALID_ARGUMENT', 'no targets');
    expectLattnError(() => fitFromMoments(moments, { mode: 'all', modelDim: 3 }), 'SHAPE_MISMATCH', 'Expected 2');
    const broken = { ...moments, dim: 5, gram: new Float64Array(25), cross: new Float64Array(10) };
    expectLattnError(() => fitFromMoments(broken, { mode: 'all' }), 'SHAPE_MISMATCH', 'no folded feature dimension');
    const nan = { ...moments, cross: moments.cross.slice().fill(Number.NaN) };
    expectLattnError(() => fitFromMoments(nan, { mode: 'all' }), 'NON_FINITE', 'moments.cross');
  });
});
