import type { Matrix } from '../matrix.js';

/**
 * Stacks matrices of equal width on top of each other, `[a; b; …]`: the stacked feature or target matrix that
 * reference routes in tests start from.
 *
 * @param parts - Matrices of shape `(rows_i, cols)`.
 * @param cols - The common width; needed only when `parts` is empty.
 * @returns A fresh `(Σ rows_i, cols)` matrix.
 * @throws Error when a part has another width.
 * @example
 * ```ts
 * stackRows([fromRows([[1, 2]]), fromRows([[3, 4], [5, 6]])]); // (3, 2): rows [1, 2], [3, 4], [5, 6]
 * ```
 */
export function stackRows(parts: readonly Matrix[], cols: number = parts[0]?.cols ?? 0): Matrix {
  const rows = parts.reduce((total, part) => total + part.rows, 0);
  const data = new Float64Array(rows * cols);
  let offset = 0;
  for (const part of parts) {
    if (part.cols !== cols) throw new Error(`stackRows: a part has ${part.cols} columns, expected ${cols}`);
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return { rows, cols, data };
}
