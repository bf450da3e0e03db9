import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { expectLattnError, fromMl, naiveGram, toMl } from './__fixtures__/oracles.js';
import { illConditioned } from './__fixtures__/planted-matrices.js';
import { gram } from './gram.js';
import { mirrorUpper } from './internal/blocked-copy.js';
import { addTransposedProductJs } from './internal/packed-product.js';
import { wasmKernels, withBackend } from './internal/wasm/instance.js';
import { AUTO_THREAD_FLOPS, MAX_THREADS, productThreads } from './internal/wasm/threads.js';
import { matmul } from './matmul.js';
import { fromRows, type Matrix, toRows, zeros } from './matrix.js';
import { createRng } from './rng.js';
import { expectLattnError as expectHouseError, expectMatrixClose } from './testing/index.js';
import { transpose } from './transpose.js';

/** `AᵀA` by the JavaScript kernel on one thread: the reference of the WASM kernel and its threads. */
function referenceGram(a: Matrix): Matrix {
  const n = a.cols;
  const data = new Float64Array(n * n);
  const v = { data: a.data, offset: 0, stride: n, rows: a.rows, cols: n };
  addTransposedProductJs(v, v, { data, offset: 0, stride: n, rows: n, cols: n }, 1, true);
  mirrorUpper(data, n);
  return { rows: n, cols: n, data };
}

const kernels = wasmKernels();

