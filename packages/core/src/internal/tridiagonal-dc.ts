/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by divide and conquer (Cuppen 1981; Gu & Eisenstat
 * 1995; LAPACK `dstedc`/`dlaed0`–`dlaed4`). Internal: callers pass finite, scaled data.
 *
 * `T` is torn in two at its middle off-diagonal `β`: `T = diag(T₁, T₂) + ρ·u·uᵀ` with `ρ = |β|`,
 * `u = e_{m−1} + sign(β)·e_m`, and the last diagonal entry of `T₁` and the first of `T₂` reduced by `ρ`. With
 * `T_i = Q_i·D_i·Q_iᵀ` solved recursively (small blocks by QL), `T = Q̂·(D + ρ·z·zᵀ)·Q̂ᵀ`, `Q̂ = diag(Q₁, Q₂)`,
 * `z = Q̂ᵀu`. The eigenvalues of the rank-one update `D + ρzzᵀ` are the roots of the secular equation
 * `f(λ) = 1/ρ + Σ z_i²/(d_i − λ) = 0`, one in each gap between consecutive `d_i` and one above the largest.
 *
 * Deflation first removes the trivial part: a negligible `z_i` leaves `(d_i, Q̂e_i)` as an eigenpair, and two
 * nearly equal `d_i` are merged by a plane rotation that zeroes one `z` entry. Each root is found relative to its
 * nearer pole (`λ = d_o + τ`), so the differences `d_i − λ` are accurate; the vector `ẑ` for which the computed
 * roots are exact is recomputed from them (Gu–Eisenstat), which makes the eigenvectors `(ẑ_i/(d_i − λ_j))_i`
 * orthogonal to working precision. The new eigenvector matrix is `Q̂·U`, two matrix products that skip the zero
 * blocks of `Q̂`. Clusters of eigenvalues deflate heavily, so they make the method faster, not slower.
 */
import { LattnError } from '../errors.js';
import { hypot } from './householder.js';
import { addTransposedProduct } from './packed-product.js';
import { tridiagonalQl } from './tridiagonal-ql.js';

const EPSILON = 2 ** -52;
/** Blocks of at most this size are solved by QL (LAPACK's `SMLSIZ` is 25). */
const LEAF = 32;
/** Iteration cap of the secular-equation solver for one root. */
const SECULAR_ITERATIONS = 100;

/**
 * Diagonalises the tridiagonal `(d, e)`: on return `d` holds the eigenvalues (unsorted); the result holds the
 * matching unit eigenvectors as the columns of an `(n, n)` row-major matrix and the QL sweeps spent on the leaves.
 *
 * @throws {@link LattnError} `NOT_CONVERGED` (naming `fn`) if a leaf's QL iteration or a secular root fails.
 */
export function tridiagonalDivideConquer(
  fn: string,
  d: Float64Array,
  e: Float64Array,
): { readonly vectors: Float64Array; readonly sweeps: number } {
  const counter = { sweeps: 0 };
  const vectors = solve(fn, d, e, 0, d.length, counter);
  return { vectors, sweeps: counter.sweeps };
}

function solve(
  fn: string,
  d: Float64Array,
  e: Float64Array,
  lo: number,
  size: number,
  counter: { sweeps: number },
): Float64Array {
  if (size <= LEAF) {
    const diagonal = d.slice(lo, lo + size);
    const off = new Float64Array(size);
    off.set(e.subarray(lo, lo + size - 1));
    const z = new Float64Array(size * size);
    for (let i = 0; i < size; i++) z[i * size + i] = 1;
    const outcome = tridiagonalQl(diagonal, off, z, size, 30 * size);
    counter.sweeps += outcome.iterations;
    if (!outcome.converged) throw notConverged(fn, `the QL iteration on a block of size ${size}`);
    d.set(diagonal, lo);
    return z;
  }
  const first = size >> 1;
  const beta = e[lo + first - 1];
  const rho = Math.abs(beta);
  d[lo + first - 1] -= rho;
  d[lo + first] -= rho;
  const q1 = solve(fn, d, e, lo, first, counter);
  const q2 = solve(fn, d, e, lo + first, size - first, counter);
  return merge(fn, d, lo, first, size, q1, q2, rho, beta < 0 ? -1 : 1);
}

