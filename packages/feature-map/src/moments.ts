/**
 * The streaming pass over a dataset's features (SPEC §3 step 1, docs/math/feature-map.md §6): the sums
 * `G = Σ ψψᵀ`, `B = Σ ψyᵀ`, `Σ yyᵀ` and the count, shared by the learner and the certificate. A folded feature is a
 * Kronecker product, `ψ_t = vech(M_t) ⊗ z_t` (entry `pairIndex(j, k) · d + l`), so a chunk of examples is handed to
 * core's `accumulateKroneckerGram` as its packed prefix moments `(chunk, d(d+1)/2)` and tokens `(chunk, d)`: the
 * Gram is built from the distinct entries of `Σ (m mᵀ) ⊗ (z zᵀ)` with half the flops of a plain SYRK, and neither
 * the `(N, D)` nor even a `(chunk, D)` feature matrix is ever formed.
 */
import {
  accumulateKroneckerGram,
  checkInteger,
  checkMatrix,
  checkSequences,
  createGramAccumulator,
  describe,
  type GramAccumulator,
  LattnError,
  largestMagnitude,
  type Matrix,
  MOMENT_LIMIT,
  type PositionMode,
  type ProgressCallback,
} from '@lattn/core';
import { addOuterPacked, readMode } from './features.js';
import { checkArraySize, featureTriple, foldedDim, numPairs } from './layout.js';
import { availableThreads, runShards, type ShardTask } from './moment-workers.js';

/** Options of {@link accumulateFeatureMoments}. */
export interface FeatureMomentOptions {
  /**
   * Which positions are examples: every position (`'all'`) or the last of each sequence (`'last'`).
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * One target matrix per sequence, `(n_b, outputDim)` in mode `'all'` and `(1, outputDim)` in mode `'last'`
   * (the shapes of `Dataset.targets`). Without targets only `Σ ψψᵀ` and the count are accumulated.
   * @defaultValue no targets
   */
  readonly targets?: readonly Matrix[];
  /**
   * Number of examples handed together to each Gram update. Larger chunks amortise the `D²/2` additions that
   * scatter each update onto the accumulator, and cost `chunkSize · (d(d+1)/2 + d + outputDim)` floats of buffer.
   * @defaultValue `2048`
   */
  readonly chunkSize?: number;
  /**
   * Called after each chunk with `{ stage: 'features', done, total }`, counting whole sequences; the last call has
   * `done === total`.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Threads to accumulate with, counting the calling one: the sequences are cut into that many contiguous shards of
   * about equal example counts, accumulated in parallel by Node worker threads and added up in shard order.
   * `'auto'` uses every available core when the Gram update is large enough to repay starting the workers
   * (`N · D² / 2` above `4e9` flops, about half a second on one core) and one thread otherwise. Without Node's
   * `worker_threads` (browsers) the shards run one after another in the calling thread. Results depend on the
   * number of shards (the grouping of the additions) but are reproducible for a fixed value.
   * @defaultValue `'auto'`
   */
  readonly workers?: number | 'auto';
  /**
   * An accumulator to add into (for shards and incremental data), of dimension `featureDim(d)` and, when `targets`
   * are given, target dimension `outputDim`. It is updated in place and returned.
   * @defaultValue a fresh accumulator
   */
  readonly accumulator?: GramAccumulator;
}

const KNOWN_OPTIONS = ['mode', 'targets', 'chunkSize', 'onProgress', 'workers', 'accumulator'];

/** Gram-update flops (`N · D² / 2`) above which `workers: 'auto'` uses more than one thread. */
const AUTO_THREAD_FLOPS = 4e9;

