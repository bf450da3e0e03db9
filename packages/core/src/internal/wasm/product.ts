/**
 * `C += scale · XᵀY` on the WASM SIMD kernels: the Goto/BLIS loops of `packed-product.ts` driven from JavaScript
 * over operands that live in the module's memory, one WASM call per packing and per block, and the same product on
 * JavaScript views by copying them in and out. Internal; shapes are assumed valid.
 *
 * The slabs are 256 rows, as in the JavaScript kernel, and every entry of `C` is updated once per slab with the
 * slab's partial sum taken in row order, so the SIMD build gives bitwise the JavaScript kernel's result; the
 * relaxed-SIMD build differs by the rounding of its fused multiply–adds.
 */
import { layout, MR, NR, view, type WasmKernels } from './instance.js';

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

/** Rows per slab (BLIS `kc`), the JavaScript kernel's: a `(256, 4)` packed panel is 8 KiB. */
export const SLAB = 256;
/** Columns of X per packed block (BLIS `mc`, a multiple of `MR`): at most `(256, 192)`, 384 KiB, inside L2. */
export const BLOCK: number = MR * 32;

/** The float64 lengths of the packing buffers and scratch tile a product of `n` rows, `p` and `q` columns needs. */
export function productScratch(n: number, p: number, q: number): number[] {
  const kc = Math.min(SLAB, n);
  return [kc * roundUp(Math.min(BLOCK, p), MR), kc * roundUp(q, NR), MR * NR];
}

/**
 * `c += scale · xᵀ y` (only `i <= j` when `upperOnly`) for operands in the module's memory.
 *
 * @param scratch - Addresses of the three regions sized by {@link productScratch}.
 */
export function wasmProduct(
  kernels: WasmKernels,
  x: WasmOperand,
  y: WasmOperand,
  c: WasmMatrix,
  scale: number,
  upperOnly: boolean,
  scratch: readonly number[],
): void {
  const e = kernels.exports;
  const [px, py, tile] = scratch;
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  if (n === 0 || p === 0 || q === 0) return;
  for (let r0 = 0; r0 < n; r0 += SLAB) {
    const kc = Math.min(SLAB, n - r0);
    pack(kernels, y, r0, kc, 0, q, NR, py);
    for (let i0 = 0; i0 < p; i0 += BLOCK) {
      const rows = Math.min(BLOCK, p - i0);
      pack(kernels, x, r0, kc, i0, rows, MR, px);
      e.macroKernel(kc, px, rows, py, q, c.address + i0 * c.stride * 8, c.stride, scale, upperOnly ? i0 : -1, tile);
    }
  }
}

function pack(
  kernels: WasmKernels,
  v: WasmOperand,
  r0: number,
  kc: number,
  c0: number,
  width: number,
  w: number,
  out: number,
): void {
  const rowStart = v.address + r0 * v.stride * 8;
  if (v.pairs === undefined) kernels.exports.packPanels(rowStart + c0 * 8, v.stride, kc, width, w, out);
  else kernels.exports.packPairProducts(rowStart, v.stride, v.pairs, c0, width, kc, w, out);
}

/**
 * `c += scale · xᵀ y` on JavaScript views, through the module's memory: `x` (and `y` unless it is `x`) and `c` are
 * copied in, multiplied, and `c` copied back.
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
): boolean {
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  const shared = x === y;
  const addresses = layout(kernels, [n * p, shared ? 0 : n * q, p * q, ...productScratch(n, p, q)]);
  if (addresses === undefined) return false;
  const [xAddress, yAddress, cAddress, ...scratch] = addresses;
  copyIn(x, view(kernels, xAddress, n * p));
  if (!shared) copyIn(y, view(kernels, yAddress, n * q));
  const cView = view(kernels, cAddress, p * q);
  copyIn(c, cView);
  const xOperand = { address: xAddress, stride: p, rows: n, cols: p };
  const yOperand = shared ? xOperand : { address: yAddress, stride: q, rows: n, cols: q };
  wasmProduct(kernels, xOperand, yOperand, { address: cAddress, stride: q }, scale, upperOnly, scratch);
  copyOut(view(kernels, cAddress, p * q), c);
  return true;
}

/** Copies a strided view into a contiguous `(rows, cols)` array. */
export function copyIn(v: ArrayView, to: Float64Array): void {
  if (v.stride === v.cols) {
    to.set(v.data.subarray(v.offset, v.offset + v.rows * v.cols));
    return;
  }
  for (let i = 0; i < v.rows; i++) {
    const from = v.offset + i * v.stride;
    to.set(v.data.subarray(from, from + v.cols), i * v.cols);
  }
}

/** Copies a contiguous `(rows, cols)` array into a strided view. */
export function copyOut(from: Float64Array, v: ArrayView): void {
  if (v.stride === v.cols) {
    v.data.set(from.subarray(0, v.rows * v.cols), v.offset);
    return;
  }
  for (let i = 0; i < v.rows; i++) v.data.set(from.subarray(i * v.cols, (i + 1) * v.cols), v.offset + i * v.stride);
}

function roundUp(columns: number, w: number): number {
  return Math.ceil(columns / w) * w;
}
