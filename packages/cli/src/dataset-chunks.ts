/**
 * Datasets on disk read a chunk of sequences at a time (`readNpyRows`), so that `fit`, `certify` and `predict`
 * work on files of any size in memory bounded by the chunk size: the headers are checked first (shapes against
 * each other and the mode), then the data stream through the feature-moment accumulator or the forward pass.
 */
import {
  type GramAccumulator,
  isLattnError,
  LattnError,
  type Matrix,
  type PositionMode,
  type ProgressCallback,
} from '@lattn/core';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import { checkTargetsShape } from './dataset-files.js';
import { type NpyHeader, readNpyHeader, readNpyRows } from './npy.js';
import { formatNumber } from './output.js';
import { checkSequencesShape, lastTargetsFromArray, sequencesFromArray } from './sequences.js';

/** An inputs file `(B, n, d)` whose header has been checked. */
export interface SequenceFile {
  /** The file's header. */
  readonly header: NpyHeader;
  /** `B`. */
  readonly numSequences: number;
  /** `n`. */
  readonly sequenceLength: number;
  /** `d`. */
  readonly modelDim: number;
}

/** A targets file whose header has been checked against its inputs and mode. */
export interface TargetFile {
  /** The file's header. */
  readonly header: NpyHeader;
  /** `dOut`. */
  readonly outputDim: number;
  /** Which positions carry targets: shape `(B, n, dOut)` for `'all'`, `(B, dOut)` for `'last'`. */
  readonly mode: PositionMode;
}

/**
 * The most float64 values (inputs plus targets) one chunk holds, 64 MiB: a chunk has at most `chunkSize` sequences
 * and, when sequences are long, fewer (but at least one), so memory stays bounded whatever the sequence length.
 */
export const MAX_CHUNK_VALUES: number = 2 ** 23;

/** One chunk of consecutive sequences (and their targets, when a targets file was given). */
export interface DatasetChunk {
  /** Index of the chunk's first sequence in the file. */
  readonly start: number;
  /** The chunk's sequences, `(n, d)` each. */
  readonly inputs: Matrix[];
  /** Their targets, `(n, dOut)` (mode `'all'`) or `(1, dOut)` (mode `'last'`) each; `undefined` without targets. */
  readonly targets: Matrix[] | undefined;
}

/**
 * Reads and checks the header of an inputs file.
 *
 * @param path - A `.npy` file of shape `(B, n, d)`.
 * @returns The header and the sizes.
 * @throws {@link LattnError} `INVALID_FORMAT` for an unreadable `.npy`; `SHAPE_MISMATCH` for another rank or an
 * empty axis; `INVALID_ARGUMENT` when the file cannot be read.
 * @example
 * ```ts
 * const inputs = await openSequenceFile('X.npy'); // inputs.modelDim: 4
 * ```
 */
export async function openSequenceFile(path: string): Promise<SequenceFile> {
  const header = await readNpyHeader(path);
  const [numSequences, sequenceLength, modelDim] = checkSequencesShape(header.shape, { path });
  return { header, numSequences, sequenceLength, modelDim };
}

/**
 * Reads and checks the header of a targets file against its inputs and mode.
 *
 * @param path - A `.npy` file of shape `(B, n, dOut)` (mode `'all'`) or `(B, dOut)` (mode `'last'`).
 * @param mode - Which positions carry targets.
 * @param inputs - The inputs file the targets belong to.
 * @returns The header and `dOut`.
 * @throws {@link LattnError} `SHAPE_MISMATCH` naming both shapes when the targets do not fit; otherwise as
 * {@link openSequenceFile}.
 * @example
 * ```ts
 * const targets = await openTargetFile('Y.npy', 'all', inputs); // targets.outputDim: 2
 * ```
 */
export async function openTargetFile(path: string, mode: PositionMode, inputs: SequenceFile): Promise<TargetFile> {
  const header = await readNpyHeader(path);
  const shape: [number, number, number] = [inputs.numSequences, inputs.sequenceLength, inputs.modelDim];
  return { header, outputDim: checkTargetsShape(path, header.shape, mode, shape), mode };
}

