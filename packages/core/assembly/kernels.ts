/**
 * The WASM SIMD twins of core's hot kernels (ADR 0007), written in AssemblyScript and compiled twice at build time:
 * with SIMD (`f64x2` multiply then add) and with relaxed SIMD (`f64x2.relaxed_madd`, a fused multiply–add where the
 * hardware has one). Every function works on float64 arrays inside this module's memory, addressed by byte
 * pointers; the JavaScript side (`src/internal/wasm/`) lays the arrays out, copies inputs in and results out, and
 * drives the loops over slabs and blocks, so that no single call runs long enough to stay in V8's baseline tier.
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
 * Packs `kc` rows and `width` columns of the row-major matrix at `src` (stride `stride`) into panels of `w` columns
 * at `out`, zero-padding the last panel.
 */
export function packPanels(src: usize, stride: i32, kc: i32, width: i32, w: i32, out: usize): void {
  const full = width - (width % w);
  const rowBytes = (<usize>stride) << 3;
  for (let j = 0; j < full; j += w) {
    let from = src + ((<usize>j) << 3);
    let to = out + ((<usize>(j * kc)) << 3);
    if (w === 4) {
      for (let r = 0; r < kc; r++) {
        v128.store(to, v128.load(from));
        v128.store(to, v128.load(from, 16), 16);
        from += rowBytes;
        to += 32;
      }
    } else {
      for (let r = 0; r < kc; r++) {
        for (let t = 0; t < w; t++) store<f64>(to + ((<usize>t) << 3), load<f64>(from + ((<usize>t) << 3)));
        from += rowBytes;
        to += (<usize>w) << 3;
      }
    }
  }
  const rest = width - full;
  if (rest === 0) return;
  let from = src + ((<usize>full) << 3);
  let to = out + ((<usize>(full * kc)) << 3);
  for (let r = 0; r < kc; r++) {
    for (let t = 0; t < w; t++)
      store<f64>(to + ((<usize>t) << 3), t < rest ? load<f64>(from + ((<usize>t) << 3)) : 0.0);
    from += rowBytes;
    to += (<usize>w) << 3;
  }
}

/**
 * Packs `kc` rows of the face-splitting square of the row-major matrix at `src` (stride `stride`): column `c` of
 * the virtual matrix is `src[r][first[c]] · src[r][second[c]]`, with the pair `(first[c], second[c])` read from the
 * `i32` pairs at `pairs`. Columns `c0 … c0 + width` go into panels of `w` columns at `out`, zero-padded.
 */
export function packPairProducts(
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
 * The micro-kernel: `C[0..MR, 0..NR] += scale · Σ_r a[r, 0..MR]ᵀ b[r, 0..NR]` for a packed `(kc, MR)` panel `a` and
 * a packed `(kc, NR)` panel `b`; `C` has a row stride of `ldc` bytes. Eight `f64x2` accumulators.
 */
function micro(kc: i32, a: usize, b: usize, c: usize, ldc: usize, scale: f64): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  const end = a + ((<usize>(kc * MR)) << 3);
  while (a < end) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load64_splat(a);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load64_splat(a, 8);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load64_splat(a, 16);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load64_splat(a, 24);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    a += 32;
    b += 32;
  }
  const s = f64x2.splat(scale);
  v128.store(c, madd(s, c00, v128.load(c)));
  v128.store(c, madd(s, c01, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(s, c10, v128.load(c)));
  v128.store(c, madd(s, c11, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(s, c20, v128.load(c)));
  v128.store(c, madd(s, c21, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(s, c30, v128.load(c)));
  v128.store(c, madd(s, c31, v128.load(c, 16)), 16);
}

/**
 * The macro-kernel of one slab and one block: `C[i, j] += scale · Σ_r X[r, i] Y[r, j]` for the `rows` columns of X
 * packed at `px` (panels of MR) and the `cols` columns of Y packed at `py` (panels of NR). `C` is at `c` with row
 * stride `ldc` (elements). With `upperFrom >= 0` only entries with `upperFrom + i <= j` are updated (a triangular
 * update whose block starts at global row `upperFrom` while Y's columns start at global column 0). Edge tiles and
 * tiles that straddle the diagonal go through the `MR × NR` tile at `scratch`.
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
  scratch: usize,
): void {
  const upper = upperFrom >= 0;
  const ldcBytes = (<usize>ldc) << 3;
  const jStart = upper ? (upperFrom / NR) * NR : 0;
  for (let j = jStart; j < cols; j += NR) {
    const yPanel = py + ((<usize>(j * kc)) << 3);
    const jFull = j + NR <= cols;
    for (let i = 0; i < rows; i += MR) {
      const gi = upper ? upperFrom + i : 0;
      if (upper && gi > j + NR - 1) break;
      const xPanel = px + ((<usize>(i * kc)) << 3);
      const target = c + <usize>i * ldcBytes + ((<usize>j) << 3);
      if (jFull && i + MR <= rows && !(upper && gi + MR - 1 > j)) {
        micro(kc, xPanel, yPanel, target, ldcBytes, scale);
      } else {
        memory.fill(scratch, 0, MR * NR * 8);
        micro(kc, xPanel, yPanel, scratch, NR * 8, scale);
        for (let a = 0; a < MR && i + a < rows; a++) {
          for (let b = 0; b < NR && j + b < cols; b++) {
            if (upper && gi + a > j + b) continue;
            const to = target + <usize>a * ldcBytes + ((<usize>b) << 3);
            store<f64>(to, load<f64>(to) + load<f64>(scratch + ((<usize>(a * NR + b)) << 3)));
          }
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
