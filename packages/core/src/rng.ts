/**
 * The one seeded pseudo-random generator of lattn: xoshiro128** seeded through splitmix32.
 * Same seed, same stream, on every platform; no module-level state and no unseeded global source of randomness.
 */
import { LattnError } from './errors.js';
import { allocate } from './internal/allocate.js';
import { describe, type Matrix } from './matrix.js';

/**
 * A seeded stream of random numbers. Create one with {@link createRng} and pass it down explicitly.
 * Every method advances the stream; two generators made from the same seed give identical sequences.
 */
export interface Rng {
  /** The seed this generator was created with. */
  readonly seed: number;
  /** A uniform float in `[0, 1)` with 53 random bits. */
  uniform(): number;
  /** A standard normal sample (mean 0, variance 1), by the Box–Muller transform. */
  normal(): number;
  /**
   * A uniform integer in `[min, maxExclusive)`, without modulo bias.
   * @throws {@link LattnError} `INVALID_ARGUMENT` unless `min < maxExclusive` are safe integers spanning at most 2³².
   */
  integer(min: number, maxExclusive: number): number;
  /**
   * A shuffled copy of `items` (Fisher–Yates); the input is not modified.
   * @throws {@link LattnError} `INVALID_ARGUMENT` when `items` is not an array.
   */
  shuffle<T>(items: readonly T[]): T[];
  /**
   * A `(rows, cols)` matrix of independent standard normal entries.
   * @throws {@link LattnError} `INVALID_ARGUMENT` unless the sizes are non-negative safe integers; `TOO_LARGE` when
   * the engine cannot allocate `rows · cols` entries.
   */
  normalMatrix(rows: number, cols: number): Matrix;
  /**
   * A `(rows, cols)` matrix of independent entries uniform in `[0, 1)`.
   * @throws {@link LattnError} as {@link Rng.normalMatrix}.
   */
  uniformMatrix(rows: number, cols: number): Matrix;
  /**
   * A `(size, size)` orthogonal matrix drawn from the Haar (uniform) distribution: Gram–Schmidt on a Gaussian
   * matrix with the sign convention that makes the distribution exactly uniform.
   * @throws {@link LattnError} as {@link Rng.normalMatrix}.
   */
  orthogonal(size: number): Matrix;
  /** A new, independent generator derived from this one (for handing to a worker or a sub-task). */
  fork(): Rng;
}

/**
 * Creates a seeded random generator.
 *
 * @param seed - Any safe integer (negative values and values above 2³² are hashed, not truncated). Defaults to `0`.
 * @returns A fresh {@link Rng}.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when `seed` is not a safe integer.
 * @example
 * ```ts
 * const rng = createRng(42);
 * const x = rng.normalMatrix(3, 2); // same numbers on every run and platform
 * ```
 */
export function createRng(seed = 0): Rng {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `createRng: seed must be a safe integer. Expected an integer; received ${describe(seed)}.`,
    );
  }
  // splitmix32 expands the low 32 bits of the seed into the 128-bit xoshiro state. The high bits (non-zero only
  // for negative seeds and seeds >= 2³²) enter the third word through the same bijective mixer, so distinct safe
  // integers give distinct states, and seeds in [0, 2³²) keep the plain splitmix32 expansion.
  const high = Math.floor(seed / 4294967296) >>> 0;
  let mix = seed >>> 0;
  const splitmix = (): number => {
    mix = (mix + 0x9e3779b9) | 0;
    return avalanche(mix);
  };
  return fromState(seed, [splitmix(), splitmix(), (splitmix() ^ avalanche(high)) >>> 0, splitmix()]);
}

/** The 32-bit finaliser of MurmurHash3 (splitmix32's output step): a bijection on 32-bit words with `0 → 0`. */
function avalanche(word: number): number {
  let z = word;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function fromState(seed: number, initial: readonly number[]): Rng {
  let s0 = initial[0];
  let s1 = initial[1];
  let s2 = initial[2];
  let s3 = initial[3];
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  let spareNormal: number | undefined;

  // xoshiro128**: one 32-bit unsigned output per call.
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };

  const uniform = (): number => {
    const high = next32() >>> 5; // 27 bits
    const low = next32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };

  const normal = (): number => {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };

  const integer = (min: number, maxExclusive: number): number => {
    const span = maxExclusive - min;
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(maxExclusive) || span <= 0 || span > 4294967296) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `Rng.integer: bounds must be safe integers with 0 < maxExclusive - min <= 2^32. Expected min < maxExclusive; received (${describe(min)}, ${describe(maxExclusive)}).`,
      );
    }
    // Rejection sampling removes the modulo bias.
    const limit = 4294967296 - (4294967296 % span);
    let draw = next32();
    while (draw >= limit) draw = next32();
    return min + (draw % span);
  };

  const matrix = (fn: string, rows: number, cols: number, sample: () => number): Matrix => {
    if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `Rng.${fn}: sizes must be non-negative integers. Expected integers >= 0; received (${describe(rows)}, ${describe(cols)}).`,
      );
    }
    const data = allocate(`Rng.${fn}`, `the (${rows}, ${cols}) matrix`, rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = sample();
    return { rows, cols, data };
  };

  const rng: Rng = {
    seed,
    uniform,
    normal,
    integer,
    shuffle<T>(items: readonly T[]): T[] {
      if (!Array.isArray(items)) {
        throw new LattnError(
          'INVALID_ARGUMENT',
          `Rng.shuffle: items must be an array. Expected an array; received ${describe(items)}.`,
        );
      }
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = integer(0, i + 1);
        const swap = out[i];
        out[i] = out[j];
        out[j] = swap;
      }
      return out;
    },
    normalMatrix: (rows, cols) => matrix('normalMatrix', rows, cols, normal),
    uniformMatrix: (rows, cols) => matrix('uniformMatrix', rows, cols, uniform),
    orthogonal(size: number): Matrix {
      const gaussian = matrix('orthogonal', size, size, normal);
      return { rows: size, cols: size, data: orthonormalColumns(gaussian.data, size) };
    },
    fork: () => fromState(seed, [next32(), next32(), next32(), next32()]),
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Orthonormalises the columns of a square row-major matrix in place by modified Gram–Schmidt, applied twice
 * ("twice is enough") so the result is orthogonal to machine precision. Scaling each column by the sign of the
 * implied R diagonal is what makes Q Haar-distributed (Mezzadri 2007); Gram–Schmidt's positive R diagonal gives
 * that convention directly.
 */
function orthonormalColumns(a: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += a[i * n + k] * a[i * n + j];
        for (let i = 0; i < n; i++) a[i * n + j] = a[i * n + j] - dot * a[i * n + k];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * n + j] = a[i * n + j] / norm;
  }
  return a;
}
