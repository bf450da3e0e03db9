/**
 * `lattn bench`: times lattn's float64 kernels against numpy on this machine (ADR 0005).
 */
import { totalmem } from 'node:os';
import { LattnError } from '@lattn/core';
import { CLOCKS } from '../bench/measure.js';
import { formatBenchReport } from '../bench/report.js';
import { runBench } from '../bench/run.js';
import { BENCH_SECTIONS } from '../bench/sections.js';
import { type Command, defineCommand } from '../command.js';
import { formatNumber, writeResult } from '../output.js';
import { createProgressReporter } from '../progress.js';

const OPERATIONS = BENCH_SECTIONS.flatMap((section) => section.operations.map((operation) => operation.name));

function parseList(flag: string, text: string, example: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${flag} must be a comma-separated list without empty items. Expected for example '${example}'; received '${text}'.`,
    );
  }
  return items;
}

function parseSizes(text: string): number[] {
  return parseList('--sizes', text, '256,1024').map((item) => {
    const size = Number(item);
    if (!/^\d+$/.test(item) || !Number.isSafeInteger(size) || size < 1) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `--sizes must list positive integers. Expected for example '256,1024'; received '${item}' in '${text}'.`,
      );
    }
    return size;
  });
}

function parseOperations(text: string): string[] {
  const names = parseList('--only', text, 'gram,gemm');
  for (const name of names) {
    if (!OPERATIONS.includes(name)) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `--only names an unknown operation. Expected some of ${OPERATIONS.join(', ')}; received '${name}'.`,
      );
    }
  }
  return names;
}

/**
 * Refuses, before anything is allocated, a size whose `(D, D)` operands cannot fit in this machine's memory: GEMM
 * holds three float64 matrices (`A`, `B` and `A·B`), a lower bound on what the kernels hold (their WASM copies add
 * as much again). Without this check a huge size fails deep inside an allocation, and a merely too large one may
 * allocate and be killed by the operating system when it is filled.
 *
 * @param sizes - The sizes `D` the matrix operations will run at.
 * @param text - The `--sizes` text, for the message.
 * @param totalBytes - The machine's memory.
 * @throws {@link LattnError} `TOO_LARGE` naming the size, the memory it needs and the memory available.
 */
function checkSizesFit(sizes: readonly number[], text: string, totalBytes: number = totalmem()): void {
  const gib = (bytes: number): string => `${formatNumber(bytes / 2 ** 30)} GiB`;
  for (const size of sizes) {
    const needed = 3 * size * size * 8;
    if (needed > totalBytes) {
      throw new LattnError(
        'TOO_LARGE',
        `--sizes asks for D = ${size}, whose three (D, D) float64 matrices need at least ${gib(needed)}, more than this machine's ${gib(totalBytes)} of memory. Expected sizes D small enough for 3·D²·8 bytes to fit in memory; received '${size}' in '${text}'.`,
        { details: { size, neededBytes: needed, totalBytes } },
      );
    }
  }
}

/** Whether any of the operations `only` selects (all of them by default) runs at the `--sizes`. */
function followsSizes(only: readonly string[] | undefined): boolean {
  return BENCH_SECTIONS.some((section) =>
    section.operations.some(
      (operation) => operation.ownSizes === undefined && (only === undefined || only.includes(operation.name)),
    ),
  );
}

/** The `lattn bench` command. */
export const benchCommand: Command = defineCommand({
  name: 'bench',
  summary: 'time the float64 kernels (Gram, GEMM, Cholesky, …) against numpy on this machine',
  description:
    'Times each operation at each size (best of several runs after a warm-up) and prints the time, GFLOP/s and, ' +
    'when a Python with numpy is found (python3 on PATH, then /usr/bin/python3), numpy on one thread and with its ' +
    'default threads, measured in the same run. Flop conventions are printed with the table. On a busy, shared ' +
    'machine use --clock cpu: process CPU time is not inflated by other jobs (numpy then runs on one thread only).',
  options: {
    sizes: {
      kind: 'string',
      default: '256,1024,2048',
      placeholder: 'D,D,…',
      description: 'matrix sizes D, comma-separated',
    },
    only: {
      kind: 'string',
      placeholder: 'operation,…',
      description: `operations to run, comma-separated, out of ${OPERATIONS.join(', ')} (default: all)`,
    },
    repeats: { kind: 'integer', default: 3, min: 1, max: 100, description: 'timed samples per case after the warm-up' },
    clock: {
      kind: 'enum',
      values: CLOCKS,
      default: 'wall',
      description:
        "'wall' (elapsed time) or 'cpu' (process CPU time: robust on a busy machine; numpy then runs on one thread only)",
    },
    noNumpy: { kind: 'boolean', description: 'skip the numpy comparison' },
    json: { kind: 'boolean', description: 'print one JSON document instead of the table' },
  },
  examples: [
    'lattn bench',
    'lattn bench --sizes 256,1024 --only gram,gemm',
    'lattn bench --sizes 512 --json',
    'lattn bench --clock cpu',
  ],
  run: async ({ options }, io) => {
    const sizes = parseSizes(options.sizes);
    const only = options.only === undefined ? undefined : parseOperations(options.only);
    if (followsSizes(only)) checkSizesFit(sizes, options.sizes);
    const progress = createProgressReporter(io);
    let report: ReturnType<typeof runBench>;
    try {
      report = runBench({
        sections: BENCH_SECTIONS,
        sizes,
        only,
        measure: {
          repeats: options.repeats,
          minSampleSeconds: 0.2,
          singleRunSeconds: 5,
          clock: options.clock,
        },
        numpy: !options.noNumpy,
        onProgress: progress.onProgress,
      });
    } finally {
      progress.finish();
    }
    writeResult(io, report, { json: options.json, text: () => formatBenchReport(report) });
    return 0;
  },
});
