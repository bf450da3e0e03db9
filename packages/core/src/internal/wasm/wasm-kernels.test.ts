import { describe, expect, it } from 'vitest';
import { viewOf } from '../../__fixtures__/oracles.js';
import { illConditioned, plantedSymmetric } from '../../__fixtures__/planted-matrices.js';
import { cholesky, choleskySolve } from '../../cholesky.js';
import { eigh } from '../../eigh.js';
import { gram } from '../../gram.js';
import { accumulateGram, createGramAccumulator } from '../../gram-accumulator.js';
import { matmul } from '../../matmul.js';
import type { Matrix } from '../../matrix.js';
import { createRng } from '../../rng.js';
import { expectMatrixClose } from '../../testing/index.js';
import { transpose } from '../../transpose.js';
import { addTransposedProductJs } from '../packed-product.js';
import { detectFlavor, instantiate, type WebAssemblyApi, wasmKernels, withBackend } from './instance.js';
import { wasmProductOfArrays } from './product.js';

/** A stand-in `WebAssembly` that validates only the modules `accept` says yes to. */
function standIn(accept: (bytes: Uint8Array) => boolean, compiles = true): WebAssemblyApi {
  return {
    validate: accept,
    Module: class {
      constructor() {
        if (!compiles) throw new Error('synchronous compilation refused');
      }
    },
    Instance: class {
      readonly exports = {};
    },
  } as unknown as WebAssemblyApi;
}

const kernels = wasmKernels();
const simd = kernels?.flavor === 'simd' ? kernels : instantiate('simd');
const relaxed = detectFlavor() === 'relaxed-simd' ? instantiate('relaxed-simd') : undefined;

describe('WASM kernel detection', () => {
  it('chooses relaxed SIMD, then SIMD, then nothing, by validating probe modules', () => {
    expect(detectFlavor(standIn(() => true))).toBe('relaxed-simd');
    let calls = 0;
    expect(detectFlavor(standIn(() => calls++ > 0))).toBe('simd'); // the relaxed probe first, then the SIMD one
    expect(detectFlavor(standIn(() => false))).toBeUndefined();
    expect(detectFlavor({} as WebAssemblyApi)).toBeUndefined(); // a namespace without validate
  });

  it('falls back (undefined) when the runtime refuses to compile synchronously', () => {
    expect(
      instantiate(
        'simd',
        standIn(() => true, false),
      ),
    ).toBeUndefined();
  });

  it('has WASM SIMD on this Node, so the fast paths below are exercised', () => {
    expect(simd?.flavor).toBe('simd');
  });
});

describe('WASM packed product against the JavaScript kernel', () => {
  const cases: [number, number, number, boolean][] = [
    [1, 1, 1, true],
    [3, 7, 5, false],
    [7, 3, 3, true],
    [65, 65, 129, false],
    [129, 65, 65, true],
    [257, 130, 7, false],
    [513, 129, 129, true],
  ];
  it.each(cases)('(n, p, q) = (%i, %i, %i), upper only %s: SIMD bitwise, relaxed SIMD to 1e-12', (n, p, q, upper) => {
    const rng = createRng(n * 7 + p * 3 + q);
    for (const x of [rng.normalMatrix(n, p), illConditioned(n, p, n + p)]) {
      const y = upper ? x : rng.normalMatrix(n, q);
      const cols = upper ? p : q;
      const start = rng.normalMatrix(p, cols).data;
      const expected = start.slice();
      const xv = viewOf(x.data, n, p);
      const yv = upper ? xv : viewOf(y.data, n, q);
      addTransposedProductJs(xv, yv, viewOf(expected, p, cols), -1, upper);
      for (const instance of [simd, relaxed]) {
        if (instance === undefined) continue;
        const actual = start.slice();
        expect(wasmProductOfArrays(instance, xv, yv, viewOf(actual, p, cols), -1, upper)).toBe(true);
        if (instance.flavor === 'simd') expect(actual).toEqual(expected);
        else
          expectMatrixClose(viewOf(actual, p, cols), viewOf(expected, p, cols), { rtol: 1e-12, relativeToMax: true });
      }
    }
  });

  it.runIf(relaxed !== undefined)('runs the relaxed-SIMD build when the runtime supports it', () => {
    expect(relaxed?.flavor).toBe('relaxed-simd');
  });
});

