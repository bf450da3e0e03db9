import { describe, expect, it } from 'vitest';
import { plantedSymmetric } from '../../__fixtures__/planted-matrices.js';
import { gram } from '../../gram.js';
import { maxEigenvalue } from '../../max-eigenvalue.js';
import { createRng } from '../../rng.js';
import { expectVectorClose } from '../../testing/index.js';
import { multiply } from '../extreme-eigenvalue.js';
import { withBackend } from './instance.js';
import { wasmSymmetricOperator } from './symmetric-operator.js';

describe('wasmSymmetricOperator', () => {
  it.each([1, 2, 3, 7, 65, 130])(
    'gives S·x to 1e-12 of the JavaScript product, reading the lower triangle (n = %i)',
    (n) => {
      const rng = createRng(n + 3);
      const s = gram(rng.normalMatrix(n + 1, n)).data;
      const x = rng.normalMatrix(1, n).data;
      const expected = new Float64Array(n);
      multiply(s, n, x, expected);
      // The upper triangle is garbage: only the lower one may be read.
      const lowerOnly = s.slice();
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) lowerOnly[i * n + j] = Number.NaN;
      const apply = wasmSymmetricOperator(lowerOnly, n);
      if (apply === undefined) throw new Error('this Node has WASM SIMD');
      const actual = new Float64Array(n);
      apply(x, actual);
      expectVectorClose(actual, expected, { rtol: 1e-12, relativeToMax: true });
      // The operator can be applied again, to another vector.
      apply(expected, actual);
      multiply(s, n, expected, x);
      expectVectorClose(actual, x, { rtol: 1e-12, relativeToMax: true });
    },
  );

  it('is undefined on the JavaScript backend', () => {
    expect(withBackend('js', () => wasmSymmetricOperator(new Float64Array(4), 2))).toBeUndefined();
  });
});

describe('maxEigenvalue on both backends', () => {
  it.each([65, 130, 301])('agrees to 1e-12 for random and graded spectra (n = %i)', (n) => {
    const random = gram(createRng(n).normalMatrix(2 * n, n));
    const graded = plantedSymmetric(
      Array.from({ length: n }, (_, i) => 10 ** ((-12 * i) / (n - 1))),
      n,
    );
    for (const a of [random, graded]) {
      const fast = withBackend('wasm', () => maxEigenvalue(a));
      const reference = withBackend('js', () => maxEigenvalue(a));
      expect(fast.method).toBe('lanczos');
      expectVectorClose([fast.value], [reference.value], { rtol: 1e-12 });
      expect(fast.residualNorm).toBeLessThanOrEqual(fast.tolerance);
    }
  });
});
