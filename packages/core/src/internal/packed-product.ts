/**
 * The one hot kernel behind `matmul`, `gram`, the streaming Gram accumulator and the Cholesky trailing update:
 *
 *     C(p, q) += scale · Xᵀ Y        X of shape (n, p), Y of shape (n, q), all row-major strided views
 *
 * optionally restricted to the upper triangle of C (SYRK, when X and Y are the same view). Why this shape: every
 * product lattn needs is a sum over rows of outer products, and with Xᵀ on the left both operands are read row by
 * row, so packing them is a contiguous copy (ADR 0005).
 *
 * Goto/BLIS layering, scaled down to what JavaScript can use:
 * - the rows are cut into slabs of `SLAB` rows (the `kc` of BLIS), so one packed panel fits the L1 cache;
 * - each slab of Y is packed once into panels of `TILE` columns, stored panel after panel, `SLAB · TILE` numbers
 *   each, with the last panel zero-padded; a block of `BLOCK` columns of X is packed the same way (and is simply
 *   a slice of Y's packing when X is Y), and stays in L2 while every panel of Y streams past it;
 * - a `TILE × TILE` micro-kernel keeps its 9 partial sums in local variables and reads only the two packed
 *   panels, contiguously. A 3 × 3 tile is the largest that fits V8's 16 floating-point registers without spills
 *   (measured against 2 × 4, 4 × 2, 4 × 4 and 3 × 4 in ADR 0005).
 *
 * Tiles that stick out of C (ragged edges) or straddle the diagonal of a triangular update are computed into a
 * scratch tile and added entry by entry, so the kernel itself never branches.
 *
 * {@link addTransposedProduct} runs the WASM SIMD twin of this kernel (`wasm/product.ts`, ADR 0007) when the runtime
 * has one and {@link addTransposedProductJs} otherwise. Everything here assumes valid, in-range views: the public
 * functions validate at their boundary.
 */
import { allFinite } from '../validate.js';
import { mirrorUpper } from './blocked-copy.js';
import { wasmKernels } from './wasm/instance.js';
import { wasmGramOfArray, wasmProductOfArrays } from './wasm/product.js';
import { productThreads } from './wasm/threads.js';

/** A strided row-major view into a `Float64Array`: entry `(i, j)` is `data[offset + i · stride + j]`. */
export interface MatrixView {
  readonly data: Float64Array;
  readonly offset: number;
  readonly stride: number;
  readonly rows: number;
  readonly cols: number;
}

/** Micro-tile edge: each kernel call updates a 3 × 3 block of C. */
const TILE = 3;
/** Rows of X and Y per packed slab (BLIS `kc`): a 256 × 3 panel is 6 KiB, well inside L1. */
const SLAB = 256;
/** Columns of X per packed block (BLIS `mc`, a multiple of `TILE`): 96 × 256 numbers is 192 KiB, inside L2. */
const BLOCK = 96;

/**
 * `c += scale · xᵀ y`, or only its upper triangle (`i <= j`) when `upperOnly`: on the WASM SIMD kernels when they are
 * available — on `workers` threads (`'auto'`: every core for a large product, see `wasm/threads.ts`) where worker
 * threads can run — else in JavaScript ({@link addTransposedProductJs}, same arguments). The result does not depend
 * on the number of threads.
 */
export function addTransposedProduct(
  x: MatrixView,
  y: MatrixView,
  c: MatrixView,
  scale: number,
  upperOnly: boolean,
  workers: number | 'auto' = 'auto',
): void {
  if (x.rows === 0 || x.cols === 0 || y.cols === 0) return;
  const kernels = wasmKernels();
  if (kernels !== undefined) {
    const flops = (upperOnly ? 1 : 2) * x.rows * x.cols * y.cols;
    const threads = productThreads(kernels, flops, workers);
    if (wasmProductOfArrays(kernels, x, y, c, scale, upperOnly, threads)) return;
  }
  addTransposedProductJs(x, y, c, scale, upperOnly);
}

