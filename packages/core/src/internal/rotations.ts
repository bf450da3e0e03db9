/**
 * Deferred application of plane rotations to the columns of a row-major matrix (LAPACK `dlasr`), shared by the
 * tridiagonal QL and bidiagonal QR iterations. Internal.
 *
 * Every rotation maps a column pair `(x_j, x_k) ← (c·x_j + s·x_k, −s·x_j + c·x_k)`. A *sweep* is a chain of
 * rotations that share a running column: adjacent pairs `(j, j+1)` walked down or up, or pairs `(j, pivot)`
 * with a fixed partner. Applying a sweep to one row keeps the running column in a register, so each entry is
 * loaded and stored once per sweep; buffering several sweeps and applying them row by row keeps each row in cache
 * across the whole batch. Rows are independent, so this equals applying the rotations one at a time.
 */

/** Rotations buffered before they are applied (about 64 KiB of cosines and sines). */
const BATCH_ROTATIONS = 4096;

/** A batch of rotation sweeps waiting to be applied to the columns of `z`. */
export interface RotationBatch {
  readonly z: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly cosines: Float64Array;
  readonly sines: Float64Array;
  /** Per sweep: first column index `j`, last `j` (inclusive), the pivot column or −1, start in the buffers. */
  readonly sweeps: number[];
  count: number;
}

/** A batch for the `(rows, cols)` row-major matrix `z`. */
export function createRotationBatch(z: Float64Array, rows: number, cols: number): RotationBatch {
  const size = Math.max(BATCH_ROTATIONS, cols + 1);
  return { z, rows, cols, cosines: new Float64Array(size), sines: new Float64Array(size), sweeps: [], count: 0 };
}

/**
 * Opens a sweep over `j = from, from ± 1, …, to` acting on `(j, j+1)` when `pivot < 0`, else on `(j, pivot)`.
 * Rotations are then added with {@link pushRotation}, exactly `|to − from| + 1` of them (fewer if the caller
 * closes the sweep early with {@link truncateSweep}).
 */
export function beginSweep(batch: RotationBatch, from: number, to: number, pivot: number): void {
  if (batch.count + Math.abs(to - from) + 1 > batch.cosines.length) flushRotations(batch);
  batch.sweeps.push(from, to, pivot, batch.count);
}

/** Adds the next rotation of the open sweep. */
export function pushRotation(batch: RotationBatch, c: number, s: number): void {
  batch.cosines[batch.count] = c;
  batch.sines[batch.count] = s;
  batch.count++;
}

/** Ends the open sweep at `j = to` (inclusive) when the iteration stopped before its planned end. */
export function truncateSweep(batch: RotationBatch, to: number): void {
  batch.sweeps[batch.sweeps.length - 3] = to;
}

/** Applies and clears every buffered sweep, four rows at a time (independent chains hide floating-point latency). */
export function flushRotations(batch: RotationBatch): void {
  const { z, rows, cols, cosines: cs, sines: sn, sweeps } = batch;
  const numSweeps = sweeps.length / 4;
  if (numSweeps === 0) return;
  let row = 0;
  for (; row + 3 < rows; row += 4) {
    const o0 = row * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    for (let q = 0; q < 4 * numSweeps; q += 4) {
      const from = sweeps[q];
      const to = sweeps[q + 1];
      const pivot = sweeps[q + 2];
      let k = sweeps[q + 3];
      if (pivot >= 0) {
        applyPivotSweep(z, o0, from, to, pivot, cs, sn, k);
        applyPivotSweep(z, o1, from, to, pivot, cs, sn, k);
        applyPivotSweep(z, o2, from, to, pivot, cs, sn, k);
        applyPivotSweep(z, o3, from, to, pivot, cs, sn, k);
      } else if (to < from) {
        // Down (j = from … to): the running column is j+1.
        let c0 = z[o0 + from + 1];
        let c1 = z[o1 + from + 1];
        let c2 = z[o2 + from + 1];
        let c3 = z[o3 + from + 1];
        for (let j = from; j >= to; j--, k++) {
          const c = cs[k];
          const s = sn[k];
          const x0 = z[o0 + j];
          const x1 = z[o1 + j];
          const x2 = z[o2 + j];
          const x3 = z[o3 + j];
          z[o0 + j + 1] = c * c0 - s * x0;
          z[o1 + j + 1] = c * c1 - s * x1;
          z[o2 + j + 1] = c * c2 - s * x2;
          z[o3 + j + 1] = c * c3 - s * x3;
          c0 = c * x0 + s * c0;
          c1 = c * x1 + s * c1;
          c2 = c * x2 + s * c2;
          c3 = c * x3 + s * c3;
        }
        z[o0 + to] = c0;
        z[o1 + to] = c1;
        z[o2 + to] = c2;
        z[o3 + to] = c3;
      } else {
        // Up (j = from … to): the running column is j.
        let c0 = z[o0 + from];
        let c1 = z[o1 + from];
        let c2 = z[o2 + from];
        let c3 = z[o3 + from];
        for (let j = from; j <= to; j++, k++) {
          const c = cs[k];
          const s = sn[k];
          const y0 = z[o0 + j + 1];
          const y1 = z[o1 + j + 1];
          const y2 = z[o2 + j + 1];
          const y3 = z[o3 + j + 1];
          z[o0 + j] = c * c0 + s * y0;
          z[o1 + j] = c * c1 + s * y1;
          z[o2 + j] = c * c2 + s * y2;
          z[o3 + j] = c * c3 + s * y3;
          c0 = c * y0 - s * c0;
          c1 = c * y1 - s * c1;
          c2 = c * y2 - s * c2;
          c3 = c * y3 - s * c3;
        }
        z[o0 + to + 1] = c0;
        z[o1 + to + 1] = c1;
        z[o2 + to + 1] = c2;
        z[o3 + to + 1] = c3;
      }
    }
  }
  for (; row < rows; row++) {
    const o = row * cols;
    for (let q = 0; q < 4 * numSweeps; q += 4) {
      const from = sweeps[q];
      const to = sweeps[q + 1];
      const pivot = sweeps[q + 2];
      let k = sweeps[q + 3];
      if (pivot >= 0) {
        applyPivotSweep(z, o, from, to, pivot, cs, sn, k);
      } else if (to < from) {
        let carry = z[o + from + 1];
        for (let j = from; j >= to; j--, k++) {
          const x = z[o + j];
          z[o + j + 1] = cs[k] * carry - sn[k] * x;
          carry = cs[k] * x + sn[k] * carry;
        }
        z[o + to] = carry;
      } else {
        let carry = z[o + from];
        for (let j = from; j <= to; j++, k++) {
          const y = z[o + j + 1];
          z[o + j] = cs[k] * carry + sn[k] * y;
          carry = cs[k] * y - sn[k] * carry;
        }
        z[o + to + 1] = carry;
      }
    }
  }
  sweeps.length = 0;
  batch.count = 0;
}

/** Rotations `(j, pivot)` for `j = from … to` on the row starting at `o`, the pivot entry carried. */
function applyPivotSweep(
  z: Float64Array,
  o: number,
  from: number,
  to: number,
  pivot: number,
  cs: Float64Array,
  sn: Float64Array,
  start: number,
): void {
  const step = to >= from ? 1 : -1;
  let k = start;
  let carry = z[o + pivot];
  for (let j = from; j !== to + step; j += step, k++) {
    const x = z[o + j];
    z[o + j] = cs[k] * x + sn[k] * carry;
    carry = cs[k] * carry - sn[k] * x;
  }
  z[o + pivot] = carry;
}
