/**
 * The text form of a {@link BenchReport}: a header naming the machine, one table row per case, the flop
 * conventions and the notices.
 */
import type { KernelBackend } from '@lattn/core';
import { formatTable } from '../output.js';
import type { BenchReport, NumpyComparison } from './run.js';

/** How the header names the kernels `@lattn/core` ran on. */
const KERNELS: Readonly<Record<KernelBackend, string>> = {
  'relaxed-simd': 'WASM relaxed-SIMD',
  simd: 'WASM SIMD',
  javascript: 'JavaScript',
};

/** Three significant digits: `'3.26'`, `'0.00612'`, `'1.23e-7'`. */
function seconds(value: number | null): string {
  return value === null ? '' : String(Number(value.toPrecision(3)));
}

function ratio(comparison: NumpyComparison | null): string {
  return comparison === null ? '' : comparison.ratio.toFixed(1);
}

/**
 * Formats a report for people.
 *
 * @param report - What {@link runBench} returned.
 * @returns The text, ending with a newline.
 */
export function formatBenchReport(report: BenchReport): string {
  const { environment } = report;
  const lines = [
    `lattn bench: float64, ${KERNELS[environment.kernels]} kernels, each operation on its default threads (every core for large products) unless its convention below says otherwise (Node ${environment.node}, ${environment.cpu}, ${environment.cores} cores, malloc huge pages ${environment.hugePages ? 'on' : 'off'})`,
    '',
  ];
  const rows = report.rows.map((row) => [
    row.operation,
    String(row.size),
    seconds(row.seconds),
    row.gflops === null ? '' : row.gflops.toFixed(2),
    seconds(row.numpySingleThread?.seconds ?? null),
    ratio(row.numpySingleThread),
    seconds(row.numpyDefaultThreads?.seconds ?? null),
    ratio(row.numpyDefaultThreads),
    row.note ?? '',
  ]);
  const header = [
    'operation',
    'size',
    'time (s)',
    'GFLOP/s',
    'numpy 1 thread (s)',
    '× 1 thread',
    'numpy default (s)',
    '× default',
    '',
  ];
  lines.push(formatTable(rows, { header }).trimEnd(), '');
  const clock = report.clock === 'wall' ? 'wall-clock' : 'process CPU';
  lines.push(`Times (${clock}) are the best of several runs after a warm-up; "×" is lattn time / numpy time.`);
  if (report.numpy !== null) {
    lines.push(`numpy ${report.numpy.version} (${report.numpy.python}), measured in the same run.`);
  }
  lines.push('Flop conventions:');
  for (const { operation, convention } of report.conventions) lines.push(`  ${operation}: ${convention}`);
  for (const notice of report.notices) lines.push('', notice);
  return `${lines.join('\n')}\n`;
}
