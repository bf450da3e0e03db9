/**
 * The versioned JSON format of an MHLA model (docs/math/least-squares-and-head-recovery.md §6):
 *
 *     {"format":"lattn.mhla","version":1,"modelDim":d,"outputDim":dOut,
 *      "heads":[{"value":[[…dOut rows of d numbers…]],"query":[[…d rows of d numbers…]]}, …]}
 *
 * `serializeModel` writes it, `parseModel` reads and validates it.
 */
import { checkInteger, checkMatrix, describe, fromRows, LattnError, type Matrix, toRows } from '@lattn/core';
import { createModel, type MhlaHead, type MhlaModel } from '@lattn/feature-map';

/** The `format` tag of a serialised model. */
export const MODEL_FORMAT = 'lattn.mhla';

/** The format versions {@link parseModel} reads; {@link serializeModel} writes the last one. */
export const MODEL_FORMAT_VERSIONS: readonly number[] = [1];

const EXAMPLE =
  '{"format":"lattn.mhla","version":1,"modelDim":2,"outputDim":1,"heads":[{"value":[[1,0]],"query":[[0,1],[1,0]]}]}';
const TOP_LEVEL_KEYS = ['format', 'version', 'modelDim', 'outputDim', 'heads'];
const HEAD_KEYS = ['value', 'query'];

/**
 * Writes a model as a `lattn.mhla` version 1 JSON document (one line, no trailing newline).
 *
 * Notes: numbers are written by `JSON.stringify`, the shortest text that reads back to the same double, so
 * `parseModel(serializeModel(m))` reproduces every entry bit for bit — except `-0`, which JSON writes as `0`.
 * Cost `O(H · (outputDim + modelDim) · modelDim)`.
 *
 * @param model - The model: `modelDim` `d`, `outputDim` `dOut`, heads with `value` `(dOut, d)` and `query` `(d, d)`.
 * @returns The JSON text `{"format":"lattn.mhla","version":1,"modelDim","outputDim","heads":[{"value","query"}]}`,
 * each matrix as an array of rows.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed model or a dimension that is not an integer >= 1;
 * `SHAPE_MISMATCH` when a head's matrices disagree with the dimensions; `NON_FINITE` for NaN or ±Infinity (JSON
 * cannot hold them).
 * @example
 * ```ts
 * const model = createModel({ heads: [{ value: fromRows([[1, 0]]), query: fromRows([[0, 1], [1, 0]]) }] });
 * serializeModel(model);
 * // '{"format":"lattn.mhla","version":1,"modelDim":2,"outputDim":1,"heads":[{"value":[[1,0]],"query":[[0,1],[1,0]]}]}'
 * ```
 * @see docs/math/least-squares-and-head-recovery.md §6
 */