/**
 * Accumulates the second moments of the folded cubic features (and, with targets, their cross moments with the
 * targets) of every example of a batch, in one streaming pass.
 *
 * Notes: memory `O(D² + chunkSize · (d² + outputDim))`, independent of the number of examples; time `O(N · D)` for the
 * features plus the Gram update, about `N · D² / 2` flops (see core's `accumulateKroneckerGram`). Sums merge by
 * addition: accumulating shards into one accumulator, or separately and then `mergeGram`, gives one pass's moments up
 * to the order of floating-point additions. Everything is validated before the accumulator is touched, overflow
 * included: a first pass bounds the moments in `O(N · d)` and, for data near the limit, computes the diagonal `Σ_t
 * ψ_t[i]²` exactly (`O(N · D)`), which bounds every entry (Cauchy–Schwarz), so no moment is ever silently infinite and
 * a rejected batch leaves the accumulator as it was; an error thrown by `onProgress` stops the pass with the chunks so
 * far already added. Data at extreme scales (`1e±150`) must be divided by a power of two first (core's
 * `scaleByPowerOfTwo`), as the learner and the certificate do.
 *
 * @param inputs - `B` sequences, each `(n_b, d)` with `n_b >= 1`.
 * @param options - See {@link FeatureMomentOptions}.
 * @returns The accumulator (the given one, or a fresh one of dimension `D = featureDim(d)`): `count` grew by the
 * number of examples (`Σ n_b` in mode `'all'`, `B` in mode `'last'`), `gram` by `Σ ψψᵀ`, and with targets `cross` by
 * `Σ ψyᵀ` and `targetGram` by `Σ yyᵀ`.
 * @throws `LattnError` `INVALID_ARGUMENT` for an empty batch or sequence, a bad or unknown option;
 * `SHAPE_MISMATCH` for targets of the wrong count or shape, or an accumulator of the wrong dimensions;
 * `NON_FINITE` for NaN or ±Infinity in inputs or targets, or when finite inputs or targets would make a moment
 * overflow (a diagonal entry of `Σψψᵀ` or `Σyyᵀ` beyond `2¹⁰²³`: tokens beyond about `1e51`, targets beyond about
 * `1e153`; the message names the feature and the largest entry); `TOO_LARGE`, before anything is allocated, when
 * the `(D, D)` moment would exceed `MAX_ARRAY_ENTRIES` (`modelDim >= 32`) or a chunk's `(chunkSize, d(d+1)/2)`
 * prefix moments would.
 * @example
 * ```ts
 * const moments = accumulateFeatureMoments(dataset.inputs, { mode: dataset.mode, targets: dataset.targets });
 * const { gram, cross, count } = gramMoments(moments); // (D, D), (D, outputDim), N
 * ```
 * @see docs/math/feature-map.md §6
 */
