/**
 * The WASM SIMD twins of core's hot kernels (ADR 0007), written in AssemblyScript and compiled at build time with
 * SIMD (`f64x2` multiply then add) and with relaxed SIMD (`f64x2.relaxed_madd`, a fused multiply–add where the
 * hardware has one), each once with its own memory and once importing a shared one (for worker threads). Every
 * function works on float64 arrays inside this module's memory, addressed by byte pointers; the JavaScript side
 * (`src/internal/wasm/`) lays the arrays out, copies inputs in and results out. Long loops call the hot kernel
 * ({@link macroKernel}, with the micro-kernel inlined) as a function of its own, once per slab and unit, so that V8,
 * which tiers up a function between calls, runs it in its optimising tier even during the first long call (and
 * {@link warmUp} has it tiered up before any real work).
 *
 * Layout conventions: row-major matrices, strides in elements. A packed panel of `W` columns over `kc` rows is
 * stored row-major `(kc, W)`, panel after panel, the last one zero-padded.
 */

/** Rows of C per micro-tile (columns of X): each takes one broadcast load per row of the slab. */
const MR: i32 = 4;
/** Columns of C per micro-tile (columns of Y): two `f64x2` vectors. */
const NR: i32 = 4;

/** The first byte the JavaScript side may use: everything below belongs to the module's static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** `acc + a · b` on both lanes: fused where relaxed SIMD is enabled, multiply then add otherwise. */
function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, acc);
  return f64x2.add(acc, f64x2.mul(a, b));
}

/**
 * Packs `kc` rows and `width` columns of the row-major matrix at `src` (stride `stride`) into panels of four columns
 * (MR = NR: two vector copies per row) at `out`, zero-padding the last panel.
 *
 * @returns The sum of `v − v` over the entries packed: 0 when all are finite, NaN when one is NaN or ±Infinity (a
 * finiteness check at no extra memory traffic).
 */
function packPanels(src: usize, stride: i32, kc: i32, width: i32, out: usize): f64 {
  const full = width & ~3;
  const rowBytes = (<usize>stride) << 3;
  let check = f64x2.splat(0);
  for (let j = 0; j < full; j += 4) {
    let from = src + ((<usize>j) << 3);
    let to = out + ((<usize>(j * kc)) << 3);
    for (let r = 0; r < kc; r++) {
      const left = v128.load(from);
      const right = v128.load(from, 16);
      v128.store(to, left);
      v128.store(to, right, 16);
      check = f64x2.add(check, f64x2.add(f64x2.sub(left, left), f64x2.sub(right, right)));
      from += rowBytes;
      to += 32;
    }
  }
  let restCheck: f64 = 0;
  const rest = width - full;
  if (rest > 0) {
    let from = src + ((<usize>full) << 3);
    let to = out + ((<usize>(full * kc)) << 3);
    for (let r = 0; r < kc; r++) {
      for (let t = 0; t < 4; t++) {
        const v = t < rest ? load<f64>(from + ((<usize>t) << 3)) : 0.0;
        store<f64>(to + ((<usize>t) << 3), v);
        restCheck += v - v;
      }
      from += rowBytes;
      to += 32;
    }
  }
  return f64x2.extract_lane(check, 0) + f64x2.extract_lane(check, 1) + restCheck;
}

/**
 * Packs `kc` rows of the face-splitting square of the row-major matrix at `src` (stride `stride`): column `c` of
 * the virtual matrix is `src[r][first[c]] · src[r][second[c]]`, with the pair `(first[c], second[c])` read from the
 * `i32` pairs at `pairs`. Columns `c0 … c0 + width` go into panels of `w` columns at `out`, zero-padded.
 */
function packPairProducts(
  src: usize,
  stride: i32,
  pairs: usize,
  c0: i32,
  width: i32,
  kc: i32,
  w: i32,
  out: usize,
): void {
  const rowBytes = (<usize>stride) << 3;
  const panelBytes = (<usize>(w * kc)) << 3;
  for (let t = 0; t < w * ((width + w - 1) / w); t++) {
    const panel = t / w;
    let to = out + <usize>panel * panelBytes + ((<usize>(t - panel * w)) << 3);
    if (t >= width) {
      for (let r = 0; r < kc; r++) {
        store<f64>(to, 0.0);
        to += (<usize>w) << 3;
      }
      continue;
    }
    const pair = pairs + ((<usize>(c0 + t)) << 3);
    let first = src + ((<usize>load<i32>(pair)) << 3);
    let second = src + ((<usize>load<i32>(pair, 4)) << 3);
    for (let r = 0; r < kc; r++) {
      store<f64>(to, load<f64>(first) * load<f64>(second));
      first += rowBytes;
      second += rowBytes;
      to += (<usize>w) << 3;
    }
  }
}