/**
 * Visits the sequences of a file (and their targets) in chunks of at most `chunkSize` sequences and at most
 * {@link MAX_CHUNK_VALUES} values (but at least one sequence), in order. Only one chunk is in memory at a time.
 *
 * @param inputs - The inputs file.
 * @param targets - Its targets file, or `undefined`.
 * @param chunkSize - Sequences per chunk, at least 1.
 * @param visit - Called once per chunk; awaited before the next chunk is read.
 * @throws {@link LattnError} `NON_FINITE` naming the file and the `[b, t, j]` index of the first NaN or ±Infinity;
 * `INVALID_FORMAT` when a file was truncated while it was read.
 * @example
 * ```ts
 * await forEachChunk(inputs, undefined, 256, ({ start, inputs: chunk }) => { … });
 * ```
 */
export async function forEachChunk(
  inputs: SequenceFile,
  targets: TargetFile | undefined,
  chunkSize: number,
  visit: (chunk: DatasetChunk) => void | Promise<void>,
): Promise<void> {
  const valuesPerSequence = inputs.header.rowLength + (targets === undefined ? 0 : targets.header.rowLength);
  const step = Math.max(1, Math.min(chunkSize, Math.floor(MAX_CHUNK_VALUES / valuesPerSequence)));
  for (let start = 0; start < inputs.numSequences; start += step) {
    const stop = Math.min(start + step, inputs.numSequences);
    const chunk = sequencesFromArray(await readNpyRows(inputs.header, start, stop), {
      path: inputs.header.path,
      start,
    });
    let chunkTargets: Matrix[] | undefined;
    if (targets !== undefined) {
      const array = await readNpyRows(targets.header, start, stop);
      const source = { path: targets.header.path, start };
      chunkTargets = targets.mode === 'all' ? sequencesFromArray(array, source) : lastTargetsFromArray(array, source);
    }
    await visit({ start, inputs: chunk, targets: chunkTargets });
  }
}

/** Options of {@link accumulateFileMoments}. */
export interface FileMomentOptions {
  /** Which positions are examples. */
  readonly mode: PositionMode;
  /** Sequences read per chunk. */
  readonly chunkSize: number;
  /**
   * Receives `{ stage: 'features', done, total }` in sequences over the whole file.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Receives a warning when the inputs are so small that their feature moments underflow float64 (the moments
   * then hold little or nothing of the data, and the fit and the certificate say so without knowing why).
   * @defaultValue none
   */
  readonly onWarning?: (text: string) => void;
}

/**
 * The feature moments of a dataset on disk in one streaming pass: `Σψψᵀ` and the count, plus `Σψyᵀ` and `Σyyᵀ` when
 * a targets file is given — the accumulator that the learner's `fitFromMoments` and the certificate's
 * `certifyFromMoments` both read.
 *
 * @param inputs - The inputs file.
 * @param targets - Its targets file (in `options.mode`), or `undefined` for the inputs' moments only.
 * @param options - Mode, chunk size and progress.
 * @returns A fresh accumulator of dimension `featureDim(d)`.
 * @throws {@link LattnError} as {@link forEachChunk}; `NON_FINITE` naming the file(s) and the largest entry when the
 * finite data give features or moments beyond float64 (features grow as `|z|³`, their moments as `|z|⁶`).
 * @example
 * ```ts
 * const moments = await accumulateFileMoments(inputs, targets, { mode: 'all', chunkSize: 256 });
 * ```
 */