/** Column kinds of `Q̂`: nonzero in the top rows only, in both (after a deflating rotation), in the bottom rows only. */
const TOP = 1;
const BOTH = 2;
const BOTTOM = 3;

/**
 * Merges the eigen-decompositions of the two halves into one of the whole block `lo … lo+n−1`: writes the eigenvalues
 * into `d[lo …]` and returns the `(n, n)` eigenvectors.
 */
function merge(
  fn: string,
  d: Float64Array,
  lo: number,
  n1: number,
  n: number,
  q1: Float64Array,
  q2: Float64Array,
  rhoIn: number,
  sign: number,
): Float64Array {
  const n2 = n - n1;
  // Q̂ = diag(Q₁, Q₂), dense and row-major; z = Q̂ᵀu (last row of Q₁, sign · first row of Q₂), normalised.
  const qHat = new Float64Array(n * n);
  for (let r = 0; r < n1; r++) qHat.set(q1.subarray(r * n1, (r + 1) * n1), r * n);
  for (let r = 0; r < n2; r++) qHat.set(q2.subarray(r * n2, (r + 1) * n2), (n1 + r) * n + n1);
  const z = new Float64Array(n);
  for (let c = 0; c < n1; c++) z[c] = q1[(n1 - 1) * n1 + c];
  for (let c = 0; c < n2; c++) z[n1 + c] = sign * q2[c];
  let zNorm = 0;
  for (let i = 0; i < n; i++) zNorm += z[i] * z[i];
  const rho = rhoIn * zNorm;
  zNorm = Math.sqrt(zNorm);
  for (let i = 0; i < n; i++) z[i] /= zNorm;
  const values = d.slice(lo, lo + n);
  const kind = new Uint8Array(n);
  kind.fill(TOP, 0, n1);
  kind.fill(BOTTOM, n1, n);

  // Deflation, walking the eigenvalues in ascending order (LAPACK dlaed2).
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => values[x] - values[y]);
  let largestValue = 0;
  let largestZ = 0;
  for (let i = 0; i < n; i++) {
    largestValue = Math.max(largestValue, Math.abs(values[i]));
    largestZ = Math.max(largestZ, Math.abs(z[i]));
  }
  const tol = 4 * EPSILON * Math.max(largestValue, largestZ);
  const kept: number[] = [];
  const deflated: number[] = [];
  let previous = -1;
  for (const j of order) {
    if (rho * Math.abs(z[j]) <= tol) {
      deflated.push(j);
      continue;
    }
    if (previous < 0) {
      previous = j;
      continue;
    }
    const s0 = z[previous];
    const c0 = z[j];
    const tau = hypot(c0, s0);
    const c = c0 / tau;
    const s = -s0 / tau;
    const t = values[j] - values[previous];
    if (Math.abs(t * c * s) <= tol) {
      // Rotate columns (previous, j) so that z[previous] = 0: `previous` deflates.
      z[j] = tau;
      z[previous] = 0;
      for (let r = 0; r < n; r++) {
        const x = qHat[r * n + previous];
        const y = qHat[r * n + j];
        qHat[r * n + previous] = c * x + s * y;
        qHat[r * n + j] = c * y - s * x;
      }
      const dp = values[previous];
      const dj = values[j];
      values[previous] = dp * c * c + dj * s * s;
      values[j] = dp * s * s + dj * c * c;
      if (kind[previous] !== kind[j]) {
        kind[previous] = BOTH;
        kind[j] = BOTH;
      }
      deflated.push(previous);
    } else {
      kept.push(previous);
    }
    previous = j;
  }
  if (previous >= 0) kept.push(previous);

  const k = kept.length;
  const out = new Float64Array(n * n);
  // Deflated pairs keep their columns of Q̂.
  for (let t = 0; t < deflated.length; t++) {
    const col = deflated[t];
    d[lo + k + t] = values[col];
    for (let r = 0; r < n; r++) out[r * n + k + t] = qHat[r * n + col];
  }
  if (k === 0) return out;

  // The secular equation on the kept values (ascending: rotations moved values only within their gaps).
  const dk = new Float64Array(k);
  const z2 = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    dk[i] = values[kept[i]];
    z2[i] = z[kept[i]] * z[kept[i]];
  }
  // delta[i·k + j] = d_i − λ_j, accurate because λ_j = d_{origin} + τ_j is stored relative to its nearer pole.
  const delta = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    const { origin, tau } = secularRoot(fn, dk, z2, rho, j);
    d[lo + j] = dk[origin] + tau;
    for (let i = 0; i < k; i++) delta[i * k + j] = dk[i] - dk[origin] - tau;
  }
  // Gu–Eisenstat: the ẑ for which the computed roots are exact, ẑ_i² = −δ_ii · Π_{j≠i} δ_ij / (d_i − d_j) (up to ρ).
  const u = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    let product = -delta[i * k + i];
    for (let j = 0; j < k; j++) if (j !== i) product *= delta[i * k + j] / (dk[i] - dk[j]);
    const zHat = Math.sign(z[kept[i]]) * Math.sqrt(Math.abs(product));
    for (let j = 0; j < k; j++) u[i * k + j] = zHat / delta[i * k + j];
  }
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = 0; i < k; i++) norm += u[i * k + j] * u[i * k + j];
    norm = Math.sqrt(norm);
    for (let i = 0; i < k; i++) u[i * k + j] /= norm;
  }
  // out[:, 0:k] = Q̂_kept·U, the top rows from the columns that live there, the bottom rows likewise.
  multiplyRows(qHat, n, 0, n1, kept, kind, BOTTOM, u, k, out);
  multiplyRows(qHat, n, n1, n, kept, kind, TOP, u, k, out);
  return out;
}

