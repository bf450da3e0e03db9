/**
 * The relaxed-SIMD build, which Node 20 compiles only behind `--experimental-wasm-relaxed-simd` (Node 22 and current
 * browsers enable it by default). The flag is set for this test file's process before the kernels load.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const { plantedSymmetric } = await import('../../__fixtures__/planted-matrices.js');
const { cholesky } = await import('../../cholesky.js');
const { gram } = await import('../../gram.js');
const { accumulateKroneckerGram } = await import('../../accumulate-kronecker-gram.js');
const { createGramAccumulator } = await import('../../gram-accumulator.js');
const { matmul } = await import('../../matmul.js');
const { transpose } = await import('../../transpose.js');
const { createRng } = await import('../../rng.js');
const { expectMatrixClose } = await import('../../testing/index.js');
const { wasmKernels, withBackend } = await import('./instance.js');
const { kernelBackend } = await import('../../kernel-backend.js');

describe('relaxed-SIMD kernels', () => {
  it('are chosen when the runtime validates relaxed SIMD', () => {
    expect(wasmKernels()?.flavor).toBe('relaxed-simd');
    expect(kernelBackend()).toBe('relaxed-simd');
  });

  it.each([1, 7, 65, 129])('agree with the JavaScript kernels to 1e-12 (size %i)', (size) => {
    const rng = createRng(size);
    const a = rng.normalMatrix(size + 3, size);
    const b = rng.normalMatrix(size, 3);
    const values = Array.from({ length: size }, (_, i) => 10 ** ((-12 * i) / Math.max(size - 1, 1)));
    const ill = plantedSymmetric(values, size);
    const left = rng.normalMatrix(40, size);
    const right = rng.normalMatrix(40, 3);
    const run = () => {
      const accumulator = createGramAccumulator(3 * size);
      accumulateKroneckerGram(accumulator, left, right);
      const well = gram(a);
      for (let i = 0; i < size; i++) well.data[i * size + i] += size;
      const illFactor = cholesky(ill).factor;
      return {
        gram: gram(a),
        product: matmul(a, b),
        factor: cholesky(well).factor,
        reconstruction: matmul(illFactor, transpose(illFactor)),
        kronecker: accumulator.gram,
      };
    };
    const fast = run();
    const reference = withBackend('js', run);
    const close = { rtol: 1e-12, relativeToMax: true };
    expectMatrixClose(fast.gram, reference.gram, close);
    expectMatrixClose(fast.product, reference.product, close);
    expectMatrixClose(fast.factor, reference.factor, close);
    // With condition 1e12 the factors themselves may differ by cond · ε where the roundings differ; L Lᵀ may not.
    expectMatrixClose(fast.reconstruction, ill, close);
    expectMatrixClose(reference.reconstruction, ill, close);
    const dim = 3 * size;
    expectMatrixClose(
      { rows: dim, cols: dim, data: fast.kronecker },
      { rows: dim, cols: dim, data: reference.kronecker },
      close,
    );
  });
});
