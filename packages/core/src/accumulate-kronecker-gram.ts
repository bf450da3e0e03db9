/**
 * The streaming second moment of rows that are Kronecker products, `x_r = a_r ⊗ b_r`, computed from the factors
 * with half the work of a plain SYRK and without forming the rows (ADR 0007). It is how the cubic features of
 * `@lattn/feature-map` (`ψ_t = vech(M_t) ⊗ z_t`) are accumulated.
 *
 * The Gram of such rows is `Σ_r (a_r a_rᵀ) ⊗ (b_r b_rᵀ)`:
 *
 *     G[(p,l), (q,l')] = Σ_r a_r[p] a_r[q] · b_r[l] b_r[l']
 *
 * symmetric in `p ↔ q` and in `l ↔ l'` separately, so only the entries with `p <= q` and `l <= l'` are distinct —
 * about a quarter of `G`. They form the product `C = UᵀV` of the pair products `U[r][(p,q)] = a_r[p] a_r[q]`
 * `(n, P(P+1)/2)` and `V[r][(l,l')] = b_r[l] b_r[l']` `(n, R(R+1)/2)`, which the WASM kernel computes while packing
 * its panels (so `U` is never stored either), `2 · n · P(P+1)/2 · R(R+1)/2 ≈ n · D² / 2` flops for `D = P·R`; `C`
 * is then added onto the upper triangle of the accumulator's `gram`.
 */
import { LattnError } from './errors.js';
import {
  checkAccumulator,
  checkDiagonalTotals,
  checkSumsOfSquares,
  type GramAccumulator,
  MOMENT_LIMIT,
} from './gram-accumulator.js';
import { allocate } from './internal/allocate.js';
import { addTransposedProduct, addTransposedProductJs, type MatrixView } from './internal/packed-product.js';
import { layout, view, type WasmKernels, wasmKernels } from './internal/wasm/instance.js';
import { productScratch, wasmProduct } from './internal/wasm/product.js';
import { type Matrix, shapeOf } from './matrix.js';
import { largestMagnitude } from './scale-by-power-of-two.js';
import { checkMatrix } from './validate.js';

/** Rows per JavaScript chunk of explicit Kronecker rows (the fallback path). */
const FALLBACK_ROWS = 256;

/**
 * Adds a chunk of rows given in Kronecker form, `x_r = left_r ⊗ right_r` (entry `p · R + l` is
 * `left[r][p] · right[r][l]`), and their targets to an accumulator, in place: the same update as
 * {@link accumulateGram} on the explicit `(n, P·R)` rows, which are never formed. `left`, `right` and `targets` are
 * not modified.
 *
 * @param accumulator - Made by {@link createGramAccumulator} with `dim = P · R`.
 * @param left - `(n, P)` first factors, finite.
 * @param right - `(n, R)` second factors, finite, with `P · R = accumulator.dim`.
 * @param targets - `(n, targetDim)` targets of the rows; required when `accumulator.targetDim > 0`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for a malformed accumulator or missing `targets`; `SHAPE_MISMATCH`
 * when the row counts differ or `P · R !== accumulator.dim`; `NON_FINITE` for NaN or ±Infinity, and for finite
 * factors whose sums would overflow: a diagonal entry `Σ_r a_r[p]² b_r[l]²` of `gram` (or `Σ y²` of `targetGram`)
 * beyond {@link MOMENT_LIMIT}, as in {@link accumulateGram}, or a factor entry beyond `2^511.5 ≈ 2.7e153`, whose
 * pair products `a_r[p] · a_r[q]` overflow even when the rows `a_r ⊗ b_r` are moderate (move a power of two from one
 * factor to the other: `(2^−k a) ⊗ (2^k b)` is the same row). Validation happens before any update, so on error the
 * accumulator is unchanged.
 * @example
 * ```ts
 * const accumulator = createGramAccumulator(6); // rows (a ⊗ b) with a of length 3, b of length 2
 * accumulateKroneckerGram(accumulator, fromRows([[1, 2, 3]]), fromRows([[1, -1]]));
 * toRows(gramMoments(accumulator).gram)[1]; // [-1, 1, -2, 2, -3, 3]: x = (1, -1, 2, -2, 3, -3)
 * ```
 *
 * Notes: with the WASM kernels, `n · P(P+1)/2 · R(R+1)/2 · 2 ≈ n · D²/2` flops (half of {@link accumulateGram}'s
 * `n · D²` on the explicit rows), memory `8 · (n · (P + R) + P(P+1)/2 · R(R+1)/2)` bytes in the module besides the
 * accumulator, and `D²/2` additions to scatter the distinct entries onto `gram`: pass chunks of a thousand rows or
 * more to amortise them. Each entry is summed as `Σ (a_p a_q)(b_l b_l')` instead of `Σ (a_p b_l)(a_q b_l')`, so it
 * agrees with {@link accumulateGram} on the explicit rows to rounding, not bitwise. Without WASM SIMD the explicit
 * rows are formed `256` at a time and accumulated by the JavaScript SYRK. `cross += XᵀY` is computed as
 * `leftᵀ (right ⊙ targets)`, `2 · n · D · targetDim` flops.
 * @see docs/decisions/0007-wasm-simd-kernels.md
 */
