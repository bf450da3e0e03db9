/**
 * Runs the benchmark: every selected operation at every requested size in this process, then the numpy
 * equivalents in a Python subprocess (one thread, then default threads), and collects one row per case.
 */
import { cpus } from 'node:os';
import { createRng, type KernelBackend, kernelBackend, type ProgressCallback } from '@lattn/core';
import { hugePagesRequested } from '../huge-pages.js';
import { type Clock, type MeasureOptions, measure } from './measure.js';
import { findNumpy, type NumpyCase, type NumpyRuntime, type NumpyTimings, timeWithNumpy } from './numpy.js';
import type { BenchOperation, BenchSection } from './types.js';

/** What {@link runBench} measures. */
export interface BenchRunOptions {
  /** The sections to take operations from. */
  readonly sections: readonly BenchSection[];
  /** Sizes `D`, in the order they run. */
  readonly sizes: readonly number[];
  /** Operation names to run; `undefined` runs all. */
  readonly only: readonly string[] | undefined;
  /** Sampling of both sides. */
  readonly measure: MeasureOptions;
  /** Whether to look for numpy at all. */
  readonly numpy: boolean;
  /** Receives `{ stage, done, total }` as cases finish. */
  readonly onProgress: ProgressCallback;
}

/** numpy's time for one case and how many times faster than lattn it was. */
export interface NumpyComparison {
  /** numpy's best time of one call, in seconds. */
  readonly seconds: number;
  /** lattn's time divided by numpy's: how many times faster numpy is. */
  readonly ratio: number;
}

/** One measured case. */
export interface BenchRow {
  /** The section's name. */
  readonly section: string;
  /** The operation's name. */
  readonly operation: string;
  /** The size `D`. */
  readonly size: number;
  /** Floating-point operations of one call, by the operation's convention. */
  readonly flops: number;
  /** Best time of one call in seconds, or `null` when the operation could not run. */
  readonly seconds: number | null;
  /** Calls timed, warm-up included. */
  readonly runs: number;
  /** `flops / seconds / 1e9`, or `null`. */
  readonly gflops: number | null;
  /** numpy pinned to one thread, or `null` without numpy or a numpy equivalent. */
  readonly numpySingleThread: NumpyComparison | null;
  /** numpy with its default threads, or `null`. */
  readonly numpyDefaultThreads: NumpyComparison | null;
  /** Why the operation did not run, when it did not, or what it measured besides the time. */
  readonly note?: string;
}

/** Everything `lattn bench` reports. */
export interface BenchReport {
  /** The machine and runtime, and the kernels `@lattn/core` runs on here. */
  readonly environment: {
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly kernels: KernelBackend;
    /** Whether glibc's malloc was asked for transparent huge pages (`GLIBC_TUNABLES`; the `lattn` binary does). */
    readonly hugePages: boolean;
  };
  /** The clock every time was measured with. */
  readonly clock: Clock;
  /** One row per operation and size. */
  readonly rows: readonly BenchRow[];
  /** Each operation's flop convention. */
  readonly conventions: readonly { readonly operation: string; readonly convention: string }[];
  /** The Python and numpy compared against, or `null`. */
  readonly numpy: NumpyRuntime | null;
  /** Things the reader should know, such as a missing numpy. */
  readonly notices: readonly string[];
}

interface Case {
  readonly section: BenchSection;
  readonly operation: BenchOperation;
  readonly size: number;
}

/**
 * Runs the benchmark.
 *
 * @param options - Sections, sizes, selection, sampling and progress.
 * @returns The report.
 */
export function runBench(options: BenchRunOptions): BenchReport {
  const cases: Case[] = [];
  const conventions: { operation: string; convention: string }[] = [];
  for (const section of options.sections) {
    for (const operation of section.operations) {
      if (options.only !== undefined && !options.only.includes(operation.name)) continue;
      const sizes =
        operation.ownSizes ??
        options.sizes.filter((size) => operation.sizes === undefined || operation.sizes.includes(size));
      if (sizes.length === 0) continue;
      conventions.push({ operation: operation.name, convention: operation.convention });
      for (const size of sizes) cases.push({ section, operation, size });
    }
  }

  const measured = cases.map((item, index) => {
    const reason = item.operation.unavailableReason?.();
    const timing =
      reason === undefined ? measure(item.operation.prepare(item.size, createRng(item.size)), options.measure) : null;
    const note = reason ?? item.operation.note?.();
    options.onProgress({ stage: 'lattn', done: index + 1, total: cases.length });
    return { item, timing, note };
  });

  const notices: string[] = [];
  const runtime = options.numpy ? findNumpy() : undefined;
  const numpyCases: NumpyCase[] = cases.flatMap(({ operation, size }) =>
    operation.numpy === undefined ? [] : [{ operation: operation.name, size, ...operation.numpy }],
  );
  const references: NumpyTimings[] = [];
  if (!options.numpy) {
    notices.push('numpy comparison skipped (--no-numpy).');
  } else if (runtime === undefined) {
    notices.push(
      'NOTICE: no Python with numpy found (tried python3 on PATH, then /usr/bin/python3); the numpy columns are empty. ' +
        'Install numpy (pip install numpy, or apt-get install python3-numpy) to compare.',
    );
  } else if (numpyCases.length > 0) {
    if (options.measure.clock === 'cpu') {
      notices.push('numpy with its default threads is timed only with --clock wall: CPU time adds up over threads.');
    }
    for (const singleThread of options.measure.clock === 'cpu' ? [true] : [true, false]) {
      const stage = singleThread ? 'numpy 1 thread' : 'numpy default threads';
      options.onProgress({ stage, done: 0, total: 1 });
      references.push(timeWithNumpy(runtime, numpyCases, options.measure, singleThread));
      options.onProgress({ stage, done: 1, total: 1 });
    }
  }

  const compare = (
    reference: NumpyTimings | undefined,
    key: string,
    seconds: number | null,
  ): NumpyComparison | null => {
    const timing = reference?.timings.get(key);
    if (timing === undefined || seconds === null) return null;
    return { seconds: timing.seconds, ratio: seconds / timing.seconds };
  };
  const rows = measured.map(({ item, timing, note }): BenchRow => {
    const key = `${item.operation.name}@${item.size}`;
    const seconds = timing?.seconds ?? null;
    const flops = item.operation.flops(item.size);
    const row: BenchRow = {
      section: item.section.name,
      operation: item.operation.name,
      size: item.size,
      flops,
      seconds,
      runs: timing?.runs ?? 0,
      gflops: seconds === null ? null : flops / seconds / 1e9,
      numpySingleThread: compare(references[0], key, seconds),
      numpyDefaultThreads: compare(references[1], key, seconds),
    };
    return note === undefined ? row : { ...row, note };
  });

  const processors = cpus();
  return {
    environment: {
      node: process.version,
      cpu: processors[0]?.model ?? 'unknown',
      cores: processors.length,
      kernels: kernelBackend(),
      hugePages: hugePagesRequested(process.env),
    },
    clock: options.measure.clock ?? 'wall',
    rows,
    conventions,
    numpy: runtime ?? null,
    notices,
  };
}