/**
 * Holds the micro-kernel only so that it can carry `@inline` (AssemblyScript inlines decorated functions; Biome parses
 * decorators only on class members). Inlined into {@link macroKernel}, it saves a call per tile: 1–4 % on `gram` at
 * `D = 2048`, in every one of four interleaved runs.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a decorated static method is how AssemblyScript inlines a function that Biome can parse
class Micro {
  /**
   * The micro-kernel: `C[0..MR, 0..NR] += scale · Σ_r a[r, 0..MR]ᵀ b[r, 0..NR]` for a packed `(kc, MR)` panel `a` and
   * a packed `(kc, NR)` panel `b` (`kc >= 1`); `C` has a row stride of `ldc` bytes. Eight `f64x2` accumulators, each
   * summing its rows in order from zero. With `overwrite`, C's old entries are not read but taken as zeros.
   *
   * The loop body is unrolled four times with an exit test after every row. V8 schedules every load of one row before
   * its arithmetic, so a row needs the eight accumulators, six loaded vectors and one product in registers — all but
   * one of the fifteen it allocates; two rows in one basic block would spill. The exits keep each row in its own
   * block, and share one loop-back stack check among four rows (measured: ADR 0007).
   */
  @inline
  static run(kc: i32, a: usize, b: usize, c: usize, ldc: usize, scale: f64, overwrite: bool): void {
    let c00 = f64x2.splat(0);
    let c01 = f64x2.splat(0);
    let c10 = f64x2.splat(0);
    let c11 = f64x2.splat(0);
    let c20 = f64x2.splat(0);
    let c21 = f64x2.splat(0);
    let c30 = f64x2.splat(0);
    let c31 = f64x2.splat(0);
    const end = a + ((<usize>(kc * MR)) << 3);
    while (true) {
      let b0 = v128.load(b);
      let b1 = v128.load(b, 16);
      let a0 = v128.load64_splat(a);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      a0 = v128.load64_splat(a, 8);
      c10 = madd(a0, b0, c10);
      c11 = madd(a0, b1, c11);
      a0 = v128.load64_splat(a, 16);
      c20 = madd(a0, b0, c20);
      c21 = madd(a0, b1, c21);
      a0 = v128.load64_splat(a, 24);
      c30 = madd(a0, b0, c30);
      c31 = madd(a0, b1, c31);
      a += 32;
      b += 32;
      if (a >= end) break;
      b0 = v128.load(b);
      b1 = v128.load(b, 16);
      a0 = v128.load64_splat(a);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      a0 = v128.load64_splat(a, 8);
      c10 = madd(a0, b0, c10);
      c11 = madd(a0, b1, c11);
      a0 = v128.load64_splat(a, 16);
      c20 = madd(a0, b0, c20);
      c21 = madd(a0, b1, c21);
      a0 = v128.load64_splat(a, 24);
      c30 = madd(a0, b0, c30);
      c31 = madd(a0, b1, c31);
      a += 32;
      b += 32;
      if (a >= end) break;
      b0 = v128.load(b);
      b1 = v128.load(b, 16);
      a0 = v128.load64_splat(a);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      a0 = v128.load64_splat(a, 8);
      c10 = madd(a0, b0, c10);
      c11 = madd(a0, b1, c11);
      a0 = v128.load64_splat(a, 16);
      c20 = madd(a0, b0, c20);
      c21 = madd(a0, b1, c21);
      a0 = v128.load64_splat(a, 24);
      c30 = madd(a0, b0, c30);
      c31 = madd(a0, b1, c31);
      a += 32;
      b += 32;
      if (a >= end) break;
      b0 = v128.load(b);
      b1 = v128.load(b, 16);
      a0 = v128.load64_splat(a);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      a0 = v128.load64_splat(a, 8);
      c10 = madd(a0, b0, c10);
      c11 = madd(a0, b1, c11);
      a0 = v128.load64_splat(a, 16);
      c20 = madd(a0, b0, c20);
      c21 = madd(a0, b1, c21);
      a0 = v128.load64_splat(a, 24);
      c30 = madd(a0, b0, c30);
      c31 = madd(a0, b1, c31);
      a += 32;
      b += 32;
      if (a >= end) break;
    }
    const s = f64x2.splat(scale);
    update(c, 0, s, c00, overwrite);
    update(c, 16, s, c01, overwrite);
    c += ldc;
    update(c, 0, s, c10, overwrite);
    update(c, 16, s, c11, overwrite);
    c += ldc;
    update(c, 0, s, c20, overwrite);
    update(c, 16, s, c21, overwrite);
    c += ldc;
    update(c, 0, s, c30, overwrite);
    update(c, 16, s, c31, overwrite);
  }
}

