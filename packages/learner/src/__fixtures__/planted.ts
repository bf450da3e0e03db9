/**
 * Test fixtures: seeded planted teachers and datasets, stacked features, ml-matrix conversion (the oracle), and an
 * error-code matcher. Everything random comes from `createRng`.
 */
import { type Dataset, isLattnError, type LattnErrorCode, type Matrix, type PositionMode, type Rng } from '@lattn/core';
import { createModel, cubicFeatures, forward, type MhlaModel } from '@lattn/feature-map';
import { Matrix as MlMatrix } from 'ml-matrix';
import { expect } from 'vitest';

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
  return { features: stack(blocks), targets: stack([...dataset.targets]) };
}

/** Stacks matrices of equal width vertically. */
export function stack(blocks: readonly Matrix[]): Matrix {
  const cols = blocks[0].cols;
  const rows = blocks.reduce((sum, block) => sum + block.rows, 0);
  const data = new Float64Array(rows * cols);
  let offset = 0;
  for (const block of blocks) {
    data.set(block.data, offset);
    offset += block.data.length;
  }
  return { rows, cols, data };
}

/** Converts to ml-matrix (the test oracle). */
export function toMl(matrix: Matrix): MlMatrix {
  const out = new MlMatrix(matrix.rows, matrix.cols);
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.cols; j++) out.set(i, j, matrix.data[i * matrix.cols + j]);
  }
  return out;
}

/** Converts from ml-matrix. */
export function fromMl(matrix: MlMatrix): Matrix {
  const data = new Float64Array(matrix.rows * matrix.columns);
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.columns; j++) data[i * matrix.columns + j] = matrix.get(i, j);
  }
  return { rows: matrix.rows, cols: matrix.columns, data };
}

/** Asserts that `run` throws a `LattnError` with `code` whose message contains every fragment. */
export function expectLattnError(run: () => unknown, code: LattnErrorCode, ...fragments: string[]): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isLattnError(caught), `expected a LattnError, got ${String(caught)}`).toBe(true);
  const error = caught as Error & { code: LattnErrorCode };
  expect(error.code).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}
