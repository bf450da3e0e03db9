/**
 * Test helpers for lattn's error contract: every public function rejects bad input with a {@link LattnError} whose
 * message reads `<publicFunction>: <what is wrong>. Expected <x>; received <y>.` (STYLE 7.7).
 */
import { isLattnError, type LattnError, type LattnErrorCode } from '../errors.js';
import type { Matrix } from '../matrix.js';

/** The house message template after the `<publicFunction>: ` prefix. */
const TEMPLATE = /\. Expected [\s\S]+; received [\s\S]+\.$/;

/**
 * Asserts that `run` throws a {@link LattnError} with `code` whose message starts with `<fn>: `, follows the house
 * template `… Expected …; received ….`, and contains every one of `parts`.
 *
 * @param run - The call that must be rejected.
 * @param code - The code the error must carry.
 * @param fn - The public function the message must name first, such as `'matmul'` or `'Rng.integer'`.
 * @param parts - Fragments the message must contain (the argument's name, the value received, …).
 * @returns The error, for further checks.
 * @throws Error when `run` returns, throws something other than a `LattnError`, or the error breaks the contract.
 * @example
 * ```ts
 * expectLattnError(() => matmul(zeros(2, 2), zeros(3, 1)), 'SHAPE_MISMATCH', 'matmul', ['(3, 1)']);
 * ```
 */
export function expectLattnError(
  run: () => unknown,
  code: LattnErrorCode,
  fn: string,
  parts: readonly string[] = [],
): LattnError {
  let caught: unknown;
  let threw = false;
  try {
    run();
  } catch (error) {
    caught = error;
    threw = true;
  }
  if (!threw) throw new Error(`expected ${fn} to throw a LattnError ${code}, but it returned`);
  if (!isLattnError(caught)) throw new Error(`expected ${fn} to throw a LattnError ${code}, got ${String(caught)}`);
  const error = caught as LattnError;
  const { message } = error;
  if (error.code !== code) throw new Error(`expected code ${code}, got ${error.code}: ${message}`);
  if (!message.startsWith(`${fn}: `)) throw new Error(`expected the message to start with '${fn}: ', got: ${message}`);
  if (!TEMPLATE.test(message.slice(fn.length + 2))) {
    throw new Error(`expected the message to follow '… Expected …; received ….', got: ${message}`);
  }
  const missing = parts.filter((part) => !message.includes(part));
  if (missing.length > 0) {
    throw new Error(
      `expected the message to contain ${missing.map((part) => `'${part}'`).join(', ')}, got: ${message}`,
    );
  }
  return error;
}

/**
 * One row of a hostile-input table: a title, the call, and what {@link expectLattnError} must find — the code, the
 * public function named first, and fragments of the message. Run a table with
 * `it.each(rows)('%s', (_title, run, code, fn, parts) => expectLattnError(run, code, fn, parts))`.
 */
export type Rejection = [title: string, run: () => unknown, code: LattnErrorCode, fn: string, parts: readonly string[]];

/**
 * A copy of `matrix` with the entry at row-major `index` set to `value` (the input is not changed).
 *
 * @param matrix - Any matrix.
 * @param index - A row-major index into `matrix.data`.
 * @param value - The new entry, typically NaN or ±Infinity.
 * @returns A fresh matrix of the same shape.
 * @example
 * ```ts
 * withEntry(zeros(2, 2), 3, Number.NaN).data; // Float64Array [0, 0, 0, NaN]
 * ```
 */
export function withEntry(matrix: Matrix, index: number, value: number): Matrix {
  const data = matrix.data.slice();
  data[index] = value;
  return { rows: matrix.rows, cols: matrix.cols, data };
}

/** A matrix argument of a public function, for {@link matrixArgumentRejections}. */
export interface MatrixArgument {
  /** The public function, which every message must name first. */
  readonly fn: string;
  /** The argument's name as messages spell it, such as `'b'` or `'inputs[1]'`. */
  readonly argument: string;
  /** Calls `fn` with `value` in this argument's place and valid values everywhere else. */
  readonly call: (value: unknown) => unknown;
  /** A valid, non-empty value of the argument; the non-finite cases are copies of it with one entry replaced. */
  readonly valid: Matrix;
}