/**
 * `out[rows r0…r1, 0:k] = Q̂[r0…r1, kept]·U`, skipping the kept columns of kind `skip` (zero in those rows).
 */
function multiplyRows(
  qHat: Float64Array,
  n: number,
  r0: number,
  r1: number,
  kept: readonly number[],
  kind: Uint8Array,
  skip: number,
  u: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const rows = r1 - r0;
  const used: number[] = [];
  for (let i = 0; i < k; i++) if (kind[kept[i]] !== skip) used.push(i);
  const inner = used.length;
  if (inner === 0 || rows === 0) return;
  // X = (Q̂[r0…r1, used])ᵀ, (inner, rows); Y = U[used, :], (inner, k).
  const x = new Float64Array(inner * rows);
  const y = new Float64Array(inner * k);
  for (let p = 0; p < inner; p++) {
    const col = kept[used[p]];
    for (let r = 0; r < rows; r++) x[p * rows + r] = qHat[(r0 + r) * n + col];
    y.set(u.subarray(used[p] * k, (used[p] + 1) * k), p * k);
  }
  addTransposedProduct(
    { data: x, offset: 0, stride: rows, rows: inner, cols: rows },
    { data: y, offset: 0, stride: k, rows: inner, cols: k },
    { data: out, offset: r0 * n, stride: n, rows, cols: k },
    1,
    false,
  );
}

/**
 * Root `j` of `f(λ) = 1/ρ + Σ z2_i/(d_i − λ)` (`d` strictly ascending, `ρ > 0`), in `(d_j, d_{j+1})` or, for the
 * last, in `(d_{k−1}, d_{k−1} + ρ·Σz2]`, as `λ = d_origin + τ` with `origin` the nearer pole. Bracketed iteration on
 * the two-pole rational model of `f` (Bunch, Nielsen & Sorensen 1978; Li 1993), bisecting whenever the model step
 * leaves the bracket.
 */
