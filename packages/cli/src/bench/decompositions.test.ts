import { createRng, type EighResult, type ExtremeEigenvalue, type SvdResult } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { decompositionsSection } from './decompositions.js';

function operation(name: string) {
  const found = decompositionsSection.operations.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no operation ${name}`);
  return found;
}

describe('decompositionsSection', () => {
  it('counts flops by the stated conventions', () => {
    expect(operation('eigh-values').flops(3)).toBe(36);
    expect(operation('eigh-vectors').flops(2)).toBe(72);
    expect(operation('svd').flops(2)).toBe(96);
  });

  it('times eigh without and with vectors on a symmetric matrix, and svd with vectors', () => {
    const values = operation('eigh-values').prepare(6, createRng(1))() as EighResult;
    expect(values.values).toHaveLength(6);
    expect(values.vectors).toBeUndefined();
    const vectors = operation('eigh-vectors').prepare(6, createRng(1))() as EighResult;
    expect(vectors.vectors?.rows).toBe(6);
    const decomposition = operation('svd').prepare(6, createRng(1))() as SvdResult;
    expect(decomposition.u?.cols).toBe(6);
    expect(decomposition.s).toHaveLength(6);
  });

  it('times the extreme eigenvalues of the same symmetric matrix as eigh', () => {
    const { values } = operation('eigh-values').prepare(40, createRng(2))() as EighResult;
    const min = operation('min-eigenvalue').prepare(40, createRng(2))() as ExtremeEigenvalue;
    const max = operation('max-eigenvalue').prepare(40, createRng(2))() as ExtremeEigenvalue;
    expectVectorClose([min.value, max.value], [values[0], values[39]], { rtol: 1e-10 });
    expect(operation('min-eigenvalue').flops(3)).toBe(36);
  });
});
