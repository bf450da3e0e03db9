/**
 * Option reading shared by the task generators: every option is optional, validated once at the public boundary,
 * and resolved to its documented default. Also the size budget every generator respects.
 */
import {
  checkInteger,
  checkKnownKeys,
  checkNumber,
  checkOneOf,
  describe,
  LattnError,
  type ProgressCallback,
  type RangeExpectation,
} from '@lattn/core';

/**
 * The most float64 entries (inputs plus targets) one generated dataset may hold: `2²⁵` entries, 256 MiB.
 */
export const MAX_DATASET_ENTRIES: number = 2 ** 25;

/** The largest token dimension a generator builds (a cubic feature map of this width is already far too large). */
export const MAX_MODEL_DIM: number = 4096;

/** Checks the options record (an object or `undefined`, known fields only) and returns it as a plain record. */
export function readOptions(fn: string, options: unknown, known: readonly string[]): Readonly<Record<string, unknown>> {
  checkKnownKeys(fn, 'options', options, known);
  return (options ?? {}) as Readonly<Record<string, unknown>>;
}

/** An integer option resolved to its default when absent. */
export function integerOption(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number,
  range: RangeExpectation,
): number {
  const value = options[name];
  return value === undefined ? fallback : checkInteger(fn, `options.${name}`, value, range);
}

/** A number option resolved to its default when absent. */
export function numberOption(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number,
  range: RangeExpectation,
): number {
  const value = options[name];
  return value === undefined ? fallback : checkNumber(fn, `options.${name}`, value, range);
}

/** A string-enum option resolved to its default when absent. */
export function oneOfOption<T extends string>(
  fn: string,
  options: Readonly<Record<string, unknown>>,
  name: string,
  fallback: T,
  allowed: readonly T[],
): T {
  const value = options[name];
  return value === undefined ? fallback : checkOneOf(fn, `options.${name}`, value, allowed);
}

/** The `onProgress` option: a function or absent. */
export function progressOption(fn: string, options: Readonly<Record<string, unknown>>): ProgressCallback | undefined {
  const value = options.onProgress;
  if (value !== undefined && typeof value !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.onProgress must be a function. Expected (progress) => void; received ${describe(value)}.`,
    );
  }
  return value as ProgressCallback | undefined;
}

/** The seed option: any safe integer, default `0`. */
export function seedOption(fn: string, options: Readonly<Record<string, unknown>>): number {
  return integerOption(fn, options, 'seed', 0, {});
}

/**
 * Throws `TOO_LARGE` when `what` — a dataset of `numTokens` tokens of width `modelDim` with `numTargetEntries` target
 * entries, or a construction of `numTokens` rows of width `modelDim` — would exceed {@link MAX_DATASET_ENTRIES}, or
 * when `modelDim` exceeds {@link MAX_MODEL_DIM}.
 */
export function checkBudget(
  fn: string,
  modelDim: number,
  numTokens: number,
  numTargetEntries: number,
  what = 'the dataset',
): void {
  if (modelDim > MAX_MODEL_DIM) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: the options need tokens of dimension ${modelDim}. Expected modelDim <= ${MAX_MODEL_DIM}; received options giving ${modelDim}.`,
      { details: { modelDim, max: MAX_MODEL_DIM } },
    );
  }
  const entries = numTokens * modelDim + numTargetEntries;
  if (entries > MAX_DATASET_ENTRIES) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: ${what} would hold ${entries} float64 entries (${Math.ceil((entries * 8) / 2 ** 20)} MiB). Expected at most ${MAX_DATASET_ENTRIES}; received options giving ${entries}.`,
      { details: { entries, max: MAX_DATASET_ENTRIES } },
    );
  }
}

/**
 * Throws `TOO_LARGE` when a construction of `numHeads` heads, each a value `(outputDim, modelDim)` and a query
 * `(modelDim, modelDim)`, would exceed {@link MAX_DATASET_ENTRIES}.
 */
export function checkConstructionBudget(fn: string, modelDim: number, outputDim: number, numHeads: number): void {
  checkBudget(fn, modelDim, numHeads * (modelDim + outputDim), 0, `the ${numHeads}-head construction`);
}
