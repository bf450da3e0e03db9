import { describe, expect, it } from 'vitest';
import { checkDataset, checkSequences, type Dataset, POSITION_MODES } from './dataset.js';
import { fromRows, type Matrix, zeros } from './matrix.js';
import { createRng } from './rng.js';
import { expectLattnError } from './testing/index.js';

const rng = createRng(1);
const sequences = (lengths: readonly number[], dim: number): Matrix[] => lengths.map((n) => rng.normalMatrix(n, dim));

describe('checkSequences', () => {
  it('returns the batch sizes of sequences of different lengths', () => {
    expect(checkSequences('forward', 'inputs', sequences([3, 1, 5], 2))).toEqual({
      numSequences: 3,
      modelDim: 2,
      numTokens: 9,
      maxSequenceLength: 5,
    });
  });

  it('accepts a required modelDim and rejects a different one with SHAPE_MISMATCH', () => {
    expect(checkSequences('forward', 'inputs', sequences([2], 4), 4).modelDim).toBe(4);
    expectLattnError(() => checkSequences('forward', 'inputs', sequences([2], 4), 3), 'SHAPE_MISMATCH', 'forward', [
      'forward: inputs[0] has the wrong shape',
      'Expected (any, 3); received (2, 4)',
    ]);
  });

  it('throws INVALID_ARGUMENT for an empty batch or a non-array', () => {
    expectLattnError(() => checkSequences('forward', 'inputs', []), 'INVALID_ARGUMENT', 'forward', [
      'forward: inputs must be a non-empty array of sequences',
      'received an array of length 0',
    ]);
    expectLattnError(() => checkSequences('forward', 'inputs', zeros(2, 2)), 'INVALID_ARGUMENT', 'forward', [
      'received a matrix of shape (2, 2)',
    ]);
  });

  it('throws SHAPE_MISMATCH naming the first sequence whose token dimension differs (ragged batch)', () => {
    const ragged = [...sequences([2, 2], 3), rng.normalMatrix(2, 4)];
    expectLattnError(() => checkSequences('forward', 'inputs', ragged), 'SHAPE_MISMATCH', 'forward', [
      'forward: inputs[2] has the wrong shape',
      'Expected (any, 3); received (2, 4)',
    ]);
  });

  it('throws INVALID_ARGUMENT for a zero-length sequence or zero-dimensional tokens', () => {
    expectLattnError(
      () => checkSequences('forward', 'inputs', [rng.normalMatrix(2, 3), zeros(0, 3)]),
      'INVALID_ARGUMENT',
      'forward',
      ['forward: inputs[1] is empty', 'received shape (0, 3)'],
    );
    expectLattnError(() => checkSequences('forward', 'inputs', [zeros(2, 0)]), 'INVALID_ARGUMENT', 'forward', [
      'inputs[0] is empty',
    ]);
  });

  it('throws NON_FINITE naming the sequence and entry, and INVALID_ARGUMENT for a non-matrix entry', () => {
    const bad = rng.normalMatrix(3, 2);
    bad.data[5] = Number.NaN;
    expectLattnError(
      () => checkSequences('forward', 'inputs', [rng.normalMatrix(1, 2), bad]),
      'NON_FINITE',
      'forward',
      ['forward: inputs[1] contains a non-finite value at entry (2, 1)'],
    );
    expectLattnError(
      () => checkSequences('forward', 'inputs', [rng.normalMatrix(1, 2), [[1, 2]]]),
      'INVALID_ARGUMENT',
      'forward',
      ['inputs[1] is not a matrix'],
    );
  });
});

