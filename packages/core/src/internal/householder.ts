/**
 * Householder reflectors `H = I − τ·v·vᵀ` with `v₀ = 1` (the LAPACK `dlarfg` convention) and the small scalar
 * helpers shared by the tridiagonal and bidiagonal reductions. Internal: callers guarantee valid shapes.
 *
 * @see Golub & Van Loan, Matrix Computations (4th ed.), §5.1.2–5.1.3.
 */

/**
 * Turns `x = data[offset + i·stride]`, `i < length`, into a reflector in place: on return `data[offset]` holds
 * `β` and the other entries hold `v₁ … v_{length−1}`, so that `H·x = β·e₀` with `|β| = ‖x‖₂`.
 *
 * When `x₁ … x_{length−1}` are already zero the reflector is the identity: `τ = 0` and `β = x₀` (possibly
 * negative), as in LAPACK.
 *
 * @returns `τ ∈ [1, 2]`, or `0` for the identity.
 */
export function makeReflector(data: Float64Array, offset: number, stride: number, length: number): number {
  if (length <= 1) return 0;
  const alpha = data[offset];
  const end = offset + length * stride;
  let tail = 0;
  for (let i = offset + stride; i < end; i += stride) tail += data[i] * data[i];
  if (tail === 0) return 0;
  const norm = Math.sqrt(alpha * alpha + tail);
  const beta = alpha >= 0 ? -norm : norm;
  const scale = 1 / (alpha - beta);
  for (let i = offset + stride; i < end; i += stride) data[i] *= scale;
  data[offset] = beta;
  return (beta - alpha) / beta;
}

/**
 * `√(a² + b²)` without destructive overflow or underflow. In the safe range it is the plain formula, which is
 * correctly rounded often enough that rotations built from it keep `c² + s² = 1` unbiased; scaling by the larger
 * magnitude (as `Math.hypot` does) biases it, and over thousands of rotations that bias costs a digit of
 * orthogonality.
 */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = Math.max(x, y);
  if (big > 1e-150 && big < 1e150) return Math.sqrt(a * a + b * b);
  if (big === 0) return 0;
  const small = Math.min(x, y);
  const r = small / big;
  return big * Math.sqrt(1 + r * r);
}

/**
 * A power of two close to `1 / max|data|`, so that scaling by it is exact and brings the entries near 1
 * (guarding the sums of squares of the reductions against overflow and underflow). Returns 1 for all-zero data.
 */
export function scaleFactor(data: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < data.length; i++) {
    const value = Math.abs(data[i]);
    if (value > largest) largest = value;
  }
  if (largest === 0) return 1;
  return 2 ** Math.min(1023, Math.max(-1022, -Math.round(Math.log2(largest))));
}
