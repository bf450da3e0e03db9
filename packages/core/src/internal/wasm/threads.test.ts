import { describe, expect, it } from 'vitest';
import { viewOf } from '../../__fixtures__/oracles.js';
import { createRng } from '../../rng.js';
import { expectMatrixClose } from '../../testing/index.js';
import { addTransposedProductJs } from '../packed-product.js';
import { instantiate, MR, wasmKernels } from './instance.js';
import { splitRows, wasmProductOfArrays } from './product.js';
import { productThreads } from './threads.js';

/** The work of rows `from … to` of a `(p, q)` product, `q − i` entries per row `i` for an upper triangle. */
function work(from: number, to: number, q: number, upper: boolean): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += upper ? q - i : q;
  return sum;
}

describe('splitRows', () => {
  it.each([
    [1, 1, true, 2],
    [7, 7, true, 3],
    [301, 301, true, 2],
    [301, 301, true, 3],
    [2048, 2048, true, 2],
    [517, 9, false, 2],
    [1000, 1000, false, 8],
  ])(
    'cuts %i rows of a (p, %i) product (upper %s) into at most %i ranges at multiples of MR with balanced work',
    (p, q, upper, parts) => {
      const bounds = splitRows(p, q, upper, parts);
      expect(bounds[0]).toBe(0);
      expect(bounds.at(-1)).toBe(p);
      expect(bounds.length - 1).toBeLessThanOrEqual(parts);
      for (let t = 1; t < bounds.length; t++) {
        expect(bounds[t]).toBeGreaterThan(bounds[t - 1]);
        if (t < bounds.length - 1) expect(bounds[t] % MR).toBe(0);
      }
      if (bounds.length - 1 === parts) {
        // Rounding to MR rows moves at most MR rows' work (at most q each) from one range to the next.
        const share = work(0, p, q, upper) / parts;
        for (let t = 1; t < bounds.length; t++) {
          expect(Math.abs(work(bounds[t - 1], bounds[t], q, upper) - share)).toBeLessThanOrEqual(MR * q);
        }
      }
    },
  );
});

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
