import { createRng, type Matrix } from '@lattn/core';
import { expectLattnError } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { gaussianSequences, zeroCoordinate } from './__fixtures__/oracle.js';
import { certifyIdentifiability } from './certify.js';
import { designDataset } from './design-dataset.js';

/**
 * 120 candidates with d = 3 (D = 18): one in ten is a rich sequence of 4 tokens; the others are single tokens
 * (which can never excite more than 10 directions) or sequences with coordinate 2 always zero.
 */
function mixedPool(seed: number): Matrix[] {
  const rng = createRng(seed);
  return Array.from({ length: 120 }, (_, b) => {
    if (b % 10 === 3) return rng.normalMatrix(4, 3);
    return b % 2 === 0 ? rng.normalMatrix(1, 3) : zeroCoordinate(rng.normalMatrix(4, 3), 2);
  });
}

describe('designDataset', () => {
  it.each(['d-optimal', 'min-eigenvalue'] as const)(
    'picks a certifying subset smaller than random selection needs (%s)',
    (criterion) => {
      const pool = mixedPool(1);
      const design = designDataset(pool, { criterion });
      expect(design.certified).toBe(true);
      expect(design.criterion).toBe(criterion);
      expect(design.poolSize).toBe(120);
      expect(new Set(design.indices).size).toBe(design.indices.length);
      const chosen = design.indices.map((b) => pool[b]);
      expect(certifyIdentifiability(chosen).identifiable).toBe(true);
      // The greedy stops at the first subset that certifies.
      expect(certifyIdentifiability(chosen.slice(0, -1)).identifiable).toBe(false);
      expect(design.numExamples).toBe(chosen.reduce((sum, z) => sum + z.rows, 0));
      expect(design.randomSize).not.toBeNull();
      expect(design.indices.length).toBeLessThan(design.randomSize as number);
      expect(design.certificate.identifiable).toBe(true);
    },
  );

  it('measures random selection on the seeded order, as certifyIdentifiability confirms', () => {
    const pool = mixedPool(2);
    const design = designDataset(pool, { seed: 9 });
    const order = createRng(9).shuffle(Array.from({ length: pool.length }, (_, b) => b));
    const size = design.randomSize as number;
    expect(certifyIdentifiability(order.slice(0, size).map((b) => pool[b])).identifiable).toBe(true);
    expect(certifyIdentifiability(order.slice(0, size - 1).map((b) => pool[b])).identifiable).toBe(false);
    expect(design.randomNumExamples).toBe(order.slice(0, size).reduce((sum, b) => sum + pool[b].rows, 0));
  });

  it("designs for mode 'last', where each sequence is one example", () => {
    const rng = createRng(3);
    const pool = Array.from({ length: 150 }, (_, b) => (b % 3 === 0 ? rng.normalMatrix(3, 2) : rng.normalMatrix(1, 2)));
    const design = designDataset(pool, { mode: 'last' });
    expect(design.certified).toBe(true);
    expect(design.numExamples).toBe(design.indices.length);
    expect(design.indices.length).toBeGreaterThanOrEqual(6);
    expect(
      certifyIdentifiability(
        design.indices.map((b) => pool[b]),
        { mode: 'last' },
      ).identifiable,
    ).toBe(true);
  });

  it('reports a pool that can never certify, and respects maxSize', () => {
    const pool = gaussianSequences(4, 40, 1, 3);
    const design = designDataset(pool, { maxSize: 12 });
    expect(design.certified).toBe(false);
    expect(design.indices).toHaveLength(12);
    expect(design.randomSize).toBeNull();
    expect(design.randomNumExamples).toBeNull();
    expect(design.certificate.rank).toBe(10);
    expect(design.certificate.reasons.join('\n')).toContain('are equal on every example');
  });

  it('is deterministic', () => {
    const pool = mixedPool(5);
    expect(designDataset(pool, { seed: 2 })).toEqual(designDataset(pool, { seed: 2 }));
  });

  it('rejects empty pools and bad options', () => {
    const pool = mixedPool(6);
    expectLattnError(() => designDataset([]), 'INVALID_ARGUMENT', 'designDataset', ['pool']);
    expectLattnError(
      () => designDataset(pool, { criterion: 'a-optimal' as never }),
      'INVALID_ARGUMENT',
      'designDataset',
      ['criterion'],
    );
    expectLattnError(() => designDataset(pool, { maxSize: 121 }), 'INVALID_ARGUMENT', 'designDataset', ['maxSize']);
    expectLattnError(() => designDataset(pool, { size: 3 } as never), 'INVALID_ARGUMENT', 'designDataset', ["'size'"]);
  });
});
