/**
 * The WASM SIMD kernels (ADR 0007): feature detection, one shared instance with a growable memory, and the choice
 * between it and the JavaScript kernels. Internal.
 *
 * The module is compiled synchronously on first use from the base64 embedded in `kernels.generated.ts`. Relaxed SIMD
 * (fused multiply–add) is used when the runtime validates a relaxed-SIMD module, plain SIMD when it validates a SIMD
 * one; otherwise — no `WebAssembly`, no SIMD, or a runtime that refuses to compile synchronously — every kernel runs
 * in JavaScript. Where `SharedArrayBuffer` exists the instance imports a shared memory, so that worker threads
 * (`threads.ts`) can run kernels on the same data; elsewhere it owns an ordinary memory. The choice is made once per
 * process (or worker).
 */
import {
  RELAXED_SIMD_KERNELS,
  SHARED_RELAXED_SIMD_KERNELS,
  SHARED_SIMD_KERNELS,
  SIMD_KERNELS,
} from './kernels.generated.js';

/** Which build of the kernels runs. */
export type WasmFlavor = 'simd' | 'relaxed-simd';

/** The module's memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the `WebAssembly` namespace used here (core's `lib` has no DOM or WebAssembly typings). */
export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
  readonly Memory?: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The runtime's `WebAssembly`, if it has one. */
const runtimeWasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** Pages a shared memory may grow to: 4 GiB, the limit of 32-bit WASM. */
const MAXIMUM_PAGES = 65536;

/** The exports of `assembly/kernels.ts`; pointers are byte addresses, strides and sizes count float64 entries. */
export interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  warmUpBytes(): number;
  warmUp(region: number): void;
  packSlabs(
    y: number,
    yStride: number,
    yPairs: number,
    n: number,
    q: number,
    c0: number,
    c1: number,
    packed: number,
    finite: number,
    progress: number,
  ): void;
  productUnits(
    x: number,
    xStride: number,
    xPairs: number,
    sameOperand: number,
    packed: number,
    n: number,
    p: number,
    q: number,
    c: number,
    ldc: number,
    scale: number,
    upper: number,
    mirror: number,
    overwrite: number,
    px: number,
    tile: number,
    next: number,
    progress: number,
  ): void;
  choleskyBlock(w: number, n: number, k0: number, k1: number, threshold: number): number;
  symmetricMultiply(a: number, n: number, x: number, y: number): void;
  tridiagonalUpdate(a: number, n: number, first: number, v: number, w: number, next: number, y: number): void;
}

/** A ready instance of the kernels. */
export interface WasmKernels {
  /** The build in use. */
  readonly flavor: WasmFlavor;
  /** The module's exports. */
  readonly exports: KernelExports;
  /** The first byte free for data. */
  readonly base: number;
  /**
   * The compiled module and its memory when the memory is shared, so that worker threads can instantiate the same
   * module on it; `undefined` for an instance that owns an ordinary memory.
   */
  readonly shared: { readonly module: object; readonly memory: WasmMemory } | undefined;
}

/** Micro-tile rows (columns of X), as `MR` in `assembly/kernels.ts`. */
export const MR = 4;
/** Micro-tile columns (columns of Y), as `NR` in `assembly/kernels.ts`. */
export const NR = 4;
/** Rows per slab, as `SLAB` in `assembly/kernels.ts`. */
export const SLAB = 256;
/** Columns of X per packed block, as `BLOCK` in `assembly/kernels.ts`. */
export const BLOCK = 128;

/** The smallest module that uses an `f64x2` instruction: `(func (result v128) f64x2.splat (f64.const 0))`. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 68, 0, 0, 0, 0, 0, 0, 0, 0, 253,
  20, 11,
]);

/** The smallest module that uses a relaxed-SIMD instruction: `f64x2.relaxed_madd` of three zero vectors. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 40, 1, 38, 0, 68, 0, 0, 0, 0, 0, 0, 0, 0, 253,
  20, 68, 0, 0, 0, 0, 0, 0, 0, 0, 253, 20, 68, 0, 0, 0, 0, 0, 0, 0, 0, 253, 20, 253, 135, 2, 11,
]);

/**
 * The best kernel build a `WebAssembly` implementation supports, or `undefined` when it supports neither.
 *
 * @param wasm - The `WebAssembly` namespace to probe (the global one by default; tests pass stand-ins).
 */
export function detectFlavor(wasm: WebAssemblyApi | undefined = runtimeWasm): WasmFlavor | undefined {
  if (wasm === undefined || typeof wasm.validate !== 'function') return undefined;
  try {
    if (wasm.validate(RELAXED_SIMD_PROBE)) return 'relaxed-simd';
    if (wasm.validate(SIMD_PROBE)) return 'simd';
  } catch {
    return undefined;
  }
  return undefined;
}