/** Options of {@link matrixArgumentRejections}. */
export interface MatrixArgumentRejectionOptions {
  /**
   * Write each non-finite entry at `(i, j)` also at `(j, i)`, so functions that require symmetry see the
   * non-finite value rather than an asymmetry. Needs square valid matrices.
   * @defaultValue `false`
   */
  readonly symmetric?: boolean;
}

/** Values that are not matrices at all, or are matrix-like records with broken fields. */
const MALFORMED: readonly [title: string, value: unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 3],
  ['a string', 'abc'],
  ['nested arrays', [[1, 2]]],
  ['plain-array data', { rows: 1, cols: 2, data: [1, 2] }],
  ['Float32Array data', { rows: 2, cols: 2, data: new Float32Array(4) }],
  ['data of the wrong length', { rows: 2, cols: 2, data: new Float64Array(3) }],
  ['negative sizes', { rows: -2, cols: -2, data: new Float64Array(4) }],
  ['fractional sizes', { rows: 1.5, cols: 2, data: new Float64Array(3) }],
  ['NaN sizes', { rows: Number.NaN, cols: 2, data: new Float64Array(0) }],
];

/**
 * The hostile-input rows for matrix arguments: every argument gets each malformed value (undefined, null, a
 * number, a string, nested arrays, plain-array or Float32Array data, data of the wrong length, negative,
 * fractional or NaN sizes), which must be `INVALID_ARGUMENT` naming the argument; and NaN, Infinity and -Infinity
 * at the first, an inner and the last entry of its valid value, which must be `NON_FINITE` naming the argument
 * and the value.
 *
 * @param args - The matrix arguments to attack.
 * @param options - See {@link MatrixArgumentRejectionOptions}.
 * @returns One {@link Rejection} per argument and case, titled `<fn> <argument>: <case>`.
 * @example
 * ```ts
 * const rows = matrixArgumentRejections([{ fn: 'transpose', argument: 'a', call: (m) => transpose(m as Matrix), valid: zeros(2, 3) }]);
 * it.each(rows)('%s', (_title, run, code, fn, parts) => expectLattnError(run, code, fn, parts));
 * ```
 */
export function matrixArgumentRejections(
  args: readonly MatrixArgument[],
  options: MatrixArgumentRejectionOptions = {},
): Rejection[] {
  return args.flatMap(({ fn, argument, call, valid }) => {
    const malformed = MALFORMED.map(
      ([title, value]): Rejection => [
        `${fn} ${argument}: ${title}`,
        () => call(value),
        'INVALID_ARGUMENT',
        fn,
        [argument],
      ],
    );
    const nonFinite = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].flatMap((value) =>
      entryPositions(valid).map(([i, j]): Rejection => {
        let bad = withEntry(valid, i * valid.cols + j, value);
        if (options.symmetric) bad = withEntry(bad, j * valid.cols + i, value);
        const title = `${fn} ${argument}: ${value} at (${i}, ${j})`;
        return [title, () => call(bad), 'NON_FINITE', fn, [argument, String(value)]];
      }),
    );
    return [...malformed, ...nonFinite];
  });
}

/** The first, an inner (`(0, 1)`, or `(1, 0)` for a column) and the last entry of a matrix, without repeats. */
function entryPositions(matrix: Matrix): [number, number][] {
  const last: [number, number] = [matrix.rows - 1, matrix.cols - 1];
  const inner: [number, number] = matrix.cols > 1 ? [0, 1] : [1, 0];
  const positions: [number, number][] = [[0, 0]];
  for (const [i, j] of [inner, last]) {
    if (i < matrix.rows && !positions.some(([p, q]) => p === i && q === j)) positions.push([i, j]);
  }
  return positions;
}
