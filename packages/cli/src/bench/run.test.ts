import { kernelBackend } from '@lattn/core';
import { describe, expect, it } from 'vitest';
import { findNumpy } from './numpy.js';
import { formatBenchReport } from './report.js';
import { runBench } from './run.js';
import type { BenchSection } from './types.js';

const section: BenchSection = {
  name: 'test',
  operations: [
    {
      name: 'sum',
      convention: 'n additions',
      flops: (size) => size,
      numpy: { setup: 'x = np.ones(n)', run: 'x.sum()' },
      prepare: (size) => {
        const x = new Float64Array(size).fill(1);
        return () => x.reduce((total, value) => total + value, 0);
      },
    },
    {
      name: 'only-8',
      convention: 'runs at size 8 only',
      sizes: [8],
      flops: () => 1,
      prepare: () => () => 0,
    },
    {
      name: 'missing',
      convention: 'never available',
      flops: () => 1,
      unavailableReason: () => 'not installed',
      prepare: () => {
        throw new Error('prepare must not run for an unavailable operation');
      },
    },
  ],
};

const quick = { repeats: 1, minSampleSeconds: 0.001, singleRunSeconds: 5 };
const runtime = findNumpy();
const note = runtime === undefined ? ' [SKIPPED: no python3 with numpy on PATH or at /usr/bin/python3]' : '';

describe('runBench', () => {
  it('measures every operation at the sizes it supports, with notes for unavailable ones', () => {
    const progress: string[] = [];
    const report = runBench({
      sections: [section],
      sizes: [4, 16],
      only: undefined,
      measure: quick,
      numpy: false,
      onProgress: ({ stage, done, total }) => progress.push(`${stage} ${done}/${total}`),
    });
    expect(report.rows.map((row) => `${row.operation}@${row.size}`)).toEqual([
      'sum@4',
      'sum@16',
      'missing@4',
      'missing@16',
    ]);
    const sum = report.rows[1];
    expect(sum).toMatchObject({ section: 'test', flops: 16, numpySingleThread: null, numpyDefaultThreads: null });
    expect(sum.gflops).toBeCloseTo(16 / (sum.seconds as number) / 1e9, 12);
    expect(report.rows[2]).toMatchObject({ seconds: null, gflops: null, runs: 0, note: 'not installed' });
    expect(report.conventions.map((item) => item.operation)).toEqual(['sum', 'missing']);
    expect(report.notices).toEqual(['numpy comparison skipped (--no-numpy).']);
    expect(progress).toEqual(['lattn 1/4', 'lattn 2/4', 'lattn 3/4', 'lattn 4/4']);
    expect(report.environment.cores).toBeGreaterThan(0);
    expect(report.environment.kernels).toBe(kernelBackend());
  });

  it('runs only the operations selected', () => {
    const report = runBench({
      sections: [section],
      sizes: [8],
      only: ['only-8'],
      measure: quick,
      numpy: false,
      onProgress: () => {},
    });
    expect(report.rows.map((row) => row.operation)).toEqual(['only-8']);
  });

  it.skipIf(runtime === undefined)(
    `compares with numpy on one thread and default threads${note}`,
    () => {
      const report = runBench({
        sections: [section],
        sizes: [32],
        only: ['sum', 'only-8'],
        measure: quick,
        numpy: true,
        onProgress: () => {},
      });
      expect(report.numpy?.version).toMatch(/^\d+\.\d+/);
      const [row] = report.rows;
      for (const comparison of [row.numpySingleThread, row.numpyDefaultThreads]) {
        expect(comparison).not.toBeNull();
        expect(comparison?.ratio).toBeCloseTo((row.seconds as number) / (comparison?.seconds as number), 12);
      }
      expect(report.notices).toEqual([]);
      expect(report.clock).toBe('wall');
    },
    60_000,
  );

  it.skipIf(runtime === undefined)(
    `times numpy on one thread only with the CPU clock${note}`,
    () => {
      const report = runBench({
        sections: [section],
        sizes: [32],
        only: ['sum'],
        measure: { ...quick, clock: 'cpu' },
        numpy: true,
        onProgress: () => {},
      });
      expect(report.clock).toBe('cpu');
      expect(report.rows[0].numpySingleThread).not.toBeNull();
      expect(report.rows[0].numpyDefaultThreads).toBeNull();
      expect(report.notices).toEqual([
        'numpy with its default threads is timed only with --clock wall: CPU time adds up over threads.',
      ]);
    },
    60_000,
  );
});

describe('formatBenchReport', () => {
  it('prints the machine, one row per case, the conventions and the notices', () => {
    const text = formatBenchReport({
      environment: { node: 'v20.0.0', cpu: 'Test CPU', cores: 2, kernels: 'relaxed-simd', hugePages: true },
      clock: 'cpu',
      rows: [
        {
          section: 'kernels',
          operation: 'gram',
          size: 1024,
          flops: 1024 * 1024 * 1025,
          seconds: 0.3251,
          runs: 5,
          gflops: 3.3058,
          numpySingleThread: { seconds: 0.0212, ratio: 15.33 },
          numpyDefaultThreads: { seconds: 0.0121, ratio: 26.87 },
        },
        {
          section: 'kernels',
          operation: 'ml-matrix-gram',
          size: 1024,
          flops: 1,
          seconds: null,
          runs: 0,
          gflops: null,
          numpySingleThread: null,
          numpyDefaultThreads: null,
          note: 'ml-matrix is not installed next to @lattn/core',
        },
      ],
      conventions: [{ operation: 'gram', convention: 'AᵀA: N·D·(D+1)' }],
      numpy: { python: 'python3', version: '2.0.0' },
      notices: ['NOTICE: something to know.'],
    });
    expect(text).toMatch(
      /^lattn bench: float64, WASM relaxed-SIMD kernels, each operation on its default threads \(every core for large products\) unless its convention below says otherwise \(Node v20\.0\.0, Test CPU, 2 cores, malloc huge pages on\)\n/,
    );
    expect(text).toContain('Times (process CPU) are the best of several runs');
    expect(text).toMatch(/gram\s+1024\s+0\.325\s+3\.31\s+0\.0212\s+15\.3\s+0\.0121\s+26\.9/);
    expect(text).toMatch(/ml-matrix-gram\s+1024\s+ml-matrix is not installed next to @lattn\/core/);
    expect(text).toContain('numpy 2.0.0 (python3), measured in the same run.');
    expect(text).toContain('  gram: AᵀA: N·D·(D+1)');
    expect(text.trimEnd().endsWith('NOTICE: something to know.')).toBe(true);
  });
});
