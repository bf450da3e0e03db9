import { constants } from 'node:buffer';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInteger, checkKnownKeys, isLattnError, type LattnError } from '@lattn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJson, readJson, writeJson } from './json.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TASK = { description: 'a task file', example: '{"task": "automata", "seed": 0}' };

async function failure(promise: Promise<unknown>): Promise<LattnError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isLattnError(error)) throw new Error(`expected a LattnError, got ${String(error)}`);
  expect(error.message).not.toContain('\n');
  return error;
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('readJson', () => {
  it('returns the parsed document', async () => {
    const path = await file('task.json', '{"task": "automata", "seed": 3}');
    expect(await readJson(path, TASK)).toEqual({ task: 'automata', seed: 3 });
  });

  it('throws INVALID_FORMAT with the line and column of a syntax error and a valid example', async () => {
    const path = await file('broken.json', '{\n  "task": "automata",\n}');
    const error = await failure(readJson(path, TASK));
    expect(error.code).toBe('INVALID_FORMAT');
    expect(error.message).toMatch(new RegExp(`^'${path}' is not valid JSON at line 3, column 1\\. `));
    expect(error.message).toContain('Expected a task file, for example {"task": "automata", "seed": 0}; received');
  });

  it('throws INVALID_FORMAT in one line quoting the offending text when the parser gives no position', async () => {
    const path = await file('token.json', '{\n  "seed": ,\n}');
    const error = await failure(readJson(path, TASK));
    expect(error.code).toBe('INVALID_FORMAT');
    expect(error.message).toContain('"seed": ,');
  });

  it('reads a document that starts with a UTF-8 byte-order mark, as some editors write', async () => {
    const path = await file('bom.json', '\uFEFF{"task": "automata", "seed": 1}');
    expect(await readJson(path, TASK)).toEqual({ task: 'automata', seed: 1 });
  });

  it('throws TOO_LARGE for a file longer than the longest string, without reading it', async () => {
    const path = join(dir, 'huge.json');
    await writeFile(path, '{');
    await truncate(path, constants.MAX_STRING_LENGTH + 1); // sparse: no disk space is used
    const error = await failure(readJson(path, TASK));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      `'${path}' is too large to read as text. Expected at most ${constants.MAX_STRING_LENGTH} bytes (the longest string this Node.js can hold); received ${constants.MAX_STRING_LENGTH + 1} bytes.`,
    );
  });

  it('throws INVALID_FORMAT for an empty file', async () => {
    const error = await failure(readJson(await file('empty.json', ' \n'), TASK));
    expect(error.code).toBe('INVALID_FORMAT');
    expect(error.message).toContain('is empty');
  });

  it('reports a validator’s LattnError as INVALID_FORMAT naming the file, keeping the cause', async () => {
    const path = await file('extra.json', '{"task": "automata", "seed": 1.5}');
    const parse = (value: unknown) => {
      checkKnownKeys('parseTask', 'task', value, ['task', 'seed']);
      return checkInteger('parseTask', 'seed', (value as { seed: unknown }).seed, { min: 0 });
    };
    const error = await failure(readJson(path, { ...TASK, parse }));
    expect(error.code).toBe('INVALID_FORMAT');
    expect(error.message).toBe(
      `'${path}' is not a task file: parseTask: seed must be an integer >= 0. Expected an integer >= 0; received 1.5. A valid example: {"task": "automata", "seed": 0}`,
    );
    expect(isLattnError(error.cause) && error.cause.code).toBe('INVALID_ARGUMENT');
  });

  it('lets a validator’s unexpected error through unchanged', async () => {
    const path = await file('fine.json', '{}');
    const bug = new TypeError('bug');
    await expect(
      readJson(path, {
        ...TASK,
        parse: () => {
          throw bug;
        },
      }),
    ).rejects.toBe(bug);
  });

  it('throws INVALID_ARGUMENT for a missing file', async () => {
    expect((await failure(readJson(join(dir, 'nope.json'), TASK))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('writeJson and formatJson', () => {
  it('write a document that JSON.parse reads back, with a trailing newline', async () => {
    const path = join(dir, 'out.json');
    const value = { name: 'x', values: [1, 2.5, -3e-12], nested: { ok: true, none: null } };
    await writeJson(path, value);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('formats matrices as rows, typed arrays as arrays, non-finite numbers as null, and omits undefined', () => {
    const value = {
      weights: { rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) },
      singularValues: Float64Array.of(3, 0.5),
      gap: Number.POSITIVE_INFINITY,
      skipped: undefined,
      reasons: [],
    };
    expect(formatJson(value)).toBe(
      [
        '{',
        '  "weights": [',
        '    [1, 2],',
        '    [3, 4]',
        '  ],',
        '  "singularValues": [3, 0.5],',
        '  "gap": null,',
        '  "reasons": []',
        '}',
      ].join('\n'),
    );
  });

  it('keeps every float64 exactly (shortest round-trip digits)', () => {
    const values = [0.1 + 0.2, 1 / 3, 5e-324, -1.7976931348623157e308];
    expect(JSON.parse(formatJson(values))).toEqual(values);
  });
});
