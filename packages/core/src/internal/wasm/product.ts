/**
 * `C += scale · XᵀY` on the WASM SIMD kernels: the Goto/BLIS loops of `packed-product.ts` run by the module's
 * `packSlabs` and `productUnits` exports over operands that live in the module's memory, and the same product on
 * JavaScript views by copying them in and out. Group by group of slabs, Y is packed by all threads (each a range of
 * columns), then every thread claims units of rows of C from a shared counter until none is left (`threads.ts`), so
 * that a thread on a slower core simply computes fewer units. Internal; shapes are assumed valid.
 *
 * The slabs are 256 rows, as in the JavaScript kernel, and every entry of `C` is updated once per slab with the
 * slab's partial sum taken in row order, whichever thread computes it: the SIMD build gives bitwise the JavaScript
 * kernel's result on any number of threads; the relaxed-SIMD build differs by the rounding of its fused
 * multiply–adds.
 */
import { BLOCK, layout, MR, NR, SLAB, view, type WasmKernels } from './instance.js';
import { runKernelJobs } from './threads.js';

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

/**
 * Float64 regions shared by the threads (packed Y, the unit counter) and per thread (X's block, the tile, a progress
 * counter, a finiteness check).
 */
const SHARED_REGIONS = 2;
const REGIONS_PER_THREAD = 4;

/**
 * Bytes of packed Y per group of slabs: one group is packed, then multiplied by every thread, then the next. At most
 * 256 KiB (or one slab) stays in L2 while every unit's block of X passes over it: a whole 4 MiB slab at `q = 2048`
 * comes from L3 once per panel of X either way, but packing all of Y first made every unit stream it from memory
 * (4 % slower on one thread for `gram` at `D = 2048`), and groups of 4 MiB made each unit of the narrow Kronecker
 * Gram stream its group from L3 (the `d = 16` moments 15 % slower).
 */
const GROUP_BYTES = 256 * 1024;

/** Rows of X and Y per group: whole slabs, at least one. */
function groupRows(n: number, q: number): number {
  const slabs = Math.max(1, Math.floor(GROUP_BYTES / (SLAB * roundUp(q, NR) * 8)));
  return Math.min(n, slabs * SLAB);
}

/**
 * The float64 lengths of the scratch regions a product of `n` rows, `p` and `q` columns needs on `threads` threads:
 * one group of Y's slabs packed and the counter of units, then per thread the packing buffer of X's block, the
 * scratch tile, a progress counter and a finiteness check.
 */
export function productScratch(n: number, p: number, q: number, threads = 1): number[] {
  const one = [Math.min(SLAB, n) * roundUp(Math.min(BLOCK, p), MR), MR * NR, 1, 1];
  return [groupRows(n, q) * roundUp(q, NR), 1, ...Array.from({ length: threads }, () => one).flat()];
}

/** How {@link wasmProduct} runs and what it does to `c` besides adding the product. */
export interface ProductOptions {
  /** Threads, this one and `threads − 1` workers (fewer when fewer are available). Default 1. */
  readonly threads?: number;
  /**
   * With `upperOnly` (and `c` square): the rows of the upper triangle are then copied onto the lower one, unit by
   * unit, so that `c` is symmetric.
   */
  readonly mirror?: boolean;
  /** `c`'s old entries are ignored (neither read nor kept): the result is the product alone, with no pass to zero `c`. */
  readonly overwrite?: boolean;
  /**
   * Called on this thread before each group of slabs is packed, with the group's rows `[rowStart, rowEnd)` of X and Y:
   * the place to copy those rows into the module's memory, so that packing finds them in cache.
   */
  readonly beforeGroup?: (rowStart: number, rowEnd: number) => void;
  /** Check, while packing, that every entry of Y (a plain matrix, not pair products) is finite. */
  readonly checkFinite?: boolean;
}

/**
 * `c += scale · xᵀ y` (only `i <= j` when `upperOnly`) for operands in the module's memory. Group by group of slabs:
 * the group's slabs of Y are packed in ranges by the threads, then every thread claims units of rows of C until none
 * is left.
 *
 * @param scratch - Addresses of the regions sized by {@link productScratch} for at least `options.threads` threads.
 * @returns `false` when `options.checkFinite` found a NaN or ±Infinity in Y (`c` then holds no meaningful numbers),
 * else `true`.
 */
