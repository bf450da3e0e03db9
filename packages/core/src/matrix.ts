/**
 * The one public matrix type: a read-only record of `rows`, `cols` and a row-major `Float64Array`.
 *
 * @see docs/decisions/0001-plain-float64-matrices.md
 */
import { LattnError } from './errors.js';
import { allocate } from './internal/allocate.js';

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
 * @throws {@link LattnError} `INVALID_ARGUMENT` when a size is not a non-negative integer; `TOO_LARGE` when the
 * engine cannot allocate `rows · cols` entries (the message states the size).
 * @example
 * ```ts
 * zeros(2, 3).data.length; // 6
 * ```
 */
export function zeros(rows: number, cols: number): Matrix {
  checkSize('zeros', 'rows', rows);
  checkSize('zeros', 'cols', cols);
  return { rows, cols, data: allocate('zeros', `the (${rows}, ${cols}) matrix`, rows * cols) };
}

/**
 * The identity matrix.
 *
 * @param size - Number of rows and columns.
 * @returns A fresh `(size, size)` identity matrix.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `size` is not a non-negative integer; `TOO_LARGE` when the
 * engine cannot allocate `size²` entries.
 * @example
 * ```ts
 * toRows(identity(2)); // [[1, 0], [0, 1]]
 * ```
 */
export function identity(size: number): Matrix {
  checkSize('identity', 'size', size);
  const data = allocate('identity', `the (${size}, ${size}) matrix`, size * size);
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
 * @throws {@link LattnError} `INVALID_ARGUMENT` for bad sizes or when `data` is not an array or typed array;
 * `SHAPE_MISMATCH` when `data.length !== rows · cols`.
 * @example
 * ```ts
 * matrixFrom(2, 2, [1, 2, 3, 4]).data[2]; // 3
 * ```
 */
export function matrixFrom(rows: number, cols: number, data: ArrayLike<number>): Matrix {
  checkSize('matrixFrom', 'rows', rows);
  checkSize('matrixFrom', 'cols', cols);
  if (!Array.isArray(data) && !(ArrayBuffer.isView(data) && !(data instanceof DataView))) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `matrixFrom: data must be an array of numbers. Expected an array or typed array of ${rows * cols} entries; received ${describe(data)}.`,
    );
  }
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
 * @param cols - Column count to use when `values` is empty, so that `(0, cols)` matrices can be made (a non-negative
 * integer; when `values` is not empty it must equal the rows' length).
 * @returns A fresh matrix of shape `(values.length, values[0].length)`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` for ragged rows, a row that is not an array, or rows disagreeing
 * with `cols`; `INVALID_ARGUMENT` when `values` is not an array, an entry is not a number, or `cols` is not a
 * non-negative integer.
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
  if (cols !== undefined) checkSize('fromRows', 'cols', cols);
  const rows = values.length;
  for (let i = 0; i < rows; i++) {
    if (!Array.isArray(values[i])) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `fromRows: row ${i} is not an array. Expected number[][]; received ${describe(values[i])} as row ${i}.`,
        { details: { row: i } },
      );
    }
  }
  const width = rows > 0 ? values[0].length : (cols ?? 0);
  if (cols !== undefined && width !== cols) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `fromRows: the rows disagree with cols. Expected rows of ${cols} entries; received rows of ${width}.`,
    );
  }
  const data = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    const row = values[i];
    if (row.length !== width) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `fromRows: rows are ragged. Expected row ${i} to have ${width} entries; received ${row.length}.`,
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
 * @param matrix - Any matrix (non-finite entries are copied as they are).
 * @returns `rows` arrays of `cols` numbers.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `matrix` is not a well-formed matrix.
 * @example
 * ```ts
 * toRows(identity(2)); // [[1, 0], [0, 1]]
 * ```
 */
export function toRows(matrix: Matrix): number[][] {
  checkWellFormed('toRows', matrix);
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
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `matrix` is not a well-formed matrix or an index is out of
 * range.
 * @example
 * ```ts
 * get(fromRows([[1, 2], [3, 4]]), 1, 0); // 3
 * ```
 */
export function get(matrix: Matrix, i: number, j: number): number {
  checkWellFormed('get', matrix);
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
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `matrix` is not a well-formed matrix.
 * @example
 * ```ts
 * shapeOf(zeros(3, 4)); // "(3, 4)"
 * ```
 */
export function shapeOf(matrix: Matrix): string {
  checkWellFormed('shapeOf', matrix);
  return `(${matrix.rows}, ${matrix.cols})`;
}

/**
 * Whether `value` is structurally a {@link Matrix}: safe non-negative integer sizes and a `Float64Array` of length
 * `rows · cols` (finiteness is not checked). Shared by `checkMatrix` and the accessors here. Internal.
 */
export function isWellFormedMatrix(value: unknown): value is Matrix {
  const record = value as Partial<Matrix> | null;
  return (
    typeof value === 'object' &&
    record !== null &&
    Number.isSafeInteger(record.rows) &&
    Number.isSafeInteger(record.cols) &&
    (record.rows as number) >= 0 &&
    (record.cols as number) >= 0 &&
    record.data instanceof Float64Array &&
    record.data.length === (record.rows as number) * (record.cols as number)
  );
}

function checkWellFormed(fn: string, value: unknown): void {
  if (!isWellFormedMatrix(value)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: matrix is not a matrix. Expected { rows, cols, data: Float64Array of length rows·cols }; received ${describe(value)}.`,
    );
  }
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
