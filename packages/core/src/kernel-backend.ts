/**
 * Which kernels run the products of this package in this process or worker: the WASM relaxed-SIMD or SIMD build, or
 * the JavaScript fallback.
 *
 * @see docs/decisions/0007-wasm-simd-kernels.md
 */
import { wasmKernels } from './internal/wasm/instance.js';

/** The kernels behind `gram`, `matmul`, `cholesky`, the accumulators and the eigensolvers' products. */
export type KernelBackend = 'relaxed-simd' | 'simd' | 'javascript';

/**
 * The kernels in use: `'relaxed-simd'` (WASM with fused multiply–add) when the runtime validates relaxed SIMD,
 * `'simd'` (WASM `f64x2`) when it validates SIMD, `'javascript'` otherwise (no `WebAssembly`, no SIMD, or a runtime
 * that refuses synchronous compilation, such as a browser's main thread). Chosen once, on first use, and kept.
 *
 * @returns The backend; the first call compiles and warms up the WASM module (a few milliseconds).
 * @example
 * ```ts
 * // Node 20 compiles relaxed SIMD only behind a V8 flag, which must be set before the kernels load:
 * import { setFlagsFromString } from 'node:v8';
 * setFlagsFromString('--experimental-wasm-relaxed-simd');
 * const { kernelBackend } = await import('@lattn/core');
 * kernelBackend(); // 'relaxed-simd'
 * ```
 *
 * Notes: relaxed SIMD rounds each multiply–add once, so its results differ from the other two backends at roundoff
 * (`1e-12` relative, tested); the SIMD build gives bitwise the JavaScript kernels' results.
 */
export function kernelBackend(): KernelBackend {
  return wasmKernels()?.flavor ?? 'javascript';
}
