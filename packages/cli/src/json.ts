/**
 * JSON files and documents: reading with one-line errors that name the file and show a valid example, atomic
 * writing, and a formatter that turns lattn results (typed arrays, matrices) into readable JSON.
 */
import { isLattnError, LattnError } from '@lattn/core';
import { type FileWrite, readTextFile, writeFilesAtomic } from './files.js';

/** How {@link readJson} describes and interprets a file. */
export interface ReadJsonOptions<T> {
  /** What the file should be, for messages, for example `'a model file'`. */
  readonly description: string;
  /** A short valid document, shown in messages. */
  readonly example: string;
  /**
   * Validates and converts the parsed value (for example a library's `parseModel`). A {@link LattnError} it
   * throws is reported as `INVALID_FORMAT` naming the file.
   * @defaultValue returns the parsed value unchanged
   */
  readonly parse?: (value: unknown) => T;
}

/**
 * Reads and parses a JSON file (UTF-8, with or without a byte-order mark), then validates it with `options.parse`.
 *
 * @param path - The file.
 * @param options - The description, a valid example and the validator.
 * @returns What `parse` returns (the parsed JSON value when there is no `parse`).
 * @throws {@link LattnError} `INVALID_FORMAT` naming the file, with the line and column of a syntax error, or the
 * validator's message, and a valid example; `INVALID_ARGUMENT` when the file cannot be read; `TOO_LARGE` when it is
 * larger than the longest string this Node.js can hold.
 * @example
 * ```ts
 * const spec = await readJson('task.json', { description: 'a task file', example: '{"task": "automata"}' });
 * ```
 */
export async function readJson<T = unknown>(path: string, options: ReadJsonOptions<T>): Promise<T> {
  // A byte-order mark, as some editors write, is not part of the document.
  const text = (await readTextFile(path)).replace(/^\uFEFF/, '');
  const expected = `${options.description}, for example ${options.example}`;
  if (text.trim() === '') {
    throw new LattnError('INVALID_FORMAT', `'${path}' is empty. Expected ${expected}; received an empty file.`, {
      details: { path },
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(reason);
    const where = position === null ? '' : ` at ${lineAndColumn(text, Number(position[1]))}`;
    throw new LattnError(
      'INVALID_FORMAT',
      `'${path}' is not valid JSON${where}. Expected ${expected}; received a syntax error: ${reason.replace(/\n/g, '\\n')}.`,
      { cause: error, details: { path } },
    );
  }
  if (options.parse === undefined) return value as T;
  try {
    return options.parse(value);
  } catch (error) {
    if (!isLattnError(error)) throw error;
    throw new LattnError(
      'INVALID_FORMAT',
      `'${path}' is not ${options.description}: ${error.message} A valid example: ${options.example}`,
      { cause: error, details: { path, ...error.details } },
    );
  }
}

/**
 * Writes a value as a formatted JSON file (see {@link formatJson}), atomically: a temporary file in the same
 * directory is renamed into place, so a failure never leaves a partial file.
 *
 * @param path - The destination; an existing file is replaced.
 * @param value - Any JSON-compatible value; typed arrays and matrices are converted as in {@link formatJson}.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when the destination cannot be written.
 * @example
 * ```ts
 * await writeJson('task.json', { task: 'automata', seed: 0 });
 * ```
 */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFilesAtomic([jsonFile(path, value)]);
}

/**
 * The JSON file {@link writeJson} would write, as one member of a set of files written together with
 * `writeFilesAtomic` (all or none).
 *
 * @param path - The destination; an existing file is replaced.
 * @param value - Any JSON-compatible value; typed arrays and matrices are converted as in {@link formatJson}.
 * @returns The destination and the writer of its text.
 * @example
 * ```ts
 * await writeFilesAtomic([jsonFile('results.json', results), { path: 'report.html', write: writeHtml }]);
 * ```
 */
export function jsonFile(path: string, value: unknown): FileWrite {
  const text = `${formatJson(value)}\n`;
  return { path, write: (handle) => handle.writeFile(text, 'utf8') };
}

/**
 * Formats a value as JSON with two-space indentation, keeping arrays of numbers on one line so that matrices
 * read as grids. Typed arrays become arrays; a matrix (`{ rows, cols, data: Float64Array }`) becomes its rows;
 * non-finite numbers become `null` (JSON has no NaN or Infinity); `undefined` fields are omitted.
 *
 * @param value - Any JSON-compatible value, possibly containing typed arrays and matrices.
 * @returns The JSON text, without a trailing newline.
 * @example
 * ```ts
 * formatJson({ rank: 2, singularValues: new Float64Array([3, 1]) });
 * // {
 * //   "rank": 2,
 * //   "singularValues": [3, 1]
 * // }
 * ```
 */
export function formatJson(value: unknown): string {
  return format(normalise(value), '') ?? 'null';
}

function normalise(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as number[]);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (
    Object.keys(record).length === 3 &&
    typeof record.rows === 'number' &&
    typeof record.cols === 'number' &&
    record.data instanceof Float64Array
  ) {
    const { rows, cols, data } = record as { rows: number; cols: number; data: Float64Array };
    return Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
  }
  return record;
}

function format(raw: unknown, indent: string): string | undefined {
  const value = normalise(raw);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => typeof item !== 'object' || item === null)) {
      return `[${value.map((item) => format(item, inner) ?? 'null').join(', ')}]`;
    }
    return `[\n${value.map((item) => `${inner}${format(item, inner) ?? 'null'}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => [key, format(item, inner)] as const)
    .filter(([, text]) => text !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, text]) => `${inner}${JSON.stringify(key)}: ${text}`).join(',\n')}\n${indent}}`;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