/** The embedded binary of one build. */
function binary(flavor: WasmFlavor, shared: boolean): Uint8Array {
  if (shared) return decodeBase64(flavor === 'simd' ? SHARED_SIMD_KERNELS : SHARED_RELAXED_SIMD_KERNELS);
  return decodeBase64(flavor === 'simd' ? SIMD_KERNELS : RELAXED_SIMD_KERNELS);
}

/**
 * Compiles and instantiates one build — on a fresh shared memory when `shared` — then warms it up: a few
 * milliseconds of small products and factorisations spend V8's tier-up budget, so that its optimising compiler has
 * the kernels ready (compiling in the background) before a long call could start in the baseline tier.
 *
 * @returns The instance, or `undefined` when compilation, instantiation or the shared memory fails (for example a
 * browser's main thread that refuses synchronous compilation, or a page without cross-origin isolation).
 */
export function instantiate(
  flavor: WasmFlavor,
  wasm: WebAssemblyApi | undefined = runtimeWasm,
  shared = false,
): WasmKernels | undefined {
  if (wasm === undefined) return undefined;
  try {
    const module = new wasm.Module(binary(flavor, shared));
    let kernels: WasmKernels;
    if (shared) {
      if (wasm.Memory === undefined) return undefined;
      const memory = new wasm.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true });
      const exports = new wasm.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
      kernels = { flavor, exports, base: alignedHeapBase(exports), shared: { module, memory } };
    } else {
      const exports = new wasm.Instance(module, {}).exports as unknown as KernelExports;
      kernels = { flavor, exports, base: alignedHeapBase(exports), shared: undefined };
    }
    const [region] = layout(kernels, [kernels.exports.warmUpBytes() / 8]) as number[];
    kernels.exports.warmUp(region);
    return kernels;
  } catch {
    return undefined;
  }
}

/** What `kernels()` returns: the instance, or `undefined` for the JavaScript kernels. */
let loaded: WasmKernels | undefined | null = null;
/** A test's override of the backend (`'js'` forces the JavaScript kernels). */
let forced: 'js' | 'wasm' | undefined;

/**
 * The WASM kernels when they are available and not disabled, else `undefined` (run the JavaScript kernels).
 * Detected and instantiated on first call: the best flavour on a shared memory where the runtime has
 * `SharedArrayBuffer`, else on an ordinary one, else plain SIMD.
 */
export function wasmKernels(): WasmKernels | undefined {
  if (forced === 'js') return undefined;
  if (loaded === null) {
    const flavor = detectFlavor();
    const canShare = typeof (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer === 'function';
    loaded =
      flavor === undefined
        ? undefined
        : ((canShare ? instantiate(flavor, runtimeWasm, true) : undefined) ??
          instantiate(flavor) ??
          instantiate('simd'));
  }
  return loaded;
}

/**
 * Runs `run` with the kernels of one backend: `'js'` disables the WASM kernels, `'wasm'` requires them. For tests
 * that compare both paths on the same input; not re-entrant across threads (each worker has its own state).
 *
 * @throws Error when `'wasm'` is asked for and the runtime has no usable WASM SIMD.
 */
export function withBackend<T>(backend: 'js' | 'wasm', run: () => T): T {
  const previous = forced;
  forced = backend;
  try {
    if (backend === 'wasm' && wasmKernels() === undefined) throw new Error('WASM SIMD kernels are not available');
    return run();
  } finally {
    forced = previous;
  }
}

/**
 * Grows the module's memory so that the regions fit from `kernels.base`, and returns the addresses of consecutive
 * regions of the given float64 lengths (each 16-byte aligned). Every call lays out from `kernels.base` again: the
 * regions of one operation are reused by the next.
 *
 * @returns The region addresses, or `undefined` when the memory cannot grow that far (32-bit WASM stops at 4 GiB).
 */
export function layout(kernels: WasmKernels, lengths: readonly number[]): number[] | undefined {
  const addresses: number[] = [];
  let end = kernels.base;
  for (const length of lengths) {
    addresses.push(end);
    end += Math.ceil((length * 8) / 16) * 16;
  }
  const memory = kernels.exports.memory;
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) {
    if (end > 2 ** 32 - 65536) return undefined;
    try {
      memory.grow(Math.ceil(missing / 65536));
    } catch {
      return undefined;
    }
  }
  return addresses;
}

/** A `Float64Array` over `length` entries of the module's memory at byte address `address`. */
export function view(kernels: WasmKernels, address: number, length: number): Float64Array {
  return new Float64Array(kernels.exports.memory.buffer, address, length);
}

function alignedHeapBase(exports: KernelExports): number {
  return Math.ceil(exports.heapBase() / 16) * 16;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