describe('public kernels on the WASM and the JavaScript backends', () => {
  it.each([1, 3, 7, 65, 129])('gram, matmul and accumulateGram agree bitwise for size %i', (size) => {
    const rng = createRng(size);
    const a = rng.normalMatrix(size + 2, size);
    const b = rng.normalMatrix(size, 5);
    const targets = rng.normalMatrix(size + 2, 2);
    const run = () => {
      const accumulator = createGramAccumulator(size, { targetDim: 2 });
      accumulateGram(accumulator, a, targets);
      return [gram(a), matmul(a, b), gram(illConditioned(size + 3, size, size)), accumulator] as const;
    };
    expect(withBackend('wasm', run)).toEqual(withBackend('js', run));
  });

  it.each([1, 7, 65, 130])('cholesky agrees bitwise on well and ill-conditioned matrices (n = %i)', (n) => {
    const well = gram(createRng(n).normalMatrix(n + 5, n));
    const values = Array.from({ length: n }, (_, i) => 10 ** ((-12 * i) / Math.max(n - 1, 1)));
    const ill = plantedSymmetric(values, n);
    for (const a of [well, ill]) {
      const fast = withBackend('wasm', () => cholesky(a));
      expect(fast).toEqual(withBackend('js', () => cholesky(a)));
    }
  });

  it('reports the same failed pivot on both backends for an indefinite matrix', () => {
    const values = [3, 2, 1, -1, 2, 5, 4];
    const a = plantedSymmetric([...values, ...values, ...values, ...values, ...values, ...values, ...values, 1], 9);
    const fast = withBackend('wasm', () => cholesky(a));
    expect(fast.positiveDefinite).toBe(false);
    expect(fast).toEqual(withBackend('js', () => cholesky(a)));
  });

  it('solves one right-hand side like the column path of choleskySolve', () => {
    const n = 131;
    const { factor } = cholesky(gram(createRng(5).normalMatrix(n + 3, n)));
    const b = createRng(6).normalMatrix(n, 2);
    const both = choleskySolve(factor, b);
    for (let c = 0; c < 2; c++) {
      const column = { rows: n, cols: 1, data: Float64Array.from({ length: n }, (_, i) => b.data[i * 2 + c]) };
      const single = choleskySolve(factor, column);
      const expected = { rows: n, cols: 1, data: Float64Array.from({ length: n }, (_, i) => both.data[i * 2 + c]) };
      expectMatrixClose(single, expected, { rtol: 1e-12, relativeToMax: true });
    }
  });

  it.each([3, 7, 65, 130, 257])(
    'eigh agrees to 1e-12 on both backends (tridiagonal update in WASM) for random and graded spectra (n = %i)',
    (n) => {
      const random = gram(createRng(n + 11).normalMatrix(n + 2, n));
      const graded = plantedSymmetric(
        Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * 10 ** ((-12 * i) / Math.max(n - 1, 1))),
        n,
      );
      for (const a of [random, graded]) {
        const fast = withBackend('wasm', () => eigh(a, { vectors: true }));
        const reference = withBackend('js', () => eigh(a, { vectors: true }));
        const vectors = fast.vectors as Matrix;
        expectMatrixClose(
          { rows: 1, cols: n, data: fast.values },
          { rows: 1, cols: n, data: reference.values },
          { rtol: 1e-12, relativeToMax: true, label: 'eigenvalues' },
        );
        // The vectors may differ in sign (or within a cluster); V·diag(λ)·Vᵀ must give back A.
        const scaled = vectors.data.slice();
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled[i * n + j] *= fast.values[j];
        const rebuilt = matmul({ rows: n, cols: n, data: scaled }, transpose(vectors));
        expectMatrixClose(rebuilt, a, { rtol: 1e-12, relativeToMax: true, label: 'V·diag(λ)·Vᵀ' });
      }
    },
  );
});
