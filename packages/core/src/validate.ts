/**
 * Boundary validation shared by every lattn package. Public functions validate once, at entry, with these
 * helpers; internal kernels assume valid shapes. Every failure is a {@link LattnError} whose message names the
 * public function, the argument, what was expected and what was received.
 */
import { LattnError } from './errors.js';
import { describe, isWellFormedMatrix, type Matrix } from './matrix.js';

/** What {@link checkMatrix} requires of a matrix besides being well formed. */
export interface MatrixExpectation {
  /**
   * Required number of rows.
   * @defaultValue any
   */
  readonly rows?: number;
  /**
   * Required number of columns.
   * @defaultValue any
   */
  readonly cols?: number;
  /**
   * Whether every entry must be finite (no NaN, no ±Infinity).
   * @defaultValue `true`
   */
  readonly finite?: boolean;
}

/**
 * Checks that `value` is a well-formed {@link Matrix} (integer sizes, a `Float64Array` of length `rows · cols`)
 * with the expected shape and, by default, only finite entries.
 *
 * @param fn - The public function doing the check, used in the message.
 * @param name - The argument's name, used in the message.
 * @param value - The value received.
 * @param expectation - Required shape and finiteness.
 * @returns `value`, typed as a `Matrix`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `value` is not a matrix; `SHAPE_MISMATCH` for a wrong shape;
 * `NON_FINITE` for NaN or ±Infinity (the message gives the first offending entry).
 * @example
 * ```ts
 * const a = checkMatrix('myFunction', 'weights', input, { cols: 3 });
 * ```
 */
export function checkMatrix(fn: string, name: string, value: unknown, expectation: MatrixExpectation = {}): Matrix {
  if (!isWellFormedMatrix(value)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} is not a matrix. Expected { rows, cols, data: Float64Array of length rows·cols }; received ${describeMatrixLike(value)}.`,
    );
  }
  const matrix = value;
  const wantRows = expectation.rows;
  const wantCols = expectation.cols;
  if ((wantRows !== undefined && matrix.rows !== wantRows) || (wantCols !== undefined && matrix.cols !== wantCols)) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: ${name} has the wrong shape. Expected (${wantRows ?? 'any'}, ${wantCols ?? 'any'}); received (${matrix.rows}, ${matrix.cols}).`,
      { details: { argument: name, expected: [wantRows, wantCols], received: [matrix.rows, matrix.cols] } },
    );
  }
  if (expectation.finite !== false) checkFinite(fn, name, matrix.data, matrix.cols);
  return matrix;
}

/**
 * Checks that every entry of `data` is finite.
 *
 * @param fn - The public function doing the check.
 * @param name - The argument's name.
 * @param data - The numbers to check.
 * @param cols - When given, the message reports the offending entry as `(row, col)` of a row-major matrix.
 * @throws {@link LattnError} `NON_FINITE` naming the first NaN or ±Infinity and its position.
 * @example
 * ```ts
 * checkFinite('fit', 'targets', new Float64Array([1, Number.NaN])); // throws NON_FINITE at index 1
 * ```
 */
export function checkFinite(fn: string, name: string, data: ArrayLike<number>, cols?: number): void {
  if (allFinite(data)) return;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (value - value !== 0) {
      const where = cols !== undefined && cols > 0 ? `entry (${Math.floor(i / cols)}, ${i % cols})` : `index ${i}`;
      throw new LattnError(
        'NON_FINITE',
        `${fn}: ${name} contains a non-finite value at ${where}. Expected finite numbers; received ${value}.`,
        { details: { argument: name, index: i, value: String(value) } },
      );
    }
  }
}

/**
 * Whether every entry is finite, without a branch per entry: `v − v` is 0 for a finite `v` and NaN for NaN or
 * ±Infinity, and a NaN stays in the sums (four of them, so that the additions do not wait on each other). Internal.
 */
export function allFinite(data: ArrayLike<number>): boolean {
  const n = data.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += data[i] - data[i];
    s1 += data[i + 1] - data[i + 1];
    s2 += data[i + 2] - data[i + 2];
    s3 += data[i + 3] - data[i + 3];
  }
  for (; i < n; i++) s0 += data[i] - data[i];
  return s0 + s1 + s2 + s3 === 0;
}