export function accumulateFeatureMoments(inputs: readonly Matrix[], options?: FeatureMomentOptions): GramAccumulator {
  const fn = 'accumulateFeatureMoments';
  const mode = readMode(fn, options, KNOWN_OPTIONS);
  const { modelDim: d, numSequences } = checkSequences(fn, 'inputs', inputs);
  const dim = foldedDim(d);
  checkArraySize(fn, `the (${dim}, ${dim}) feature moment Σψψᵀ of tokens of dimension d = ${d}`, dim * dim);
  const targets = options?.targets === undefined ? undefined : checkTargets(fn, inputs, options.targets, mode);
  const outputDim = targets === undefined ? 0 : targets[0].cols;
  const chunkSize =
    options?.chunkSize === undefined ? 2048 : checkInteger(fn, 'options.chunkSize', options.chunkSize, { min: 1 });
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.onProgress must be a function. Expected (progress) => void; received ${describe(onProgress)}.`,
    );
  }
  const numExamples = mode === 'all' ? sumLengths(inputs) : numSequences;
  const chunkRows = Math.min(chunkSize, numExamples);
  checkArraySize(
    fn,
    `the (${chunkRows}, ${numPairs(d)}) prefix moments of a chunk (options.chunkSize ${chunkSize})`,
    chunkRows * numPairs(d),
  );
  const accumulator =
    options?.accumulator === undefined
      ? createGramAccumulator(dim, { targetDim: outputDim })
      : checkAccumulator(fn, options.accumulator, dim, outputDim);

  const threads = Math.min(numSequences, readThreads(fn, options?.workers, numExamples, dim));
  checkMomentsFit(fn, inputs, targets, mode, accumulator);
  if (threads === 1) {
    accumulateShard(inputs, targets, mode, chunkSize, accumulator, (done) =>
      onProgress?.({ stage: 'features', done, total: numSequences }),
    );
    return accumulator;
  }
  const tasks = shardTasks(inputs, targets, mode, chunkSize, threads);
  const shards = runShards(
    tasks,
    (task) =>
      accumulateShard(task.inputs, task.targets, mode, chunkSize, accumulator, (done) =>
        onProgress?.({ stage: 'features', done, total: numSequences }),
      ),
    (task) => {
      const shard = createGramAccumulator(dim, { targetDim: outputDim });
      accumulateShard(task.inputs, task.targets, mode, chunkSize, shard, () => {});
      return shard;
    },
  );
  for (const shard of shards) addInto(accumulator, shard);
  onProgress?.({ stage: 'features', done: numSequences, total: numSequences });
  return accumulator;
}

/**
 * One thread's pass: prefix moments and tokens of `chunkSize` examples at a time, handed to core's
 * `accumulateKroneckerGram`. `progress` receives the sequences done after each chunk and once at the end.
 */
function accumulateShard(
  inputs: readonly Matrix[],
  targets: readonly Matrix[] | undefined,
  mode: PositionMode,
  chunkSize: number,
  accumulator: GramAccumulator,
  progress: (done: number) => void,
): void {
  const d = inputs[0].cols;
  const outputDim = targets === undefined ? 0 : targets[0].cols;
  const rows = Math.min(chunkSize, mode === 'all' ? sumLengths(inputs) : inputs.length);
  const pairs = numPairs(d);
  const moments = new Float64Array(rows * pairs); // (chunk, d(d+1)/2) packed M_t, reused
  const tokens = new Float64Array(rows * d); // (chunk, d) z_t, reused
  const targetRows = new Float64Array(rows * outputDim); // (chunk, outputDim), reused
  const moment = new Float64Array(pairs); // packed M_t of the current sequence
  let filled = 0;
  let sequencesDone = 0;
  const flush = (): void => {
    if (filled > 0) {
      const left: Matrix = { rows: filled, cols: pairs, data: moments.subarray(0, filled * pairs) };
      const right: Matrix = { rows: filled, cols: d, data: tokens.subarray(0, filled * d) };
      if (targets === undefined) accumulateKroneckerGram(accumulator, left, right);
      else {
        const y: Matrix = { rows: filled, cols: outputDim, data: targetRows.subarray(0, filled * outputDim) };
        accumulateKroneckerGram(accumulator, left, right, y);
      }
      filled = 0;
    }
    progress(sequencesDone);
  };
  const add = (sequence: Matrix, target: Matrix | undefined, t: number, targetRow: number): void => {
    moments.set(moment, filled * pairs);
    tokens.set(sequence.data.subarray(t * d, (t + 1) * d), filled * d);
    if (target !== undefined) {
      targetRows.set(target.data.subarray(targetRow * outputDim, (targetRow + 1) * outputDim), filled * outputDim);
    }
    filled++;
    if (filled === rows) flush();
  };
  inputs.forEach((sequence, b) => {
    const target = targets?.[b];
    moment.fill(0);
    for (let t = 0; t < sequence.rows; t++) {
      addOuterPacked(moment, sequence.data, t * d, d);
      if (mode === 'all') add(sequence, target, t, t);
    }
    if (mode === 'last') add(sequence, target, sequence.rows - 1, 0);
    sequencesDone++;
  });
  flush(); // adds what is left and reports every sequence done
}

/**
 * Throws `NON_FINITE` naming `fn`, before anything is added, when this pass would make a moment in `accumulator`
 * overflow float64; changes nothing.
 *
 * `G = Σ ψψᵀ` is positive semi-definite, so every entry, and every partial sum over a subset of the examples, obeys
 * `|Σ_S ψ_i ψ_j| <= sqrt(G_ii G_jj)` (Cauchy–Schwarz), and `|Σ_S ψ_i y_o| <= sqrt(G_ii · Σ y_o²)`. With every
 * diagonal entry (what the accumulator already holds plus `Σ_t ψ_t[i]²`) at most `2¹⁰²³`, no entry and no
 * intermediate sum can overflow, however the Kronecker kernel, the chunks or the shards group the additions
 * (rounding adds a relative `N · ε`, far from the factor 2 of headroom). A merely finite diagonal would not do: near
 * `1.8e308` rounding can push an off-diagonal partial sum over. The diagonal costs `N · D` operations, against the
 * Gram's `N · D² / 2`, and no pass over a `(D, D)` array; a cheaper bound in `O(N · d)` settles data at ordinary
 * scales without it ({@link featureMomentsSurelyFit}). The Kronecker kernel also forms the products
 * `M_t[j,k] · M_t[j',k']` of prefix-moment entries, checked too: in mode `'all'` the diagonal bounds them (for sequences shorter than about `1e51`), but in mode
 * `'last'` a small last token after large ones keeps every feature finite while they overflow.
 */
function checkMomentsFit(
  fn: string,
  inputs: readonly Matrix[],
  targets: readonly Matrix[] | undefined,
  mode: PositionMode,
  accumulator: GramAccumulator,
): void {
  if (!featureMomentsSurelyFit(inputs, mode, accumulator)) checkFeatureMomentsFit(fn, inputs, mode, accumulator);
  if (targets === undefined) return;
  const targetDim = accumulator.targetDim;
  const targetTotals = new Float64Array(targetDim);
  for (let o = 0; o < targetDim; o++) targetTotals[o] = accumulator.targetGram[o * targetDim + o];
  for (const target of targets) {
    for (let index = 0; index < target.data.length; index++) {
      const value = target.data[index];
      targetTotals[index % targetDim] += value * value;
    }
  }
  for (let o = 0; o < targetDim; o++) {
    if (targetTotals[o] <= MOMENT_LIMIT) continue;
    const largestTarget = targets.reduce((most, y) => Math.max(most, largestMagnitude(y.data)), 0);
    throw new LattnError(
      'NON_FINITE',
      `${fn}: the targets overflow float64 in their moment Σyyᵀ. Expected every diagonal entry Σ y[o]² at most 2^1023 ≈ 8.99e307 (divide the targets by a power of two 2^k, which scales Σψyᵀ by 2^−k and Σyyᵀ by 2^(−2k) exactly); received ${targetTotals[o]} at output ${o} from targets as large as ${largestTarget}.`,
      { details: { moment: 'targetGram', output: o, total: targetTotals[o], largestTarget } },
    );
  }
}

/**
 * The exact check of {@link checkMomentsFit} for `Σψψᵀ`: the diagonal `Σ_t ψ_t[i]²` of every feature, and the
 * largest prefix-moment entry the Kronecker update squares. Throws `NON_FINITE` naming `fn`; changes nothing.
 */
function checkFeatureMomentsFit(
  fn: string,
  inputs: readonly Matrix[],
  mode: PositionMode,
  accumulator: GramAccumulator,
): void {
  const d = inputs[0].cols;
  const dim = accumulator.dim;
  const totals = new Float64Array(dim); // diagonal of gram after the pass
  for (let i = 0; i < dim; i++) totals[i] = accumulator.gram[i * dim + i];
  const moment = new Float64Array(numPairs(d));
  let largestMoment = 0;
  for (const sequence of inputs) {
    moment.fill(0);
    for (let t = 0; t < sequence.rows; t++) {
      addOuterPacked(moment, sequence.data, t * d, d);
      if (mode === 'all') {
        largestMoment = Math.max(largestMoment, addSquaredFeatures(moment, sequence.data, t * d, d, totals));
      }
    }
    if (mode === 'last') {
      const offset = (sequence.rows - 1) * d;
      largestMoment = Math.max(largestMoment, addSquaredFeatures(moment, sequence.data, offset, d, totals));
    }
  }
  const largestToken = (): number => inputs.reduce((most, z) => Math.max(most, largestMagnitude(z.data)), 0);
  const advice = `divide the tokens by a power of two 2^k, which scales the moments exactly by 2^(−6k), as certifyIdentifiability does (its inputScale)`;
  for (let i = 0; i < dim; i++) {
    if (totals[i] <= MOMENT_LIMIT) continue;
    const { j, k, l } = featureTriple(i, d);
    const held = accumulator.gram[i * dim + i];
    throw new LattnError(
      'NON_FINITE',
      `${fn}: the features overflow float64 in their moment Σψψᵀ (ψ_t = M_t[j,k]·z_t[l] grows as |z|³, its square as |z|⁶). Expected every diagonal entry Σ_t ψ_t[i]² at most 2^1023 ≈ 8.99e307 (tokens up to about 1e51; ${advice}); received ${totals[i]} at feature ${i} = (j, k, l) = (${j}, ${k}, ${l})${held === 0 ? '' : `, of which ${held} already in options.accumulator`}, from tokens as large as ${largestToken()}.`,
      { details: { moment: 'gram', feature: i, total: totals[i], largestInput: largestToken() } },
    );
  }
  if (!(largestMoment * largestMoment <= MOMENT_LIMIT)) {
    throw new LattnError(
      'NON_FINITE',
      `${fn}: the prefix moments overflow float64 in the Gram update, which forms the products M_t[j,k]·M_t[j',k']. Expected every |M_t[j,k]| at most 2^511.5 ≈ 9.48e153 (${advice}); received |M_t[j,k]| up to ${largestMoment} from tokens as large as ${largestToken()}.`,
      { details: { moment: 'gram', largestMoment, largestInput: largestToken() } },
    );
  }
}

/**
 * A sufficient condition for {@link checkMomentsFit}, in `O(N · d)`: with `S_t = Σ_{s<=t} ‖z_s‖²`, `‖M_t‖_F <= S_t`,
 * so every `|M_t[j,k]| <= S_t` and `‖ψ_t‖² <= S_t² ‖z_t‖²`. When the largest diagonal entry already held plus
 * `Σ_t S_t² ‖z_t‖²`, and every `S_t²`, are at most `2¹⁰²²` (a factor 2 below the limit, for the rounding of the bound
 * itself), no diagonal entry can pass `2¹⁰²³` and the exact pass is skipped; data at ordinary scales always pass.
 */
function featureMomentsSurelyFit(inputs: readonly Matrix[], mode: PositionMode, accumulator: GramAccumulator): boolean {
  const { dim, gram } = accumulator;
  const safe = MOMENT_LIMIT / 2;
  let bound = 0;
  for (let i = 0; i < dim; i++) bound = Math.max(bound, gram[i * dim + i]);
  for (const sequence of inputs) {
    const { rows, cols, data } = sequence;
    let running = 0; // S_t
    for (let t = 0, at = 0; t < rows; t++) {
      let norm = 0;
      for (let l = 0; l < cols; l++, at++) norm += data[at] * data[at];
      running += norm;
      if (mode === 'all' || t === rows - 1) bound += running * running * norm;
    }
    if (!(running * running <= safe)) return false;
  }
  return bound <= safe;
}

/**
 * `totals[p·d + l] += (moment[p] · z[l])²` for the packed moment and `z = data[offset .. offset + d)`: the squared
 * folded features of one example. Returns `max |moment[p]|` (a NaN entry shows in `totals`). Cost `D`.
 */
function addSquaredFeatures(
  moment: Float64Array,
  data: Float64Array,
  offset: number,
  d: number,
  totals: Float64Array,
): number {
  let largest = 0;
  for (let p = 0, at = 0; p < moment.length; p++) {
    const m = moment[p];
    if (Math.abs(m) > largest) largest = Math.abs(m);
    for (let l = 0; l < d; l++, at++) {
      const feature = m * data[offset + l];
      totals[at] += feature * feature;
    }
  }
  return largest;
}

/** The thread count for `options.workers`: the given count, or for `'auto'` all cores when the work repays them. */
function readThreads(fn: string, workers: unknown, numExamples: number, dim: number): number {
  if (workers === undefined || workers === 'auto') {
    return (numExamples * dim * dim) / 2 >= AUTO_THREAD_FLOPS ? availableThreads() : 1;
  }
  if (typeof workers === 'string') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.workers must be 'auto' or a positive integer. Expected 'auto' or an integer >= 1; received ${describe(workers)}.`,
    );
  }
  return checkInteger(fn, 'options.workers', workers, { min: 1 });
}

