/**
 * `@lattn/core`: the ground every lattn package stands on — the {@link Matrix} type, boundary validation,
 * the seeded {@link Rng}, the {@link LattnError} class, the shared {@link Dataset} contract, and fast float64
 * linear algebra.
 *
 * @packageDocumentation
 */

export type { Dataset, DatasetShape, PositionMode, SequenceBatchShape } from './dataset.js';
export { checkDataset, checkSequences, POSITION_MODES } from './dataset.js';
export type { LattnErrorCode, LattnErrorOptions } from './errors.js';
export { isLattnError, LattnError } from './errors.js';
export type { Matrix } from './matrix.js';
export { describe, fromRows, get, identity, matrixFrom, shapeOf, toRows, zeros } from './matrix.js';
export type { Rng } from './rng.js';
export { createRng } from './rng.js';
export type { MatrixExpectation, RangeExpectation } from './validate.js';
export { checkFinite, checkInteger, checkKnownKeys, checkMatrix, checkNumber, checkOneOf } from './validate.js';
export type { Progress, ProgressCallback } from './progress.js';