/** Bounds for {@link checkInteger} and {@link checkNumber}. */
export interface RangeExpectation {
  /**
   * Smallest allowed value (inclusive).
   * @defaultValue no lower bound
   */
  readonly min?: number;
  /**
   * Largest allowed value (inclusive).
   * @defaultValue no upper bound
   */
  readonly max?: number;
  /**
   * Whether `min` itself is excluded (for "strictly positive").
   * @defaultValue `false`
   */
  readonly exclusiveMin?: boolean;
}

/**
 * Checks that `value` is a safe integer within bounds.
 *
 * @param fn - The public function doing the check.
 * @param name - The option or argument name.
 * @param value - The value received.
 * @param range - Inclusive bounds.
 * @returns `value` as a number.
 * @throws {@link LattnError} `INVALID_ARGUMENT` naming the bounds and the value received.
 * @example
 * ```ts
 * const numHeads = checkInteger('createTeacher', 'numHeads', options.numHeads, { min: 1 });
 * ```
 */
export function checkInteger(fn: string, name: string, value: unknown, range: RangeExpectation = {}): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !inRange(value, range)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be an integer${describeRange(range)}. Expected an integer${describeRange(range)}; received ${describe(value)}.`,
      { details: { argument: name, received: describe(value) } },
    );
  }
  return value;
}

/**
 * Checks that `value` is a finite number within bounds.
 *
 * @param fn - The public function doing the check.
 * @param name - The option or argument name.
 * @param value - The value received.
 * @param range - Bounds; `exclusiveMin` makes the lower bound strict.
 * @returns `value` as a number.
 * @throws {@link LattnError} `INVALID_ARGUMENT` naming the bounds and the value received.
 * @example
 * ```ts
 * const ridge = checkNumber('fitLinearAttention', 'ridge', options.ridge, { min: 0 });
 * ```
 */
export function checkNumber(fn: string, name: string, value: unknown, range: RangeExpectation = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value, range)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be a finite number${describeRange(range)}. Expected a number${describeRange(range)}; received ${describe(value)}.`,
      { details: { argument: name, received: describe(value) } },
    );
  }
  return value;
}

/**
 * Checks that `value` is one of a fixed set of strings.
 *
 * @param fn - The public function doing the check.
 * @param name - The option name.
 * @param value - The value received.
 * @param allowed - The accepted values.
 * @returns `value`, narrowed to the union of `allowed`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` listing the accepted values.
 * @example
 * ```ts
 * const mode = checkOneOf('forward', 'mode', options.mode, ['all', 'last'] as const);
 * ```
 */
export function checkOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} is not recognised. Expected one of ${allowed.map((a) => `'${a}'`).join(', ')}; received ${describe(value)}.`,
      { details: { argument: name, allowed: [...allowed], received: describe(value) } },
    );
  }
  return value as T;
}

/**
 * Checks that an options object has no fields besides the known ones, so that a misspelt option is an error
 * rather than silently ignored.
 *
 * @param fn - The public function doing the check.
 * @param name - Usually `'options'`.
 * @param value - The options object received (`undefined` is accepted as "no options").
 * @param known - The recognised field names.
 * @throws {@link LattnError} `INVALID_ARGUMENT` naming the unknown field and listing the known ones.
 * @example
 * ```ts
 * checkKnownKeys('fitLinearAttention', 'options', options, ['mode', 'ridge', 'rtol']);
 * ```
 */
export function checkKnownKeys(fn: string, name: string, value: unknown, known: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be an object. Expected an object or undefined; received ${describe(value)}.`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `${fn}: ${name} has an unknown field '${key}'. Expected only ${known.map((k) => `'${k}'`).join(', ')}; received '${key}'.`,
        { details: { argument: name, unknown: key, known: [...known] } },
      );
    }
  }
}

/** Spells out all three fields of a would-be matrix, so the message shows which one is wrong. */
function describeMatrixLike(value: unknown): string {
  if (typeof value !== 'object' || value === null || !('data' in value)) return describe(value);
  const record = value as Record<string, unknown>;
  return `{ rows: ${describe(record.rows)}, cols: ${describe(record.cols)}, data: ${describe(record.data)} }`;
}

function inRange(value: number, range: RangeExpectation): boolean {
  if (range.min !== undefined && (range.exclusiveMin ? value <= range.min : value < range.min)) return false;
  if (range.max !== undefined && value > range.max) return false;
  return true;
}

function describeRange(range: RangeExpectation): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.exclusiveMin ? '>' : '>='} ${range.min}`);
  if (range.max !== undefined) parts.push(`<= ${range.max}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}
