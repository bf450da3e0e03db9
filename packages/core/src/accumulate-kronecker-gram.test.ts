import { describe, expect, it } from 'vitest';
import { expectLattnError } from './__fixtures__/oracles.js';
import { illConditioned } from './__fixtures__/planted-matrices.js';
import { accumulateKroneckerGram } from './accumulate-kronecker-gram.js';
import { accumulateGram, createGramAccumulator, type GramAccumulator, gramMoments } from './gram-accumulator.js';
import { withBackend } from './internal/wasm/instance.js';
import { fromRows, type Matrix, toRows } from './matrix.js';
import { createRng } from './rng.js';
import { expectMatrixClose } from './testing/index.js';

/** The explicit rows `left_r ⊗ right_r`, `(n, P·R)`. */
function kroneckerRows(left: Matrix, right: Matrix): Matrix {
  const dim = left.cols * right.cols;
  const data = new Float64Array(left.rows * dim);
  for (let r = 0; r < left.rows; r++) {
    for (let p = 0; p < left.cols; p++) {
      for (let l = 0; l < right.cols; l++) {
        data[r * dim + p * right.cols + l] = left.data[r * left.cols + p] * right.data[r * right.cols + l];
      }
    }
  }
  return { rows: left.rows, cols: dim, data };
}

function expectSameMoments(actual: GramAccumulator, expected: GramAccumulator): void {
  const a = gramMoments(actual);
  const e = gramMoments(expected);
  expect(a.count).toBe(e.count);
  expectMatrixClose(a.gram, e.gram, { rtol: 1e-12, relativeToMax: true, label: 'gram' });
  expectMatrixClose(a.cross, e.cross, { rtol: 1e-12, relativeToMax: true, label: 'cross' });
  expectMatrixClose(a.targetGram, e.targetGram, { rtol: 1e-12, relativeToMax: true, label: 'targetGram' });
}

