/**
 * Property suites of `@lattn/learner` (issue #9), over random shapes that include d = 1, n = 1 and dOut = 1:
 * the fit is a least-squares minimiser (the gradient of the loss vanishes) for full-rank, rank-deficient, ridge and
 * dual problems; the rank-deficient fit is the minimum-norm one; fitting data scaled by powers of two gives the
 * weights scaled by the matching power, bit for bit, out to tokens at 1e±150; merged shards equal one pass; head
 * recovery reproduces the weights at any scale; and the JSON format round-trips every double.
 */
import { createRng, type Dataset, type Matrix, matmul, mergeGram, transpose } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import { accumulateFeatureMoments, createModel, equivalent, featureDim, foldModel, forward } from '@lattn/feature-map';
import fc from 'fast-check';
import { EigenvalueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { gaussianSequences, randomTeacher, stackedProblem, toMl } from './__fixtures__/planted.js';
import { fitFromMoments, fitLinearAttention, type LinearSolver } from './fit.js';
import { parseModel, serializeModel } from './model-json.js';
import { recoverHeads } from './recover-heads.js';

const EPSILON = 2 ** -52;

function frobenius(data: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < data.length; i++) largest = Math.max(largest, Math.abs(data[i]));
  if (largest === 0) return 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += (data[i] / largest) ** 2;
  return largest * Math.sqrt(sum);
}

/** `x · 2ᵉ` in two exact steps, so that neither factor over- or underflows on its own. */
function timesPower(x: number, exponent: number): number {
  const half = Math.floor(exponent / 2);
  return x * 2 ** half * 2 ** (exponent - half);
}

function scaled(m: Matrix, factor: number): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.map((x) => x * factor) };
}

const problems = fc.record({
  seed: fc.nat(1_000_000),
  modelDim: fc.integer({ min: 1, max: 3 }),
  outputDim: fc.integer({ min: 1, max: 2 }),
  numSequences: fc.integer({ min: 1, max: 12 }),
  lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  mode: fc.constantFrom('all' as const, 'last' as const),
  /** A coordinate that is zero in every token: exactly rank-deficient G. */
  zeroCoordinate: fc.boolean(),
  /** Targets from a teacher plus noise (agnostic), or exactly realisable. */
  noise: fc.constantFrom(0, 0.5),
  ridge: fc.constantFrom(0, 0, 1e-3, 10),
  solver: fc.constantFrom<LinearSolver>('auto', 'cholesky', 'eigen', 'dual'),
});

type Problem = typeof problems extends fc.Arbitrary<infer T> ? T : never;

function makeDataset(problem: Problem): Dataset {
  const rng = createRng(problem.seed);
  const teacher = randomTeacher(rng, { modelDim: problem.modelDim, outputDim: problem.outputDim, numHeads: 2 });
  const inputs = gaussianSequences(rng, problem.modelDim, problem.numSequences, problem.lengths);
  if (problem.zeroCoordinate) for (const z of inputs) for (let t = 0; t < z.rows; t++) z.data[t * z.cols] = 0;
  const targets = forward(teacher, inputs, { mode: problem.mode });
  for (const y of targets) for (let i = 0; i < y.data.length; i++) y.data[i] += problem.noise * rng.normal();
  return { inputs, targets, mode: problem.mode };
}

