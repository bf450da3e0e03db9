import { fromRows, zeros } from '@lattn/core';
import { expectLattnError, expectMatrixClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { randomModel, rngFor } from './__fixtures__/random.js';
import { createModel, type MhlaHead } from './model.js';

describe('createModel', () => {
  it('infers the dimensions from the first head', () => {
    const model = createModel({ heads: [{ value: zeros(3, 2), query: zeros(2, 2) }] });
    expect(model.modelDim).toBe(2);
    expect(model.outputDim).toBe(3);
    expect(model.heads).toHaveLength(1);
  });

  it('copies the head matrices, so later changes to the input do not reach the model', () => {
    const source = randomModel(rngFor(1), { modelDim: 3, outputDim: 2, numHeads: 2 });
    const model = createModel({ heads: source.heads });
    const before = source.heads[1].query.data.slice();
    source.heads[1].query.data[4] += 1;
    expectMatrixClose(model.heads[1].query, { rows: 3, cols: 3, data: before }, { rtol: 0 });
    expect(model.heads[0].value.data).not.toBe(source.heads[0].value.data);
  });

  it('keeps only value and query of each head, ignoring extra fields', () => {
    const head = { value: zeros(1, 2), query: zeros(2, 2), singularValue: 3 };
    expect(Object.keys(createModel({ heads: [head] }).heads[0])).toEqual(['value', 'query']);
  });

  it('accepts zero heads when both dimensions are given', () => {
    const model = createModel({ modelDim: 4, outputDim: 2, heads: [] });
    expect(model).toEqual({ modelDim: 4, outputDim: 2, heads: [] });
  });

  it('throws INVALID_ARGUMENT for zero heads without dimensions', () => {
    expectLattnError(() => createModel({ modelDim: 2, heads: [] }), 'INVALID_ARGUMENT', 'createModel');
  });

  it('throws SHAPE_MISMATCH when heads disagree with each other or with the given dimensions', () => {
    const head: MhlaHead = { value: zeros(1, 2), query: zeros(2, 2) };
    expectLattnError(
      () => createModel({ heads: [head, { value: zeros(1, 3), query: zeros(3, 3) }] }),
      'SHAPE_MISMATCH',
      'createModel',
    );
    expectLattnError(() => createModel({ modelDim: 3, heads: [head] }), 'SHAPE_MISMATCH', 'createModel');
    expectLattnError(
      () => createModel({ heads: [{ value: zeros(1, 2), query: zeros(2, 3) }] }),
      'SHAPE_MISMATCH',
      'createModel',
    );
  });

  it('throws NON_FINITE for NaN in a head', () => {
    const query = fromRows([
      [1, Number.NaN],
      [0, 1],
    ]);
    expectLattnError(() => createModel({ heads: [{ value: zeros(1, 2), query }] }), 'NON_FINITE', 'createModel');
  });

  it('throws INVALID_ARGUMENT for unknown fields and malformed heads', () => {
    const head = { value: zeros(1, 2), query: zeros(2, 2) };
    expectLattnError(
      () => createModel({ heads: [head], numHeads: 1 } as unknown as Parameters<typeof createModel>[0]),
      'INVALID_ARGUMENT',
      'createModel',
    );
    expectLattnError(
      () => createModel({ heads: [null] as unknown as MhlaHead[], modelDim: 2, outputDim: 1 }),
      'INVALID_ARGUMENT',
      'createModel',
    );
    expectLattnError(
      () => createModel({ heads: [{ value: [[1]] }] as unknown as MhlaHead[] }),
      'INVALID_ARGUMENT',
      'createModel',
    );
    expectLattnError(() => createModel({ modelDim: 0, outputDim: 1, heads: [] }), 'INVALID_ARGUMENT', 'createModel');
  });
});