/**
 * `C[at] = scale · sum + C[at]` on two lanes, or with `overwrite` `scale · sum + 0` without reading C: the same
 * operations on a zero, so an overwritten C is bitwise a zero-filled C updated.
 */
function update(c: usize, offset: usize, scale: v128, sum: v128, overwrite: bool): void {
  const at = c + offset;
  v128.store(at, madd(scale, sum, overwrite ? f64x2.splat(0) : v128.load(at)));
}

/**
 * The macro-kernel of one slab and one block: `C[i, j] += scale · Σ_r X[r, i] Y[r, j]` for the `rows` columns of X
 * packed at `px` (panels of MR) and the `cols` columns of Y packed at `py` (panels of NR). `C` is at `c` with row
 * stride `ldc` (elements). With `upperFrom >= 0` only entries with `upperFrom + i <= j` are updated (a triangular
 * update whose block starts at global row `upperFrom` while Y's columns start at global column 0). With `overwrite`
 * the entries updated start from zero instead of C's old values (which are not read). Edge tiles and tiles that
 * straddle the diagonal go through the `MR × NR` tile at `scratch`.
 *
 * Tiles are visited row of tiles by row of tiles: one packed panel of X stays in L1 while the panels of Y stream in
 * order (sequential, so the hardware prefetcher fetches them), and the tiles of C follow four rows of C left to right
 * (within a page, so prefetched as well). Column by column, every tile of C lay on another page, which no prefetcher
 * crosses, and its update waited for memory.
 *
 * Exported only so that Binaryen keeps it a function of its own instead of inlining it into {@link productUnits}: V8
 * tiers functions up one call at a time, so each slab of a unit then runs in the optimising tier as soon as it is
 * ready, even inside the first long `productUnits` call.
 */
export function macroKernel(
  kc: i32,
  px: usize,
  rows: i32,
  py: usize,
  cols: i32,
  c: usize,
  ldc: i32,
  scale: f64,
  upperFrom: i32,
  overwrite: bool,
  scratch: usize,
): void {
  const upper = upperFrom >= 0;
  const ldcBytes = (<usize>ldc) << 3;
  for (let i = 0; i < rows; i += MR) {
    const gi = upper ? upperFrom + i : 0;
    const xPanel = px + ((<usize>(i * kc)) << 3);
    for (let j = upper ? (gi / NR) * NR : 0; j < cols; j += NR) {
      const yPanel = py + ((<usize>(j * kc)) << 3);
      const target = c + <usize>i * ldcBytes + ((<usize>j) << 3);
      if (j + NR <= cols && i + MR <= rows && !(upper && gi + MR - 1 > j)) {
        Micro.run(kc, xPanel, yPanel, target, ldcBytes, scale, overwrite);
      } else {
        memory.fill(scratch, 0, MR * NR * 8);
        Micro.run(kc, xPanel, yPanel, scratch, NR * 8, scale, false);
        for (let a = 0; a < MR && i + a < rows; a++) {
          for (let b = 0; b < NR && j + b < cols; b++) {
            if (upper && gi + a > j + b) continue;
            const to = target + <usize>a * ldcBytes + ((<usize>b) << 3);
            store<f64>(to, (overwrite ? 0.0 : load<f64>(to)) + load<f64>(scratch + ((<usize>(a * NR + b)) << 3)));
          }
        }
      }
    }
  }
}

