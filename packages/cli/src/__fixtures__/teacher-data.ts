/** A random-teacher dataset written to `.npy` files, for the command tests. */
import { join } from 'node:path';
import type { Matrix, PositionMode } from '@lattn/core';
import type { MhlaModel } from '@lattn/feature-map';
import { generateRandomMhlaTask } from '@lattn/tasks';
import { writeSequences, writeTargets } from '../dataset-files.js';

/** The files and the data behind them. */
export interface TeacherData {
  readonly teacher: MhlaModel;
  readonly inputs: readonly Matrix[];
  readonly targets: readonly Matrix[];
  readonly inputsPath: string;
  readonly targetsPath: string;
}

/**
 * Writes `X-<name>.npy` and `Y-<name>.npy` in `dir`: sequences of 6 Gaussian tokens (d = 3) labelled by a 2-head
 * teacher with dOut = 2 drawn from `teacherSeed` 5, so datasets with different `seed`s share the teacher.
 */
export async function writeTeacherData(
  dir: string,
  name: string,
  options: { readonly mode: PositionMode; readonly numSequences: number; readonly seed: number },
): Promise<TeacherData> {
  const task = generateRandomMhlaTask({
    modelDim: 3,
    outputDim: 2,
    numHeads: 2,
    minSequenceLength: 6,
    maxSequenceLength: 6,
    teacherSeed: 5,
    ...options,
  });
  const inputsPath = join(dir, `X-${name}.npy`);
  const targetsPath = join(dir, `Y-${name}.npy`);
  await writeSequences(inputsPath, task.dataset.inputs);
  await writeTargets(targetsPath, task.dataset.targets, options.mode);
  return {
    teacher: task.construction,
    inputs: task.dataset.inputs,
    targets: task.dataset.targets,
    inputsPath,
    targetsPath,
  };
}
