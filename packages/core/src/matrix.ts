/**
 * The one public matrix type: a read-only record of `rows`, `cols` and a row-major `Float64Array`.
 *
 * @see docs/decisions/0001-plain-float64-matrices.md
 */
import { LattnError } from './errors.js';

/**
 * A dense float64 matrix stored row-major: entry `(i, j)` is `data[i * cols + j]`.
 *
 * lattn functions never mutate a `Matrix` they receive and always return freshly allocated ones, so a
 * `Matrix` is safe to share, to `structuredClone` and to `postMessage`.
 */
export interface Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The `rows · cols` entries, row-major. */
  readonly data: Float64Array;
}

/**
 * A matrix of zeros.
 *
 * @param rows - Number of rows (a non-negative integer).
 * @param cols - Number of columns (a non-negative integer).
 * @returns A fresh `(rows, cols)` matrix of zeros.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when a size is not a non-negative integer.
 * @example
 * ```ts
 * zeros(2, 3).data.length; // 6
 * ```
 */
export function zeros(rows: number, cols: number): Matrix {
  checkSize('zeros', 'rows', rows);
  checkSize('zeros', 'cols', cols);
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/**
 * The identity matrix.
 *
 * @param size - Number of rows and columns.
 * @returns A fresh `(size, size)` identity matrix.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `size` is not a non-negative integer.
 * @example
 * ```ts
 * toRows(identity(2)); // [[1, 0], [0, 1]]
 * ```
 */
export function identity(size: number): Matrix {
  checkSize('identity', 'size', size);
  const data = new Float64Array(size * size);
  for (let i = 0; i < size; i++) data[i * size + i] = 1;
  return { rows: size, cols: size, data };
}

/**
 * Wraps row-major data as a matrix, copying it.
 *
 * @param rows - Number of rows.
 * @param cols - Number of columns.
 * @param data - `rows · cols` entries, row-major; copied, never retained.
 * @returns A fresh `(rows, cols)` matrix.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for bad sizes; `SHAPE_MISMATCH` when `data.length !== rows · cols`.
 * @example
 * ```ts
 * matrixFrom(2, 2, [1, 2, 3, 4]).data[2]; // 3
 * ```
 */
export function matrixFrom(rows: number, cols: number, data: ArrayLike<number>): Matrix {
  checkSize('matrixFrom', 'rows', rows);
  checkSize('matrixFrom', 'cols', cols);
  if (data.length !== rows * cols) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `matrixFrom: data has the wrong length. Expected ${rows * cols} entries for (${rows}, ${cols}); received ${data.length}.`,
      { details: { expected: rows * cols, received: data.length } },
    );
  }
  return { rows, cols, data: Float64Array.from(data) };
}

/**
 * Converts nested arrays (one inner array per row) to a matrix.
 *
 * @param values - Rows of equal length. An empty array gives a `(0, 0)` matrix.
 * @param cols - Column count to use when `values` is empty, so that `(0, cols)` matrices can be made.
 * @returns A fresh matrix of shape `(values.length, values[0].length)`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` for ragged rows; `INVALID_ARGUMENT` when an entry is not a number.
 * @example
 * ```ts
 * const a = fromRows([[1, 2], [3, 4]]); // a.rows === 2, a.cols === 2
 * ```
 */
export function fromRows(values: readonly (readonly number[])[], cols?: number): Matrix {
  if (!Array.isArray(values)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `fromRows: values must be an array of rows. Expected number[][]; received ${describe(values)}.`,
    );
  }
  const rows = values.length;
  const width = rows > 0 ? (values[0]?.length ?? 0) : (cols ?? 0);
  const data = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    const row = values[i];
    if (!Array.isArray(row) || row.length !== width) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `fromRows: rows are ragged. Expected row ${i} to have ${width} entries; received ${Array.isArray(row) ? row.length : describe(row)}.`,
        { details: { row: i, expected: width } },
      );
    }
    for (let j = 0; j < width; j++) {
      const value = row[j];
      if (typeof value !== 'number') {
        throw new LattnError(
          'INVALID_ARGUMENT',
          `fromRows: entry (${i}, ${j}) is not a number. Expected a number; received ${describe(value)}.`,
        );
      }
      data[i * width + j] = value;
    }
  }
  return { rows, cols: width, data };
}

/**
 * Converts a matrix to nested arrays, one inner array per row (for JSON and printing).
 *
 * @param matrix - Any matrix.
 * @returns `rows` arrays of `cols` numbers.
 * @example
 * ```ts
 * toRows(identity(2)); // [[1, 0], [0, 1]]
 * ```
 */
export function toRows(matrix: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < matrix.rows; i++) {
    out.push(Array.from(matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols)));
  }
  return out;
}

/**
 * Reads entry `(i, j)` of a matrix.
 *
 * @param matrix - Any matrix.
 * @param i - Row index, `0 <= i < rows`.
 * @param j - Column index, `0 <= j < cols`.
 * @returns The entry.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when an index is out of range.
 * @example
 * ```ts
 * get(fromRows([[1, 2], [3, 4]]), 1, 0); // 3
 * ```
 */
export function get(matrix: Matrix, i: number, j: number): number {
  if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= matrix.rows || j >= matrix.cols) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `get: index out of range. Expected 0 <= i < ${matrix.rows} and 0 <= j < ${matrix.cols}; received (${i}, ${j}).`,
    );
  }
  return matrix.data[i * matrix.cols + j];
}

/**
 * The shape of a matrix written as `(rows, cols)`, the notation of every lattn error message.
 *
 * @param matrix - Any matrix.
 * @returns For example `"(3, 4)"`.
 * @example
 * ```ts
 * shapeOf(zeros(3, 4)); // "(3, 4)"
 * ```
 */
export function shapeOf(matrix: Matrix): string {
  return `(${matrix.rows}, ${matrix.cols})`;
}

function checkSize(fn: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be a non-negative integer. Expected an integer >= 0; received ${describe(value)}.`,
    );
  }
}

/**
 * A short description of any value for error messages: numbers and strings as they are, arrays and
 * objects by their kind and size.
 *
 * @param value - Anything.
 * @returns For example `"NaN"`, `"'abc'"`, `"an array of length 3"`, `"a Float32Array of length 4"`, `"null"`.
 * @example
 * ```ts
 * describe([1, 2, 3]); // "an array of length 3"
 * ```
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `a ${value.constructor.name} of length ${length}`;
  }
  if (typeof value === 'function') return 'a function';
  const record = value as Record<string, unknown>;
  if (typeof record.rows === 'number' && typeof record.cols === 'number') {
    return `a matrix of shape (${record.rows}, ${record.cols})`;
  }
  return 'an object';
}
