/**
 * Test fixtures: seeded data sets and ml-matrix reference computations that share no code with the package (the
 * independent routes the tests compare against).
 */
import { createRng, type Matrix, type PositionMode } from '@lattn/core';
import { cubicFeatures } from '@lattn/feature-map';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';

/** `count` sequences of length `length` (or lengths cycling through `length`) with i.i.d. N(0, 1) tokens. */
export function gaussianSequences(
  seed: number,
  count: number,
  length: number | readonly number[],
  d: number,
): Matrix[] {
  const rng = createRng(seed);
  const lengths = typeof length === 'number' ? [length] : length;
  return Array.from({ length: count }, (_, b) => rng.normalMatrix(lengths[b % lengths.length], d));
}

/** A copy of `sequence` with coordinate `c` set to zero in every token. */
export function zeroCoordinate(sequence: Matrix, c: number): Matrix {
  const data = sequence.data.slice();
  for (let t = 0; t < sequence.rows; t++) data[t * sequence.cols + c] = 0;
  return { rows: sequence.rows, cols: sequence.cols, data };
}

/** The stacked folded features of all training positions, `(N, D)`, as an ml-matrix. */
export function stackedFeatures(inputs: readonly Matrix[], mode: PositionMode): MlMatrix {
  const rows: number[][] = [];
  for (const sequence of inputs) {
    const psi = cubicFeatures(sequence, { mode });
    for (let t = 0; t < psi.rows; t++) rows.push(Array.from(psi.data.subarray(t * psi.cols, (t + 1) * psi.cols)));
  }
  return new MlMatrix(rows);
}

/** `Λ = XᵀX / N` from stacked features, by ml-matrix. */
export function referenceSecondMoment(inputs: readonly Matrix[], mode: PositionMode): MlMatrix {
  const x = stackedFeatures(inputs, mode);
  return x.transpose().mmul(x).div(x.rows);
}

/** The eigenvalues of a symmetric ml-matrix, ascending, by ml-matrix's `EigenvalueDecomposition`. */
export function referenceEigenvalues(matrix: MlMatrix): number[] {
  return new EigenvalueDecomposition(matrix, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
}

/** Converts a lattn matrix to ml-matrix. */
export function toMl(matrix: Matrix): MlMatrix {
  return MlMatrix.from1DArray(matrix.rows, matrix.cols, matrix.data);
}
