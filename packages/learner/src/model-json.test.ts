import { createRng, fromRows, matrixFrom } from '@lattn/core';
import { expectLattnError } from '@lattn/core/testing';
import { createModel, type MhlaModel } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';
import { randomTeacher } from './__fixtures__/planted.js';
import { MODEL_FORMAT_VERSIONS, parseModel, serializeModel } from './model-json.js';

const VALID = {
  format: 'lattn.mhla',
  version: 1,
  modelDim: 2,
  outputDim: 1,
  heads: [
    {
      value: [[1, 0]],
      query: [
        [0, 1],
        [1, 0],
      ],
    },
  ],
};

function withField(patch: Record<string, unknown>): string {
  return JSON.stringify({ ...VALID, ...patch });
}

function expectSameBits(actual: MhlaModel, expected: MhlaModel): void {
  expect(actual.modelDim).toBe(expected.modelDim);
  expect(actual.outputDim).toBe(expected.outputDim);
  expect(actual.heads.length).toBe(expected.heads.length);
  actual.heads.forEach((head, h) => {
    expect(Array.from(head.value.data)).toEqual(Array.from(expected.heads[h].value.data));
    expect(Array.from(head.query.data)).toEqual(Array.from(expected.heads[h].query.data));
    expect([head.value.rows, head.value.cols, head.query.rows, head.query.cols]).toEqual([
      expected.heads[h].value.rows,
      expected.heads[h].value.cols,
      expected.heads[h].query.rows,
      expected.heads[h].query.cols,
    ]);
  });
}

describe('serializeModel', () => {
  it('writes the documented version 1 layout', () => {
    const model = createModel({
      heads: [
        {
          value: fromRows([[1, 0]]),
          query: fromRows([
            [0, 1],
            [1, 0],
          ]),
        },
      ],
    });
    expect(serializeModel(model)).toBe(JSON.stringify(VALID));
  });

  it('round trips random models bit for bit, including extreme magnitudes', () => {
    const rng = createRng(7);
    const model = randomTeacher(rng, { modelDim: 3, outputDim: 2, numHeads: 3 });
    const extreme = [1e-310, -5e-324, 1.7976931348623157e308, 0.1 + 0.2, -1 / 3, Math.PI, 1e21, 123456789.12345679, 0];
    const query = matrixFrom(3, 3, extreme);
    const withExtremes = createModel({ heads: [...model.heads, { value: model.heads[0].value, query }] });
    expectSameBits(parseModel(serializeModel(withExtremes)), withExtremes);
  });

  it('round trips a model with zero heads', () => {
    const model = createModel({ modelDim: 4, outputDim: 3, heads: [] });
    const back = parseModel(serializeModel(model));
    expect(back).toEqual(model);
  });

  it('throws NON_FINITE for a NaN entry, which JSON cannot hold', () => {
    const value = fromRows([[Number.NaN, 0]]);
    const model = {
      modelDim: 2,
      outputDim: 1,
      heads: [
        {
          value,
          query: fromRows([
            [0, 1],
            [1, 0],
          ]),
        },
      ],
    };
    expectLattnError(() => serializeModel(model), 'NON_FINITE', 'serializeModel', ['model.heads[0].value']);
  });

  it('throws SHAPE_MISMATCH when a head disagrees with the dimensions', () => {
    const model = {
      modelDim: 3,
      outputDim: 1,
      heads: [
        {
          value: fromRows([[1, 0]]),
          query: fromRows([
            [0, 1],
            [1, 0],
          ]),
        },
      ],
    };
    expectLattnError(() => serializeModel(model), 'SHAPE_MISMATCH', 'serializeModel', ['Expected (1, 3)']);
  });

  it('throws INVALID_ARGUMENT for something that is not a model', () => {
    expectLattnError(() => serializeModel(null as unknown as MhlaModel), 'INVALID_ARGUMENT', 'serializeModel');
  });
});

