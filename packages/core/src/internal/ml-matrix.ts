/**
 * The one door between lattn and ml-matrix: conversion between lattn's {@link Matrix} and ml-matrix's matrices.
 * Every lattn decomposition is hand-written; ml-matrix serves as the independent oracle of their tests (ADR 0002),
 * and this is the only file that imports it. ml-matrix types never appear in a public signature.
 *
 * @see docs/decisions/0002-ml-matrix-behind-core.md
 */
import { type AbstractMatrix, Matrix as MlMatrix } from 'ml-matrix';
import type { Matrix } from '../matrix.js';

/** A fresh ml-matrix copy of `matrix`. */
export function toMlMatrix(matrix: Matrix): MlMatrix {
  const out = new MlMatrix(matrix.rows, matrix.cols);
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.cols; j++) out.set(i, j, matrix.data[i * matrix.cols + j]);
  }
  return out;
}

/** A fresh lattn copy of an ml-matrix matrix. */
export function fromMlMatrix(matrix: AbstractMatrix): Matrix {
  const data = new Float64Array(matrix.rows * matrix.columns);
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.columns; j++) data[i * matrix.columns + j] = matrix.get(i, j);
  }
  return { rows: matrix.rows, cols: matrix.columns, data };
}
