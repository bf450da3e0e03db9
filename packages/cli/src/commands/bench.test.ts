import { describe, expect, it } from 'vitest';
import { BENCH_SECTIONS } from '../bench/sections.js';
import type { CliIo } from '../io.js';
import { main } from '../main.js';

function captured(): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (chunk: string) => out.push(chunk) },
      stderr: { write: (chunk: string) => err.push(chunk) },
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('lattn bench', () => {
  it('prints one JSON document with a row per operation and size (--json)', async () => {
    const { io, stdout, stderr } = captured();
    const code = await main(
      ['bench', '--sizes', '8,16', '--only', 'gram,cholesky', '--repeats', '1', '--no-numpy', '--json'],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout()) as {
      rows: { operation: string; size: number; seconds: number; gflops: number }[];
      conventions: { operation: string }[];
      notices: string[];
    };
    expect(report.rows.map((row) => `${row.operation}@${row.size}`)).toEqual([
      'gram@8',
      'gram@16',
      'cholesky@8',
      'cholesky@16',
    ]);
    for (const row of report.rows) expect(row.gflops).toBeGreaterThan(0);
    expect(report.conventions.map((item) => item.operation)).toEqual(['gram', 'cholesky']);
    expect(report.notices).toEqual(['numpy comparison skipped (--no-numpy).']);
    expect(stderr()).toContain('lattn 100% (4/4)');
  }, 30_000);

  it('measures process CPU time with --clock cpu', async () => {
    const { io, stdout } = captured();
    const args = [
      'bench',
      '--sizes',
      '8',
      '--only',
      'gram',
      '--repeats',
      '1',
      '--no-numpy',
      '--clock',
      'cpu',
      '--json',
    ];
    expect(await main(args, io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({ clock: 'cpu', rows: [{ operation: 'gram', size: 8 }] });
  }, 30_000);

  it('prints a table with the flop conventions', async () => {
    const { io, stdout } = captured();
    expect(await main(['bench', '--sizes', '8', '--only', 'gemm', '--repeats', '1', '--no-numpy'], io)).toBe(0);
    expect(stdout()).toMatch(
      /^lattn bench: float64, WASM (relaxed-)?SIMD kernels, each operation on its default threads \(every core for large products\) unless its convention below says otherwise \(Node /,
    );
    expect(stdout()).toMatch(/gemm\s+8\s/);
    expect(stdout()).toContain('gemm: A·B for two (D, D) matrices: 2mnk = 2·D³');
  }, 30_000);

  it.each([
    [['--sizes', '0'], "--sizes must list positive integers. Expected for example '256,1024'; received '0' in '0'."],
    [['--sizes', '256,,1024'], '--sizes must be a comma-separated list without empty items'],
    [['--sizes', '2.5'], "received '2.5'"],
    [
      ['--only', 'gram,svdd'],
      `--only names an unknown operation. Expected some of ${BENCH_SECTIONS.flatMap((section) => section.operations.map((operation) => operation.name)).join(', ')}; received 'svdd'.`,
    ],
    [['--repeats', '0'], '--repeats must be an integer >= 1 and <= 100'],
    [['--only', 'svdd'], "received 'svdd'."],
    [['--clock', 'gpu'], '--clock must be one of wall, cpu'],
  ])('rejects %j in one line with exit code 2', async (args, message) => {
    const { io, stdout, stderr } = captured();
    expect(await main(['bench', ...args], io)).toBe(2);
    expect(stderr()).toContain(message);
    expect(stderr().trim().split('\n')).toHaveLength(1);
    expect(stdout()).toBe('');
  });
});
