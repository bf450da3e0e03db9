/**
 * The decompositions of `@lattn/core`: symmetric eigendecomposition (values only, and with vectors), the extreme
 * eigenvalues, and the thin SVD, on dense Gaussian matrices.
 */
import { eigh, type Matrix, maxEigenvalue, minEigenvalue, type Rng, svd } from '@lattn/core';
import type { BenchSection } from './types.js';

/** `(X + Xᵀ) / 2` for a Gaussian `(D, D)` `X`: exactly symmetric, with a spread-out spectrum. */
function symmetric(size: number, rng: Rng): Matrix {
  const x = rng.normalMatrix(size, size);
  const data = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) data[i * size + j] = (x.data[i * size + j] + x.data[j * size + i]) / 2;
  }
  return { rows: size, cols: size, data };
}

const SYMMETRIC_SETUP = 'X = rng.standard_normal((n, n)); A = (X + X.T) / 2';

/** `eigh` with and without vectors, `minEigenvalue`, `maxEigenvalue`, and `svd` with vectors. */
export const decompositionsSection: BenchSection = {
  name: 'decompositions',
  operations: [
    {
      name: 'eigh-values',
      convention: 'eigenvalues of a (D, D) symmetric matrix: 4·D³/3',
      flops: (size) => (4 * size ** 3) / 3,
      numpy: { setup: SYMMETRIC_SETUP, run: 'np.linalg.eigvalsh(A)' },
      prepare: (size, rng) => {
        const a = symmetric(size, rng);
        return () => eigh(a, { vectors: false });
      },
    },
    {
      name: 'eigh-vectors',
      convention: 'eigenvalues and eigenvectors of a (D, D) symmetric matrix: 9·D³',
      flops: (size) => 9 * size ** 3,
      numpy: { setup: SYMMETRIC_SETUP, run: 'np.linalg.eigh(A)' },
      prepare: (size, rng) => {
        const a = symmetric(size, rng);
        return () => eigh(a);
      },
    },
    {
      name: 'min-eigenvalue',
      convention: 'the smallest eigenvalue of a (D, D) symmetric matrix (minEigenvalue; numpy: eigvalsh(A)[0]): 4·D³/3',
      flops: (size) => (4 * size ** 3) / 3,
      numpy: { setup: SYMMETRIC_SETUP, run: 'np.linalg.eigvalsh(A)[0]' },
      prepare: (size, rng) => {
        const a = symmetric(size, rng);
        return () => minEigenvalue(a);
      },
    },
    {
      name: 'max-eigenvalue',
      convention: 'the largest eigenvalue of a (D, D) symmetric matrix (maxEigenvalue; numpy: eigvalsh(A)[-1]): 4·D³/3',
      flops: (size) => (4 * size ** 3) / 3,
      numpy: { setup: SYMMETRIC_SETUP, run: 'np.linalg.eigvalsh(A)[-1]' },
      prepare: (size, rng) => {
        const a = symmetric(size, rng);
        return () => maxEigenvalue(a);
      },
    },
    {
      name: 'svd',
      convention: 'thin SVD with vectors of a (D, D) matrix: 4mn² + 8n³ = 12·D³',
      flops: (size) => 12 * size ** 3,
      numpy: { setup: 'A = rng.standard_normal((n, n))', run: 'np.linalg.svd(A, full_matrices=False)' },
      prepare: (size, rng) => {
        const a = rng.normalMatrix(size, size);
        return () => svd(a);
      },
    },
  ],
};
