import { fromRows, type Matrix, zeros } from '@lattn/core';
import { expectLattnError, expectMatrixClose, expectVectorClose, stackRows } from '@lattn/core/testing';
import { pseudoInverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  fromMl,
  prefixMomentReference,
  randomSequences,
  rngFor,
  timesTransposed,
  toMl,
} from './__fixtures__/random.js';
import { cubicFeatures, unfoldedFeatures } from './features.js';
import { cubicKernel, kernelMatrix, MAX_KERNEL_EXAMPLES } from './kernel.js';

function dot(a: Matrix, row: number, b: Matrix, other: number): number {
  let sum = 0;
  for (let i = 0; i < a.cols; i++) sum += a.data[row * a.cols + i] * b.data[other * b.cols + i];
  return sum;
}

describe('cubicKernel', () => {
  it('equals the inner product of unfolded features ⟨Ψ_t(a), Ψ_u(b)⟩', () => {
    const rng = rngFor(90);
    for (const d of [1, 2, 3, 5]) {
      const [a, b] = randomSequences(rng, d, [5, 4]);
      const fa = unfoldedFeatures(a);
      const fb = unfoldedFeatures(b);
      const actual: number[] = [];
      const expected: number[] = [];
      for (let t = 0; t < 5; t++) {
        for (let u = 0; u < 4; u++) {
          actual.push(cubicKernel(a, t, b, u));
          expected.push(dot(fa, t, fb, u));
        }
      }
      expectVectorClose(actual, expected, { rtol: 1e-12, relativeToMax: true });
    }
  });

  it("equals the inner product of folded features ⟨ψ_t(a), ψ_u(b)⟩ with space 'folded'", () => {
    const rng = rngFor(91);
    for (const d of [1, 2, 4]) {
      const [a, b] = randomSequences(rng, d, [4, 6]);
      const fa = cubicFeatures(a);
      const fb = cubicFeatures(b);
      const actual: number[] = [];
      const expected: number[] = [];
      for (let t = 0; t < 4; t++) {
        for (let u = 0; u < 6; u++) {
          actual.push(cubicKernel(a, t, b, u, { space: 'folded' }));
          expected.push(dot(fa, t, fb, u));
        }
      }
      expectVectorClose(actual, expected, { rtol: 1e-12, relativeToMax: true });
    }
  });

  it('matches the closed forms ⟨M,M′⟩_F ⟨z,z′⟩ and ½(⟨M,M′⟩_F + Σ_j M_jj M′_jj) ⟨z,z′⟩ with moments from ml-matrix', () => {
    const [a, b] = randomSequences(rngFor(92), 3, [4, 3]);
    const m = prefixMomentReference(a, 2);
    const mPrime = prefixMomentReference(b, 1);
    let frobenius = 0;
    let diagonal = 0;
    for (let j = 0; j < 3; j++) {
      diagonal += m[j][j] * mPrime[j][j];
      for (let k = 0; k < 3; k++) frobenius += m[j][k] * mPrime[j][k];
    }
    let tokens = 0;
    for (let l = 0; l < 3; l++) tokens += a.data[2 * 3 + l] * b.data[1 * 3 + l];
    expectVectorClose(
      [cubicKernel(a, 2, b, 1), cubicKernel(a, 2, b, 1, { space: 'folded' })],
      [frobenius * tokens, 0.5 * (frobenius + diagonal) * tokens],
      { rtol: 1e-13 },
    );
  });

  it('gives the worked example of the TSDoc', () => {
    const a = fromRows([
      [1, 0],
      [0, 1],
    ]);
    expect(cubicKernel(a, 1, a, 1)).toBe(2);
    expect(cubicKernel(a, 1, a, 1, { space: 'folded' })).toBe(2);
    expect(cubicKernel(a, 0, a, 1)).toBe(0);
  });

  it('throws for a position out of range, mismatched widths or a bad option', () => {
    const a = zeros(3, 2);
    expectLattnError(() => cubicKernel(a, 3, a, 0), 'INVALID_ARGUMENT', 'cubicKernel');
    expectLattnError(() => cubicKernel(a, 0, a, -1), 'INVALID_ARGUMENT', 'cubicKernel');
    expectLattnError(() => cubicKernel(a, 0, zeros(3, 3), 0), 'SHAPE_MISMATCH', 'cubicKernel');
    expectLattnError(() => cubicKernel(a, 0, a, 0, { space: 'dual' } as never), 'INVALID_ARGUMENT', 'cubicKernel');
    expectLattnError(() => cubicKernel(a, 0, a, 0, { mode: 'all' } as never), 'INVALID_ARGUMENT', 'cubicKernel');
  });
});

