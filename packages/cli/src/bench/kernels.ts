/**
 * The float64 kernels of `@lattn/core` (ADR 0005, 0007): Gram matrix on one and two threads, matrix product and
 * Cholesky, plus ml-matrix's Gram matrix as the reference point for "about 10× ml-matrix".
 */
import { createRequire } from 'node:module';
import { cholesky, gram, type Matrix, matmul, type Rng } from '@lattn/core';
import type { BenchOperation, BenchSection } from './types.js';

/** The part of ml-matrix's `Matrix` class the reference row uses. */
interface MlMatrixClass {
  new (data: number[][]): { transpose(): { mmul(other: unknown): unknown } };
}

/**
 * ml-matrix is a dependency of `@lattn/core`, not of the CLI: the reference row loads the copy installed next to
 * core, and is skipped with a note when there is none.
 */
function loadMlMatrix(): MlMatrixClass | undefined {
  try {
    const requireFromCore = createRequire(createRequire(import.meta.url).resolve('@lattn/core'));
    return (requireFromCore('ml-matrix') as { Matrix: MlMatrixClass }).Matrix;
  } catch {
    return undefined;
  }
}

function toNestedRows(a: Matrix): number[][] {
  return Array.from({ length: a.rows }, (_, i) => Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
}

/** `XᵀX + D·I` for a Gaussian `(D, D)` `X`: symmetric positive definite and well conditioned. */
function positiveDefinite(size: number, rng: Rng): Matrix {
  const a = gram(rng.normalMatrix(size, size));
  for (let i = 0; i < size; i++) a.data[i * size + i] += size;
  return a;
}

/** `gram` on `threads` threads (the calling one and `threads − 1` workers), against numpy's `A.T @ A`. */
function gramOperation(threads: number): BenchOperation {
  return {
    name: threads === 1 ? 'gram' : `gram-${threads}-threads`,
    convention:
      `AᵀA for A of shape (N, D) with N = D, on ${threads} thread${threads === 1 ? '' : 's'} ` +
      `(workers: ${threads}): N·D·(D+1)`,
    flops: (size) => size * size * (size + 1),
    numpy: { setup: 'A = rng.standard_normal((n, n))', run: 'A.T @ A' },
    prepare: (size, rng) => {
      const a = rng.normalMatrix(size, size);
      return () => gram(a, { workers: threads });
    },
  };
}

/** Gram matrix (one and two threads), GEMM and Cholesky from `@lattn/core`, and ml-matrix's Gram for reference. */
export const kernelsSection: BenchSection = {
  name: 'kernels',
  operations: [
    gramOperation(1),
    gramOperation(2),
    {
      name: 'gemm',
      convention: 'A·B for two (D, D) matrices: 2mnk = 2·D³',
      flops: (size) => 2 * size ** 3,
      numpy: { setup: 'A = rng.standard_normal((n, n)); B = rng.standard_normal((n, n))', run: 'A @ B' },
      prepare: (size, rng) => {
        const a = rng.normalMatrix(size, size);
        const b = rng.normalMatrix(size, size);
        return () => matmul(a, b);
      },
    },
    {
      name: 'cholesky',
      convention: 'L·Lᵀ = A for a (D, D) positive definite A: D³/3',
      flops: (size) => size ** 3 / 3,
      numpy: {
        setup: 'X = rng.standard_normal((n, n)); A = X.T @ X + n * np.eye(n)',
        run: 'np.linalg.cholesky(A)',
      },
      prepare: (size, rng) => {
        const a = positiveDefinite(size, rng);
        return () => cholesky(a);
      },
    },
    {
      name: 'ml-matrix-gram',
      convention: "ml-matrix's A.transpose().mmul(A), the same Gram matrix: N·D·(D+1)",
      sizes: [256, 1024],
      flops: (size) => size * size * (size + 1),
      unavailableReason: () =>
        loadMlMatrix() === undefined ? 'ml-matrix is not installed next to @lattn/core' : undefined,
      prepare: (size, rng) => {
        const MlMatrix = loadMlMatrix() as MlMatrixClass;
        const a = new MlMatrix(toNestedRows(rng.normalMatrix(size, size)));
        return () => a.transpose().mmul(a);
      },
    },
  ],
};