/** Cuts the batch into `count` contiguous shards of about equal example counts (each with at least one sequence). */
function shardTasks(
  inputs: readonly Matrix[],
  targets: readonly Matrix[] | undefined,
  mode: PositionMode,
  chunkSize: number,
  count: number,
): ShardTask[] {
  const total = mode === 'all' ? sumLengths(inputs) : inputs.length;
  const tasks: ShardTask[] = [];
  let start = 0;
  let examples = 0;
  for (let shard = 1; shard <= count; shard++) {
    let end = start;
    const goal = (total * shard) / count;
    while (end < inputs.length - (count - shard) && (end === start || examples < goal)) {
      examples += mode === 'all' ? inputs[end].rows : 1;
      end++;
    }
    if (shard === count) end = inputs.length;
    tasks.push({
      inputs: inputs.slice(start, end),
      targets: targets?.slice(start, end),
      mode,
      chunkSize,
    });
    start = end;
  }
  return tasks;
}

/** `target += source` for every sum (the upper triangle of `gram`), in place. */
function addInto(target: GramAccumulator, source: GramAccumulator): void {
  const dim = target.dim;
  for (let i = 0; i < dim; i++) {
    for (let index = i * dim + i; index < (i + 1) * dim; index++) target.gram[index] += source.gram[index];
  }
  for (let index = 0; index < target.cross.length; index++) target.cross[index] += source.cross[index];
  for (let index = 0; index < target.targetGram.length; index++) target.targetGram[index] += source.targetGram[index];
  target.count += source.count;
}