/** Rows per slab (BLIS `kc`), as in the JavaScript kernel: a packed `(256, 4)` panel is 8 KiB. */
const SLAB: i32 = 256;
/** Columns of X per packed block (BLIS `mc`, a multiple of MR): at most `(256, 128)`, 256 KiB, inside L2. */
const BLOCK: i32 = 128;

/**
 * Packs `kc` rows from row `r0` and columns `c0 … c0 + width` of an operand into panels of `w` columns at `out`: the
 * row-major matrix at `v` (stride `stride`, in {@link packPanels}' panels of four: `w` is MR or NR, both 4), or with
 * `pairs != 0` the face-splitting square of {@link packPairProducts}.
 *
 * @returns {@link packPanels}' finiteness check for a plain matrix, 0 for pair products (not checked).
 */
function packOperand(
  v: usize,
  stride: i32,
  pairs: usize,
  r0: i32,
  kc: i32,
  c0: i32,
  width: i32,
  w: i32,
  out: usize,
): f64 {
  const rows = v + ((<usize>r0 * <usize>stride) << 3);
  if (pairs === 0) return packPanels(rows + ((<usize>c0) << 3), stride, kc, width, out);
  packPairProducts(rows, stride, pairs, c0, width, kc, w, out);
  return 0;
}

/** Rows of C per unit of work that a thread claims (a multiple of MR): one packed block of X per slab. */
const UNIT: i32 = BLOCK;

/** `columns` rounded up to whole panels of `w`. */
function panelWidth(columns: i32, w: i32): i32 {
  return ((columns + w - 1) / w) * w;
}

/**
 * Packs the columns `c0 … c1 − 1` (`c0` a multiple of NR) of every slab (`SLAB` rows each, the last one shorter) of
 * Y — the row-major `(n, q)` matrix at `y` (stride `yStride`), or with `yPairs != 0` the pair products of
 * {@link packPairProducts} — into panels of NR columns: slab `s` at `packed + s · SLAB · panelWidth(q, NR)` entries,
 * column `c` of it in the panel at `c · kc`. Threads pack disjoint column ranges of one buffer, which
 * {@link productUnits} then reads. When `finite` is not 0, the `f64` there gets {@link packPanels}' check of the
 * entries packed added to it (it stays 0 while they are all finite). The `i32` at `progress` (when not 0) counts the
 * slabs.
 */
export function packSlabs(
  y: usize,
  yStride: i32,
  yPairs: usize,
  n: i32,
  q: i32,
  c0: i32,
  c1: i32,
  packed: usize,
  finite: usize,
  progress: usize,
): void {
  const width = panelWidth(q, NR);
  let check: f64 = 0;
  for (let r0 = 0; r0 < n && c0 < c1; r0 += SLAB) {
    const kc = min(SLAB, n - r0);
    const slab = packed + ((<usize>r0 * <usize>width) << 3);
    check += packOperand(y, yStride, yPairs, r0, kc, c0, c1 - c0, NR, slab + ((<usize>(c0 * kc)) << 3));
    if (progress !== 0) store<i32>(progress, load<i32>(progress) + 1);
  }
  if (finite !== 0) store<f64>(finite, load<f64>(finite) + check);
}

/** The next unit of work: the `i32` at `next`, incremented atomically where threads share the memory. */
function claim(next: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(next, 1);
  const unit = load<i32>(next);
  store<i32>(next, unit + 1);
  return unit;
}

/**
 * `C[i, j] += scale · Σ_r X[r, i] Y[r, j]` for the `p` rows of C (and, with `upper`, only `j >= i`), Y already packed
 * by {@link packSlabs} at `packed`: the calling thread claims units of `UNIT` rows of C from the counter at `next`
 * until none is left, and for each runs the Goto/BLIS loops over the slabs — the unit's block of X packed at `px` (or,
 * with `sameOperand`, read from Y's packing: X is Y), one {@link macroKernel} call per slab. X is `(n, p)` at `x`
 * with stride `xStride` (or, with `xPairs != 0`, the pair products of its columns); C is at `c` with row stride
 * `ldc`. `px` holds `SLAB · UNIT` entries and `tile` `MR · NR`. With `overwrite` the first slab writes C instead of
 * adding to it (C's old entries are neither read nor kept: bitwise a zero-filled C updated, without the pass that
 * fills it). With `upper` and `mirror` (C square) each unit's rows are then copied onto the lower triangle
 * ({@link mirrorRows}). After every slab the `i32` at `progress` (when not 0)
 * is incremented, so that another thread can see work advance.
 *
 * Units are claimed in order, the largest first for an upper triangle, so threads of unequal speed end together.
 * Every entry of C gets one partial sum per slab, in slab order, each summed in row order from zero, whichever thread
 * claims its unit: the result is bitwise the same on any number of threads. Each slab is a separate call of
 * {@link macroKernel}, which V8 tiers up on its own.
 */
