/**
 * `y = S·x` for a symmetric matrix on the WASM kernels (ADR 0007): the module's `symmetricMultiply` (LAPACK `dsymv`,
 * lower triangle only: half the memory traffic of a full product). Internal.
 */
import { layout, view, wasmKernels } from './instance.js';

/**
 * An operator `y ← S·x` for the symmetric row-major `(n, n)` `s` (its lower triangle is read), copied into the
 * module's memory once. It stays valid until another WASM kernel lays out memory: use it for a loop, such as
 * Lanczos, that runs no other kernel between its products.
 *
 * @returns The operator, or `undefined` without WASM kernels or when the module's memory cannot hold `s`.
 */
export function wasmSymmetricOperator(
  s: Float64Array,
  n: number,
): ((x: Float64Array, y: Float64Array) => void) | undefined {
  const kernels = wasmKernels();
  const regions = kernels === undefined ? undefined : layout(kernels, [n * n, n, n]);
  if (kernels === undefined || regions === undefined) return undefined;
  const [matrix, input, output] = regions;
  view(kernels, matrix, n * n).set(s.subarray(0, n * n));
  const x = view(kernels, input, n);
  const y = view(kernels, output, n);
  const multiply = kernels.exports.symmetricMultiply;
  return (from, to) => {
    x.set(from);
    multiply(matrix, n, input, output);
    to.set(y);
  };
}