function sumLengths(inputs: readonly Matrix[]): number {
  let total = 0;
  for (const sequence of inputs) total += sequence.rows;
  return total;
}

/** Validates targets against validated inputs: one finite matrix per sequence of the shape the mode requires. */
function checkTargets(fn: string, inputs: readonly Matrix[], targets: unknown, mode: PositionMode): readonly Matrix[] {
  if (!Array.isArray(targets) || targets.length !== inputs.length) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.targets must hold one matrix per sequence. Expected an array of length ${inputs.length}; received ${describe(targets)}.`,
    );
  }
  const outputDim = checkMatrix(fn, 'options.targets[0]', targets[0]).cols;
  if (outputDim === 0) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.targets have no columns. Expected outputDim >= 1; received (${targets[0].rows}, 0).`,
    );
  }
  inputs.forEach((sequence, b) => {
    checkMatrix(fn, `options.targets[${b}]`, targets[b], { rows: mode === 'all' ? sequence.rows : 1, cols: outputDim });
  });
  return targets;
}

/** Checks that a caller's accumulator has the dimensions this pass will add. */
function checkAccumulator(fn: string, value: unknown, dim: number, targetDim: number): GramAccumulator {
  const accumulator = value as Partial<GramAccumulator> | null;
  if (
    typeof value !== 'object' ||
    accumulator === null ||
    !Number.isSafeInteger(accumulator.count) ||
    !(accumulator.gram instanceof Float64Array) ||
    !(accumulator.cross instanceof Float64Array) ||
    !(accumulator.targetGram instanceof Float64Array) ||
    accumulator.gram.length !== (accumulator.dim as number) ** 2 ||
    accumulator.cross.length !== (accumulator.dim as number) * (accumulator.targetDim as number) ||
    accumulator.targetGram.length !== (accumulator.targetDim as number) ** 2
  ) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.accumulator is not a GramAccumulator. Expected the result of createGramAccumulator; received ${describe(value)}.`,
    );
  }
  if (accumulator.dim !== dim || accumulator.targetDim !== targetDim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: options.accumulator has the wrong dimensions. Expected dim ${dim} and targetDim ${targetDim}; received dim ${accumulator.dim} and targetDim ${accumulator.targetDim}.`,
      { details: { expected: [dim, targetDim], received: [accumulator.dim, accumulator.targetDim] } },
    );
  }
  return value as GramAccumulator;
}
