/**
 * `C += scale · XᵀY` on the WASM SIMD kernels: the Goto/BLIS loops of `packed-product.ts` run by the module's
 * `product` export over operands that live in the module's memory, and the same product on JavaScript views by
 * copying them in and out. Large products are split by rows of C among worker threads (`threads.ts`). Internal;
 * shapes are assumed valid.
 *
 * The slabs are 256 rows, as in the JavaScript kernel, and every entry of `C` is updated once per slab with the
 * slab's partial sum taken in row order, whichever thread computes it: the SIMD build gives bitwise the JavaScript
 * kernel's result on any number of threads; the relaxed-SIMD build differs by the rounding of its fused
 * multiply–adds.
 */
import { BLOCK, layout, MR, NR, SLAB, view, type WasmKernels } from './instance.js';
import { runProductJobs } from './threads.js';

/**
 * An operand in the module's memory: the row-major `(rows, cols)` matrix at byte address `address` with row stride
 * `stride` (entries), or — with `pairs` — the virtual matrix whose column `c` is the product of the stored columns
 * `first[c]` and `second[c]` (the `i32` pairs at byte address `pairs`), `cols` of them.
 */
export interface WasmOperand {
  readonly address: number;
  readonly stride: number;
  readonly rows: number;
  readonly cols: number;
  readonly pairs?: number;
}

/** A row-major matrix in the module's memory. */
export interface WasmMatrix {
  readonly address: number;
  readonly stride: number;
}

/** A strided row-major view into a JavaScript `Float64Array` (the shape of `MatrixView` in `packed-product.ts`). */
interface ArrayView {
  readonly data: Float64Array;
  readonly offset: number;
  readonly stride: number;
  readonly rows: number;
  readonly cols: number;
}

/** The arguments of the module's `product` export, in order. */
export type ProductArguments = readonly number[];

/** Float64 regions per thread: the two packing buffers, the scratch tile and the progress counter. */
const REGIONS_PER_THREAD = 4;

/**
 * The float64 lengths of the scratch regions a product of `n` rows, `p` and `q` columns needs on `threads` threads:
 * per thread the packing buffers of X and Y, the scratch tile and a progress counter.
 */
export function productScratch(n: number, p: number, q: number, threads = 1): number[] {
  const kc = Math.min(SLAB, n);
  const one = [kc * roundUp(Math.min(BLOCK, p), MR), kc * roundUp(q, NR), MR * NR, 1];
  return Array.from({ length: threads }, () => one).flat();
}

/**
 * `c += scale · xᵀ y` (only `i <= j` when `upperOnly`) for operands in the module's memory, on `threads` threads
 * (this one and `threads − 1` workers; fewer when fewer are available).
 *
 * @param scratch - Addresses of the regions sized by {@link productScratch} for at least `threads` threads.
 * @param mirror - With `upperOnly` (and `c` square): each thread then copies its rows of the upper triangle onto
 * the lower one, so that `c` is symmetric.
 */
export function wasmProduct(
  kernels: WasmKernels,
  x: WasmOperand,
  y: WasmOperand,
  c: WasmMatrix,
  scale: number,
  upperOnly: boolean,
  scratch: readonly number[],
  threads = 1,
  mirror = false,
): void {
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  if (n === 0 || p === 0 || q === 0) return;
  const bounds = splitRows(p, q, upperOnly, threads);
  const jobs = bounds.slice(1).map((rowEnd, t): ProductArguments => {
    const [px, py, tile, progress] = scratch.slice(t * REGIONS_PER_THREAD, (t + 1) * REGIONS_PER_THREAD);
    return [
      x.address,
      x.stride,
      x.pairs ?? 0,
      y.address,
      y.stride,
      y.pairs ?? 0,
      n,
      bounds[t],
      rowEnd,
      q,
      c.address,
      c.stride,
      scale,
      upperOnly ? 1 : 0,
      mirror ? 1 : 0,
      px,
      py,
      tile,
      progress,
    ];
  });
  runProductJobs(kernels, jobs);
}

/**
 * `c += scale · xᵀ y` on JavaScript views, through the module's memory: `x` (and `y` unless it is `x`) and `c` are
 * copied in, multiplied on `threads` threads, and `c` copied back (with `upperOnly`, only its upper triangle both
 * ways: half the copying, and the rest of `c` is left as it was).
 *
 * @returns `false` (having done nothing) when the module's memory cannot hold the operands.
 */
