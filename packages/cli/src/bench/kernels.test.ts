import { createRng, gram, type Matrix } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { kernelsSection } from './kernels.js';

function operation(name: string) {
  const found = kernelsSection.operations.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no operation ${name}`);
  return found;
}

describe('kernelsSection', () => {
  it('counts flops by the stated conventions', () => {
    expect(operation('gram').flops(10)).toBe(10 * 10 * 11);
    expect(operation('gram-2-threads').flops(10)).toBe(10 * 10 * 11);
    expect(operation('gemm').flops(10)).toBe(2000);
    expect(operation('cholesky').flops(3)).toBe(9);
  });

  it('benchmarks the Cholesky factorisation of a positive definite matrix', () => {
    const result = operation('cholesky').prepare(12, createRng(1))() as { positiveDefinite: boolean };
    expect(result.positiveDefinite).toBe(true);
  });

  it("finds ml-matrix next to @lattn/core, and its reference row computes the same Gram matrix as gram's", () => {
    const reference = operation('ml-matrix-gram');
    expect(reference.unavailableReason?.()).toBeUndefined();
    const size = 7;
    const ml = reference.prepare(size, createRng(size))() as { to2DArray(): number[][] };
    const ours = operation('gram').prepare(size, createRng(size))() as Matrix;
    expectMatrixClose(ml.to2DArray(), ours, { rtol: 1e-13, relativeToMax: true });
    expectMatrixClose(ours, gram(createRng(size).normalMatrix(size, size)), { rtol: 0 });
  });

  it('times the same Gram matrix on two threads as on one, with the same numpy reference', () => {
    const size = 260;
    const one = operation('gram').prepare(size, createRng(size))() as Matrix;
    const two = operation('gram-2-threads').prepare(size, createRng(size))() as Matrix;
    expectMatrixClose(two, one, { rtol: 0 });
    expect(operation('gram-2-threads').numpy).toEqual(operation('gram').numpy);
  });
});
