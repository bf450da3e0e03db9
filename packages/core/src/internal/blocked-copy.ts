/**
 * Cache-blocked copies between row-major layouts: the transpose behind `transpose`, `matmul` and `cholesky`, and
 * the mirror that turns a maintained upper triangle into a full symmetric matrix. Reading and writing in
 * `BLOCK × BLOCK` squares keeps both the rows read and the columns written inside L1, where a naive loop
 * would miss the cache on every write once a row is longer than a few kilobytes.
 */

/** Edge of the square blocks: 32 × 32 numbers is 8 KiB for the source and 8 KiB for the destination. */
const BLOCK = 32;

/**
 * Writes the transpose of the `(rows, cols)` row-major matrix in `src` into `dst`, which is `(cols, rows)`.
 *
 * @param src - `rows · cols` numbers, row-major.
 * @param rows - Rows of `src`.
 * @param cols - Columns of `src`.
 * @param dst - Receives `cols · rows` numbers, row-major.
 */
export function transposeInto(src: Float64Array, rows: number, cols: number, dst: Float64Array): void {
  for (let i0 = 0; i0 < rows; i0 += BLOCK) {
    const iEnd = Math.min(i0 + BLOCK, rows);
    for (let j0 = 0; j0 < cols; j0 += BLOCK) {
      const jEnd = Math.min(j0 + BLOCK, cols);
      for (let i = i0; i < iEnd; i++) {
        let from = i * cols + j0;
        let to = j0 * rows + i;
        for (let j = j0; j < jEnd; j++) {
          dst[to] = src[from];
          from += 1;
          to += rows;
        }
      }
    }
  }
}

/**
 * Copies the upper triangle of the `(n, n)` row-major matrix in `data` onto its lower triangle, in place, so that
 * `data[j · n + i] = data[i · n + j]` for `i < j`.
 *
 * @param data - `n · n` numbers, row-major; only the strictly lower triangle is written.
 * @param n - Matrix order.
 */
export function mirrorUpper(data: Float64Array, n: number): void {
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const iEnd = Math.min(i0 + BLOCK, n);
    for (let j0 = i0; j0 < n; j0 += BLOCK) {
      const jEnd = Math.min(j0 + BLOCK, n);
      for (let i = i0; i < iEnd; i++) {
        for (let j = Math.max(j0, i + 1); j < jEnd; j++) data[j * n + i] = data[i * n + j];
      }
    }
  }
}