export function serializeModel(model: MhlaModel): string {
  const fn = 'serializeModel';
  if (typeof model !== 'object' || model === null || !Array.isArray(model.heads)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: model must be an MhlaModel. Expected { modelDim, outputDim, heads: [{ value, query }] }; received ${describe(model)}.`,
    );
  }
  const modelDim = checkInteger(fn, 'model.modelDim', model.modelDim, { min: 1 });
  const outputDim = checkInteger(fn, 'model.outputDim', model.outputDim, { min: 1 });
  const heads = model.heads.map((head: MhlaHead, h: number) => {
    if (typeof head !== 'object' || head === null) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `${fn}: model.heads[${h}] must be a head. Expected { value, query }; received ${describe(head)}.`,
      );
    }
    const value = checkMatrix(fn, `model.heads[${h}].value`, head.value, { rows: outputDim, cols: modelDim });
    const query = checkMatrix(fn, `model.heads[${h}].query`, head.query, { rows: modelDim, cols: modelDim });
    return { value: toRows(value), query: toRows(query) };
  });
  return JSON.stringify({ format: MODEL_FORMAT, version: 1, modelDim, outputDim, heads });
}

/**
 * Reads a `lattn.mhla` JSON document (text, or the value `JSON.parse` made of it) into a validated model.
 *
 * Every problem is an `INVALID_FORMAT` error naming the offending field and showing a valid document: text that
 * is not JSON, a missing or wrong `format`, a version other than the supported ones, dimensions that are not
 * integers >= 1, heads that are not `{ value, query }`, ragged or wrongly sized rows, entries that are not finite
 * numbers, and unknown fields (a misspelt field is an error, not silently dropped).
 *
 * Notes: the round trip with {@link serializeModel} is exact (see there). Cost linear in the document size.
 *
 * @param text - The JSON text, or an already parsed value.
 * @returns A fresh model with `modelDim`, `outputDim` and the heads of the document (`value` `(outputDim,
 * modelDim)`, `query` `(modelDim, modelDim)`); zero heads is the zero function.
 * @throws `LattnError` `INVALID_FORMAT` as described above.
 * @example
 * ```ts
 * const model = parseModel(
 *   '{"format":"lattn.mhla","version":1,"modelDim":2,"outputDim":1,"heads":[{"value":[[1,0]],"query":[[0,1],[1,0]]}]}',
 * );
 * model.heads.length; // 1
 * parseModel('{"format":"lattn.mhla","version":2}'); // throws INVALID_FORMAT: supported versions are 1
 * ```
 * @see docs/math/least-squares-and-head-recovery.md §6
 */
export function parseModel(text: string | unknown): MhlaModel {
  const document = typeof text === 'string' ? parseJson(text) : text;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    fail('the document is not a JSON object', 'an object', describe(document));
  }
  const record = document as Record<string, unknown>;
  if (record.format !== MODEL_FORMAT) {
    fail('the document is not a lattn model', `"format": "${MODEL_FORMAT}"`, `"format": ${quote(record.format)}`);
  }
  if (!MODEL_FORMAT_VERSIONS.includes(record.version as number)) {
    fail(
      `version ${quote(record.version)} is not supported`,
      `"version" one of the supported versions ${MODEL_FORMAT_VERSIONS.join(', ')}`,
      `"version": ${quote(record.version)}`,
    );
  }
  checkFields(record, TOP_LEVEL_KEYS, 'the document');
  const modelDim = readDimension(record, 'modelDim');
  const outputDim = readDimension(record, 'outputDim');
  if (!Array.isArray(record.heads)) {
    fail('"heads" is not an array', 'an array of { "value", "query" }', describe(record.heads));
  }
  const heads = (record.heads as unknown[]).map((head, h) => {
    if (typeof head !== 'object' || head === null || Array.isArray(head)) {
      fail(`heads[${h}] is not an object`, '{ "value": [[…]], "query": [[…]] }', describe(head));
    }
    const fields = head as Record<string, unknown>;
    checkFields(fields, HEAD_KEYS, `heads[${h}]`);
    return {
      value: readMatrix(fields.value, `heads[${h}].value`, outputDim, modelDim),
      query: readMatrix(fields.query, `heads[${h}].query`, modelDim, modelDim),
    };
  });
  return createModel({ modelDim, outputDim, heads });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(`the text is not valid JSON (${reason})`, 'a JSON document', describe(text));
  }
}

function checkFields(record: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      fail(`${where} has an unknown field "${key}"`, `only ${known.map((k) => `"${k}"`).join(', ')}`, `"${key}"`);
    }
  }
  for (const key of known) {
    if (!(key in record)) fail(`${where} lacks the field "${key}"`, `"${key}"`, 'no such field');
  }
}

function readDimension(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(`"${key}" is not a dimension`, 'an integer >= 1', describe(value));
  }
  return value as number;
}

function readMatrix(value: unknown, where: string, rows: number, cols: number): Matrix {
  if (!Array.isArray(value) || value.length !== rows) {
    fail(`${where} has the wrong number of rows`, `an array of ${rows} rows`, describe(value));
  }
  (value as unknown[]).forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      fail(`${where}[${i}] has the wrong length`, `an array of ${cols} numbers`, describe(row));
    }
    (row as unknown[]).forEach((entry, j) => {
      if (typeof entry !== 'number' || !Number.isFinite(entry)) {
        fail(`${where}[${i}][${j}] is not a finite number`, 'a finite number', describe(entry));
      }
    });
  });
  return fromRows(value as number[][], cols);
}

function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describe(value);
}

function fail(what: string, expected: string, received: string): never {
  throw new LattnError(
    'INVALID_FORMAT',
    `parseModel: ${what}. Expected ${expected}, as in ${EXAMPLE}; received ${received}.`,
    { details: { expected, received } },
  );
}
