/**
 * The `.npy` conventions of the `lattn` commands (see the package README): inputs `X` of shape `(B, n, d)`;
 * targets `Y` of shape `(B, n, dOut)` in mode `'all'` and `(B, dOut)` in mode `'last'`.
 */
import { type Dataset, LattnError, type Matrix, type PositionMode } from '@lattn/core';
import { type NpyArray, readNpy, writeNpy } from './npy.js';
import { lastTargetsFromArray, lastTargetsToArray, sequencesFromArray, sequencesToArray } from './sequences.js';

/** The two files of a dataset on disk. */
export interface DatasetPaths {
  /** The inputs, shape `(B, n, d)`. */
  readonly inputs: string;
  /** The targets, shape `(B, n, dOut)` for mode `'all'` or `(B, dOut)` for `'last'`. */
  readonly targets: string;
}

/**
 * Reads input sequences from a `(B, n, d)` `.npy` file.
 *
 * @param path - The file (`<f8` or `<f4`, C order).
 * @returns `B` fresh `(n, d)` matrices.
 * @throws {@link LattnError} `INVALID_FORMAT` for an unreadable `.npy`; `SHAPE_MISMATCH` for another rank or an
 * empty axis; `NON_FINITE` naming the first NaN or ±Infinity; `INVALID_ARGUMENT` when the file cannot be read.
 * @example
 * ```ts
 * const inputs = await readSequences('X.npy');
 * ```
 */
export async function readSequences(path: string): Promise<Matrix[]> {
  return sequencesFromArray(await readNpy(path), { path });
}

/**
 * Reads the targets of `inputs` from a `.npy` file and checks that they fit them: `(B, n, dOut)` in mode `'all'`,
 * `(B, dOut)` in mode `'last'`, with the inputs' `B` and `n`.
 *
 * @param path - The file.
 * @param mode - Which positions carry targets.
 * @param inputs - The input sequences the targets belong to, all `(n, d)`.
 * @returns One fresh matrix per sequence: `(n, dOut)` in mode `'all'`, `(1, dOut)` in mode `'last'`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` naming both shapes when the targets do not fit the inputs and mode;
 * otherwise as {@link readSequences}.
 * @example
 * ```ts
 * const targets = await readTargets('Y.npy', 'last', inputs);
 * ```
 */
export async function readTargets(path: string, mode: PositionMode, inputs: readonly Matrix[]): Promise<Matrix[]> {
  const array = await readNpy(path);
  checkTargetsShape(path, array.shape, mode, [inputs.length, inputs[0]?.rows ?? 0, inputs[0]?.cols ?? 0]);
  return mode === 'all' ? sequencesFromArray(array, { path }) : lastTargetsFromArray(array, { path });
}

/**
 * Checks that the shape of a targets file fits inputs of shape `(B, n, d)` in a mode: `(B, n, dOut)` in mode
 * `'all'`, `(B, dOut)` in mode `'last'`, with `dOut >= 1` — for example the shape in a `.npy` header, before any
 * data are read.
 *
 * @param path - The targets file, named in the message.
 * @param shape - The shape found in it.
 * @param mode - Which positions carry targets.
 * @param inputShape - `[B, n, d]` of the inputs.
 * @returns `dOut`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` naming both shapes (and the other mode, when the targets look like it).
 * @example
 * ```ts
 * const outputDim = checkTargetsShape('Y.npy', [100, 2], 'last', [100, 8, 4]); // 2
 * ```
 */
export function checkTargetsShape(
  path: string,
  shape: readonly number[],
  mode: PositionMode,
  inputShape: readonly [number, number, number],
): number {
  const [numSequences, sequenceLength, modelDim] = inputShape;
  const expected = mode === 'all' ? [numSequences, sequenceLength] : [numSequences];
  const fits =
    shape.length === expected.length + 1 &&
    expected.every((size, axis) => shape[axis] === size) &&
    (shape.at(-1) ?? 0) >= 1;
  if (!fits) {
    const form =
      mode === 'all'
        ? `(B, n, dOut) = (${numSequences}, ${sequenceLength}, dOut)`
        : `(B, dOut) = (${numSequences}, dOut)`;
    const otherMode = mode === 'all' ? 'last' : 'all';
    const hint = shape.length === (mode === 'all' ? 2 : 3) ? ` (these targets look like mode '${otherMode}')` : '';
    throw new LattnError(
      'SHAPE_MISMATCH',
      `'${path}' does not fit the inputs in mode '${mode}'${hint}. Expected ${form} for inputs of shape (${numSequences}, ${sequenceLength}, ${modelDim}); received (${shape.join(', ')}).`,
      { details: { path, mode, shape: [...shape] } },
    );
  }
  return shape.at(-1) as number;
}

/**
 * Reads a dataset from its inputs and targets files.
 *
 * @param paths - The two files.
 * @param mode - Which positions carry targets.
 * @returns A fresh `Dataset`.
 * @throws {@link LattnError} as {@link readSequences} and {@link readTargets}.
 * @example
 * ```ts
 * const dataset = await readDataset({ inputs: 'X.npy', targets: 'Y.npy' }, 'all');
 * ```
 */
export async function readDataset(paths: DatasetPaths, mode: PositionMode): Promise<Dataset> {
  const inputs = await readSequences(paths.inputs);
  return { inputs, targets: await readTargets(paths.targets, mode, inputs), mode };
}

/**
 * Writes input sequences of one shape `(n, d)` as a `(B, n, d)` `.npy` file, atomically.
 *
 * @param path - The destination.
 * @param sequences - At least one matrix; all of the same shape.
 * @throws {@link LattnError} `SHAPE_MISMATCH` for sequences of different shapes; `INVALID_ARGUMENT` when the
 * destination cannot be written.
 * @example
 * ```ts
 * await writeSequences('X.npy', dataset.inputs);
 * ```
 */
export async function writeSequences(path: string, sequences: readonly Matrix[]): Promise<void> {
  await writeNpy(path, sequencesToArray(sequences));
}

/**
 * Writes targets (or predictions) as a `.npy` file, atomically: `(B, n, dOut)` in mode `'all'`, `(B, dOut)` in
 * mode `'last'`.
 *
 * @param path - The destination.
 * @param targets - One matrix per sequence: `(n, dOut)` each in mode `'all'`, `(1, dOut)` in mode `'last'`.
 * @param mode - Which positions the targets belong to.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when the matrices do not have one shape of the mode's form;
 * `INVALID_ARGUMENT` when the destination cannot be written.
 * @example
 * ```ts
 * await writeTargets('Y.npy', predictions, 'last');
 * ```
 */
export async function writeTargets(path: string, targets: readonly Matrix[], mode: PositionMode): Promise<void> {
  await writeNpy(path, targetsToArray(targets, mode));
}

/**
 * Stacks targets (or predictions) into the array of their `.npy` file: `(B, n, dOut)` in mode `'all'`, `(B, dOut)`
 * in mode `'last'`.
 *
 * @param targets - One matrix per sequence: `(n, dOut)` each in mode `'all'`, `(1, dOut)` in mode `'last'`.
 * @param mode - Which positions the targets belong to.
 * @returns A fresh array.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when the matrices do not have one shape of the mode's form.
 * @example
 * ```ts
 * await writeFilesAtomic([npyFile('X.npy', sequencesToArray(inputs)), npyFile('Y.npy', targetsToArray(targets, mode))]);
 * ```
 */
export function targetsToArray(targets: readonly Matrix[], mode: PositionMode): NpyArray {
  return mode === 'all' ? sequencesToArray(targets) : lastTargetsToArray(targets);
}