describe('checkDataset', () => {
  const inputs = sequences([3, 2], 2);

  it('validates mode "all" (one target row per token) and counts every token as an example', () => {
    const dataset: Dataset = { inputs, targets: [rng.normalMatrix(3, 1), rng.normalMatrix(2, 1)], mode: 'all' };
    expect(checkDataset('fit', dataset)).toEqual({
      numSequences: 2,
      modelDim: 2,
      numTokens: 5,
      maxSequenceLength: 3,
      outputDim: 1,
      numExamples: 5,
      mode: 'all',
    });
  });

  it('validates mode "last" (one target row per sequence) and counts sequences as examples', () => {
    const dataset: Dataset = { inputs, targets: [rng.normalMatrix(1, 3), rng.normalMatrix(1, 3)], mode: 'last' };
    expect(checkDataset('fit', dataset)).toMatchObject({ outputDim: 3, numExamples: 2, mode: 'last' });
    expect(POSITION_MODES).toEqual(['all', 'last']);
  });

  it('throws INVALID_ARGUMENT for a non-object and an unknown mode', () => {
    expectLattnError(() => checkDataset('fit', null), 'INVALID_ARGUMENT', 'fit', [
      'fit: dataset must be an object',
      'Expected { inputs, targets, mode }; received null',
    ]);
    expectLattnError(() => checkDataset('fit', { inputs, targets: [], mode: 'first' }), 'INVALID_ARGUMENT', 'fit', [
      'fit: dataset.mode is not recognised',
      "received 'first'",
    ]);
  });

  it('throws for empty or ragged inputs through checkSequences', () => {
    expectLattnError(() => checkDataset('fit', { inputs: [], targets: [], mode: 'all' }), 'INVALID_ARGUMENT', 'fit', [
      'fit: dataset.inputs must be a non-empty array',
    ]);
    const ragged = { inputs: [rng.normalMatrix(2, 2), rng.normalMatrix(2, 3)], targets: [], mode: 'all' };
    expectLattnError(() => checkDataset('fit', ragged), 'SHAPE_MISMATCH', 'fit', ['dataset.inputs[1]']);
  });

  it('throws SHAPE_MISMATCH when targets are missing or their count differs from the inputs', () => {
    expectLattnError(() => checkDataset('fit', { inputs, mode: 'all' }), 'SHAPE_MISMATCH', 'fit', [
      'fit: dataset.targets must hold one matrix per sequence',
      'Expected an array of length 2; received undefined',
    ]);
    expectLattnError(
      () => checkDataset('fit', { inputs, targets: [zeros(3, 1)], mode: 'all' }),
      'SHAPE_MISMATCH',
      'fit',
      ['received an array of length 1'],
    );
  });

  it('throws SHAPE_MISMATCH for targets of the wrong shape for the mode, naming the first bad sequence', () => {
    expectLattnError(
      () => checkDataset('fit', { inputs, targets: [zeros(3, 1), zeros(3, 1)], mode: 'all' }),
      'SHAPE_MISMATCH',
      'fit',
      ['fit: dataset.targets[1] has the wrong shape', 'Expected (2, 1); received (3, 1)'],
    );
    expectLattnError(
      () => checkDataset('fit', { inputs, targets: [zeros(3, 1), zeros(2, 1)], mode: 'last' }),
      'SHAPE_MISMATCH',
      'fit',
      ['dataset.targets[0] has the wrong shape', 'Expected (1, 1); received (3, 1)'],
    );
    expectLattnError(
      () => checkDataset('fit', { inputs, targets: [zeros(1, 2), zeros(1, 3)], mode: 'last' }),
      'SHAPE_MISMATCH',
      'fit',
      ['dataset.targets[1]', 'Expected (1, 2); received (1, 3)'],
    );
  });

  it('throws SHAPE_MISMATCH for targets with no columns', () => {
    expectLattnError(
      () => checkDataset('fit', { inputs, targets: [zeros(3, 0), zeros(2, 0)], mode: 'all' }),
      'SHAPE_MISMATCH',
      'fit',
      ['fit: dataset.targets have no columns', 'Expected outputDim >= 1; received (3, 0)'],
    );
  });

  it('throws NON_FINITE for NaN in a target', () => {
    const targets = [fromRows([[1], [2], [3]]), fromRows([[0], [Number.NaN]])];
    expectLattnError(() => checkDataset('fit', { inputs, targets, mode: 'all' }), 'NON_FINITE', 'fit', [
      'fit: dataset.targets[1] contains a non-finite value at entry (1, 0)',
    ]);
  });
});
