/**
 * Test fixtures: seeded random models and sequences, and slow reference implementations that share no code with
 * the package (the independent routes the tests compare against).
 */
import { createRng, type Matrix, type Rng } from '@lattn/core';
import { Matrix as MlMatrix } from 'ml-matrix';
import type { MhlaHead, MhlaModel } from '../model.js';

// The moment-accumulation tests import these two from here; every other test imports them from @lattn/core/testing.
export { expectLattnError, stackRows } from '@lattn/core/testing';

/** Sizes of a random model. */
export interface RandomModelSizes {
  readonly modelDim: number;
  readonly outputDim: number;
  readonly numHeads: number;
}

/** A model with i.i.d. standard normal heads (built directly, not through createModel). */
export function randomModel(rng: Rng, sizes: RandomModelSizes): MhlaModel {
  const heads: MhlaHead[] = [];
  for (let h = 0; h < sizes.numHeads; h++) {
    heads.push({
      value: rng.normalMatrix(sizes.outputDim, sizes.modelDim),
      query: rng.normalMatrix(sizes.modelDim, sizes.modelDim),
    });
  }
  return { modelDim: sizes.modelDim, outputDim: sizes.outputDim, heads };
}

/** Sequences of the given lengths with i.i.d. standard normal tokens of dimension `modelDim`. */
export function randomSequences(rng: Rng, modelDim: number, lengths: readonly number[]): Matrix[] {
  return lengths.map((length) => rng.normalMatrix(length, modelDim));
}

/** Seeded generator shorthand. */
export function rngFor(seed: number): Rng {
  return createRng(seed);
}

/** Converts to ml-matrix (the test oracle). */
export function toMl(matrix: Matrix): MlMatrix {
  return MlMatrix.from1DArray(matrix.rows, matrix.cols, matrix.data);
}

/** Converts from ml-matrix. */
export function fromMl(matrix: MlMatrix): Matrix {
  return { rows: matrix.rows, cols: matrix.columns, data: Float64Array.from(matrix.to1DArray()) };
}

/** `M_t = Z[0..t]ᵀ Z[0..t]` by ml-matrix, as nested rows. */
export function prefixMomentReference(sequence: Matrix, t: number): number[][] {
  const prefix = toMl(sequence).subMatrix(0, t, 0, sequence.cols - 1);
  return prefix.transpose().mmul(prefix).to2DArray();
}

/**
 * The attention form of MHLA without any prefix moment: `y_t = Σ_h Σ_{s<=t} V_h z_s (z_sᵀ Q_h z_t)`, `O(n²)` per
 * sequence.
 */
export function naiveForward(model: MhlaModel, sequence: Matrix): Matrix {
  const n = sequence.rows;
  const d = model.modelDim;
  const out = new Float64Array(n * model.outputDim);
  const z = (t: number, l: number): number => sequence.data[t * d + l];
  for (let t = 0; t < n; t++) {
    for (const head of model.heads) {
      for (let s = 0; s <= t; s++) {
        let score = 0; // z_sᵀ Q_h z_t
        for (let k = 0; k < d; k++) {
          for (let l = 0; l < d; l++) score += z(s, k) * head.query.data[k * d + l] * z(t, l);
        }
        for (let a = 0; a < model.outputDim; a++) {
          let value = 0; // (V_h z_s)[a]
          for (let j = 0; j < d; j++) value += head.value.data[a * d + j] * z(s, j);
          out[t * model.outputDim + a] += value * score;
        }
      }
    }
  }
  return { rows: n, cols: model.outputDim, data: out };
}

/** The last row of a matrix, as a `(1, cols)` matrix. */
export function lastRow(matrix: Matrix): Matrix {
  return { rows: 1, cols: matrix.cols, data: matrix.data.slice((matrix.rows - 1) * matrix.cols) };
}

/** `a · bᵀ` by ml-matrix. */
export function timesTransposed(a: Matrix, b: Matrix): Matrix {
  return fromMl(toMl(a).mmul(toMl(b).transpose()));
}