export function productUnits(
  x: usize,
  xStride: i32,
  xPairs: usize,
  sameOperand: bool,
  packed: usize,
  n: i32,
  p: i32,
  q: i32,
  c: usize,
  ldc: i32,
  scale: f64,
  upper: bool,
  mirror: bool,
  overwrite: bool,
  px: usize,
  tile: usize,
  next: usize,
  progress: usize,
): void {
  const width = panelWidth(q, NR);
  const units = (p + UNIT - 1) / UNIT;
  const ldcBytes = (<usize>ldc) << 3;
  for (let unit = claim(next); unit < units; unit = claim(next)) {
    const i0 = unit * UNIT;
    const rows = min(UNIT, p - i0);
    const jStart = upper ? (i0 / NR) * NR : 0;
    if (jStart < q) {
      for (let r0 = 0; r0 < n; r0 += SLAB) {
        const kc = min(SLAB, n - r0);
        const slab = packed + ((<usize>r0 * <usize>width) << 3);
        let xBlock = px;
        if (sameOperand) xBlock = slab + ((<usize>(i0 * kc)) << 3);
        else packOperand(x, xStride, xPairs, r0, kc, i0, rows, MR, px);
        const target = c + <usize>i0 * ldcBytes + ((<usize>jStart) << 3);
        const yPanel = slab + ((<usize>(jStart * kc)) << 3);
        const first = overwrite && r0 === 0;
        macroKernel(kc, xBlock, rows, yPanel, q - jStart, target, ldc, scale, upper ? i0 - jStart : -1, first, tile);
        if (progress !== 0) store<i32>(progress, load<i32>(progress) + 1);
      }
    }
    if (upper && mirror) mirrorRows(c, ldc, i0, i0 + rows, q);
  }
}

/** Edge of the squares {@link mirrorRows} copies: 32 × 32 entries read along rows and written down columns, in L1. */
const MIRROR_BLOCK: i32 = 32;

/**
 * Copies the rows `rowStart … rowEnd − 1` of the upper triangle of the `(q, q)` matrix at `c` (row stride `ldc`)
 * onto the lower triangle: `C[j][i] = C[i][j]` for `i < j`. Only the lower triangle is written, so threads that
 * mirror their own rows of a triangle computed by {@link product} never write where another thread reads or writes.
 */
function mirrorRows(c: usize, ldc: i32, rowStart: i32, rowEnd: i32, q: i32): void {
  const ldcBytes = (<usize>ldc) << 3;
  for (let i0 = rowStart; i0 < rowEnd; i0 += MIRROR_BLOCK) {
    const iEnd = min(i0 + MIRROR_BLOCK, rowEnd);
    for (let j0 = i0; j0 < q; j0 += MIRROR_BLOCK) {
      const jEnd = min(j0 + MIRROR_BLOCK, q);
      for (let i = i0; i < iEnd; i++) {
        const row = c + <usize>i * ldcBytes;
        const column = c + ((<usize>i) << 3);
        for (let j = max(j0, i + 1); j < jEnd; j++) {
          store<f64>(column + <usize>j * ldcBytes, load<f64>(row + ((<usize>j) << 3)));
        }
      }
    }
  }
}

/**
 * Row operations of one block column of the right-looking Cholesky factorisation on `U = Lᵀ` (see `cholesky.ts`):
 * for `k = k0 … k1 − 1`, take the square root of the pivot, scale row `k` right of it, and subtract
 * `U[k][q] · U[k][q…n]` from rows `q = k + 1 … k1 − 1` of the block. The `(n, n)` matrix is at `w`.
 *
 * @returns The first `k` whose pivot is not above `threshold` (or is NaN), or `-1`.
 */
