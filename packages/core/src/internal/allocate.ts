import { LattnError } from '../errors.js';

/**
 * Allocates a zeroed `Float64Array` for a public function's result, turning the engine's allocation failure
 * into a {@link LattnError} `TOO_LARGE` that states the size asked for.
 *
 * @param fn - The public function, for the message.
 * @param what - What the array holds, for example `'the (100000, 100000) Gram matrix'`.
 * @param length - Number of float64 entries.
 * @returns A fresh zeroed array of `length` entries.
 * @throws {@link LattnError} `TOO_LARGE` when the engine cannot allocate it.
 */
export function allocate(fn: string, what: string, length: number): Float64Array {
  try {
    return new Float64Array(length);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const gib = (length * 8) / 2 ** 30;
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: ${what} needs ${length} float64 entries (${gib.toFixed(1)} GiB), more than this JavaScript engine can allocate. Expected a smaller size; received ${length} entries.`,
      { cause: error, details: { entries: length, bytes: length * 8 } },
    );
  }
}
