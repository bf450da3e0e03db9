/**
 * Test fixtures: seeded planted teachers and datasets, stacked features and ml-matrix conversion (the oracle).
 * Everything random comes from `createRng`.
 */
import type { Dataset, Matrix, PositionMode, Rng } from '@lattn/core';
import { stackRows } from '@lattn/core/testing';
import { createModel, cubicFeatures, forward, type MhlaModel } from '@lattn/feature-map';
import { Matrix as MlMatrix } from 'ml-matrix';

/** Sizes of a random teacher. */
export interface TeacherSizes {
  readonly modelDim: number;
  readonly outputDim: number;
  readonly numHeads: number;
}

/** A teacher with i.i.d. normal heads: `V_h ~ N(0, 1)`, `Q_h ~ N(0, 1/d)` so outputs stay of order `n · ‖z‖³ / √d`. */
export function randomTeacher(rng: Rng, sizes: TeacherSizes): MhlaModel {
  const { modelDim: d, outputDim, numHeads } = sizes;
  const heads = [];
  for (let h = 0; h < numHeads; h++) {
    const query = rng.normalMatrix(d, d);
    for (let i = 0; i < query.data.length; i++) query.data[i] /= Math.sqrt(d);
    heads.push({ value: rng.normalMatrix(outputDim, d), query });
  }
  return createModel({ modelDim: d, outputDim, heads });
}

/** Sequences with i.i.d. standard normal tokens, lengths cycling through `lengths`. */
export function gaussianSequences(rng: Rng, modelDim: number, count: number, lengths: readonly number[]): Matrix[] {
  return Array.from({ length: count }, (_, b) => rng.normalMatrix(lengths[b % lengths.length], modelDim));
}

/** The dataset of a teacher's outputs on `inputs`, optionally with i.i.d. `N(0, noise²)` target noise. */
export function teacherDataset(
  teacher: MhlaModel,
  inputs: Matrix[],
  mode: PositionMode,
  options: { rng?: Rng; noise?: number } = {},
): Dataset {
  const targets = forward(teacher, inputs, { mode });
  const { rng, noise = 0 } = options;
  if (rng !== undefined && noise > 0) {
    for (const target of targets) for (let i = 0; i < target.data.length; i++) target.data[i] += noise * rng.normal();
  }
  return { inputs, targets, mode };
}

/** Stacked folded features `Ψ` `(N, D)` and targets `Y` `(N, dOut)` of a dataset, in example order. */
export function stackedProblem(dataset: Dataset): { features: Matrix; targets: Matrix } {
  const blocks = dataset.inputs.map((sequence) => cubicFeatures(sequence, { mode: dataset.mode }));
  return { features: stackRows(blocks), targets: stackRows(dataset.targets) };
}

/** Converts to ml-matrix (the test oracle). */
export function toMl(matrix: Matrix): MlMatrix {
  return MlMatrix.from1DArray(matrix.rows, matrix.cols, matrix.data);
}

/** Converts from ml-matrix. */
export function fromMl(matrix: MlMatrix): Matrix {
  return { rows: matrix.rows, cols: matrix.columns, data: Float64Array.from(matrix.to1DArray()) };
}