export function choleskyBlock(w: usize, n: i32, k0: i32, k1: i32, threshold: f64): i32 {
  const rowBytes = (<usize>n) << 3;
  for (let k = k0; k < k1; k++) {
    const rowK = w + <usize>k * rowBytes;
    const pivot = load<f64>(rowK + ((<usize>k) << 3));
    if (!(pivot > threshold)) return k;
    const diagonal = Math.sqrt(pivot);
    store<f64>(rowK + ((<usize>k) << 3), diagonal);
    const inverse = 1 / diagonal;
    scaleRange(rowK, k + 1, n, inverse);
    for (let q = k + 1; q < k1; q++) {
      const factor = load<f64>(rowK + ((<usize>q) << 3));
      if (factor === 0) continue;
      subtractScaled(w + <usize>q * rowBytes, rowK, q, n, factor);
    }
  }
  return -1;
}

/** `row[from … to] *= factor`. */
function scaleRange(row: usize, from: i32, to: i32, factor: f64): void {
  const f = f64x2.splat(factor);
  let j = from;
  for (; j + 2 <= to; j += 2) {
    const at = row + ((<usize>j) << 3);
    v128.store(at, f64x2.mul(v128.load(at), f));
  }
  if (j < to) store<f64>(row + ((<usize>j) << 3), load<f64>(row + ((<usize>j) << 3)) * factor);
}

/** `target[from … to] −= factor · source[from … to]` (multiply then subtract, as the JavaScript kernel does). */
function subtractScaled(target: usize, source: usize, from: i32, to: i32, factor: f64): void {
  const f = f64x2.splat(factor);
  let j = from;
  for (; j + 2 <= to; j += 2) {
    const at = (<usize>j) << 3;
    v128.store(target + at, f64x2.sub(v128.load(target + at), f64x2.mul(f, v128.load(source + at))));
  }
  if (j < to) {
    const at = (<usize>j) << 3;
    store<f64>(target + at, load<f64>(target + at) - factor * load<f64>(source + at));
  }
}

/** `lane 0 + lane 1` of a vector. */
function sumLanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * `y = S · x` for the symmetric `(n, n)` row-major matrix `S` at `a` defined by its lower triangle (only `j <= i` is
 * read: half the memory traffic of a full product), two rows at a time: each row's entries left of the diagonal give
 * a dot product with `x` and an update `y[j] += S[i][j] · x[i]` (LAPACK `dsymv`). `x` and `y` are `n` entries.
 */
export function symmetricMultiply(a: usize, n: i32, x: usize, y: usize): void {
  memory.fill(y, 0, (<usize>n) << 3);
  const rowBytes = (<usize>n) << 3;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const row0 = a + <usize>i * rowBytes;
    const row1 = row0 + rowBytes;
    const x0 = load<f64>(x + ((<usize>i) << 3));
    const x1 = load<f64>(x + ((<usize>(i + 1)) << 3));
    const xs0 = f64x2.splat(x0);
    const xs1 = f64x2.splat(x1);
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= i; j += 2) {
      const at = (<usize>j) << 3;
      const a0 = v128.load(row0 + at);
      const a1 = v128.load(row1 + at);
      const xj = v128.load(x + at);
      acc0 = madd(a0, xj, acc0);
      acc1 = madd(a1, xj, acc1);
      v128.store(y + at, madd(a1, xs1, madd(a0, xs0, v128.load(y + at))));
    }
    let sum0 = sumLanes(acc0);
    let sum1 = sumLanes(acc1);
    for (; j < i; j++) {
      const at = (<usize>j) << 3;
      const a0 = load<f64>(row0 + at);
      const a1 = load<f64>(row1 + at);
      const xj = load<f64>(x + at);
      sum0 += a0 * xj;
      sum1 += a1 * xj;
      store<f64>(y + at, load<f64>(y + at) + a0 * x0 + a1 * x1);
    }
    const d0 = load<f64>(row0 + ((<usize>i) << 3));
    const off = load<f64>(row1 + ((<usize>i) << 3));
    const d1 = load<f64>(row1 + ((<usize>(i + 1)) << 3));
    const yi = y + ((<usize>i) << 3);
    store<f64>(yi, load<f64>(yi) + sum0 + d0 * x0 + off * x1);
    store<f64>(yi, load<f64>(yi, 8) + sum1 + off * x0 + d1 * x1, 8);
  }
  if (i < n) {
    const row = a + <usize>i * rowBytes;
    const xi = load<f64>(x + ((<usize>i) << 3));
    let sum: f64 = 0;
    for (let j = 0; j < i; j++) {
      const at = (<usize>j) << 3;
      const aij = load<f64>(row + at);
      sum += aij * load<f64>(x + at);
      store<f64>(y + at, load<f64>(y + at) + aij * xi);
    }
    const yi = y + ((<usize>i) << 3);
    store<f64>(yi, load<f64>(yi) + sum + load<f64>(row + ((<usize>i) << 3)) * xi);
  }
}

