/**
 * Conversions between `.npy` arrays and the `Matrix` values the libraries take (SPEC §1): a `(B, n, d)` array is
 * `B` sequences of shape `(n, d)`, and a `(B, dOut)` array is the `B` targets `(1, dOut)` of mode `'last'`.
 * Every matrix is a fresh copy, never a view into the file's buffer, so results are plain data.
 */
import { LattnError, type Matrix } from '@lattn/core';
import type { NpyArray } from './npy.js';

/** Where an array came from, for error messages. */
export interface ArraySource {
  /** The file the array was read from. */
  readonly path: string;
  /**
   * The leading-axis index of the array's first entry in that file, when the array is a chunk of it.
   * @defaultValue `0`
   */
  readonly start?: number;
}

/**
 * Splits a `(B, n, d)` array into `B` sequences of shape `(n, d)`.
 *
 * @param array - A rank-3 array with `B, n, d >= 1`.
 * @param source - The file it came from, named in error messages.
 * @returns `B` fresh `(n, d)` matrices.
 * @throws {@link LattnError} `SHAPE_MISMATCH` for another rank or an empty axis; `NON_FINITE` naming the file and
 * the `[b, t, j]` index of the first NaN or ±Infinity.
 * @example
 * ```ts
 * const inputs = sequencesFromArray(await readNpy('X.npy'), { path: 'X.npy' }); // (n, d) each
 * ```
 */
export function sequencesFromArray(array: NpyArray, source: ArraySource): Matrix[] {
  const [numSequences, sequenceLength, width] = checkSequencesShape(array.shape, source);
  return split(array, source, numSequences, sequenceLength, width);
}

/**
 * Checks that a shape is that of input sequences, `(B, n, d)` with every axis at least 1 — for example the shape
 * in a `.npy` header, before any data are read.
 *
 * @param shape - The shape found.
 * @param source - The file it came from, named in error messages.
 * @returns `[B, n, d]`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` for another rank or an empty axis.
 * @example
 * ```ts
 * const [numSequences, sequenceLength, modelDim] = checkSequencesShape(header.shape, { path: 'X.npy' });
 * ```
 */
export function checkSequencesShape(shape: readonly number[], source: ArraySource): [number, number, number] {
  const [numSequences, sequenceLength, width] = checkRank(shape, source, 3, '(B, n, d)', 'x[None]');
  return [numSequences, sequenceLength, width];
}

/**
 * Splits a `(B, dOut)` array into the `B` targets `(1, dOut)` of mode `'last'`.
 *
 * @param array - A rank-2 array with `B, dOut >= 1`.
 * @param source - The file it came from, named in error messages.
 * @returns `B` fresh `(1, dOut)` matrices.
 * @throws {@link LattnError} `SHAPE_MISMATCH` for another rank or an empty axis; `NON_FINITE` naming the first
 * NaN or ±Infinity.
 * @example
 * ```ts
 * const targets = lastTargetsFromArray(await readNpy('Y.npy'), { path: 'Y.npy' }); // (1, dOut) each
 * ```
 */
export function lastTargetsFromArray(array: NpyArray, source: ArraySource): Matrix[] {
  const [numSequences, outputDim] = checkRank(array.shape, source, 2, '(B, dOut)', 'y[:, -1, :]');
  return split(array, source, numSequences, 1, outputDim);
}

/**
 * Stacks `B` matrices of one shape `(n, d)` into a `(B, n, d)` array.
 *
 * @param sequences - At least one matrix; all of the same shape.
 * @returns A fresh array of shape `(B, n, d)`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when the shapes differ (a `.npy` file cannot hold ragged
 * sequences); `INVALID_ARGUMENT` for an empty list.
 * @example
 * ```ts
 * await writeNpy('X.npy', sequencesToArray(inputs));
 * ```
 */
export function sequencesToArray(sequences: readonly Matrix[]): NpyArray {
  const { rows, cols } = checkStackable(sequences, 'sequencesToArray');
  return { shape: [sequences.length, rows, cols], data: stack(sequences, rows * cols) };
}

/**
 * Stacks the `B` targets `(1, dOut)` of mode `'last'` into a `(B, dOut)` array.
 *
 * @param targets - At least one `(1, dOut)` matrix, all with the same `dOut`.
 * @returns A fresh array of shape `(B, dOut)`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when a matrix is not `(1, dOut)`; `INVALID_ARGUMENT` for an empty
 * list.
 * @example
 * ```ts
 * await writeNpy('Y.npy', lastTargetsToArray(predictions));
 * ```
 */
export function lastTargetsToArray(targets: readonly Matrix[]): NpyArray {
  const { rows, cols } = checkStackable(targets, 'lastTargetsToArray');
  if (rows !== 1) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `lastTargetsToArray: targets of mode 'last' have one row each. Expected (1, dOut) matrices; received (${rows}, ${cols}).`,
    );
  }
  return { shape: [targets.length, cols], data: stack(targets, cols) };
}

function checkRank(shape: readonly number[], source: ArraySource, rank: number, form: string, hint: string): number[] {
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  if (shape.length !== rank) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `'${source.path}' has ${shape.length} axes. Expected shape ${form} (for example save ${hint} when the leading axis is missing); received ${shapeText}.`,
      { details: { path: source.path, shape: [...shape] } },
    );
  }
  if (shape.some((size) => size === 0)) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `'${source.path}' is empty. Expected shape ${form} with every axis >= 1; received ${shapeText}.`,
      { details: { path: source.path, shape: [...shape] } },
    );
  }
  return [...shape];
}

function split(array: NpyArray, source: ArraySource, count: number, rows: number, cols: number): Matrix[] {
  const size = rows * cols;
  const { data } = array;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (value - value !== 0) {
      const b = (source.start ?? 0) + Math.floor(i / size);
      const within = i % size;
      const index = array.shape.length === 3 ? [b, Math.floor(within / cols), within % cols] : [b, within];
      throw new LattnError(
        'NON_FINITE',
        `'${source.path}' contains a non-finite value at [${index.join(', ')}]. Expected finite numbers; received ${value}.`,
        { details: { path: source.path, index } },
      );
    }
  }
  const out: Matrix[] = [];
  for (let b = 0; b < count; b++) out.push({ rows, cols, data: data.slice(b * size, (b + 1) * size) });
  return out;
}

function checkStackable(matrices: readonly Matrix[], fn: string): { rows: number; cols: number } {
  if (matrices.length === 0) {
    throw new LattnError('INVALID_ARGUMENT', `${fn}: nothing to stack. Expected at least one matrix; received none.`);
  }
  const { rows, cols } = matrices[0];
  matrices.forEach((matrix, b) => {
    if (matrix.rows !== rows || matrix.cols !== cols) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `${fn}: a .npy file cannot hold matrices of different shapes. Expected every matrix to be (${rows}, ${cols}) like the first; received (${matrix.rows}, ${matrix.cols}) at index ${b}.`,
      );
    }
  });
  return { rows, cols };
}

function stack(matrices: readonly Matrix[], size: number): Float64Array {
  const data = new Float64Array(matrices.length * size);
  matrices.forEach((matrix, b) => {
    data.set(matrix.data, b * size);
  });
  return data;
}
