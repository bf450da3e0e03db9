import {
  createRng,
  type Dataset,
  fromRows,
  type GramAccumulator,
  lstsq,
  type Matrix,
  matmul,
  mergeGram,
  type Progress,
  transpose,
} from '@lattn/core';
import { expectLattnError, expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import {
  accumulateFeatureMoments,
  cubicFeatures,
  equivalent,
  featureDim,
  foldModel,
  forward,
  forwardFolded,
  pairIndex,
} from '@lattn/feature-map';
import { EigenvalueDecomposition, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
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
    expectLattnError(() => fitLinearAttention(ragged), 'SHAPE_MISMATCH', 'fitLinearAttention', ['dataset.targets']);
    expectLattnError(
      () => fitLinearAttention(dataset, { lambda: 1 } as object),
      'INVALID_ARGUMENT',
      'fitLinearAttention',
      ["unknown field 'lambda'"],
    );
    expectLattnError(() => fitLinearAttention(dataset, { ridge: -1 }), 'INVALID_ARGUMENT', 'fitLinearAttention', [
      'options.ridge',
    ]);
    expectLattnError(() => fitLinearAttention(dataset, { rtol: 2 }), 'INVALID_ARGUMENT', 'fitLinearAttention', [
      'options.rtol',
    ]);
    expectLattnError(
      () => fitLinearAttention(dataset, { solver: 'qr' as 'auto' }),
      'INVALID_ARGUMENT',
      'fitLinearAttention',
      ["'auto', 'cholesky', 'eigen', 'dual'"],
    );
    expectLattnError(() => fitLinearAttention(dataset, { chunkSize: 0 }), 'INVALID_ARGUMENT', 'fitLinearAttention', [
      'options.chunkSize',
    ]);
  });
});

