import { fromRows, type Matrix, zeros } from '@lattn/core';
import { expectLattnError, expectMatrixClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { randomModel, randomSequences, rngFor } from './__fixtures__/random.js';
import { equivalent } from './equivalent.js';
import { foldModel, foldUnfolded, unfoldWeights } from './fold.js';
import { forward } from './forward.js';
import { featureDim, featureTriple } from './layout.js';
import { createModel, type MhlaHead, type MhlaModel } from './model.js';

const SIZES = { modelDim: 3, outputDim: 2, numHeads: 3 };

function scale(matrix: Matrix, factor: number): Matrix {
  return { ...matrix, data: matrix.data.map((x) => x * factor) };
}

function add(a: Matrix, b: Matrix): Matrix {
  return { ...a, data: a.data.map((x, i) => x + b.data[i]) };
}

/** Heads `X = Σ_c X[:, c] e_cᵀ` of an unfolded matrix, one per column. */
function headsOfUnfolded(x: Matrix, modelDim: number, outputDim: number): MhlaModel {
  const heads: MhlaHead[] = [];
  for (let c = 0; c < x.cols; c++) {
    const value = zeros(outputDim, modelDim);
    for (let i = 0; i < value.data.length; i++) value.data[i] = x.data[i * x.cols + c];
    const query = zeros(modelDim, modelDim);
    query.data[c] = 1;
    heads.push({ value, query });
  }
  return createModel({ modelDim, outputDim, heads });
}

describe('equivalent', () => {
  const model = randomModel(rngFor(110), SIZES);

  it('is invariant under rescaling heads V_h → cV_h, Q_h → Q_h/c', () => {
    const factors = [3, -0.25, 1e3];
    const rescaled = createModel({
      heads: model.heads.map((head, h) => ({
        value: scale(head.value, factors[h]),
        query: scale(head.query, 1 / factors[h]),
      })),
    });
    const result = equivalent(model, rescaled);
    expect(result.equivalent).toBe(true);
    expect(result.relativeDistance).toBeLessThan(1e-14);
  });

  it('is invariant under permuting heads', () => {
    const permuted = createModel({ heads: [model.heads[2], model.heads[0], model.heads[1]] });
    expect(equivalent(model, permuted).equivalent).toBe(true);
  });

  it('is invariant under splitting one head into two that sum to it', () => {
    const rng = rngFor(111);
    const part = rng.normalMatrix(2, 3);
    const [first, ...rest] = model.heads;
    const split = createModel({
      heads: [
        { value: part, query: first.query },
        { value: add(first.value, scale(part, -1)), query: first.query },
        ...rest,
      ],
    });
    expect(equivalent(model, split).equivalent).toBe(true);
  });

  it('is invariant under mixing heads by an invertible matrix (V′ = V A, Q′ = Q A⁻ᵀ)', () => {
    // A = [[2, 1, 0], [0, 1, 0], [1, 0, 1]], A⁻ᵀ = inverse transpose, written out.
    const a = [
      [2, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
    ];
    const inverseTranspose = [
      [0.5, 0, -0.5],
      [-0.5, 1, 0.5],
      [0, 0, 1],
    ];
    const mixed = createModel({
      heads: [0, 1, 2].map((g) => ({
        value: model.heads.reduce((sum, head, h) => add(sum, scale(head.value, a[h][g])), zeros(2, 3)),
        query: model.heads.reduce((sum, head, h) => add(sum, scale(head.query, inverseTranspose[h][g])), zeros(3, 3)),
      })),
    });
    const result = equivalent(model, mixed);
    expect(result.equivalent).toBe(true);
    expect(result.relativeDistance).toBeLessThan(1e-14);
  });

  it('is invariant under any j↔k split of each pair sum in the unfolded weights', () => {
    const rng = rngFor(112);
    const d = SIZES.modelDim;
    const symmetric = unfoldWeights(foldModel(model));
    // Move a random amount from (a,j,k,l) to (a,k,j,l) for every j < k: the pair sums stay the same.
    const reshuffled = { ...symmetric, data: symmetric.data.slice() };
    for (let a = 0; a < SIZES.outputDim; a++) {
      for (let j = 0; j < d; j++) {
        for (let k = j + 1; k < d; k++) {
          for (let l = 0; l < d; l++) {
            const shift = 5 * rng.normal();
            reshuffled.data[(a * d + j) * d * d + k * d + l] += shift;
            reshuffled.data[(a * d + k) * d * d + j * d + l] -= shift;
          }
        }
      }
    }
    const other = headsOfUnfolded(reshuffled, d, SIZES.outputDim);
    expect(equivalent(model, other).equivalent).toBe(true);
    expect(equivalent(foldUnfolded(reshuffled), model).equivalent).toBe(true);
    const inputs = randomSequences(rng, d, [5]);
    expectMatrixClose(forward(other, inputs)[0], forward(model, inputs)[0], { rtol: 1e-10, relativeToMax: true });
  });

  it('detects a change of a single folded entry, and the changed function differs on some input', () => {
    const weights = foldModel(model);
    const d = SIZES.modelDim;
    for (const index of [0, 7, featureDim(d) - 1]) {
      const changed = { ...weights, data: weights.data.slice() };
      changed.data[featureDim(d) + index] += 1e-6;
      const result = equivalent(model, changed);
      expect(result.equivalent).toBe(false);
      expect(Math.abs(result.distance - 1e-6)).toBeLessThan(1e-12);
      // A sequence whose last features excite the changed triple shows the difference.
      const { j, k, l } = featureTriple(index, d);
      const sequence = zeros(1, d);
      sequence.data[j] += 1;
      sequence.data[k] += 1;
      sequence.data[l] += 1;
      const before = forward(model, [sequence])[0];
      const after = headsOfUnfolded(unfoldWeights(changed), d, SIZES.outputDim);
      expect(Math.abs(forward(after, [sequence])[0].data[1] - before.data[1])).toBeGreaterThan(1e-7);
    }
  });

  it('reports the distances and the tolerances it used', () => {
    const a = fromRows([[3, 0, 0, 0, 0, 0]]);
    const b = fromRows([[0, 4, 0, 0, 0, 0]]);
    expect(equivalent(a, b)).toEqual({ equivalent: false, distance: 5, relativeDistance: 5 / 4, rtol: 1e-9, atol: 0 });
    expect(equivalent(a, b, { atol: 5 })).toEqual({
      equivalent: true,
      distance: 5,
      relativeDistance: 5 / 4,
      rtol: 1e-9,
      atol: 5,
    });
    expect(equivalent(a, b, { rtol: 1.25 }).equivalent).toBe(true);
  });

  it('treats two zero models as equivalent with relative distance 0', () => {
    const zero = createModel({ modelDim: 2, outputDim: 1, heads: [] });
    expect(equivalent(zero, zeros(1, 6))).toEqual({
      equivalent: true,
      distance: 0,
      relativeDistance: 0,
      rtol: 1e-9,
      atol: 0,
    });
  });

  it('does not overflow for huge weights', () => {
    const a = fromRows([[1e200]]);
    const result = equivalent(a, fromRows([[1.5e200]]));
    expect(result.distance).toBeCloseTo(0.5e200, -190);
    expect(result.relativeDistance).toBeCloseTo(1 / 3, 14);
  });

  it('throws SHAPE_MISMATCH for layers of different shapes', () => {
    expectLattnError(() => equivalent(zeros(1, 6), zeros(2, 6)), 'SHAPE_MISMATCH', 'equivalent');
    expectLattnError(() => equivalent(zeros(1, 6), zeros(1, 18)), 'SHAPE_MISMATCH', 'equivalent');
    expectLattnError(() => equivalent(zeros(1, 5), zeros(1, 5)), 'SHAPE_MISMATCH', 'equivalent');
  });

  it('throws INVALID_ARGUMENT for a negative tolerance, unknown options or a malformed model', () => {
    expectLattnError(() => equivalent(model, model, { rtol: -1 }), 'INVALID_ARGUMENT', 'equivalent');
    expectLattnError(() => equivalent(model, model, { tol: 1 } as never), 'INVALID_ARGUMENT', 'equivalent');
    expectLattnError(() => equivalent(model, { heads: [] } as never), 'INVALID_ARGUMENT', 'equivalent');
    expectLattnError(() => equivalent(fromRows([[Number.NaN]]), model), 'NON_FINITE', 'equivalent');
  });
});