export async function accumulateFileMoments(
  inputs: SequenceFile,
  targets: TargetFile | undefined,
  options: FileMomentOptions,
): Promise<GramAccumulator> {
  const { mode, onProgress } = options;
  let accumulator: GramAccumulator | undefined;
  let largestInput = 0;
  let largestTarget = 0;
  await forEachChunk(inputs, targets, options.chunkSize, ({ start, inputs: chunk, targets: chunkTargets }) => {
    largestInput = Math.max(largestInput, largestEntry(chunk));
    if (chunkTargets !== undefined) largestTarget = Math.max(largestTarget, largestEntry(chunkTargets));
    try {
      accumulator = accumulateFeatureMoments(chunk, {
        mode,
        ...(chunkTargets === undefined ? {} : { targets: chunkTargets }),
        ...(accumulator === undefined ? {} : { accumulator }),
        ...(onProgress === undefined
          ? {}
          : {
              onProgress: ({ done }) =>
                onProgress({ stage: 'features', done: start + done, total: inputs.numSequences }),
            }),
      });
    } catch (error) {
      // The chunk's entries are finite (checked when read), so a non-finite feature or moment is an overflow;
      // accumulateFeatureMoments refuses it before touching the accumulator and says which moment in its details.
      if (!isLattnError(error) || error.code !== 'NON_FINITE') throw error;
      const moment = (error.details as { moment?: unknown } | undefined)?.moment;
      if (moment === 'gram' || moment === 'targetGram') {
        throw momentOverflow(moment === 'gram' ? 'Σψψᵀ' : 'Σyyᵀ', inputs, targets, largestInput, largestTarget, error);
      }
      throw new LattnError(
        'NON_FINITE',
        `the cubic features of '${inputs.header.path}' overflow float64 in sequences [${start}, ${start + chunk.length}): features M_t[j,k]·z_t[l] grow as t·|z|³, and the largest token entry so far is ${formatNumber(largestInput)}. Expected token entries small enough for finite features (rescale the inputs, for example to unit scale); received a non-finite feature.`,
        { cause: error, details: { path: inputs.header.path, largestInput } },
      );
    }
  });
  const moments = accumulator as GramAccumulator;
  checkMomentsFinite(moments, inputs, targets, largestInput, largestTarget);
  if (options.onWarning !== undefined && largestInput > 0 && largestDiagonal(moments) < SMALLEST_NORMAL) {
    options.onWarning(
      `the feature moments of '${inputs.header.path}' underflow float64: they grow as |z|⁶ and the largest token entry is ${formatNumber(largestInput)}, so the fit and the certificate see almost none of the data; rescale the inputs, for example to unit scale.`,
    );
  }
  return moments;
}

/** The smallest positive normal float64, 2⁻¹⁰²²: below it, numbers lose precision and then vanish. */
const SMALLEST_NORMAL = 2 ** -1022;

/** Sums of finite entries can still overflow: name the file (and the moment) that did. */
function checkMomentsFinite(
  moments: GramAccumulator,
  inputs: SequenceFile,
  targets: TargetFile | undefined,
  largestInput: number,
  largestTarget: number,
): void {
  const finite = (values: Float64Array): boolean => values.every((value) => value - value === 0);
  if (!finite(moments.gram)) throw momentOverflow('Σψψᵀ', inputs, targets, largestInput, largestTarget);
  if (targets === undefined) return;
  if (!finite(moments.targetGram)) throw momentOverflow('Σyyᵀ', inputs, targets, largestInput, largestTarget);
  if (!finite(moments.cross)) throw momentOverflow('Σψyᵀ', inputs, targets, largestInput, largestTarget);
}

/** The error for a moment of finite data that overflows float64, naming the file(s) and the largest entries. */
function momentOverflow(
  what: 'Σψψᵀ' | 'Σyyᵀ' | 'Σψyᵀ',
  inputs: SequenceFile,
  targets: TargetFile | undefined,
  largestInput: number,
  largestTarget: number,
  cause?: unknown,
): LattnError {
  const inputPath = `'${inputs.header.path}'`;
  const targetPath = `'${targets?.header.path}'`;
  const [files, expected] =
    what === 'Σψψᵀ'
      ? [
          inputPath,
          `token entries small enough for finite sums of |z|⁶ (the largest is ${formatNumber(largestInput)}; rescale the inputs)`,
        ]
      : what === 'Σyyᵀ'
        ? [
            targetPath,
            `target entries small enough for finite sums of squares (the largest is ${formatNumber(largestTarget)}; rescale the targets)`,
          ]
        : [
            `${inputPath} and ${targetPath}`,
            `entries small enough for finite sums of |z|³·|y| (the largest token entry is ${formatNumber(largestInput)}, the largest target entry ${formatNumber(largestTarget)}; rescale the inputs or the targets)`,
          ];
  return new LattnError(
    'NON_FINITE',
    `the moments ${what} of ${files} overflow float64. Expected ${expected}; received a non-finite moment.`,
    { ...(cause === undefined ? {} : { cause }), details: { path: inputs.header.path, largestInput, largestTarget } },
  );
}

function largestEntry(matrices: readonly Matrix[]): number {
  let largest = 0;
  for (const matrix of matrices) for (const value of matrix.data) largest = Math.max(largest, Math.abs(value));
  return largest;
}

function largestDiagonal(moments: GramAccumulator): number {
  let largest = 0;
  for (let i = 0; i < moments.dim; i++) largest = Math.max(largest, moments.gram[i * moments.dim + i]);
  return largest;
}