describe('gram', () => {
  it('computes AᵀA of a small matrix exactly', () => {
    expect(
      toRows(
        gram(
          fromRows([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    ).toEqual([
      [10, 14],
      [14, 20],
    ]);
  });

  it.each([
    [1, 1],
    [3, 7],
    [7, 3],
    [65, 65],
    [130, 7],
    [7, 130],
    [300, 130],
  ])(
    'matches the naive sum and ml-matrix for (%i, %i), shapes that do not fill a tile, slab or block',
    (rows, cols) => {
      const a = createRng(rows + 1000 * cols).normalMatrix(rows, cols);
      const g = gram(a);
      expectMatrixClose(g, naiveGram(a), { rtol: 1e-13, relativeToMax: true, label: 'vs naive' });
      expectMatrixClose(g, fromMl(toMl(a).transpose().mmul(toMl(a))), {
        rtol: 1e-13,
        relativeToMax: true,
        label: 'vs ml',
      });
    },
  );

  it('equals matmul(transpose(a), a)', () => {
    const a = createRng(5).normalMatrix(290, 101);
    expectMatrixClose(gram(a), matmul(transpose(a), a), { rtol: 1e-14, relativeToMax: true });
  });

  it('is exactly symmetric', () => {
    const g = gram(createRng(6).normalMatrix(40, 67));
    expectMatrixClose(g, transpose(g), { rtol: 0 });
  });

  it('returns the exact Gram matrix of integer data', () => {
    const rng = createRng(8);
    const data = new Float64Array(257 * 50);
    for (let i = 0; i < data.length; i++) data[i] = rng.integer(-5, 6);
    const a: Matrix = { rows: 257, cols: 50, data };
    expectMatrixClose(gram(a), naiveGram(a), { rtol: 0 });
  });

  it('gives a (cols, cols) zero matrix for a matrix with no rows and (0, 0) for no columns', () => {
    expect(toRows(gram(zeros(0, 2)))).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(gram(zeros(5, 0))).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
  });

  it('does not modify its input', () => {
    const a = createRng(9).normalMatrix(20, 10);
    const copy = a.data.slice();
    gram(a);
    expect(a.data).toEqual(copy);
  });

  // The WASM kernel checks finiteness while it packs `a` (no separate scan); 600 × 301 runs on worker threads.
  it.each([
    ['wasm', 1],
    ['wasm', 2],
    ['js', 1],
  ] as const)('names the first NaN or ±Infinity of a large matrix (%s kernels, %i thread(s))', (backend, workers) => {
    const a = createRng(21).normalMatrix(600, 301);
    a.data[599 * 301 + 300] = Number.NaN;
    a.data[433 * 301 + 7] = Number.POSITIVE_INFINITY;
    a.data[433 * 301 + 9] = Number.NaN;
    const lastOnly = createRng(22).normalMatrix(600, 301); // the last column: a partial panel, packed entry by entry
    lastOnly.data[599 * 301 + 300] = Number.NEGATIVE_INFINITY;
    withBackend(backend, () => {
      expectLattnError(() => gram(a, { workers }), 'NON_FINITE', [
        'gram: a contains a non-finite value at entry (433, 7). Expected finite numbers; received Infinity.',
      ]);
      expectLattnError(() => gram(lastOnly, { workers }), 'NON_FINITE', ['at entry (599, 300)', 'received -Infinity']);
    });
  });

  it('throws NON_FINITE for NaN and INVALID_ARGUMENT for a non-matrix', () => {
    expectLattnError(() => gram(fromRows([[1, Number.NEGATIVE_INFINITY]])), 'NON_FINITE', [
      'gram: a contains a non-finite value at entry (0, 1)',
    ]);
    expectLattnError(() => gram({ rows: 1, cols: 1, data: [1] } as unknown as Matrix), 'INVALID_ARGUMENT', [
      'gram: a is not a matrix',
    ]);
  });

  describe('on worker threads', () => {
    it('runs the threaded path in this runtime: explicit counts are honoured, auto uses every core when large', () => {
      if (kernels === undefined) throw new Error('this Node has WASM SIMD; the threaded path must be reachable');
      expect(productThreads(kernels, 1, 2)).toBe(2);
      expect(productThreads(kernels, 1, 3)).toBe(3);
      expect(productThreads(kernels, AUTO_THREAD_FLOPS - 1, 'auto')).toBe(1);
      expect(productThreads(kernels, AUTO_THREAD_FLOPS, 'auto')).toBe(Math.min(MAX_THREADS, availableParallelism()));
      expect(productThreads(kernels, 1, 100)).toBe(MAX_THREADS);
    });

    // 600 × 301 is 5.4e7 flops, just above the 'auto' threshold; 301 and 131 columns leave partial tiles and blocks.
    it.each([
      [1, 1],
      [257, 131],
      [600, 301],
      [5, 517],
    ])(
      'gives bitwise the same (%i, %i) Gram on 1, 2 and 3 workers and auto, equal to the JavaScript kernel',
      (rows, cols) => {
        const rng = createRng(rows * 31 + cols);
        for (const a of [rng.normalMatrix(rows, cols), illConditioned(rows, cols, rows + cols)]) {
          const one = gram(a, { workers: 1 });
          for (const workers of [2, 3, 'auto'] as const) {
            expectMatrixClose(gram(a, { workers }), one, { rtol: 0, label: `workers ${workers} vs 1` });
          }
          const reference = referenceGram(a);
          // The plain SIMD build repeats the JavaScript kernel's operations; relaxed SIMD fuses them (1e-12).
          if (kernels?.flavor === 'simd') expectMatrixClose(one, reference, { rtol: 0, label: 'vs JavaScript kernel' });
          expectMatrixClose(one, reference, { rtol: 1e-12, relativeToMax: true, label: 'vs JavaScript kernel' });
          expectMatrixClose(one, fromMl(toMl(a).transpose().mmul(toMl(a))), {
            rtol: 1e-12,
            relativeToMax: true,
            label: 'vs ml-matrix',
          });
        }
      },
    );

    it('accepts more workers than cores or rows', () => {
      const a = createRng(12).normalMatrix(9, 6);
      expect(gram(a, { workers: 64 })).toEqual(gram(a, { workers: 1 }));
    });
  });

  it.each([
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    ['many', "'many'"],
    [{}, 'an object'],
    [null, 'null'],
  ])('throws INVALID_ARGUMENT in the house template for workers %s', (workers, received) => {
    expectHouseError(() => gram(fromRows([[1]]), { workers: workers as never }), 'INVALID_ARGUMENT', 'gram', [
      'options.workers',
      "'auto' or an integer >= 1",
      `received ${received}`,
    ]);
  });

  it('throws INVALID_ARGUMENT for an unknown option', () => {
    expectHouseError(() => gram(fromRows([[1]]), { threads: 2 } as never), 'INVALID_ARGUMENT', 'gram', [
      "'threads'",
      "'workers'",
    ]);
  });
});