export function wasmProductOfArrays(
  kernels: WasmKernels,
  x: ArrayView,
  y: ArrayView,
  c: ArrayView,
  scale: number,
  upperOnly: boolean,
  threads = 1,
): boolean {
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  const shared = x === y;
  const addresses = layout(kernels, [n * p, shared ? 0 : n * q, p * q, ...productScratch(n, p, q, threads)]);
  if (addresses === undefined) return false;
  const [xAddress, yAddress, cAddress, ...scratch] = addresses;
  copyIn(x, view(kernels, xAddress, n * p));
  if (!shared) copyIn(y, view(kernels, yAddress, n * q));
  const cView = view(kernels, cAddress, p * q);
  copyIn(c, cView, upperOnly);
  const xOperand = { address: xAddress, stride: p, rows: n, cols: p };
  const yOperand = shared ? xOperand : { address: yAddress, stride: q, rows: n, cols: q };
  wasmProduct(kernels, xOperand, yOperand, { address: cAddress, stride: q }, scale, upperOnly, scratch, threads);
  copyOut(view(kernels, cAddress, p * q), c, upperOnly);
  return true;
}

/**
 * The symmetric `xᵀx` of a JavaScript view, written into `out` (`(p, p)`, contiguous), through the module's memory:
 * `x` is copied in, the upper triangle computed on `threads` threads, each of which then mirrors its own rows, and
 * the whole matrix copied out in one piece — no triangle walked in JavaScript.
 *
 * @returns `false` (having done nothing) when the module's memory cannot hold the operands.
 */
export function wasmGramOfArray(kernels: WasmKernels, x: ArrayView, out: Float64Array, threads = 1): boolean {
  const n = x.rows;
  const p = x.cols;
  const addresses = layout(kernels, [n * p, p * p, ...productScratch(n, p, p, threads)]);
  if (addresses === undefined) return false;
  const [xAddress, cAddress, ...scratch] = addresses;
  copyIn(x, view(kernels, xAddress, n * p));
  const c = view(kernels, cAddress, p * p);
  c.fill(0);
  const operand = { address: xAddress, stride: p, rows: n, cols: p };
  wasmProduct(kernels, operand, operand, { address: cAddress, stride: p }, 1, true, scratch, threads, true);
  out.set(c);
  return true;
}

/**
 * Cuts the rows `0 … p` of C into `parts` ranges of about equal work, at multiples of `MR`: equal counts for a full
 * product, and for an upper triangle (row `i` has `q − i` entries) the boundaries `q − √(q² − t/parts · W)`-style of
 * equal area. Empty ranges are dropped.
 *
 * @returns The boundaries `0 = b_0 < b_1 < … = p`.
 */
export function splitRows(p: number, q: number, upperOnly: boolean, parts: number): number[] {
  const work = (rows: number): number => (upperOnly ? rows * q - (rows * (rows - 1)) / 2 : rows * q);
  const total = work(p);
  const bounds = [0];
  for (let t = 1; t < parts; t++) {
    const goal = (total * t) / parts;
    let row = upperOnly ? q + 0.5 - Math.sqrt(Math.max(0, (q + 0.5) ** 2 - 2 * goal)) : goal / q;
    row = Math.min(p, Math.round(row / MR) * MR);
    if (row > (bounds.at(-1) as number) && row < p) bounds.push(row);
  }
  bounds.push(p);
  return bounds;
}

/**
 * Copies a strided view into a contiguous `(rows, cols)` array; with `upperOnly`, only the entries `j >= i` (the
 * only ones an upper-triangular product reads or writes).
 */
export function copyIn(v: ArrayView, to: Float64Array, upperOnly = false): void {
  if (!upperOnly && v.stride === v.cols) {
    to.set(v.data.subarray(v.offset, v.offset + v.rows * v.cols));
    return;
  }
  for (let i = 0; i < v.rows; i++) {
    const first = upperOnly ? Math.min(i, v.cols) : 0;
    const from = v.offset + i * v.stride;
    to.set(v.data.subarray(from + first, from + v.cols), i * v.cols + first);
  }
}

/** Copies a contiguous `(rows, cols)` array into a strided view; with `upperOnly`, only the entries `j >= i`. */
export function copyOut(from: Float64Array, v: ArrayView, upperOnly = false): void {
  if (!upperOnly && v.stride === v.cols) {
    v.data.set(from.subarray(0, v.rows * v.cols), v.offset);
    return;
  }
  for (let i = 0; i < v.rows; i++) {
    const first = upperOnly ? Math.min(i, v.cols) : 0;
    v.data.set(from.subarray(i * v.cols + first, (i + 1) * v.cols), v.offset + i * v.stride + first);
  }
}

function roundUp(columns: number, w: number): number {
  return Math.ceil(columns / w) * w;
}
