import { describe, expect, it } from 'vitest';
import { findNumpy, referenceEnvironment, timeWithNumpy } from './numpy.js';

const runtime = findNumpy();
const note = runtime === undefined ? ' [SKIPPED: no python3 with numpy on PATH or at /usr/bin/python3]' : '';

describe('referenceEnvironment', () => {
  const env = {
    PATH: '/bin',
    OPENBLAS_CORETYPE: 'Haswell',
    OPENBLAS_L2_SIZE: '262144',
    OPENBLAS_NUM_THREADS: '8',
    OMP_NUM_THREADS: '8',
  };

  it('pins every BLAS thread variable to 1 and drops the OpenBLAS pinning variables for one thread', () => {
    expect(referenceEnvironment(env, true)).toEqual({
      PATH: '/bin',
      OPENBLAS_NUM_THREADS: '1',
      OMP_NUM_THREADS: '1',
      MKL_NUM_THREADS: '1',
    });
  });

  it('leaves numpy its default threads otherwise, and does not modify the environment it is given', () => {
    const copy = { ...env };
    expect(referenceEnvironment(env, false)).toEqual({ PATH: '/bin' });
    expect(env).toEqual(copy);
  });
});

describe(`timeWithNumpy${note}`, () => {
  it.skipIf(runtime === undefined)(
    'times each case and keys it by operation and size',
    () => {
      const cases = [
        { operation: 'gram', size: 8, setup: 'A = rng.standard_normal((n, n))', run: 'A.T @ A' },
        { operation: 'gram', size: 16, setup: 'A = rng.standard_normal((n, n))', run: 'A.T @ A' },
      ];
      const options = { repeats: 1, minSampleSeconds: 0.001, singleRunSeconds: 5 };
      const result = timeWithNumpy(runtime as NonNullable<typeof runtime>, cases, options, true);
      expect(result.threads).toBe('1 thread');
      expect([...result.timings.keys()]).toEqual(['gram@8', 'gram@16']);
      for (const timing of result.timings.values()) {
        expect(timing.seconds).toBeGreaterThan(0);
        expect(timing.runs).toBeGreaterThanOrEqual(2);
      }
    },
    60_000,
  );

  it.skipIf(runtime === undefined)(
    "throws with Python's error when a snippet is broken",
    () => {
      const cases = [{ operation: 'broken', size: 2, setup: 'A = undefined_name', run: 'A' }];
      const options = { repeats: 1, minSampleSeconds: 0.001, singleRunSeconds: 5 };
      expect(() => timeWithNumpy(runtime as NonNullable<typeof runtime>, cases, options, false)).toThrow(
        /numpy timing script failed[\s\S]*undefined_name/,
      );
    },
    60_000,
  );
});