export function wasmProduct(
  kernels: WasmKernels,
  x: WasmOperand,
  y: WasmOperand,
  c: WasmMatrix,
  scale: number,
  upperOnly: boolean,
  scratch: readonly number[],
  { threads = 1, mirror = false, overwrite = false, beforeGroup, checkFinite = false }: ProductOptions = {},
): boolean {
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  if (n === 0 && overwrite) {
    for (let i = 0; i < p; i++) view(kernels, c.address + i * c.stride * 8, q).fill(0, upperOnly ? i : 0);
  }
  if (n === 0 || p === 0 || q === 0) return true;
  const [packed, next] = scratch;
  const progress = (t: number): number => scratch[SHARED_REGIONS + t * REGIONS_PER_THREAD + 2];
  const finite = (t: number): number => (checkFinite ? scratch[SHARED_REGIONS + t * REGIONS_PER_THREAD + 3] : 0);
  for (let t = 0; t < threads && checkFinite; t++) view(kernels, finite(t), 1)[0] = 0;
  const sameOperand = x.address === y.address && x.stride === y.stride && x.pairs === y.pairs && p <= q;
  const counter = new Int32Array(kernels.exports.memory.buffer, next, 1);
  const group = groupRows(n, q);
  const workers = Math.min(threads, Math.ceil(p / BLOCK));
  const panels = Math.ceil(q / NR);
  const packers = Math.min(threads, panels);
  for (let g0 = 0; g0 < n; g0 += group) {
    const rows = Math.min(group, n - g0);
    beforeGroup?.(g0, g0 + rows);
    const yRows = y.address + g0 * y.stride * 8;
    runKernelJobs(
      kernels,
      'packSlabs',
      Array.from({ length: packers }, (_, t) => {
        const columns = [t, t + 1].map((k) => Math.min(q, Math.floor((k * panels) / packers) * NR));
        return [yRows, y.stride, y.pairs ?? 0, rows, q, ...columns, packed, finite(t), progress(t)];
      }),
    );
    counter[0] = 0;
    const xRows = x.address + g0 * x.stride * 8;
    const last = g0 + rows >= n;
    const flags = [scale, upperOnly ? 1 : 0, mirror && last ? 1 : 0, overwrite && g0 === 0 ? 1 : 0];
    runKernelJobs(
      kernels,
      'productUnits',
      Array.from({ length: workers }, (_, t) => {
        const [px, tile] = scratch.slice(SHARED_REGIONS + t * REGIONS_PER_THREAD);
        return [
          xRows,
          x.stride,
          x.pairs ?? 0,
          sameOperand ? 1 : 0,
          packed,
          rows,
          p,
          q,
          c.address,
          c.stride,
          ...flags,
          px,
          tile,
          next,
          progress(t),
        ];
      }),
    );
  }
  let check = 0;
  for (let t = 0; t < threads && checkFinite; t++) check += view(kernels, finite(t), 1)[0];
  return check === 0;
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
  wasmProduct(kernels, xOperand, yOperand, { address: cAddress, stride: q }, scale, upperOnly, scratch, { threads });
  copyOut(view(kernels, cAddress, p * q), c, upperOnly);
  return true;
}

/**
 * The symmetric `xᵀx` of a JavaScript view, written into `out` (`(p, p)`, contiguous), through the module's memory:
 * `x` is copied in a group of slabs at a time, just before the group is packed (so that packing finds it in cache),
 * and checked for NaN and ±Infinity while it is packed; the upper triangle is computed on `threads` threads (its first
 * slab written over whatever the memory held, so nothing is zeroed first), each unit of rows then mirrored by its
 * thread, and the whole matrix copied out in one piece — no triangle walked in JavaScript.
 *
 * @returns `true` when done; `false` when `x` holds a NaN or ±Infinity (`out` is then left as it was); `undefined`
 * (having done nothing) when the module's memory cannot hold the operands.
 */
export function wasmGramOfArray(
  kernels: WasmKernels,
  x: ArrayView,
  out: Float64Array,
  threads = 1,
): boolean | undefined {
  const n = x.rows;
  const p = x.cols;
  const addresses = layout(kernels, [n * p, p * p, ...productScratch(n, p, p, threads)]);
  if (addresses === undefined) return undefined;
  const [xAddress, cAddress, ...scratch] = addresses;
  const copyRows = (rowStart: number, rowEnd: number): void => {
    const rows = { ...x, offset: x.offset + rowStart * x.stride, rows: rowEnd - rowStart };
    copyIn(rows, view(kernels, xAddress + rowStart * p * 8, (rowEnd - rowStart) * p));
  };
  const operand = { address: xAddress, stride: p, rows: n, cols: p };
  const options = { threads, mirror: true, overwrite: true, beforeGroup: copyRows, checkFinite: true };
  const finite = wasmProduct(kernels, operand, operand, { address: cAddress, stride: p }, 1, true, scratch, options);
  if (finite) out.set(view(kernels, cAddress, p * p));
  return finite;
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
