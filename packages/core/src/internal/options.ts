/**
 * Option checks the shared validators do not cover. Internal.
 */
import { LattnError } from '../errors.js';
import { describe } from '../matrix.js';

/**
 * Reads a boolean option, `fallback` when absent.
 *
 * @throws {@link LattnError} `INVALID_ARGUMENT` when the value is present and not a boolean.
 */
export function checkFlag(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be a boolean. Expected true or false; received ${describe(value)}.`,
      { details: { argument: name, received: describe(value) } },
    );
  }
  return value;
}