describe('kernelMatrix', () => {
  it('equals Ψ Ψᵀ of the stacked features in both spaces and both modes', () => {
    const rng = rngFor(93);
    for (const d of [1, 2, 3]) {
      const inputs = randomSequences(rng, d, [3, 1, 5]);
      for (const mode of ['all', 'last'] as const) {
        const folded = stackRows(inputs.map((z) => cubicFeatures(z, { mode })));
        const unfolded = stackRows(inputs.map((z) => unfoldedFeatures(z, { mode })));
        const expectedRows = mode === 'all' ? 9 : 3;
        const kf = kernelMatrix(inputs, { mode, space: 'folded' });
        const ku = kernelMatrix(inputs, { mode });
        expect([ku.rows, kf.rows]).toEqual([expectedRows, expectedRows]);
        expectMatrixClose(kf, timesTransposed(folded, folded), { rtol: 1e-12, relativeToMax: true });
        expectMatrixClose(ku, timesTransposed(unfolded, unfolded), { rtol: 1e-12, relativeToMax: true });
      }
    }
  });

  it('is exactly symmetric', () => {
    const inputs = randomSequences(rngFor(96), 4, [6, 5]);
    for (const space of ['unfolded', 'folded'] as const) {
      const k = kernelMatrix(inputs, { space });
      for (let r = 0; r < k.rows; r++) {
        for (let c = 0; c < r; c++) expect(k.data[r * k.cols + c]).toBe(k.data[c * k.cols + r]);
      }
    }
  });

  it('agrees entry by entry with cubicKernel', () => {
    const inputs = randomSequences(rngFor(94), 2, [2, 3]);
    const k = kernelMatrix(inputs);
    const index = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [1, 2],
    ];
    const actual: number[] = [];
    const expected: number[] = [];
    index.forEach(([b, t], r) => {
      index.forEach(([bPrime, u], c) => {
        actual.push(k.data[r * 5 + c]);
        expected.push(cubicKernel(inputs[b], t, inputs[bPrime], u));
      });
    });
    expectVectorClose(actual, expected, { rtol: 1e-13, relativeToMax: true });
  });

  it('in folded space gives the primal minimum-norm folded weights: Ψᵀ K⁺ Y = Ψ⁺ Y', () => {
    const rng = rngFor(95);
    const inputs = randomSequences(rng, 3, [4, 3]); // N = 7 examples, D = 18 features
    const psi = stackRows(inputs.map((z) => cubicFeatures(z)));
    const targets = rng.normalMatrix(7, 2);
    const kernel = kernelMatrix(inputs, { space: 'folded' });
    const dual = toMl(psi)
      .transpose()
      .mmul(pseudoInverse(toMl(kernel)))
      .mmul(toMl(targets));
    const primal = pseudoInverse(toMl(psi)).mmul(toMl(targets));
    expectMatrixClose(fromMl(dual), fromMl(primal), { rtol: 1e-8, relativeToMax: true });
  });

  it('throws TOO_LARGE for more than MAX_KERNEL_EXAMPLES examples, before allocating', () => {
    expectLattnError(() => kernelMatrix([zeros(MAX_KERNEL_EXAMPLES + 1, 1)]), 'TOO_LARGE', 'kernelMatrix');
    expect(kernelMatrix([zeros(MAX_KERNEL_EXAMPLES + 1, 1)], { mode: 'last' }).rows).toBe(1);
  });

  it('throws for mismatched widths, NaN and unknown options', () => {
    expectLattnError(() => kernelMatrix([zeros(2, 2), zeros(2, 3)]), 'SHAPE_MISMATCH', 'kernelMatrix');
    expectLattnError(() => kernelMatrix([fromRows([[Number.NaN]])]), 'NON_FINITE', 'kernelMatrix');
    expectLattnError(() => kernelMatrix([zeros(1, 1)], { targets: [] } as never), 'INVALID_ARGUMENT', 'kernelMatrix');
    expectLattnError(() => kernelMatrix([zeros(1, 1)], { space: 'both' } as never), 'INVALID_ARGUMENT', 'kernelMatrix');
  });
});