/**
 * One step of the Householder tridiagonalisation (see `src/internal/tridiagonal.ts`, `fusedUpdate`): the rank-2
 * update `A ← A − v·wᵀ − w·vᵀ` of rows and columns `first … n − 1` of the lower triangle of the `(n, n)` row-major
 * matrix at `a`, fused with `y += A_new · next` on the same block, two rows at a time so that each load of `v`, `w`,
 * `next` and `y` serves both. The update of each entry is the JavaScript kernel's, bitwise; the dot products are
 * summed on two lanes.
 */
export function tridiagonalUpdate(a: usize, n: i32, first: i32, v: usize, w: usize, next: usize, y: usize): void {
  const rowBytes = (<usize>n) << 3;
  let i = first;
  for (; i + 1 < n; i += 2) {
    const row0 = a + <usize>i * rowBytes;
    const row1 = row0 + rowBytes;
    const ii = (<usize>i) << 3;
    const v0 = load<f64>(v + ii);
    const w0 = load<f64>(w + ii);
    const n0 = load<f64>(next + ii);
    const v1 = load<f64>(v + ii, 8);
    const w1 = load<f64>(w + ii, 8);
    const n1 = load<f64>(next + ii, 8);
    const vs0 = f64x2.splat(v0);
    const ws0 = f64x2.splat(w0);
    const ns0 = f64x2.splat(n0);
    const vs1 = f64x2.splat(v1);
    const ws1 = f64x2.splat(w1);
    const ns1 = f64x2.splat(n1);
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    let j = first;
    for (; j + 2 <= i; j += 2) {
      const at = (<usize>j) << 3;
      const vj = v128.load(v + at);
      const wj = v128.load(w + at);
      const nj = v128.load(next + at);
      const a0 = f64x2.sub(f64x2.sub(v128.load(row0 + at), f64x2.mul(vs0, wj)), f64x2.mul(ws0, vj));
      const a1 = f64x2.sub(f64x2.sub(v128.load(row1 + at), f64x2.mul(vs1, wj)), f64x2.mul(ws1, vj));
      v128.store(row0 + at, a0);
      v128.store(row1 + at, a1);
      acc0 = f64x2.add(acc0, f64x2.mul(a0, nj));
      acc1 = f64x2.add(acc1, f64x2.mul(a1, nj));
      v128.store(y + at, f64x2.add(v128.load(y + at), f64x2.add(f64x2.mul(a0, ns0), f64x2.mul(a1, ns1))));
    }
    let sum0 = sumLanes(acc0);
    let sum1 = sumLanes(acc1);
    for (; j < i; j++) {
      const at = (<usize>j) << 3;
      const vj = load<f64>(v + at);
      const wj = load<f64>(w + at);
      const nj = load<f64>(next + at);
      const a0 = load<f64>(row0 + at) - v0 * wj - w0 * vj;
      const a1 = load<f64>(row1 + at) - v1 * wj - w1 * vj;
      store<f64>(row0 + at, a0);
      store<f64>(row1 + at, a1);
      sum0 += a0 * nj;
      sum1 += a1 * nj;
      store<f64>(y + at, load<f64>(y + at) + (a0 * n0 + a1 * n1));
    }
    // The 2 × 2 diagonal block: (i, i), (i+1, i), (i+1, i+1).
    const d0 = load<f64>(row0 + ii) - 2 * v0 * w0;
    const off = load<f64>(row1 + ii) - v1 * w0 - w1 * v0;
    const d1 = load<f64>(row1 + ii, 8) - 2 * v1 * w1;
    store<f64>(row0 + ii, d0);
    store<f64>(row1 + ii, off);
    store<f64>(row1 + ii, d1, 8);
    store<f64>(y + ii, load<f64>(y + ii) + (sum0 + d0 * n0 + off * n1));
    store<f64>(y + ii, load<f64>(y + ii, 8) + (sum1 + off * n0 + d1 * n1), 8);
  }
  if (i < n) {
    const row = a + <usize>i * rowBytes;
    const ii = (<usize>i) << 3;
    const vi = load<f64>(v + ii);
    const wi = load<f64>(w + ii);
    const ni = load<f64>(next + ii);
    let sum: f64 = 0;
    for (let j = first; j < i; j++) {
      const at = (<usize>j) << 3;
      const aij = load<f64>(row + at) - vi * load<f64>(w + at) - wi * load<f64>(v + at);
      store<f64>(row + at, aij);
      sum += aij * load<f64>(next + at);
      store<f64>(y + at, load<f64>(y + at) + aij * ni);
    }
    const diagonal = load<f64>(row + ii) - 2 * vi * wi;
    store<f64>(row + ii, diagonal);
    store<f64>(y + ii, load<f64>(y + ii) + (sum + diagonal * ni));
  }
}