function secularRoot(
  fn: string,
  d: Float64Array,
  z2: Float64Array,
  rho: number,
  j: number,
): { origin: number; tau: number } {
  const k = d.length;
  const last = j === k - 1;
  let origin = j;
  let lower = 0;
  let upper = 0;
  if (last) {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += z2[i];
    upper = rho * sum;
  } else {
    const half = (d[j + 1] - d[j]) / 2;
    let f = 1 / rho;
    for (let i = 0; i < k; i++) f += z2[i] / (d[i] - d[j] - half);
    if (f >= 0) {
      upper = half;
    } else {
      origin = j + 1;
      lower = -half;
    }
  }
  const base = d[origin];
  let tau = (lower + upper) / 2;
  for (let iteration = 0; iteration < SECULAR_ITERATIONS; iteration++) {
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    let size = 1 / rho;
    for (let i = 0; i < k; i++) {
      const gap = d[i] - base - tau;
      const term = z2[i] / gap;
      if (i <= j) {
        psi += term;
        dpsi += term / gap;
      } else {
        phi += term;
        dphi += term / gap;
      }
      size += Math.abs(term);
    }
    const f = 1 / rho + psi + phi;
    if (Math.abs(f) <= 4 * k * EPSILON * size) return { origin, tau };
    if (f > 0) upper = tau;
    else lower = tau;
    // Two-pole model c + b1/(δ1 − η) + b2/(δ2 − η) through (f, f') at τ; η is the step.
    const delta1 = d[j] - base - tau;
    const b1 = dpsi * delta1 * delta1;
    let step: number;
    if (last) {
      const c = 1 / rho + psi - b1 / delta1;
      step = c > 0 ? delta1 + b1 / c : Number.NaN;
    } else {
      const delta2 = d[j + 1] - base - tau;
      const b2 = dphi * delta2 * delta2;
      const c = 1 / rho + (psi - b1 / delta1) + (phi - b2 / delta2);
      step = modelRoot(c, b1, b2, delta1, delta2);
    }
    let next = tau + step;
    if (!(next > lower && next < upper)) next = (lower + upper) / 2;
    if (next === tau || upper - lower <= 2 * EPSILON * Math.max(Math.abs(lower), Math.abs(upper))) {
      return { origin, tau: next };
    }
    tau = next;
  }
  throw notConverged(fn, `the secular equation (root ${j} of ${k})`);
}

/** The root `η ∈ (δ1, δ2)` of `c + b1/(δ1 − η) + b2/(δ2 − η) = 0`, or NaN when the quadratic has none there. */
function modelRoot(c: number, b1: number, b2: number, delta1: number, delta2: number): number {
  // c·η² − (c(δ1+δ2) + b1 + b2)·η + (c·δ1·δ2 + b1·δ2 + b2·δ1) = 0.
  const a = c;
  const b = -(c * (delta1 + delta2) + b1 + b2);
  const cc = c * delta1 * delta2 + b1 * delta2 + b2 * delta1;
  if (a === 0) return b === 0 ? Number.NaN : -cc / b;
  const discriminant = b * b - 4 * a * cc;
  if (discriminant < 0) return Number.NaN;
  const q = -(b + (b >= 0 ? 1 : -1) * Math.sqrt(discriminant)) / 2;
  const roots = [q / a, q === 0 ? Number.NaN : cc / q];
  for (const root of roots) if (root > delta1 && root < delta2) return root;
  return Number.NaN;
}

function notConverged(fn: string, what: string): LattnError {
  return new LattnError(
    'NOT_CONVERGED',
    `${fn}: divide and conquer did not converge. Expected ${what} to converge; received no convergence within the iteration cap.`,
  );
}