describe('accumulateKroneckerGram', () => {
  it('accumulates the Gram of the documented example', () => {
    const accumulator = createGramAccumulator(6);
    accumulateKroneckerGram(accumulator, fromRows([[1, 2, 3]]), fromRows([[1, -1]]));
    expect(toRows(gramMoments(accumulator).gram)[1]).toEqual([-1, 1, -2, 2, -3, 3]);
    expect(accumulator.count).toBe(1);
  });

  it.each([
    [1, 1, 1],
    [3, 3, 2],
    [65, 7, 5],
    [300, 10, 4],
    [257, 36, 8],
  ])(
    'equals accumulateGram on the explicit rows to 1e-12 (n = %i, P = %i, R = %i; random and ill-conditioned; WASM and JavaScript)',
    (n, p, r) => {
      const rng = createRng(n + 10 * p + 100 * r);
      const targets = rng.normalMatrix(n, 2);
      for (const left of [rng.normalMatrix(n, p), illConditioned(n, p, p, 6)]) {
        const right = rng.normalMatrix(n, r);
        const expected = createGramAccumulator(p * r, { targetDim: 2 });
        accumulateGram(expected, kroneckerRows(left, right), targets);
        for (const backend of ['wasm', 'js'] as const) {
          const actual = createGramAccumulator(p * r, { targetDim: 2 });
          withBackend(backend, () => accumulateKroneckerGram(actual, left, right, targets));
          expectSameMoments(actual, expected);
          expect(strictlyLowerIsZero(actual)).toBe(true);
        }
      }
    },
  );

  it('adds to what the accumulator holds, chunk after chunk, without targets', () => {
    const rng = createRng(3);
    const left = rng.normalMatrix(50, 6);
    const right = rng.normalMatrix(50, 3);
    const chunked = createGramAccumulator(18);
    accumulateKroneckerGram(chunked, sliceRows(left, 0, 20), sliceRows(right, 0, 20));
    accumulateKroneckerGram(chunked, sliceRows(left, 20, 50), sliceRows(right, 20, 50));
    accumulateKroneckerGram(chunked, sliceRows(left, 50, 50), sliceRows(right, 50, 50));
    const whole = createGramAccumulator(18);
    accumulateGram(whole, kroneckerRows(left, right));
    expectSameMoments(chunked, whole);
  });

  it('throws SHAPE_MISMATCH, INVALID_ARGUMENT or NON_FINITE before touching the accumulator', () => {
    const accumulator = createGramAccumulator(6, { targetDim: 1 });
    const left = fromRows([[1, 2, 3]]);
    const right = fromRows([[1, 2]]);
    const y = fromRows([[1]]);
    expectLattnError(() => accumulateKroneckerGram(accumulator, left, fromRows([[1, 2, 3]]), y), 'SHAPE_MISMATCH', [
      'accumulateKroneckerGram: the Kronecker rows have the wrong length',
      'left (1, 3) and right (1, 3)',
    ]);
    expectLattnError(
      () =>
        accumulateKroneckerGram(
          accumulator,
          left,
          fromRows([
            [1, 2],
            [3, 4],
          ]),
          y,
        ),
      'SHAPE_MISMATCH',
    );
    expectLattnError(() => accumulateKroneckerGram(accumulator, left, right), 'INVALID_ARGUMENT', [
      'targets are missing',
    ]);
    expectLattnError(
      () => accumulateKroneckerGram(accumulator, fromRows([[1, Number.NaN, 3]]), right, y),
      'NON_FINITE',
    );
    expectLattnError(() => accumulateKroneckerGram({} as GramAccumulator, left, right, y), 'INVALID_ARGUMENT');
    expect(accumulator.count).toBe(0);
    expect(accumulator.gram.every((value) => value === 0)).toBe(true);
  });

  it('throws NON_FINITE for factors whose pair products overflow though the rows are moderate (regression: gram held Infinity for left 1e200, right 1e-100)', () => {
    for (const backend of ['js', 'wasm'] as const) {
      withBackend(backend, () => {
        const accumulator = createGramAccumulator(1);
        expectLattnError(
          () => accumulateKroneckerGram(accumulator, fromRows([[1e200]]), fromRows([[1e-100]])),
          'NON_FINITE',
          [
            'accumulateKroneckerGram: the pair products of left overflow float64',
            'received left entries as large as 1e+200',
          ],
        );
        expect([accumulator.count, accumulator.gram[0]]).toEqual([0, 0]);
        // The cure the message names: the same row with the power of two moved to the other factor.
        accumulateKroneckerGram(accumulator, fromRows([[1e200 * 2 ** -400]]), fromRows([[1e-100 * 2 ** 400]]));
        expectMatrixClose(gramMoments(accumulator).gram, fromRows([[1e200]]), { rtol: 1e-14 });
      });
    }
  });

  it('throws NON_FINITE when a diagonal sum would pass 2^1023, leaving earlier chunks intact (regression: silently Infinity)', () => {
    const rng = createRng(5);
    const left = rng.normalMatrix(4, 3);
    const right = rng.normalMatrix(4, 2);
    const y = rng.normalMatrix(4, 1);
    for (const backend of ['js', 'wasm'] as const) {
      withBackend(backend, () => {
        const accumulator = createGramAccumulator(6, { targetDim: 1 });
        accumulateKroneckerGram(accumulator, left, right, y);
        const huge = fromRows([[1e150, 1, 1]]);
        expectLattnError(
          () => accumulateKroneckerGram(accumulator, huge, fromRows([[1e10, 1]]), fromRows([[1]])),
          'NON_FINITE',
          [
            'accumulateKroneckerGram: the sums of squares of the Kronecker rows overflow float64 at accumulator.gram entry (0, 0)',
          ],
        );
        expectLattnError(
          () => accumulateKroneckerGram(accumulator, fromRows([[1, 1, 1]]), fromRows([[1, 1]]), fromRows([[1e160]])),
          'NON_FINITE',
          ['the sums of squares of targets overflow float64 at accumulator.targetGram entry (0, 0)'],
        );
        const fresh = createGramAccumulator(6, { targetDim: 1 });
        accumulateKroneckerGram(fresh, left, right, y);
        expect(Array.from(accumulator.gram)).toEqual(Array.from(fresh.gram));
        expect(Array.from(accumulator.targetGram)).toEqual(Array.from(fresh.targetGram));
        expect(accumulator.count).toBe(4);
      });
    }
  });

  it('accepts rows right below the limit and gives their exact moments', () => {
    // x = 2^511 · 2^0: x² = 2^1022 <= 2^1023 on the diagonal, one row.
    const accumulator = createGramAccumulator(1);
    accumulateKroneckerGram(accumulator, fromRows([[2 ** 255]]), fromRows([[2 ** 256]]));
    expect(gramMoments(accumulator).gram.data[0]).toBe(2 ** 1022);
  });
});

function strictlyLowerIsZero(accumulator: GramAccumulator): boolean {
  const dim = accumulator.dim;
  for (let i = 1; i < dim; i++) for (let j = 0; j < i; j++) if (accumulator.gram[i * dim + j] !== 0) return false;
  return true;
}

function sliceRows(a: Matrix, from: number, to: number): Matrix {
  return { rows: to - from, cols: a.cols, data: a.data.slice(from * a.cols, to * a.cols) };
}
