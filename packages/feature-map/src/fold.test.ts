import { fromRows, type Matrix, zeros } from '@lattn/core';
import { expectLattnError, expectMatrixClose } from '@lattn/core/testing';
import { SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { randomModel, rngFor, toMl } from './__fixtures__/random.js';
import { foldModel, foldUnfolded, unfoldWeights } from './fold.js';
import { featureDim, featureTriple } from './layout.js';
import { createModel, type MhlaHead, type MhlaModel } from './model.js';

/** Heads from the rank-one terms of an unfolded matrix `X = Σ_r σ_r u_r v_rᵀ` (ml-matrix SVD). */
function headsBySvd(unfolded: Matrix, modelDim: number, outputDim: number): MhlaModel {
  const svd = new SingularValueDecomposition(toMl(unfolded), { autoTranspose: true });
  const heads: MhlaHead[] = [];
  svd.diagonal.forEach((sigma, r) => {
    const value = new Float64Array(outputDim * modelDim);
    const query = new Float64Array(modelDim * modelDim);
    for (let i = 0; i < value.length; i++) value[i] = sigma * svd.leftSingularVectors.get(i, r);
    for (let i = 0; i < query.length; i++) query[i] = svd.rightSingularVectors.get(i, r);
    heads.push({
      value: { rows: outputDim, cols: modelDim, data: value },
      query: { rows: modelDim, cols: modelDim, data: query },
    });
  });
  return createModel({ modelDim, outputDim, heads });
}

/** Heads from the column factorisation `X = Σ_c X[:, c] e_cᵀ`: one head per column (a different factorisation). */
function headsByColumns(unfolded: Matrix, modelDim: number, outputDim: number): MhlaModel {
  const heads: MhlaHead[] = [];
  for (let c = 0; c < unfolded.cols; c++) {
    const value = new Float64Array(outputDim * modelDim);
    for (let i = 0; i < value.length; i++) value[i] = unfolded.data[i * unfolded.cols + c];
    const query = new Float64Array(modelDim * modelDim);
    query[c] = 1;
    heads.push({
      value: { rows: outputDim, cols: modelDim, data: value },
      query: { rows: modelDim, cols: modelDim, data: query },
    });
  }
  return createModel({ modelDim, outputDim, heads });
}

/** The folded weights straight from the definition: W[a,j,k,l] = Σ_h V_h[a,j] Q_h[k,l], summed over (j,k),(k,j). */
function foldByDefinition(model: MhlaModel): number[][] {
  const d = model.modelDim;
  const W = (a: number, j: number, k: number, l: number): number =>
    model.heads.reduce((sum, head) => sum + head.value.data[a * d + j] * head.query.data[k * d + l], 0);
  const rows: number[][] = [];
  for (let a = 0; a < model.outputDim; a++) {
    const row: number[] = [];
    for (let index = 0; index < featureDim(d); index++) {
      const { j, k, l } = featureTriple(index, d);
      row.push(j === k ? W(a, j, j, l) : W(a, j, k, l) + W(a, k, j, l));
    }
    rows.push(row);
  }
  return rows;
}

describe('foldModel', () => {
  it('sums W[a,j,k,l] + W[a,k,j,l] over each pair, as in the definition', () => {
    for (const [index, sizes] of [
      { modelDim: 1, outputDim: 1, numHeads: 1 },
      { modelDim: 3, outputDim: 2, numHeads: 4 },
      { modelDim: 4, outputDim: 3, numHeads: 2 },
    ].entries()) {
      const model = randomModel(rngFor(50 + index), sizes);
      expectMatrixClose(foldModel(model), foldByDefinition(model), { rtol: 1e-13, relativeToMax: true });
    }
  });

  it('gives zeros for a model with zero heads', () => {
    expectMatrixClose(foldModel(createModel({ modelDim: 2, outputDim: 3, heads: [] })), zeros(3, 6), { rtol: 0 });
  });

  it('throws for a malformed model', () => {
    expectLattnError(
      () => foldModel({ modelDim: 2, outputDim: 1, heads: [{ value: zeros(1, 2), query: zeros(2, 1) }] }),
      'SHAPE_MISMATCH',
      'foldModel',
    );
    expectLattnError(() => foldModel({ modelDim: 2 } as never), 'INVALID_ARGUMENT', 'foldModel');
  });
});

describe('unfoldWeights', () => {
  it('splits each off-diagonal pair symmetrically and keeps diagonal pairs whole', () => {
    const d = 3;
    const weights = rngFor(60).normalMatrix(2, featureDim(d));
    const unfolded = unfoldWeights(weights);
    expect([unfolded.rows, unfolded.cols]).toEqual([2 * d, d * d]);
    const at = (a: number, j: number, k: number, l: number): number => unfolded.data[(a * d + j) * d * d + k * d + l];
    for (let a = 0; a < 2; a++) {
      for (let index = 0; index < featureDim(d); index++) {
        const { j, k, l } = featureTriple(index, d);
        const w = weights.data[a * featureDim(d) + index];
        if (j === k) expect(at(a, j, j, l)).toBe(w);
        else {
          expect(at(a, j, k, l)).toBe(w / 2);
          expect(at(a, k, j, l)).toBe(w / 2);
        }
      }
    }
  });

  it('round trips through foldUnfolded bit for bit', () => {
    const weights = rngFor(61).normalMatrix(3, featureDim(4));
    expectMatrixClose(foldUnfolded(unfoldWeights(weights)), weights, { rtol: 0 });
  });

  it('round trips to the same folded weights through heads from an SVD and from a column factorisation', () => {
    for (const [index, sizes] of [
      { modelDim: 1, outputDim: 1, numHeads: 1 },
      { modelDim: 2, outputDim: 1, numHeads: 3 },
      { modelDim: 3, outputDim: 2, numHeads: 2 },
      { modelDim: 4, outputDim: 3, numHeads: 5 },
    ].entries()) {
      const model = randomModel(rngFor(70 + index), sizes);
      const weights = foldModel(model);
      const unfolded = unfoldWeights(weights, { modelDim: sizes.modelDim });
      for (const recovered of [
        headsBySvd(unfolded, sizes.modelDim, sizes.outputDim),
        headsByColumns(unfolded, sizes.modelDim, sizes.outputDim),
      ]) {
        expectMatrixClose(foldModel(recovered), weights, { rtol: 1e-12, relativeToMax: true });
      }
    }
  });

  it('throws SHAPE_MISMATCH for a column count that is no folded feature dimension or disagrees with modelDim', () => {
    expectLattnError(() => unfoldWeights(zeros(1, 7)), 'SHAPE_MISMATCH', 'unfoldWeights');
    expectLattnError(() => unfoldWeights(zeros(1, 0)), 'SHAPE_MISMATCH', 'unfoldWeights');
    expectLattnError(() => unfoldWeights(zeros(1, 6), { modelDim: 3 }), 'SHAPE_MISMATCH', 'unfoldWeights');
  });

  it('throws INVALID_ARGUMENT for unknown options and NON_FINITE for NaN', () => {
    expectLattnError(() => unfoldWeights(zeros(1, 6), { dim: 2 } as never), 'INVALID_ARGUMENT', 'unfoldWeights');
    expectLattnError(() => unfoldWeights(fromRows([[Number.NaN]])), 'NON_FINITE', 'unfoldWeights');
  });
});

describe('foldUnfolded', () => {
  it('maps the unfolding Σ_h vec(V_h) vec(Q_h)ᵀ of a model to its folded weights', () => {
    const model = randomModel(rngFor(80), { modelDim: 3, outputDim: 2, numHeads: 3 });
    const unfolded = zeros(2 * 3, 9);
    for (const head of model.heads) {
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c < 9; c++) unfolded.data[r * 9 + c] += head.value.data[r] * head.query.data[c];
      }
    }
    expectMatrixClose(foldUnfolded(unfolded), foldByDefinition(model), { rtol: 1e-13, relativeToMax: true });
  });

  it('with unfoldWeights gives the orthogonal projection onto the unfoldings of w', () => {
    const d = 3;
    const rng = rngFor(81);
    const weights = rng.normalMatrix(2, featureDim(d));
    const x = rng.normalMatrix(2 * d, d * d);
    const correction = unfoldWeights({ ...weights, data: weights.data.map((w, i) => w - foldUnfolded(x).data[i]) });
    const projected: Matrix = { ...x, data: x.data.map((v, i) => v + correction.data[i]) };
    expectMatrixClose(foldUnfolded(projected), weights, { rtol: 1e-14, atol: 1e-14 });
    // The step is orthogonal to the null space of folding, spanned by e_(a,j,k,l) − e_(a,k,j,l) (j < k).
    for (let a = 0; a < 2; a++) {
      for (let j = 0; j < d; j++) {
        for (let k = j + 1; k < d; k++) {
          for (let l = 0; l < d; l++) {
            const step = (r: number, c: number): number => correction.data[r * d * d + c];
            expect(Math.abs(step(a * d + j, k * d + l) - step(a * d + k, j * d + l))).toBeLessThan(1e-15);
          }
        }
      }
    }
  });

  it('gives the worked example of the TSDoc', () => {
    const x = fromRows([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expectMatrixClose(foldUnfolded(x), [[1, 2, 8, 10, 7, 8]], { rtol: 0 });
  });

  it('throws SHAPE_MISMATCH for a shape that is no unfolding', () => {
    expectLattnError(() => foldUnfolded(zeros(2, 3)), 'SHAPE_MISMATCH', 'foldUnfolded');
    expectLattnError(() => foldUnfolded(zeros(3, 4)), 'SHAPE_MISMATCH', 'foldUnfolded');
    expectLattnError(() => foldUnfolded(zeros(0, 4)), 'SHAPE_MISMATCH', 'foldUnfolded');
    expectLattnError(() => foldUnfolded(zeros(2, 4), { modelDim: 1 }), 'SHAPE_MISMATCH', 'foldUnfolded');
  });
});