/**
 * The symmetric Gram matrix `xᵀx` of the `(n, p)` view `x`, written into the zero-filled `(p, p)` array `out`: the
 * upper triangle by the packed kernel (WASM on `workers` threads, each mirroring its own rows there, or JavaScript),
 * then mirrored. `out[i·p + j]` and `out[j·p + i]` are bitwise equal, and equal to {@link addTransposedProduct}'s
 * upper triangle on any number of threads. The WASM kernel checks `x` for NaN and ±Infinity while packing it, so the
 * caller need not scan it first.
 *
 * @returns `false` when `x` holds a NaN or ±Infinity (`out` then holds no meaningful numbers), else `true`.
 */
export function gramInto(x: MatrixView, out: Float64Array, workers: number | 'auto' = 'auto'): boolean {
  const p = x.cols;
  if (x.rows === 0 || p === 0) return true;
  const kernels = wasmKernels();
  if (kernels !== undefined) {
    const threads = productThreads(kernels, x.rows * p * p, workers);
    const finite = wasmGramOfArray(kernels, x, out, threads);
    if (finite !== undefined) return finite;
  }
  if (!allEntriesFinite(x)) return false;
  addTransposedProductJs(x, x, { data: out, offset: 0, stride: p, rows: p, cols: p }, 1, true);
  mirrorUpper(out, p);
  return true;
}

/** Whether every entry of the view is finite ({@link allFinite} row by row). */
function allEntriesFinite(v: MatrixView): boolean {
  for (let i = 0, at = v.offset; i < v.rows; i++, at += v.stride) {
    if (!allFinite(v.data.subarray(at, at + v.cols))) return false;
  }
  return true;
}

/**
 * `c += scale · xᵀ y`, or only its upper triangle (`i <= j`) when `upperOnly`, in JavaScript: the reference and
 * fallback of the WASM kernel.
 *
 * @param x - `(n, p)` view.
 * @param y - `(n, q)` view; pass the same object as `x` for a Gram product (its packing is then shared).
 * @param c - `(p, q)` view, updated in place. With `upperOnly` entries below the diagonal are never touched.
 * @param scale - Multiplies the product (1 for accumulation, −1 for a Schur-complement update).
 * @param upperOnly - Update only `c[i][j]` with `i <= j`; requires `x === y`.
 */
export function addTransposedProductJs(
  x: MatrixView,
  y: MatrixView,
  c: MatrixView,
  scale: number,
  upperOnly: boolean,
): void {
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  if (n === 0 || p === 0 || q === 0) return;
  const shared = x === y;
  const slabRows = Math.min(SLAB, n);
  const packedY = new Float64Array(slabRows * roundUp(q));
  const packedX = shared ? packedY : new Float64Array(slabRows * roundUp(Math.min(BLOCK, p)));
  const scratch = new Float64Array(TILE * TILE);
  const cData = c.data;
  const ldc = c.stride;

  for (let r0 = 0; r0 < n; r0 += SLAB) {
    const kc = Math.min(SLAB, n - r0);
    packPanels(y, r0, kc, 0, q, packedY);
    for (let i0 = 0; i0 < p; i0 += BLOCK) {
      const iEnd = Math.min(i0 + BLOCK, p);
      // Offset of column i0's panel inside packedX: X's block is packed on its own, or is a slice of packedY.
      let xBase = i0 * kc;
      if (!shared) {
        packPanels(x, r0, kc, i0, iEnd - i0, packedX);
        xBase = 0;
      }
      for (let j = upperOnly ? i0 : 0; j < q; j += TILE) {
        const jFull = j + TILE <= q;
        const yOffset = j * kc;
        for (let i = i0; i < iEnd; i += TILE) {
          if (upperOnly && i > j) break;
          const xOffset = xBase + (i - i0) * kc;
          if (jFull && i + TILE <= p && !(upperOnly && i === j)) {
            kernel3x3(kc, packedX, xOffset, packedY, yOffset, cData, c.offset + i * ldc + j, ldc, scale);
          } else {
            scratch.fill(0);
            kernel3x3(kc, packedX, xOffset, packedY, yOffset, scratch, 0, TILE, scale);
            addPartialTile(scratch, cData, c.offset, ldc, i, j, p, q, upperOnly);
          }
        }
      }
    }
  }
}