/** A teacher's noiseless dataset with tokens scaled by `tokens` and value/query matrices by `values`/`queries`. */
function scaledTeacherData(
  seed: number,
  scales: { tokens: number; values: number; queries: number },
  mode: 'all' | 'last' = 'all',
): { dataset: Dataset; teacher: ReturnType<typeof randomTeacher> } {
  const rng = createRng(seed);
  const unit = randomTeacher(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
  const teacher = {
    ...unit,
    heads: unit.heads.map((head) => ({
      value: { ...head.value, data: head.value.data.map((x) => x * scales.values) },
      query: { ...head.query, data: head.query.data.map((x) => x * scales.queries) },
    })),
  };
  const inputs = gaussianSequences(rng, 3, 30, [3, 5, 6]).map((z) => ({
    ...z,
    data: z.data.map((x) => x * scales.tokens),
  }));
  return { dataset: teacherDataset(teacher, inputs, mode), teacher };
}

describe('fitLinearAttention on numerically hard data', () => {
  const extremes: [string, { tokens: number; values: number; queries: number }][] = [
    ['tokens at 1e150, weights at 1e-300', { tokens: 1e150, values: 1e-150, queries: 1e-150 }],
    ['tokens at 1e-150, weights at 1e300', { tokens: 1e-150, values: 1e150, queries: 1e150 }],
    ['tokens at 1e100, unit values, queries at 1e-300', { tokens: 1e100, values: 1, queries: 1e-300 }],
    ['tokens at 1e-100, unit weights (targets near 1e-300)', { tokens: 1e-100, values: 1, queries: 1 }],
  ];
  for (const [label, scales] of extremes) {
    for (const solver of ['auto', 'eigen', 'dual'] as const) {
      it(`learns the teacher from ${label} with solver '${solver}' (regression: rank 0 or a NON_FINITE error)`, () => {
        // Before the fix: tokens at 1e-100 or 1e-150 gave rank 0 and zero weights ("the data do not determine the
        // weights"), 1e100 and 1e150 threw NON_FINITE from gramMoments or choleskySolve.
        const { dataset, teacher } = scaledTeacherData(41, scales);
        const fit = fitLinearAttention(dataset, { solver });
        expect(fit.rank).toBe(fit.featureDim);
        expect(equivalent(fit.weights, teacher, { rtol: 1e-9 }).equivalent).toBe(true);
        for (const [b, predicted] of forwardFolded(fit.weights, dataset.inputs).entries()) {
          expectMatrixClose(predicted, dataset.targets[b], { rtol: 1e-9, relativeToMax: true });
        }
      });
    }
  }

  it('warns with the rescaled eigenvalues when those of G leave float64', () => {
    const { dataset } = scaledTeacherData(42, { tokens: 1e150, values: 1e-150, queries: 1e-150 });
    const fit = fitLinearAttention(dataset);
    expect(fit.eigenvalues?.max).toBe(Number.POSITIVE_INFINITY);
    expect(fit.warnings.some((warning) => warning.includes('In the rescaled units they are min'))).toBe(true);
  });

  it('throws NON_FINITE naming the scales when the weights cannot be held in float64 (tokens 1e150, targets near 1)', () => {
    const { dataset } = scaledTeacherData(43, { tokens: 1e150, values: 1e-150, queries: 1e-150 });
    const unitTargets = {
      ...dataset,
      targets: dataset.targets.map((y) => ({ ...y, data: y.data.map((v) => v * 1e-150) })),
    };
    expectLattnError(() => fitLinearAttention(unitTargets), 'NON_FINITE', 'fitLinearAttention', [
      'fitLinearAttention: the fitted weights leave the float64 range',
      'Expected weights of magnitude between 2.2e-308 and 1.8e308; received weights of order 1e-45',
      'tokens as large as',
    ]);
  });

  it('returns B/λ when the ridge dominates the Gram beyond the float64 range (tokens at 1e-150, ridge 1e-300)', () => {
    // G is of order 1e-900 here, so (G + λI)⁻¹B = B/λ to working precision; the weights are representable.
    const { dataset } = scaledTeacherData(44, { tokens: 1e-150, values: 1e150, queries: 1e150 });
    const ridge = 1e-300;
    for (const solver of ['cholesky', 'eigen', 'dual'] as const) {
      const fit = fitLinearAttention(dataset, { ridge, solver });
      expect(fit.ridge).toBe(ridge);
      expect(fit.rank).toBe(solver === 'dual' ? fit.numExamples : fit.featureDim);
      // B/λ in units where it is representable: B = Σ ψ yᵀ with ψ at 1e-450 and y at 1e-150.
      const unit = stackedProblem({
        inputs: dataset.inputs.map((z) => ({ ...z, data: z.data.map((x) => x * 1e150) })),
        targets: dataset.targets.map((y) => ({ ...y, data: y.data.map((x) => x * 1e150) })),
        mode: 'all',
      });
      const cross = matmul(transpose(unit.features), unit.targets); // B · 1e600, (D, dOut)
      const expected = transpose(cross).data.map((x) => (x / ridge) * 1e-300 * 1e-300);
      expectVectorClose(fit.weights.data, expected, { rtol: 1e-12, relativeToMax: true });
    }
  });

  it('refuses a primal Gram beyond MAX_ARRAY_ENTRIES (d = 32, D = 16896) with TOO_LARGE before allocating', () => {
    const inputs = [createRng(1).normalMatrix(2, 32)];
    const dataset: Dataset = { inputs, targets: [createRng(2).normalMatrix(2, 1)], mode: 'all' };
    expectLattnError(() => fitLinearAttention(dataset, { solver: 'eigen' }), 'TOO_LARGE', 'fitLinearAttention', [
      'fitLinearAttention: the (16896, 16896) feature Gram for tokens of dimension 32 would need 285474816 float64 entries (2.13 GiB)',
      'Expected at most 268435456',
    ]);
  });

  it('returns the same weights when every example is duplicated (G and B double; the minimiser does not move)', () => {
    const dataset = noisyData(45, 2, 10, 'all');
    const doubled: Dataset = {
      inputs: [...dataset.inputs, ...dataset.inputs],
      targets: [...dataset.targets, ...dataset.targets],
      mode: 'all',
    };
    const once = fitLinearAttention(dataset);
    const twice = fitLinearAttention(doubled);
    expect(twice.rank).toBe(once.rank);
    expectMatrixClose(twice.weights, once.weights, { rtol: 1e-10, relativeToMax: true });
    expect(twice.residual.sumOfSquares).toBeCloseTo(2 * once.residual.sumOfSquares, 8);
  });

  it('returns the rank-1 minimum-norm fit, exact on the data, when every token is the same vector', () => {
    const constant = fromRows([[0.5, -1, 2]]);
    const inputs = [1, 2, 3, 4].map((n) => ({
      rows: n,
      cols: 3,
      data: new Float64Array(n * 3).map((_, i) => constant.data[i % 3]),
    }));
    const teacher = randomTeacher(createRng(46), { modelDim: 3, outputDim: 1, numHeads: 1 });
    const dataset = teacherDataset(teacher, inputs, 'all');
    const fit = fitLinearAttention(dataset);
    expect(fit.rank).toBe(1);
    expect(fit.warnings.some((warning) => warning.includes('numerical rank 1 < featureDim 18'))).toBe(true);
    for (const [b, predicted] of forwardFolded(fit.weights, inputs).entries()) {
      expectMatrixClose(predicted, dataset.targets[b], { rtol: 1e-10, relativeToMax: true });
    }
    // Minimum norm: every example's features are t·ψ(c) (M_t = t·ccᵀ), so w_a is a multiple of ψ(c).
    const psi = cubicFeatures(constant).data;
    const ratio = fit.weights.data[psi.length - 1] / psi[psi.length - 1];
    expectVectorClose(
      fit.weights.data.subarray(0, psi.length),
      psi.map((x) => x * ratio),
      { rtol: 1e-10, relativeToMax: true },
    );
  });

  it('reports numerical rank deficiency and stays optimal when G has condition 1e18 (a coordinate at 1e-3)', () => {
    const rng = createRng(47);
    const teacher = randomTeacher(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
    const inputs = gaussianSequences(rng, 3, 60, [3, 5]).map((z) => ({
      ...z,
      data: z.data.map((x, i) => (i % 3 === 2 ? x * 1e-3 : x)),
    }));
    const dataset = teacherDataset(teacher, inputs, 'all');
    const fit = fitLinearAttention(dataset);
    expect(fit.solver).toBe('eigen');
    expect(fit.rank).toBeLessThan(fit.featureDim);
    expect(fit.warnings.some((warning) => warning.includes(`numerical rank ${fit.rank} < featureDim 18`))).toBe(true);
    // The fit still reproduces the training targets to well within the dropped directions' weight (≤ 1e-9 here).
    for (const [b, predicted] of forwardFolded(fit.weights, inputs).entries()) {
      expectMatrixClose(predicted, dataset.targets[b], { atol: 1e-6, rtol: 0 });
    }
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
      'fitFromMoments',
      ['options are required'],
    );
    expectLattnError(() => fitFromMoments(moments, {} as FitFromMomentsOptions), 'INVALID_ARGUMENT', 'fitFromMoments', [
      'options.mode',
    ]);
    expectLattnError(
      () => fitFromMoments(moments, { mode: 'all', solver: 'dual' as 'auto' }),
      'INVALID_ARGUMENT',
      'fitFromMoments',
      ['dual solver needs the data'],
    );
    const bare = accumulateFeatureMoments(dataset.inputs, { mode: 'all' });
    expectLattnError(() => fitFromMoments(bare, { mode: 'all' }), 'INVALID_ARGUMENT', 'fitFromMoments', ['no targets']);
    expectLattnError(() => fitFromMoments(moments, { mode: 'all', modelDim: 3 }), 'SHAPE_MISMATCH', 'fitFromMoments', [
      'Expected 2',
    ]);
    const broken = { ...moments, dim: 5, gram: new Float64Array(25), cross: new Float64Array(10) };
    expectLattnError(() => fitFromMoments(broken, { mode: 'all' }), 'SHAPE_MISMATCH', 'fitFromMoments', [
      'no folded feature dimension',
    ]);
    const nan = { ...moments, cross: moments.cross.slice().fill(Number.NaN) };
    expectLattnError(() => fitFromMoments(nan, { mode: 'all' }), 'NON_FINITE', 'fitFromMoments', ['moments.cross']);
  });
});
