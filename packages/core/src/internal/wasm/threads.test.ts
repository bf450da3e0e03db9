import { describe, expect, it } from 'vitest';
import { viewOf } from '../../__fixtures__/oracles.js';
import { createRng } from '../../rng.js';
import { expectMatrixClose } from '../../testing/index.js';
import { addTransposedProductJs } from '../packed-product.js';
import { instantiate, layout, view, wasmKernels } from './instance.js';
import { productScratch, wasmProduct, wasmProductOfArrays } from './product.js';
import { productThreads } from './threads.js';

describe('worker threads fallback', () => {
  const own = instantiate('simd');

  it('uses one thread on a module that owns an ordinary (not shared) memory, whatever is asked', () => {
    expect(own?.shared).toBeUndefined();
    if (own === undefined) throw new Error('this Node has WASM SIMD');
    expect(productThreads(own, 1e12, 'auto')).toBe(1);
    expect(productThreads(own, 1e12, 4)).toBe(1);
  });

  it('runs every range on the calling thread, bitwise equal to the JavaScript kernel, where no worker can start', () => {
    if (own === undefined) throw new Error('this Node has WASM SIMD');
    const rng = createRng(41);
    const x = rng.normalMatrix(300, 133);
    const start = rng.normalMatrix(133, 133).data;
    const expected = start.slice();
    addTransposedProductJs(viewOf(x.data, 300, 133), viewOf(x.data, 300, 133), viewOf(expected, 133, 133), 1, true);
    const actual = start.slice();
    const xv = viewOf(x.data, 300, 133);
    expect(wasmProductOfArrays(own, xv, xv, viewOf(actual, 133, 133), 1, true, 3)).toBe(true);
    expectMatrixClose(viewOf(actual, 133, 133), viewOf(expected, 133, 133), { rtol: 0 });
  });

  it('starts workers on the shared memory of the default instance', () => {
    const kernels = wasmKernels();
    expect(kernels?.shared).toBeDefined();
    if (kernels === undefined) throw new Error('this Node has WASM SIMD');
    expect(productThreads(kernels, 1, 2)).toBe(2);
  });
});

describe('units of rows claimed by threads', () => {
  const kernels = wasmKernels();

  // 517 columns: five units of 128 rows, the last one partial, and edge tiles; 300 rows: two slabs, one partial.
  it.each([1, 2, 3])(
    'writes over NaN-filled memory with overwrite and mirror on %i thread(s): bitwise the zero-filled JavaScript result',
    (threads) => {
      if (kernels === undefined) throw new Error('this Node has WASM SIMD');
      const [n, p] = [300, 517];
      const x = createRng(threads).normalMatrix(n, p);
      const expected = new Float64Array(p * p);
      addTransposedProductJs(viewOf(x.data, n, p), viewOf(x.data, n, p), viewOf(expected, p, p), 1, true);
      for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) expected[i * p + j] = expected[j * p + i];
      const [xAddress, cAddress, ...scratch] =
        layout(kernels, [n * p, p * p, ...productScratch(n, p, p, threads)]) ?? [];
      view(kernels, xAddress, n * p).set(x.data);
      view(kernels, cAddress, p * p).fill(Number.NaN);
      const operand = { address: xAddress, stride: p, rows: n, cols: p };
      wasmProduct(kernels, operand, operand, { address: cAddress, stride: p }, 1, true, scratch, {
        threads,
        mirror: true,
        overwrite: true,
      });
      const rtol = kernels.flavor === 'simd' ? 0 : 1e-12;
      expectMatrixClose(viewOf(view(kernels, cAddress, p * p).slice(), p, p), viewOf(expected, p, p), {
        rtol,
        relativeToMax: true,
      });
    },
  );

  it('overwrites with zeros when X has no rows, and leaves the lower triangle of an upper product alone', () => {
    if (kernels === undefined) throw new Error('this Node has WASM SIMD');
    const [xAddress, cAddress, ...scratch] = layout(kernels, [1, 9, ...productScratch(0, 3, 3)]) ?? [];
    view(kernels, cAddress, 9).fill(Number.NaN);
    const operand = { address: xAddress, stride: 3, rows: 0, cols: 3 };
    wasmProduct(kernels, operand, operand, { address: cAddress, stride: 3 }, 1, true, scratch, { overwrite: true });
    expect(Array.from(view(kernels, cAddress, 9))).toEqual([0, 0, 0, Number.NaN, 0, 0, Number.NaN, Number.NaN, 0]);
  });
});