/** The symmetric eigendecomposition of `G` by ml-matrix (independent of core's `eigh`), ascending. */
function oracleEigen(gram: Matrix): { values: number[]; vectors: number[][] } {
  const decomposition = new EigenvalueDecomposition(toMl(gram), { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const vectors = decomposition.eigenvectorMatrix;
  return { values: order.map((i) => values[i]), vectors: order.map((i) => vectors.getColumn(i)) };
}

describe('fitLinearAttention', () => {
  it('zeroes the gradient of the (ridge) loss, Ψᵀ(Ψwᵀ − Y) + λwᵀ ≈ 0, on every route and rank', () => {
    fc.assert(
      fc.property(problems, (problem) => {
        const dataset = makeDataset(problem);
        const fit = fitLinearAttention(dataset, { ridge: problem.ridge, solver: problem.solver });
        const { features, targets } = stackedProblem(dataset); // Ψ (N, D), Y (N, dOut)
        const gram = matmul(transpose(features), features); // G (D, D)
        const cross = matmul(transpose(features), targets); // B (D, dOut)
        const w = fit.weights; // (dOut, D)
        const gradient = matmul(gram, transpose(w)); // G wᵀ
        for (let i = 0; i < gradient.data.length; i++) {
          const row = Math.floor(i / w.rows);
          const col = i % w.rows;
          gradient.data[i] += problem.ridge * w.data[col * w.cols + row] - cross.data[i];
        }
        // A backward-stable solve leaves a residual of a few D·ε·‖G + λI‖·‖w‖; the minimum-norm route also drops
        // directions with eigenvalues <= rtol·λ_max, whose share of B is at most √(rtol·λ_max)·‖Y‖.
        const { values } = oracleEigen(gram);
        const top = Math.max(0, values[values.length - 1]);
        const dim = featureDim(problem.modelDim);
        const bound =
          1e3 * dim * EPSILON * ((top + problem.ridge) * frobenius(w.data) + frobenius(cross.data)) +
          4 * Math.sqrt(fit.rtol * (top + problem.ridge)) * frobenius(targets.data);
        expect(frobenius(gradient.data)).toBeLessThanOrEqual(bound);
      }),
      { seed: 31, numRuns: 80 },
    );
  });

  it('returns the minimum-norm solution when G is singular: w has no component in the null space of G', () => {
    fc.assert(
      fc.property(problems, (problem) => {
        const dataset = makeDataset({ ...problem, ridge: 0 });
        const fit = fitLinearAttention(dataset, { solver: problem.solver });
        const { features } = stackedProblem(dataset);
        const gram = matmul(transpose(features), features);
        const { values, vectors } = oracleEigen(gram);
        const top = Math.max(0, values[values.length - 1]);
        // Null directions: eigenvalues far below the rounding floor of G and far below rtol·λ_max, so that the
        // oracle and the learner cannot disagree on them.
        const nullVectors = vectors.filter((_, i) => values[i] <= 1e-6 * fit.rtol * top);
        fc.pre(nullVectors.length > 0);
        const scale = frobenius(fit.weights.data);
        for (const v of nullVectors) {
          for (let a = 0; a < fit.outputDim; a++) {
            let component = 0;
            for (let p = 0; p < v.length; p++) component += v[p] * fit.weights.data[a * fit.featureDim + p];
            expect(Math.abs(component)).toBeLessThanOrEqual(1e-7 * scale + 1e-300);
          }
        }
        expect(fit.rank).toBeLessThanOrEqual(fit.featureDim - nullVectors.length);
      }),
      { seed: 32, numRuns: 80 },
    );
  });

  it('fits data scaled by 2^k (tokens) and 2^m (targets) with weights scaled by 2^(m − 3k), bit for bit, to 1e±150', () => {
    fc.assert(
      fc.property(
        problems,
        fc.integer({ min: -500, max: 500 }),
        fc.integer({ min: -300, max: 300 }),
        (problem, k, m) => {
          fc.pre(Math.abs(m - 3 * k) <= 900);
          const dataset = makeDataset(problem);
          const options = { ridge: problem.ridge, solver: problem.solver };
          const reference = fitLinearAttention(dataset, options);
          fc.pre(reference.weights.data.some((x) => x !== 0));
          const rescaled: Dataset = {
            inputs: dataset.inputs.map((z) => scaled(z, 2 ** k)),
            targets: dataset.targets.map((y) => scaled(y, 2 ** m)),
            mode: dataset.mode,
          };
          // The ridge is on the scale of G, which scales by 2^(6k); split the factor so it cannot overflow.
          const ridge = timesPower(problem.ridge, 6 * k);
          fc.pre(Number.isFinite(ridge) && (problem.ridge === 0 || ridge > 0));
          const fit = fitLinearAttention(rescaled, { ...options, ridge });
          expect(fit.solver).toBe(reference.solver);
          expect(fit.rank).toBe(reference.rank);
          const expected = reference.weights.data.map((x) => timesPower(x, m - 3 * k));
          expect(Array.from(fit.weights.data)).toEqual(Array.from(expected));
        },
      ),
      { seed: 33, numRuns: 80 },
    );
  });

  it('equals, on merged shards through fitFromMoments, one pass over the data', () => {
    fc.assert(
      fc.property(problems, fc.nat(), (problem, cut) => {
        fc.pre(problem.numSequences >= 2);
        const dataset = makeDataset(problem);
        const split = 1 + (cut % (dataset.inputs.length - 1));
        const shard = (from: number, to: number) =>
          accumulateFeatureMoments(dataset.inputs.slice(from, to), {
            mode: dataset.mode,
            targets: dataset.targets.slice(from, to),
          });
        const merged = mergeGram(shard(0, split), shard(split, dataset.inputs.length));
        const onePass = accumulateFeatureMoments(dataset.inputs, { mode: dataset.mode, targets: dataset.targets });
        const solver = problem.solver === 'dual' ? 'eigen' : problem.solver;
        const fromShards = fitFromMoments(merged, { mode: dataset.mode, ridge: problem.ridge + 1e-9, solver });
        const fromOnePass = fitFromMoments(onePass, { mode: dataset.mode, ridge: problem.ridge + 1e-9, solver });
        expect(fromShards.numExamples).toBe(fromOnePass.numExamples);
        // The two differ only by the order of float64 additions in G and B, amplified by the condition number.
        const { values } = oracleEigen(
          matmul(transpose(stackedProblem(dataset).features), stackedProblem(dataset).features),
        );
        const condition =
          (values[values.length - 1] + problem.ridge + 1e-9) / (Math.max(values[0], 0) + problem.ridge + 1e-9);
        expectMatrixClose(fromShards.weights, fromOnePass.weights, {
          relativeToMax: true,
          rtol: Math.min(1e-2, 1e-13 * condition),
          atol: 1e-300,
        });
      }),
      { seed: 34, numRuns: 60 },
    );
  });

  it('fitFromMoments solves moments at any float64 scale: G·2^±900 and B·2^±900 give the same weights bit for bit', () => {
    fc.assert(
      fc.property(
        problems,
        fc.integer({ min: -450, max: 450 }),
        fc.integer({ min: -900, max: 900 }),
        (problem, g, b) => {
          const dataset = makeDataset(problem);
          const moments = accumulateFeatureMoments(dataset.inputs, { mode: dataset.mode, targets: dataset.targets });
          const solver = problem.solver === 'dual' ? 'auto' : problem.solver;
          const reference = fitFromMoments(moments, { mode: dataset.mode, ridge: problem.ridge, solver });
          fc.pre(Math.abs(b - 2 * g) <= 900 && reference.weights.data.some((x) => x !== 0));
          const even = 2 * g; // G scaled by an even power, as a Gram of tokens scaled by 2^(g/3) would be
          const moved = {
            ...moments,
            gram: moments.gram.map((x) => x * 2 ** (even / 2) * 2 ** (even / 2)),
            cross: moments.cross.map((x) => x * 2 ** b),
            targetGram: moments.targetGram.map((x) => x * 2 ** b * 2 ** (b - even)),
          };
          fc.pre([...moved.gram, ...moved.cross, ...moved.targetGram].every((x) => Number.isFinite(x)));
          fc.pre(moments.gram.every((x, i) => x === 0 || moved.gram[i] !== 0));
          const ridge = timesPower(problem.ridge, even);
          const fit = fitFromMoments(moved, { mode: dataset.mode, ridge, solver });
          const factor = (x: number): number => timesPower(x, b - even);
          expect(fit.rank).toBe(reference.rank);
          expect(Array.from(fit.weights.data)).toEqual(Array.from(reference.weights.data, factor));
        },
      ),
      { seed: 35, numRuns: 60 },
    );
  });
});

describe('recoverHeads', () => {
  it("reproduces the folded weights with the paper's SVD route at any scale, out to 1e±200", () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.nat(1_000_000),
          modelDim: fc.integer({ min: 1, max: 3 }),
          outputDim: fc.integer({ min: 1, max: 2 }),
        }),
        fc.constantFrom(1, 1e-200, 1e200, 2 ** -700, 2 ** 700),
        ({ seed, modelDim, outputDim }, factor) => {
          const weights = scaled(createRng(seed).normalMatrix(outputDim, featureDim(modelDim)), factor);
          const recovered = recoverHeads({ weights, modelDim });
          expect(recovered.equivalent).toBe(true);
          expect(recovered.equivalence.relativeDistance).toBeLessThan(1e-12);
          expect(recovered.truncationError.relativeWeightError).toBeLessThan(1e-12);
          expect(recovered.singularValues[0]).toBeGreaterThan(0);
          expect(Number.isFinite(recovered.singularValues[0])).toBe(true);
        },
      ),
      { seed: 36, numRuns: 40 },
    );
  });
});