/** Size of the scratch region {@link warmUp} uses: 256 rows of 64 columns, a `(64, 64)` result and packing buffers. */
const WARM_ROWS: i32 = 256;
const WARM_COLS: i32 = 64;

/** Bytes of scratch {@link warmUp} needs. */
export function warmUpBytes(): usize {
  return (<usize>(WARM_ROWS * WARM_COLS * 3 + WARM_COLS * WARM_COLS + 2 * WARM_COLS + 64)) << 3;
}

/**
 * Runs every kernel on small data in the scratch region at `region` (of {@link warmUpBytes} bytes), enough calls for
 * V8 to spend the baseline tier's budget and compile each with its optimising tier in the background.
 */
export function warmUp(region: usize): void {
  const x = region;
  const c = x + ((<usize>(WARM_ROWS * WARM_COLS)) << 3);
  const px = c + ((<usize>(WARM_COLS * WARM_COLS)) << 3);
  const py = px + ((<usize>(WARM_ROWS * WARM_COLS)) << 3);
  const vec = py + ((<usize>(WARM_ROWS * WARM_COLS)) << 3);
  const tile = vec + ((<usize>(2 * WARM_COLS)) << 3);
  const pairs = tile + ((<usize>(MR * NR)) << 3);
  memory.fill(x, 0, (<usize>(WARM_ROWS * WARM_COLS)) << 3);
  memory.fill(vec, 0, (<usize>(2 * WARM_COLS + MR * NR + 32)) << 3);
  for (let i = 0; i < WARM_COLS; i++) {
    store<f64>(x + ((<usize>(i * WARM_COLS + i)) << 3), 1);
    store<i32>(pairs + ((<usize>i) << 2), 0);
  }
  const next = pairs + ((<usize>WARM_COLS) << 2);
  for (let round = 0; round < 40; round++) {
    const upper = round % 2 === 0;
    memory.fill(c, 0, (<usize>(WARM_COLS * WARM_COLS)) << 3);
    packSlabs(x, WARM_COLS, 0, WARM_ROWS, WARM_COLS, 0, WARM_COLS, py, 0, 0);
    store<i32>(next, 0);
    productUnits(
      x,
      WARM_COLS,
      0,
      upper,
      py,
      WARM_ROWS,
      WARM_COLS,
      WARM_COLS,
      c,
      WARM_COLS,
      1,
      upper,
      round % 4 === 0,
      round % 3 === 0,
      px,
      tile,
      next,
      0,
    );
    packSlabs(x, WARM_COLS, 0, 64, WARM_COLS, 0, WARM_COLS, py, 0, 0);
    store<i32>(next, 0);
    productUnits(
      x,
      WARM_COLS,
      pairs,
      false,
      py,
      64,
      16,
      WARM_COLS,
      c,
      WARM_COLS,
      1,
      false,
      false,
      true,
      px,
      tile,
      next,
      0,
    );
    symmetricMultiply(c, WARM_COLS, vec, vec + ((<usize>WARM_COLS) << 3));
    tridiagonalUpdate(c, WARM_COLS, 1, vec, vec, vec, vec + ((<usize>WARM_COLS) << 3));
    for (let i = 0; i < WARM_COLS; i++) store<f64>(c + ((<usize>(i * WARM_COLS + i)) << 3), 1);
    choleskyBlock(c, WARM_COLS, 0, 16, 0);
  }
}
