/**
 * The one error class of lattn, its codes, and the brand check that survives duplicate installs.
 *
 * @see docs/decisions/0003-one-error-class.md
 */

/**
 * Machine-readable reason for a {@link LattnError}.
 *
 * - `INVALID_ARGUMENT`: an option or count is out of range, of the wrong type, or unknown.
 * - `SHAPE_MISMATCH`: array shapes disagree with each other or with what the function needs.
 * - `NON_FINITE`: NaN or ±Infinity in numeric input, or a value computed from finite input that would overflow
 *   float64 (the message names the cure, usually rescaling the data).
 * - `NOT_CONVERGED`: an iterative routine hit its iteration cap.
 * - `INVALID_FORMAT`: a file or serialised document (`.npy`, model JSON, task spec) cannot be parsed.
 * - `TOO_LARGE`: the request would need more memory than lattn allows; the message states the size.
 */
export type LattnErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'NOT_CONVERGED'
  | 'INVALID_FORMAT'
  | 'TOO_LARGE';

/** Options of the {@link LattnError} constructor: the native `cause` plus structured `details`. */
export interface LattnErrorOptions extends ErrorOptions {
  /**
   * Plain, serialisable facts about the failure, for example `{ expected: '(3, 4)', received: '(3, 5)' }`.
   * @defaultValue `{}`
   */
  readonly details?: Readonly<Record<string, unknown>>;
}

const BRAND: symbol = Symbol.for('@lattn/error');

/**
 * The error every lattn library throws for invalid input or a broken invariant.
 *
 * Messages follow `<publicFunction>: <what is wrong>. Expected <x>; received <y>.`
 * Expected outcomes (rank deficiency, non-identifiability) are never errors: they are result fields.
 *
 * @example
 * ```ts
 * try {
 *   matmul(a, b);
 * } catch (error) {
 *   if (isLattnError(error) && error.code === 'SHAPE_MISMATCH') console.error(error.message);
 * }
 * ```
 */
export class LattnError extends Error {
  /** The machine-readable reason. */
  readonly code: LattnErrorCode;
  /** Structured facts about the failure (expected and received shapes, offending index, …). */
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * @param code - The machine-readable reason.
   * @param message - The full human-readable message, naming the function, the expectation and what was received.
   * @param options - The native `cause` and structured `details`.
   */
  constructor(code: LattnErrorCode, message: string, options: LattnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LattnError';
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Whether `value` is a {@link LattnError}, also when it comes from another copy of `@lattn/core`.
 *
 * @param value - Anything caught.
 * @returns `true` when `value` carries the `Symbol.for('@lattn/error')` brand.
 * @example
 * ```ts
 * isLattnError(new LattnError('INVALID_ARGUMENT', 'f: bad.')); // true
 * isLattnError(new Error('x')); // false
 * ```
 */
export function isLattnError(value: unknown): value is LattnError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
