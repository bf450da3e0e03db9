/**
 * `@lattn/core`: the ground every lattn package stands on — the {@link Matrix} type, boundary validation,
 * the seeded {@link Rng}, the {@link LattnError} class, the shared {@link Dataset} contract, and fast float64
 * linear algebra.
 *
 * @packageDocumentation
 */

export { accumulateKroneckerGram } from './accumulate-kronecker-gram.js';
export type { CholeskyOptions, CholeskyResult } from './cholesky.js';
export { cholesky, choleskySolve } from './cholesky.js';
export type { Dataset, DatasetShape, PositionMode, SequenceBatchShape } from './dataset.js';
export { checkDataset, checkSequences, POSITION_MODES } from './dataset.js';
export type { EighOptions, EighResult } from './eigh.js';
export { eigh } from './eigh.js';
export type { LattnErrorCode, LattnErrorOptions } from './errors.js';
export { isLattnError, LattnError } from './errors.js';
export type { GramOptions } from './gram.js';
export { gram } from './gram.js';
export type { GramAccumulator, GramAccumulatorOptions, GramMoments } from './gram-accumulator.js';
export { accumulateGram, createGramAccumulator, gramMoments, MOMENT_LIMIT, mergeGram } from './gram-accumulator.js';
export type { KernelBackend } from './kernel-backend.js';
export { kernelBackend } from './kernel-backend.js';
export type { LstsqResult } from './lstsq.js';
export { lstsq } from './lstsq.js';
export { matmul } from './matmul.js';
export type { Matrix } from './matrix.js';
export { describe, fromRows, get, identity, matrixFrom, shapeOf, toRows, zeros } from './matrix.js';
export type { MatrixRankResult, RankOptions } from './matrix-rank.js';
export { matrixRank } from './matrix-rank.js';
export { maxEigenvalue } from './max-eigenvalue.js';
export type { ExtremeEigenvalue, ExtremeEigenvalueMethod, ExtremeEigenvalueOptions } from './min-eigenvalue.js';
export { minEigenvalue } from './min-eigenvalue.js';
export type { PinvResult } from './pinv.js';
export { pinv } from './pinv.js';
export type { Progress, ProgressCallback } from './progress.js';
export type { Rng } from './rng.js';
export { createRng } from './rng.js';
export { largestMagnitude, rescaleExponent, scaleByPowerOfTwo, timesPowerOfTwo } from './scale-by-power-of-two.js';
export type { SvdOptions, SvdResult } from './svd.js';
export { svd } from './svd.js';
export { transpose } from './transpose.js';
export type { MatrixExpectation, RangeExpectation } from './validate.js';
export { checkFinite, checkInteger, checkKnownKeys, checkMatrix, checkNumber, checkOneOf } from './validate.js';