export function accumulateKroneckerGram(
  accumulator: GramAccumulator,
  left: Matrix,
  right: Matrix,
  targets?: Matrix,
): void {
  const fn = 'accumulateKroneckerGram';
  checkAccumulator(fn, 'accumulator', accumulator, false);
  const { dim, targetDim } = accumulator;
  checkMatrix(fn, 'left', left);
  checkMatrix(fn, 'right', right, { rows: left.rows });
  if (left.cols * right.cols !== dim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: the Kronecker rows have the wrong length. Expected left.cols · right.cols = ${dim} (the accumulator's dim); received left ${shapeOf(left)} and right ${shapeOf(right)}.`,
      { details: { dim, left: [left.rows, left.cols], right: [right.rows, right.cols] } },
    );
  }
  if (targets === undefined && targetDim > 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: targets are missing. Expected a (${left.rows}, ${targetDim}) matrix because the accumulator has targetDim ${targetDim}; received undefined.`,
    );
  }
  if (targets !== undefined) checkMatrix(fn, 'targets', targets, { rows: left.rows, cols: targetDim });
  checkKroneckerSums(accumulator, left, right, targets);
  const n = left.rows;
  if (n === 0) return;

  const kernels = wasmKernels();
  if (kernels === undefined || !addStructuredGram(kernels, accumulator.gram, left, right)) {
    addExplicitGram(accumulator.gram, left, right);
  }
  if (targets !== undefined && targetDim > 0) {
    // cross viewed as (P, R · targetDim): row p, column l · targetDim + o is cross[p · R + l][o] = Σ a_p · (b_l y_o).
    const widths = right.cols * targetDim;
    const weighted = allocate(fn, `the (${n}, ${widths}) weighted targets`, n * widths);
    for (let r = 0; r < n; r++) {
      for (let l = 0; l < right.cols; l++) {
        const factor = right.data[r * right.cols + l];
        const to = r * widths + l * targetDim;
        for (let o = 0; o < targetDim; o++) weighted[to + o] = factor * targets.data[r * targetDim + o];
      }
    }
    addTransposedProduct(
      { data: left.data, offset: 0, stride: left.cols, rows: n, cols: left.cols },
      { data: weighted, offset: 0, stride: widths, rows: n, cols: widths },
      { data: accumulator.cross, offset: 0, stride: widths, rows: left.cols, cols: widths },
      1,
      false,
    );
    const y: MatrixView = { data: targets.data, offset: 0, stride: targetDim, rows: n, cols: targetDim };
    const targetView = { data: accumulator.targetGram, offset: 0, stride: targetDim, rows: targetDim, cols: targetDim };
    addTransposedProduct(y, y, targetView, 1, false);
  }
  accumulator.count += n;
}

/**
 * Throws `NON_FINITE` naming `accumulateKroneckerGram` when the update could overflow (see its `@throws`): the
 * factors' pair products, then the diagonals of `gram` and `targetGram` after the update, `n · (P · R + targetDim)`
 * operations and nothing written.
 */
function checkKroneckerSums(accumulator: GramAccumulator, left: Matrix, right: Matrix, targets?: Matrix): void {
  const fn = 'accumulateKroneckerGram';
  const largestLeft = largestMagnitude(left.data);
  const largestRight = largestMagnitude(right.data);
  for (const [name, largest] of [
    ['left', largestLeft],
    ['right', largestRight],
  ] as const) {
    if (largest * largest <= MOMENT_LIMIT) continue;
    throw new LattnError(
      'NON_FINITE',
      `${fn}: the pair products of ${name} overflow float64. Expected every |${name}| entry at most 2^511.5 ≈ 2.68e153 (move a power of two from one factor to the other: (2^−k·a) ⊗ (2^k·b) is the same row); received ${name} entries as large as ${largest}.`,
      { details: { argument: name, largest } },
    );
  }
  const { dim, gram } = accumulator;
  const p = left.cols;
  const r = right.cols;
  const totals = new Float64Array(dim);
  for (let i = 0; i < dim; i++) totals[i] = gram[i * dim + i];
  for (let row = 0; row < left.rows; row++) {
    for (let j = 0; j < p; j++) {
      const a = left.data[row * p + j];
      const a2 = a * a;
      for (let l = 0; l < r; l++) {
        const b = right.data[row * r + l];
        totals[j * r + l] += a2 * (b * b);
      }
    }
  }
  checkDiagonalTotals(fn, 'gram', totals, 'the Kronecker rows', largestLeft * largestRight);
  if (targets !== undefined) checkSumsOfSquares(fn, 'targetGram', accumulator.targetGram, targets, 'targets');
}

/** The `(i32, i32)` pairs `(j, k)`, `j <= k < size`, in row-major upper-triangle order. */
function pairList(size: number): Int32Array {
  const pairs = new Int32Array(size * (size + 1));
  let at = 0;
  for (let j = 0; j < size; j++) {
    for (let k = j; k < size; k++) {
      pairs[at++] = j;
      pairs[at++] = k;
    }
  }
  return pairs;
}

/**
 * `gram += ` the distinct entries `C = UᵀV` computed by the WASM kernel, scattered onto the upper triangle.
 *
 * @returns `false` (having done nothing) when the module's memory cannot hold the operands.
 */
function addStructuredGram(kernels: WasmKernels, gram: Float64Array, left: Matrix, right: Matrix): boolean {
  const n = left.rows;
  const p = left.cols;
  const r = right.cols;
  const leftPairs = (p * (p + 1)) / 2;
  const rightPairs = (r * (r + 1)) / 2;
  const addresses = layout(kernels, [
    n * p,
    n * r,
    leftPairs,
    rightPairs,
    leftPairs * rightPairs,
    ...productScratch(n, leftPairs, rightPairs),
  ]);
  if (addresses === undefined) return false;
  const [leftAddress, rightAddress, leftPairsAddress, rightPairsAddress, cAddress, ...scratch] = addresses;
  view(kernels, leftAddress, n * p).set(left.data);
  view(kernels, rightAddress, n * r).set(right.data);
  const buffer = kernels.exports.memory.buffer;
  new Int32Array(buffer, leftPairsAddress, 2 * leftPairs).set(pairList(p));
  new Int32Array(buffer, rightPairsAddress, 2 * rightPairs).set(pairList(r));
  wasmProduct(
    kernels,
    { address: leftAddress, stride: p, rows: n, cols: leftPairs, pairs: leftPairsAddress },
    { address: rightAddress, stride: r, rows: n, cols: rightPairs, pairs: rightPairsAddress },
    { address: cAddress, stride: rightPairs },
    1,
    false,
    scratch,
    { overwrite: true },
  );
  scatterDistinct(view(kernels, cAddress, leftPairs * rightPairs), p, r, gram);
  return true;
}

/**
 * Adds `C[(p,q), (l,l')]` (`p <= q`, `l <= l'`, row-major `(P(P+1)/2, R(R+1)/2)`) onto every upper-triangle entry
 * `(p·R + l, q·R + l')` and `(p·R + l', q·R + l)` of the `(P·R, P·R)` row-major `gram` that it equals.
 */
function scatterDistinct(c: Float64Array, p: number, r: number, gram: Float64Array): void {
  const dim = p * r;
  const rightPairs = (r * (r + 1)) / 2;
  const pairOf = new Int32Array(r * r); // pairOf[l · R + l'] = index of the pair (min, max)
  for (let l = 0, at = 0; l < r; l++) {
    for (let m = l; m < r; m++, at++) {
      pairOf[l * r + m] = at;
      pairOf[m * r + l] = at;
    }
  }
  let row = 0; // index of the pair (a, b)
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++, row++) {
      const from = row * rightPairs;
      for (let l = 0; l < r; l++) {
        const target = (a * r + l) * dim + b * r;
        const pairs = l * r;
        for (let m = a === b ? l : 0; m < r; m++) gram[target + m] += c[from + pairOf[pairs + m]];
      }
    }
  }
}

/** The fallback: `gram += XᵀX` (upper triangle) for the explicit rows `x_r = left_r ⊗ right_r`, a chunk at a time. */
function addExplicitGram(gram: Float64Array, left: Matrix, right: Matrix): void {
  const n = left.rows;
  const p = left.cols;
  const r = right.cols;
  const dim = p * r;
  const rows = Math.min(FALLBACK_ROWS, n);
  const x = new Float64Array(rows * dim);
  const gramView = { data: gram, offset: 0, stride: dim, rows: dim, cols: dim };
  for (let r0 = 0; r0 < n; r0 += rows) {
    const count = Math.min(rows, n - r0);
    for (let i = 0; i < count; i++) {
      const a = (r0 + i) * p;
      const b = (r0 + i) * r;
      let to = i * dim;
      for (let j = 0; j < p; j++) {
        const factor = left.data[a + j];
        for (let l = 0; l < r; l++) x[to++] = factor * right.data[b + l];
      }
    }
    const view = { data: x, offset: 0, stride: dim, rows: count, cols: dim };
    addTransposedProductJs(view, view, gramView, 1, true);
  }
}
