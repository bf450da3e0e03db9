/**
 * HTML building blocks of the reproduce report: escaped tables, number formatting for people, figure wrappers and
 * the verdict line each section ends with.
 */
import { escapeXml } from './svg.js';

/** Whether a section's measured result matches the paper's qualitative claim, and why. */
export interface Verdict {
  /** `true` when the measured numbers show what the paper reports. */
  readonly matchesPaper: boolean;
  /** One sentence stating the measured result. */
  readonly statement: string;
}

/**
 * Formats a number for the report: integers in full, others with 3 significant digits, in exponent form when very
 * small or large; `null` and non-finite values as a dash.
 *
 * @param value - The number.
 * @returns For example `'0.0123'`, `'4.79e-29'`, `'—'`.
 * @example
 * ```ts
 * formatValue(4.7948e-29); // '4.79e-29'
 * ```
 */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2).replace('e+', 'e');
  return String(Number(value.toPrecision(3)));
}

/**
 * Formats a fraction as a percentage with up to one decimal.
 *
 * @param value - A fraction in `[0, 1]`.
 * @returns For example `'100%'`, `'96.5%'`.
 * @example
 * ```ts
 * formatPercent(0.965); // '96.5%'
 * ```
 */
export function formatPercent(value: number): string {
  return `${Number((value * 100).toFixed(1))}%`;
}

/**
 * An HTML table; every cell is escaped.
 *
 * @param header - Column titles.
 * @param rows - Cells, row by row.
 * @returns The `<table>` markup.
 * @example
 * ```ts
 * table(['heads', 'test MSE'], [['2', '3.9']]);
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map((cell) => `<th>${escapeXml(cell)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * Wraps an inline SVG plot with a caption.
 *
 * @param svg - The `<svg>` markup.
 * @param caption - What the plot shows (plain text, escaped).
 * @returns The `<figure>` markup.
 * @example
 * ```ts
 * figure(renderPlot(spec), 'Test error against wall time.');
 * ```
 */
export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeXml(caption)}</figcaption></figure>`;
}

/**
 * A paragraph of plain text, escaped.
 *
 * @param text - The text.
 * @returns The `<p>` markup.
 * @example
 * ```ts
 * paragraph('Keys of dimension 2, two pairs.');
 * ```
 */
export function paragraph(text: string): string {
  return `<p>${escapeXml(text)}</p>`;
}

/**
 * The closing line of a section: the measured result and whether it matches the paper.
 *
 * @param verdict - The section's verdict.
 * @returns The markup of a highlighted paragraph.
 * @example
 * ```ts
 * verdictBlock({ matchesPaper: true, statement: 'The exact learner …' });
 * ```
 */
export function verdictBlock(verdict: Verdict): string {
  const badge = verdict.matchesPaper ? 'matches the paper' : 'does not match the paper';
  const kind = verdict.matchesPaper ? 'match' : 'mismatch';
  return `<p class="verdict ${kind}"><strong>Result (${badge}).</strong> ${escapeXml(verdict.statement)}</p>`;
}