function roundUp(columns: number): number {
  return Math.ceil(columns / TILE) * TILE;
}

/**
 * Packs rows `r0 .. r0 + kc` and columns `j0 .. j0 + width` of `v` into consecutive panels of `TILE` columns:
 * panel `t` occupies `out[t · kc · TILE ...]`, row-major `(kc, TILE)`, with the missing columns of the last panel
 * set to zero.
 */
function packPanels(v: MatrixView, r0: number, kc: number, j0: number, width: number, out: Float64Array): void {
  const src = v.data;
  const stride = v.stride;
  const full = width - (width % TILE);
  for (let j = 0; j < full; j += TILE) {
    let from = v.offset + r0 * stride + j0 + j;
    let to = j * kc;
    for (let r = 0; r < kc; r++) {
      out[to] = src[from];
      out[to + 1] = src[from + 1];
      out[to + 2] = src[from + 2];
      from += stride;
      to += TILE;
    }
  }
  const rest = width - full;
  if (rest === 0) return;
  let from = v.offset + r0 * stride + j0 + full;
  let to = full * kc;
  for (let r = 0; r < kc; r++) {
    out[to] = src[from];
    out[to + 1] = rest > 1 ? src[from + 1] : 0;
    out[to + 2] = 0;
    from += stride;
    to += TILE;
  }
}

/** Adds the part of a scratch tile at `(i, j)` that lies inside the `(p, q)` matrix (and on or above its diagonal). */
function addPartialTile(
  tile: Float64Array,
  c: Float64Array,
  cOffset: number,
  ldc: number,
  i: number,
  j: number,
  p: number,
  q: number,
  upperOnly: boolean,
): void {
  for (let a = 0; a < TILE && i + a < p; a++) {
    for (let b = 0; b < TILE && j + b < q; b++) {
      if (upperOnly && i + a > j + b) continue;
      c[cOffset + (i + a) * ldc + j + b] += tile[a * TILE + b];
    }
  }
}

/**
 * The micro-kernel: `c[0..3, 0..3] += scale · Σ_r a[r, 0..3]ᵀ b[r, 0..3]` for two packed `(kc, 3)` panels.
 * Nine independent accumulators, six loads and nine multiply–adds per row.
 */
function kernel3x3(
  kc: number,
  a: Float64Array,
  aOffset: number,
  b: Float64Array,
  bOffset: number,
  c: Float64Array,
  cOffset: number,
  ldc: number,
  scale: number,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  // `| 0` keeps the index arithmetic in wrapping int32 (packed panels hold far fewer than 2³¹ numbers), which
  // spares V8 an overflow check on every load.
  let ai = aOffset | 0;
  let bi = bOffset | 0;
  const end = (aOffset + TILE * kc) | 0;
  while (ai < end) {
    const a0 = a[ai];
    const a1 = a[(ai + 1) | 0];
    const a2 = a[(ai + 2) | 0];
    const b0 = b[bi];
    const b1 = b[(bi + 1) | 0];
    const b2 = b[(bi + 2) | 0];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    ai = (ai + TILE) | 0;
    bi = (bi + TILE) | 0;
  }
  let o = cOffset;
  c[o] += scale * c00;
  c[o + 1] += scale * c01;
  c[o + 2] += scale * c02;
  o += ldc;
  c[o] += scale * c10;
  c[o + 1] += scale * c11;
  c[o + 2] += scale * c12;
  o += ldc;
  c[o] += scale * c20;
  c[o + 1] += scale * c21;
  c[o + 2] += scale * c22;
}