describe('serializeModel and parseModel', () => {
  it('round-trip every finite double bit for bit (−0 becomes 0), for any shape including zero heads', () => {
    const entry = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(entry, { minLength: 80, maxLength: 80 }),
        (modelDim, outputDim, numHeads, pool) => {
          let next = 0;
          const take = (rows: number, cols: number): Matrix => {
            const data = new Float64Array(rows * cols);
            for (let i = 0; i < data.length; i++) data[i] = pool[next++ % pool.length];
            return { rows, cols, data };
          };
          const heads = Array.from({ length: numHeads }, () => ({
            value: take(outputDim, modelDim),
            query: take(modelDim, modelDim),
          }));
          const model = createModel({ modelDim, outputDim, heads });
          const text = serializeModel(model);
          for (const parsed of [parseModel(text), parseModel(JSON.parse(text))]) {
            expect([parsed.modelDim, parsed.outputDim, parsed.heads.length]).toEqual([modelDim, outputDim, numHeads]);
            parsed.heads.forEach((head, h) => {
              const clean = (m: Matrix): number[] => Array.from(m.data, (x) => (Object.is(x, -0) ? 0 : x));
              expect(Array.from(head.value.data)).toEqual(clean(heads[h].value));
              expect(Array.from(head.query.data)).toEqual(clean(heads[h].query));
            });
            expect(serializeModel(parsed)).toBe(text);
          }
          if (
            numHeads > 0 &&
            model.heads.every((head) => [...head.value.data, ...head.query.data].every((x) => Math.abs(x) < 1e100))
          ) {
            expect(equivalent(parseModel(text), foldModel(model)).equivalent).toBe(true);
          }
        },
      ),
      { seed: 37, numRuns: 100 },
    );
  });
});