describe('parseModel', () => {
  it('reads the documented example, as text and as a parsed value', () => {
    for (const input of [JSON.stringify(VALID), VALID]) {
      const model = parseModel(input);
      expect(model.modelDim).toBe(2);
      expect(model.outputDim).toBe(1);
      expect(Array.from(model.heads[0].query.data)).toEqual([0, 1, 1, 0]);
    }
  });

  it('returns a fresh model that does not alias the document', () => {
    const document = structuredClone(VALID);
    const model = parseModel(document);
    document.heads[0].value[0][0] = 42;
    expect(model.heads[0].value.data[0]).toBe(1);
  });

  it('throws INVALID_FORMAT for text that is not JSON, showing a valid document', () => {
    expectLattnError(() => parseModel('{"format": lattn'), 'INVALID_FORMAT', 'parseModel', [
      'not valid JSON',
      '"format":"lattn.mhla"',
    ]);
  });

  it('throws INVALID_FORMAT for a missing or wrong format tag', () => {
    expectLattnError(() => parseModel(withField({ format: 'onnx' })), 'INVALID_FORMAT', 'parseModel', [
      'not a lattn model',
      '"onnx"',
    ]);
    expectLattnError(() => parseModel('[1, 2]'), 'INVALID_FORMAT', 'parseModel', ['not a JSON object']);
  });

  it('throws INVALID_FORMAT naming the supported versions for an unknown version', () => {
    expect(MODEL_FORMAT_VERSIONS).toEqual([1]);
    expectLattnError(() => parseModel(withField({ version: 2 })), 'INVALID_FORMAT', 'parseModel', [
      'version 2',
      'supported versions 1',
    ]);
  });

  it('throws INVALID_FORMAT for an unknown field, at the top level and in a head', () => {
    expectLattnError(() => parseModel(withField({ bias: [0] })), 'INVALID_FORMAT', 'parseModel', [
      'unknown field "bias"',
    ]);
    const head = { ...VALID.heads[0], key: [[1]] };
    expectLattnError(() => parseModel(withField({ heads: [head] })), 'INVALID_FORMAT', 'parseModel', [
      'heads[0] has an unknown field "key"',
    ]);
  });

  it('throws INVALID_FORMAT for a missing field', () => {
    const { outputDim: _, ...rest } = VALID;
    expectLattnError(() => parseModel(rest), 'INVALID_FORMAT', 'parseModel', ['lacks the field "outputDim"']);
  });

  it('throws INVALID_FORMAT for dimensions that are not integers >= 1', () => {
    expectLattnError(() => parseModel(withField({ modelDim: 0 })), 'INVALID_FORMAT', 'parseModel', [
      '"modelDim" is not a dimension',
    ]);
    expectLattnError(() => parseModel(withField({ outputDim: 1.5 })), 'INVALID_FORMAT', 'parseModel', ['"outputDim"']);
  });

  it('throws INVALID_FORMAT for ragged or wrongly sized rows', () => {
    const ragged = { value: [[1, 0]], query: [[0, 1], [1]] };
    expectLattnError(() => parseModel(withField({ heads: [ragged] })), 'INVALID_FORMAT', 'parseModel', [
      'heads[0].query[1]',
    ]);
    const tall = {
      value: [
        [1, 0],
        [0, 1],
      ],
      query: VALID.heads[0].query,
    };
    expectLattnError(() => parseModel(withField({ heads: [tall] })), 'INVALID_FORMAT', 'parseModel', [
      'heads[0].value',
      '1 rows',
    ]);
  });

  it('throws INVALID_FORMAT for entries that are not finite numbers', () => {
    const text = { value: [['1', 0]], query: VALID.heads[0].query };
    expectLattnError(() => parseModel(withField({ heads: [text] })), 'INVALID_FORMAT', 'parseModel', [
      'heads[0].value[0][0]',
    ]);
    const nan = { ...VALID, heads: [{ value: [[Number.NaN, 0]], query: VALID.heads[0].query }] };
    expectLattnError(() => parseModel(nan), 'INVALID_FORMAT', 'parseModel', ['not a finite number']);
  });

  it('throws INVALID_FORMAT when heads is not an array of objects', () => {
    expectLattnError(() => parseModel(withField({ heads: {} })), 'INVALID_FORMAT', 'parseModel', [
      '"heads" is not an array',
    ]);
    expectLattnError(() => parseModel(withField({ heads: [3] })), 'INVALID_FORMAT', 'parseModel', [
      'heads[0] is not an object',
    ]);
  });
});
