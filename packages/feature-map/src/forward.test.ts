import { fromRows, type Matrix, zeros } from '@lattn/core';
import { expectLattnError, expectMatrixClose } from '@lattn/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastRow, naiveForward, randomModel, randomSequences, rngFor, timesTransposed } from './__fixtures__/random.js';
import { cubicFeatures } from './features.js';
import { foldModel } from './fold.js';
import { forward } from './forward.js';
import { forwardFolded } from './forward-folded.js';
import { createModel, type MhlaModel } from './model.js';

function absolute(model: MhlaModel): MhlaModel {
  const abs = (m: Matrix): Matrix => ({ ...m, data: m.data.map(Math.abs) });
  return { ...model, heads: model.heads.map((head) => ({ value: abs(head.value), query: abs(head.query) })) };
}

const CASES = [
  { modelDim: 1, outputDim: 1, numHeads: 1, lengths: [1, 5] },
  { modelDim: 2, outputDim: 3, numHeads: 2, lengths: [4, 1, 7] },
  { modelDim: 4, outputDim: 2, numHeads: 3, lengths: [6, 9] },
  { modelDim: 5, outputDim: 1, numHeads: 7, lengths: [12] },
];

describe('forward', () => {
  it('equals the O(n²) attention form Σ_h Σ_{s<=t} V_h z_s (z_sᵀ Q_h z_t) to 1e-12 relative', () => {
    CASES.forEach((sizes, index) => {
      const rng = rngFor(100 + index);
      const model = randomModel(rng, sizes);
      const inputs = randomSequences(rng, sizes.modelDim, sizes.lengths);
      const outputs = forward(model, inputs);
      inputs.forEach((sequence, b) => {
        expectMatrixClose(outputs[b], naiveForward(model, sequence), { rtol: 1e-12, relativeToMax: true });
      });
    });
  });

  it('equals ⟨w_a, ψ_t⟩ with the folded weights, in both modes, to 1e-12 relative', () => {
    CASES.forEach((sizes, index) => {
      const rng = rngFor(200 + index);
      const model = randomModel(rng, sizes);
      const inputs = randomSequences(rng, sizes.modelDim, sizes.lengths);
      const weights = foldModel(model);
      for (const mode of ['all', 'last'] as const) {
        const outputs = forward(model, inputs, { mode });
        inputs.forEach((sequence, b) => {
          const viaFeatures = timesTransposed(cubicFeatures(sequence, { mode }), weights);
          expectMatrixClose(outputs[b], viaFeatures, { rtol: 1e-12, relativeToMax: true });
        });
        const folded = forwardFolded(weights, inputs, { mode });
        for (const [b, y] of folded.entries()) expectMatrixClose(y, outputs[b], { rtol: 1e-12, relativeToMax: true });
      }
    });
  });

  it('equals the attention form and the folded route for random shapes, head counts and lengths, to 1e-12 of the summed terms', () => {
    const shapes = fc.record({
      seed: fc.nat(1_000_000),
      modelDim: fc.integer({ min: 1, max: 4 }),
      outputDim: fc.integer({ min: 1, max: 3 }),
      numHeads: fc.integer({ min: 0, max: 4 }),
      lengths: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(shapes, ({ seed, lengths, ...sizes }) => {
        const rng = rngFor(seed);
        const model = randomModel(rng, sizes);
        const inputs = randomSequences(rng, sizes.modelDim, lengths);
        const outputs = forward(model, inputs);
        const folded = forwardFolded(foldModel(model), inputs);
        for (const [b, sequence] of inputs.entries()) {
          const expected = naiveForward(model, sequence);
          // Outputs can cancel to far below their terms, so the tolerance is relative to the summed |terms|: the
          // attention form evaluated on absolute values.
          const terms = naiveForward(absolute(model), { ...sequence, data: sequence.data.map(Math.abs) });
          const close = { rtol: 1e-12, atol: 1e-12 * Math.max(...terms.data) };
          expectMatrixClose(outputs[b], expected, close);
          expectMatrixClose(folded[b], expected, close);
        }
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it("returns in mode 'last' exactly the last row of mode 'all'", () => {
    const rng = rngFor(3);
    const model = randomModel(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
    const inputs = randomSequences(rng, 3, [1, 4, 8]);
    const all = forward(model, inputs);
    const last = forward(model, inputs, { mode: 'last' });
    for (const [b, y] of last.entries()) expectMatrixClose(y, lastRow(all[b]), { rtol: 0 });
  });

  it('is causal: changing a later token leaves every earlier output unchanged', () => {
    const rng = rngFor(4);
    const model = randomModel(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
    const [sequence] = randomSequences(rng, 3, [6]);
    const changed: Matrix = { ...sequence, data: sequence.data.slice() };
    changed.data[4 * 3 + 1] += 10;
    const [before] = forward(model, [sequence]);
    const [after] = forward(model, [changed]);
    const prefix = (m: Matrix): Matrix => ({ rows: 4, cols: m.cols, data: m.data.slice(0, 4 * m.cols) });
    expectMatrixClose(prefix(after), prefix(before), { rtol: 0 });
    expect(after.data[4 * 2]).not.toBe(before.data[4 * 2]);
  });

  it('computes the zero function with zero heads', () => {
    const model = createModel({ modelDim: 2, outputDim: 3, heads: [] });
    const outputs = forward(model, randomSequences(rngFor(5), 2, [3, 2]));
    expectMatrixClose(outputs[0], zeros(3, 3), { rtol: 0 });
    expectMatrixClose(outputs[1], zeros(2, 3), { rtol: 0 });
  });

  it('matches the closed form y_t = (Σ_h v_h q_h) · (Σ_{s<=t} z_s²) · z_t for d = 1', () => {
    const model = createModel({
      heads: [
        { value: fromRows([[2], [1]]), query: fromRows([[3]]) },
        { value: fromRows([[-1], [4]]), query: fromRows([[0.5]]) },
      ],
    });
    const [y] = forward(model, [fromRows([[1], [-2], [0.5]])]);
    // Σ_h v_h q_h = (6 − 0.5, 3 + 2) = (5.5, 5); prefix sums of z² are 1, 5, 5.25.
    expectMatrixClose(
      y,
      [
        [5.5 * 1 * 1, 5 * 1 * 1],
        [5.5 * 5 * -2, 5 * 5 * -2],
        [5.5 * 5.25 * 0.5, 5 * 5.25 * 0.5],
      ],
      { rtol: 1e-15 },
    );
  });

  it('does not mutate the model or the inputs', () => {
    const rng = rngFor(6);
    const model = randomModel(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
    const inputs = randomSequences(rng, 3, [4]);
    const snapshot = structuredClone({ model, inputs });
    forward(model, inputs, { mode: 'last' });
    expect({ model, inputs }).toEqual(snapshot);
  });

  it('throws SHAPE_MISMATCH when a sequence has the wrong token dimension', () => {
    const model = randomModel(rngFor(7), { modelDim: 3, outputDim: 1, numHeads: 1 });
    expectLattnError(() => forward(model, [zeros(2, 3), zeros(2, 2)]), 'SHAPE_MISMATCH', 'forward');
  });

  it('throws NON_FINITE for NaN in an input', () => {
    const model = randomModel(rngFor(8), { modelDim: 1, outputDim: 1, numHeads: 1 });
    expectLattnError(() => forward(model, [fromRows([[1], [Number.NaN]])]), 'NON_FINITE', 'forward');
  });

  it('throws INVALID_ARGUMENT for unknown options, a bad mode, an empty batch or a malformed model', () => {
    const model = randomModel(rngFor(9), { modelDim: 1, outputDim: 1, numHeads: 1 });
    const inputs = [fromRows([[1]])];
    expectLattnError(() => forward(model, inputs, { modes: 'all' } as never), 'INVALID_ARGUMENT', 'forward');
    expectLattnError(() => forward(model, inputs, { mode: 'first' } as never), 'INVALID_ARGUMENT', 'forward');
    expectLattnError(() => forward(model, []), 'INVALID_ARGUMENT', 'forward');
    expectLattnError(() => forward(model, [zeros(0, 1)]), 'INVALID_ARGUMENT', 'forward');
    const broken = { ...model, outputDim: 0 } as MhlaModel;
    expectLattnError(() => forward(broken, inputs), 'INVALID_ARGUMENT', 'forward');
    const wrongHead = { ...model, heads: [{ value: zeros(2, 1), query: zeros(1, 1) }] };
    expectLattnError(() => forward(wrongHead, inputs), 'SHAPE_MISMATCH', 'forward');
  });
});

describe('forwardFolded', () => {
  // 700 sequences of 3–14 tokens: more than one batch of 4096 tokens in mode 'all', one in mode 'last'; one sequence
  // at 1e100 and one at 1e-100 share a batch with ordinary ones, each divided by its own power of two.
  it.each(['all', 'last'] as const)(
    "equals the model's own forward pass over batches of many sequences of mixed scales (mode '%s', 1e-12 relative)",
    (mode) => {
      const rng = rngFor(mode === 'all' ? 41 : 42);
      const model = randomModel(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
      const lengths = Array.from({ length: 700 }, () => 3 + rng.integer(0, 12));
      const inputs = randomSequences(rng, 3, lengths);
      for (const [b, scale] of [
        [5, 1e100],
        [600, 1e-100],
      ]) {
        inputs[b] = { ...inputs[b], data: inputs[b].data.map((v) => v * scale) };
      }
      const batched = forwardFolded(foldModel(model), inputs, { mode });
      const expected = forward(model, inputs, { mode });
      expect(batched.map((y) => [y.rows, y.cols])).toEqual(expected.map((y) => [y.rows, y.cols]));
      batched.forEach((y, b) => {
        expectMatrixClose(y, expected[b], { rtol: 1e-12, relativeToMax: true, label: `${b}` });
      });
    },
  );

  it('throws SHAPE_MISMATCH when the weights do not fit the token dimension', () => {
    expectLattnError(() => forwardFolded(zeros(1, 6), [zeros(2, 3)]), 'SHAPE_MISMATCH', 'forwardFolded');
    expectLattnError(() => forwardFolded(zeros(0, 18), [zeros(2, 3)]), 'SHAPE_MISMATCH', 'forwardFolded');
  });

  it('throws NON_FINITE for non-finite weights and INVALID_ARGUMENT for unknown options', () => {
    const weights = fromRows([[Number.POSITIVE_INFINITY]]);
    expectLattnError(() => forwardFolded(weights, [zeros(1, 1)]), 'NON_FINITE', 'forwardFolded');
    expectLattnError(
      () => forwardFolded(zeros(1, 1), [zeros(1, 1)], { space: 'folded' } as never),
      'INVALID_ARGUMENT',
      'forwardFolded',
    );
  });
});
