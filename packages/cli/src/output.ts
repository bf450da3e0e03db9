/**
 * What commands print on stdout: aligned tables and numbers for people, or exactly one JSON document with
 * `--json`. Progress, warnings and errors go to stderr (see `progress.ts` and `dispatch.ts`).
 */
import type { CliIo } from './io.js';
import { formatJson } from './json.js';

/** Layout of {@link formatTable}. */
export interface TableOptions {
  /**
   * Column titles, printed first and underlined.
   * @defaultValue no header
   */
  readonly header?: readonly string[];
}

const NUMERIC = /^[+-]?(\d[\d,]*\.?\d*|\.\d+)(e[+-]?\d+)?%?$|^[+-]?Infinity$|^NaN$/i;

/**
 * Lays out rows of cells as aligned columns separated by two spaces. Columns whose cells are all numbers are
 * right-aligned, others left-aligned; trailing spaces are trimmed.
 *
 * @param rows - The cells, row by row; rows may have different lengths.
 * @param options - An optional header.
 * @returns The table, one line per row, each ending in a newline.
 * @example
 * ```ts
 * formatTable([['rank', '45'], ['rtol', '1e-12']]);
 * // rank     45
 * // rtol  1e-12
 * ```
 */
export function formatTable(rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const numColumns = Math.max(options.header?.length ?? 0, ...rows.map((row) => row.length));
  const widths: number[] = [];
  const numeric: boolean[] = [];
  for (let column = 0; column < numColumns; column++) {
    const cells = rows.map((row) => row[column] ?? '');
    widths.push(Math.max(options.header?.[column]?.length ?? 0, ...cells.map((cell) => cell.length)));
    numeric.push(cells.every((cell) => cell === '' || NUMERIC.test(cell)) && cells.some((cell) => cell !== ''));
  }
  const line = (cells: readonly string[]): string =>
    widths
      .map((width, column) => {
        const cell = cells[column] ?? '';
        return numeric[column] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const lines = rows.map(line);
  if (options.header !== undefined) {
    lines.unshift(line(options.header), line(widths.map((width) => '-'.repeat(width))));
  }
  return lines.map((text) => `${text}\n`).join('');
}

/**
 * Formats a number for people: integers below 10¹⁵ in full, other values with 6 significant digits, in exponent
 * form when very small or very large.
 *
 * @param value - Any number.
 * @returns For example `'42'`, `'0.333333'`, `'1.235e-7'`, `'NaN'`.
 * @example
 * ```ts
 * formatNumber(1 / 3); // '0.333333'
 * formatNumber(1.23456e-7); // '1.235e-7'
 * ```
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) < 1e15)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e6) return value.toExponential(3).replace('e+', 'e');
  return String(Number(value.toPrecision(6)));
}

/** How {@link writeResult} prints. */
export interface ResultOptions {
  /** Print the result as one JSON document instead of text. */
  readonly json: boolean;
  /** The text for people; called only when `json` is false. */
  readonly text: () => string;
}

/**
 * Prints a command's result on stdout: with `--json`, exactly one JSON document (see {@link formatJson}) and a
 * newline; otherwise the human-readable text.
 *
 * @param io - The streams; only `stdout` is written.
 * @param result - The result record (what `--json` prints).
 * @param options - The mode and the text renderer.
 * @example
 * ```ts
 * writeResult(io, certificate, { json: options.json, text: () => formatTable(rows) });
 * ```
 */
export function writeResult(io: CliIo, result: unknown, options: ResultOptions): void {
  io.stdout.write(options.json ? `${formatJson(result)}\n` : options.text());
}
