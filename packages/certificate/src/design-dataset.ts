/**
 * Dataset design (docs/math/identifiability.md §7): from a pool of candidate sequences, greedily pick a small subset
 * whose feature second moment is positive definite, and compare its size with a random selection from the same
 * pool.
 */
import {
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkSequences,
  cholesky,
  choleskySolve,
  createGramAccumulator,
  createRng,
  eigh,
  type Matrix,
  minEigenvalue,
  POSITION_MODES,
  type PositionMode,
  type ProgressCallback,
} from '@lattn/core';
import { cubicFeatures, featureDim } from '@lattn/feature-map';
import { certify, type IdentifiabilityCertificate } from './certify.js';
import { firstCertifyingPrefix } from './prefix-search.js';
import { scaleSequences, tokenExponent } from './scale.js';
import { checkGramSize, extremes, readCallback, readRtol } from './second-moment.js';

/**
 * How {@link designDataset} scores a candidate sequence with features `Φ` `(k, D)` given the chosen ones' Gram `G`.
 *
 * - `'d-optimal'`: the gain in `log det(G + δI)`, which is `log det(I + Φ (G + δI)⁻¹ Φᵀ)`; `δ` regularises until `G`
 *   has full rank, so new directions are worth about `log(1/δ)` each and are taken first.
 * - `'min-eigenvalue'`: the gain in `λ_min(G)`: candidates are ranked by the energy `‖Φ V‖_F²` they put into the
 *   weakest eigenspace `V` of `G` (its null space while singular), and the best 8 by the exact `λ_min(G + ΦᵀΦ)`.
 */
export type DesignCriterion = 'd-optimal' | 'min-eigenvalue';

/** The two {@link DesignCriterion} values. */
export const DESIGN_CRITERIA: readonly DesignCriterion[] = ['d-optimal', 'min-eigenvalue'];

/** Options of {@link designDataset}. */
export interface DesignOptions {
  /**
   * Which positions are training examples.
   * @defaultValue `'all'`
   */
  readonly mode?: PositionMode;
  /**
   * The greedy criterion.
   * @defaultValue `'d-optimal'`
   */
  readonly criterion?: DesignCriterion;
  /**
   * At most this many sequences are chosen.
   * @defaultValue `pool.length`
   */
  readonly maxSize?: number;
  /**
   * Relative eigenvalue tolerance of the certificate (raise it to demand a margin).
   * @defaultValue `100 · D · ε`, as in `certifyFromMoments`
   */
  readonly rtol?: number;
  /**
   * Seed of the random order used for the comparison with random selection.
   * @defaultValue `0`
   */
  readonly seed?: number;
  /**
   * Receives `{ stage: 'design', done: chosen, total: maxSize }` and `{ stage: 'random', … }` reports.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
}

/** A chosen subset of the pool, its certificate, and what random selection needed. */
export interface DatasetDesign {
  /** Indices into the pool, in the order they were chosen. */
  readonly indices: readonly number[];
  /** Training examples (positions) in the chosen subset. */
  readonly numExamples: number;
  /** Whether the chosen subset certifies identifiability. */
  readonly certified: boolean;
  /** The certificate of the chosen subset. */
  readonly certificate: IdentifiabilityCertificate;
  /** The number of pool sequences that a random order (seeded) needed to certify, or `null` if the pool never did. */
  readonly randomSize: number | null;
  /** Training examples in that random prefix, or `null`. */
  readonly randomNumExamples: number | null;
  /** The criterion used. */
  readonly criterion: DesignCriterion;
  /** The training mode used. */
  readonly mode: PositionMode;
  /** The relative tolerance used. */
  readonly rtol: number;
  /** The seed of the random comparison. */
  readonly seed: number;
  /** Number of candidate sequences. */
  readonly poolSize: number;
}

/** Features of at most this many doubles are kept in memory; larger pools recompute them on demand. */
const FEATURE_CACHE_LIMIT = 2 ** 24;
/** `δ = DELTA_FACTOR ·` (mean squared feature entry): the D-optimal regulariser. */
const DELTA_FACTOR = 1e-6;
/** Candidates scored exactly by `λ_min(G + ΦᵀΦ)` per step of the `'min-eigenvalue'` criterion. */
const SHORTLIST = 8;

/**
 * Picks a small subset of candidate sequences that certifies identifiability, greedily, and reports how many a random
 * selection from the same pool needed.
 *
 * The `'d-optimal'` greedy keeps `(G + δI)⁻¹` and, per candidate, `C_i = Φ_i (G + δI)⁻¹ Φ_iᵀ`, updated after each
 * choice by the Woodbury identity: a step costs `O(D² k + P k² D)` for `P` candidates of `k` positions, plus an
 * `O(D³)` eigenvalue test once the chosen examples reach `D`. The `'min-eigenvalue'` greedy costs one `eigh` of `G`
 * and 8 `minEigenvalue` calls per step. The greedy stops as soon as the certificate holds.
 *
 * Notes: greedy selection is not optimal, but it never does worse than it needs to in the rank-building phase: every
 * sequence it picks while `G` is singular adds new directions if any candidate does. The random baseline uses the
 * doubling-then-bisection search of {@link estimateSamplesToCertify} over one seeded permutation of the pool.
 *
 * @param pool - Candidate sequences, each `(n_b, d)` with one shared `d`.
 * @param options - See {@link DesignOptions}.
 * @returns A {@link DatasetDesign}.
 * @throws `LattnError` `INVALID_ARGUMENT` for an empty pool, a bad option or an unknown option field;
 * `SHAPE_MISMATCH` when token dimensions differ; `NON_FINITE` for NaN or ±Infinity; `TOO_LARGE` when the `(D, D)`
 * second moment would exceed feature-map's `MAX_ARRAY_ENTRIES` (2 GiB: `modelDim <= 31`). A pool at `1e±150` is
 * divided by a power of two first (the design does not change; see the certificate's `inputScale`).
 * @example
 * ```ts
 * const rng = createRng(3);
 * const pool = Array.from({ length: 200 }, (_, i) => rng.normalMatrix(i % 10 === 0 ? 6 : 1, 2));
 * const design = designDataset(pool);
 * design.certified; // true
 * design.indices.length < (design.randomSize ?? Infinity); // true: length-1 sequences never help
 * ```
 * @see docs/math/identifiability.md §7
 */
export function designDataset(pool: readonly Matrix[], options?: DesignOptions): DatasetDesign {
  const fn = 'designDataset';
  checkKnownKeys(fn, 'options', options, ['mode', 'criterion', 'maxSize', 'rtol', 'seed', 'onProgress']);
  const batch = checkSequences(fn, 'pool', pool);
  const mode = options?.mode === undefined ? 'all' : checkOneOf(fn, 'options.mode', options.mode, POSITION_MODES);
  const criterion =
    options?.criterion === undefined
      ? 'd-optimal'
      : checkOneOf(fn, 'options.criterion', options.criterion, DESIGN_CRITERIA);
  const size = pool.length;
  const maxSize =
    options?.maxSize === undefined ? size : checkInteger(fn, 'options.maxSize', options.maxSize, { min: 1, max: size });
  const seed = options?.seed === undefined ? 0 : checkInteger(fn, 'options.seed', options.seed);
  const onProgress = readCallback(fn, 'options.onProgress', options?.onProgress);
  const modelDim = batch.modelDim;
  const dim = featureDim(modelDim);
  checkGramSize(fn, dim);
  const rtol = readRtol(fn, options?.rtol, dim);

  // Tokens beyond 2^±32 are divided by a power of two (exactly): the greedy criteria and the verdict are invariant to
  // a common scale, and the features stay inside float64.
  const exponent = tokenExponent(pool);
  const scaledPool = scaleSequences(pool, exponent);
  const rowsOf = (b: number): number => (mode === 'all' ? pool[b].rows : 1);
  const cached = batch.numTokens * dim <= FEATURE_CACHE_LIMIT;
  const cache: (Matrix | undefined)[] = new Array(size);
  const features = (b: number): Matrix => {
    const hit = cache[b];
    if (hit !== undefined) return hit;
    const computed = cubicFeatures(scaledPool[b], { mode }); // (k_b, D)
    if (cached) cache[b] = computed;
    return computed;
  };

  const greedy = criterion === 'd-optimal' ? greedyDOptimal : greedyMinEigenvalue;
  const chosen = greedy({ size, dim, maxSize, rtol, rowsOf, features, onProgress });
  const moments = createGramAccumulator(dim);
  moments.gram.set(chosen.gram);
  moments.count = chosen.count;
  const certificate = certify(
    moments,
    modelDim,
    mode,
    { rtol, maxDirections: 20, includeNullSpace: false, onProgress: undefined },
    exponent,
  );

  const order = createRng(seed).shuffle(Array.from({ length: size }, (_, b) => b));
  const random = firstCertifyingPrefix(
    createGramAccumulator(dim),
    (index) => [scaledPool[order[index]]],
    size,
    mode,
    rtol,
    (done) => onProgress?.({ stage: 'random', done, total: size }),
  );
  return {
    indices: chosen.indices,
    numExamples: chosen.count,
    certified: certificate.identifiable,
    certificate,
    randomSize: random.found ? random.numBatches : null,
    randomNumExamples: random.found ? random.moments.count : null,
    criterion,
    mode,
    rtol,
    seed,
    poolSize: size,
  };
}

interface GreedyInput {
  readonly size: number;
  readonly dim: number;
  readonly maxSize: number;
  readonly rtol: number;
  readonly rowsOf: (b: number) => number;
  readonly features: (b: number) => Matrix;
  readonly onProgress: ProgressCallback | undefined;
}

interface GreedyResult {
  readonly indices: number[];
  /** `G = Σ ΦᵀΦ` over the chosen sequences, full `(D, D)`. */
  readonly gram: Float64Array;
  readonly count: number;
}

/** `G += ΦᵀΦ` (full, symmetric). */
function addGram(gram: Float64Array, phi: Matrix): void {
  const dim = phi.cols;
  for (let r = 0; r < phi.rows; r++) {
    const row = phi.data.subarray(r * dim, (r + 1) * dim);
    for (let p = 0; p < dim; p++) {
      const value = row[p];
      if (value === 0) continue;
      for (let q = 0; q < dim; q++) gram[p * dim + q] += value * row[q];
    }
  }
}

/** Whether `G / count` certifies at `rtol` (only possible once `count >= D`). */
function certifies(gram: Float64Array, count: number, dim: number, rtol: number): boolean {
  if (count < dim) return false;
  const lambda = new Float64Array(dim * dim);
  for (let i = 0; i < lambda.length; i++) lambda[i] = gram[i] / count;
  return extremes({ rows: dim, cols: dim, data: lambda }, count, rtol).identifiable;
}

/** `log det(I + C)` for a symmetric PSD `(k, k)` matrix `C`, via Cholesky of `I + C`. */
function logDetIdentityPlus(c: Float64Array, k: number): number {
  const a = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) a[i * k + j] = 0.5 * (c[i * k + j] + c[j * k + i]) + (i === j ? 1 : 0);
  }
  const { factor } = cholesky({ rows: k, cols: k, data: a });
  let sum = 0;
  for (let i = 0; i < k; i++) sum += Math.log(factor.data[i * k + i]);
  return 2 * sum;
}

/**
 * Greedy D-optimal design (docs/math/identifiability.md §7): maximise `log det(G + δI)`. The gain of candidate `i`
 * is `log det(I + C_i)`, `C_i = Φ_i A⁻¹ Φ_iᵀ`, `A = G + δI`. After choosing `s`, with `S = I + C_s` and
 * `U = A⁻¹ Φ_sᵀ`: `A⁻¹ ← A⁻¹ − U S⁻¹ Uᵀ` and `C_i ← C_i − (Φ_i U) S⁻¹ (Φ_i U)ᵀ` (Woodbury).
 */
function greedyDOptimal(input: GreedyInput): GreedyResult {
  const { size, dim, maxSize, rtol, rowsOf, features, onProgress } = input;
  let energy = 0;
  let examples = 0;
  for (let b = 0; b < size; b++) {
    const phi = features(b);
    for (let i = 0; i < phi.data.length; i++) energy += phi.data[i] * phi.data[i];
    examples += phi.rows;
  }
  const gram = new Float64Array(dim * dim);
  const indices: number[] = [];
  if (energy === 0) return { indices, gram, count: 0 };
  const delta = (DELTA_FACTOR * energy) / (examples * dim);

  const inverse = new Float64Array(dim * dim); // A⁻¹, (D, D)
  for (let p = 0; p < dim; p++) inverse[p * dim + p] = 1 / delta;
  const scores: (Float64Array | null)[] = []; // C_i, (k_i, k_i); null once chosen
  for (let b = 0; b < size; b++) {
    const phi = features(b);
    const k = phi.rows;
    const c = new Float64Array(k * k);
    for (let a = 0; a < k; a++) {
      for (let e = 0; e < k; e++) {
        let dot = 0;
        for (let p = 0; p < dim; p++) dot += phi.data[a * dim + p] * phi.data[e * dim + p];
        c[a * k + e] = dot / delta;
      }
    }
    scores.push(c);
  }

  let count = 0;
  while (indices.length < maxSize) {
    let best = -1;
    let bestGain = 0;
    for (let b = 0; b < size; b++) {
      const c = scores[b];
      if (c === null) continue;
      const gain = logDetIdentityPlus(c, rowsOf(b));
      if (gain > bestGain) {
        bestGain = gain;
        best = b;
      }
    }
    if (best < 0) break; // no candidate adds anything
    const phi = features(best); // (k_s, D)
    const ks = phi.rows;
    const cs = scores[best] as Float64Array;
    scores[best] = null;
    indices.push(best);
    addGram(gram, phi);
    count += ks;
    onProgress?.({ stage: 'design', done: indices.length, total: maxSize });
    if (certifies(gram, count, dim, rtol)) break;

    // U = A⁻¹ Φ_sᵀ (D, k_s); S = I + C_s (k_s, k_s).
    const u = new Float64Array(dim * ks);
    for (let p = 0; p < dim; p++) {
      for (let a = 0; a < ks; a++) {
        let dot = 0;
        for (let q = 0; q < dim; q++) dot += inverse[p * dim + q] * phi.data[a * dim + q];
        u[p * ks + a] = dot;
      }
    }
    const s = new Float64Array(ks * ks);
    for (let a = 0; a < ks; a++) {
      for (let e = 0; e < ks; e++) s[a * ks + e] = 0.5 * (cs[a * ks + e] + cs[e * ks + a]) + (a === e ? 1 : 0);
    }
    const factor = cholesky({ rows: ks, cols: ks, data: s }).factor;
    // X = S⁻¹ Uᵀ (k_s, D); A⁻¹ ← A⁻¹ − U X.
    const ut = new Float64Array(ks * dim);
    for (let p = 0; p < dim; p++) for (let a = 0; a < ks; a++) ut[a * dim + p] = u[p * ks + a];
    const x = choleskySolve(factor, { rows: ks, cols: dim, data: ut }).data;
    for (let p = 0; p < dim; p++) {
      for (let q = 0; q < dim; q++) {
        let dot = 0;
        for (let a = 0; a < ks; a++) dot += u[p * ks + a] * x[a * dim + q];
        inverse[p * dim + q] -= dot;
      }
    }
    // C_i ← C_i − B_i S⁻¹ B_iᵀ with B_i = Φ_i U (k_i, k_s).
    for (let b = 0; b < size; b++) {
      const c = scores[b];
      if (c === null) continue;
      const other = features(b);
      const k = other.rows;
      const bt = new Float64Array(ks * k); // B_iᵀ, (k_s, k_i)
      for (let r = 0; r < k; r++) {
        for (let a = 0; a < ks; a++) {
          let dot = 0;
          for (let p = 0; p < dim; p++) dot += other.data[r * dim + p] * u[p * ks + a];
          bt[a * k + r] = dot;
        }
      }
      const y = choleskySolve(factor, { rows: ks, cols: k, data: bt }).data; // S⁻¹ B_iᵀ, (k_s, k_i)
      for (let r = 0; r < k; r++) {
        for (let e = 0; e < k; e++) {
          let dot = 0;
          for (let a = 0; a < ks; a++) dot += bt[a * k + r] * y[a * k + e];
          c[r * k + e] -= dot;
        }
      }
    }
  }
  return { indices, gram, count };
}

/**
 * Greedy on `λ_min(G)` (docs/math/identifiability.md §7): rank candidates by the energy `‖Φ V_w‖_F²` they add to
 * the weakest eigenspace `V_w` of `G` (eigenvalues at most `max(rtol · λ_max, 2 λ_min)`: the null space while `G` is
 * singular), then choose among the best {@link SHORTLIST} by the exact `λ_min(G + ΦᵀΦ)`.
 */
function greedyMinEigenvalue(input: GreedyInput): GreedyResult {
  const { size, dim, maxSize, rtol, features, onProgress } = input;
  const gram = new Float64Array(dim * dim);
  const indices: number[] = [];
  const taken = new Uint8Array(size);
  let count = 0;
  while (indices.length < maxSize) {
    // The weak eigenspace of G, as columns of `weak` (D, w); everything before the first choice.
    let weak: Float64Array | null = null;
    let numWeak = dim;
    if (count > 0) {
      const { values, vectors } = eigh({ rows: dim, cols: dim, data: gram }, { vectors: true });
      const lambdaMax = Math.max(0, values[dim - 1]);
      if (count >= dim && values[0] > rtol * lambdaMax) break; // certified
      const threshold = Math.max(rtol * lambdaMax, 2 * values[0]);
      numWeak = 0;
      while (numWeak < dim && values[numWeak] <= threshold) numWeak++;
      numWeak = Math.max(numWeak, 1);
      weak = new Float64Array(dim * numWeak);
      const v = (vectors as Matrix).data;
      for (let p = 0; p < dim; p++) for (let w = 0; w < numWeak; w++) weak[p * numWeak + w] = v[p * dim + w];
    }
    const ranked: { b: number; score: number }[] = [];
    for (let b = 0; b < size; b++) {
      if (taken[b] === 1) continue;
      const phi = features(b);
      let score = 0;
      for (let r = 0; r < phi.rows; r++) {
        const row = phi.data.subarray(r * dim, (r + 1) * dim);
        if (weak === null) {
          for (let p = 0; p < dim; p++) score += row[p] * row[p];
          continue;
        }
        for (let w = 0; w < numWeak; w++) {
          let dot = 0;
          for (let p = 0; p < dim; p++) dot += row[p] * weak[p * numWeak + w];
          score += dot * dot;
        }
      }
      if (score > 0) ranked.push({ b, score });
    }
    if (ranked.length === 0) break; // nothing adds to the weak subspace
    ranked.sort((x, y) => y.score - x.score || x.b - y.b);
    let best = ranked[0].b;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const { b } of ranked.slice(0, SHORTLIST)) {
      const phi = features(b);
      let value = 0; // with fewer than D examples, λ_min(G + ΦᵀΦ) = 0: the score decides
      if (count + phi.rows >= dim) {
        const trial = gram.slice();
        addGram(trial, phi);
        value = minEigenvalue({ rows: dim, cols: dim, data: trial }).value;
      }
      if (value > bestValue) {
        bestValue = value;
        best = b;
      }
    }
    const phi = features(best);
    taken[best] = 1;
    indices.push(best);
    addGram(gram, phi);
    count += phi.rows;
    onProgress?.({ stage: 'design', done: indices.length, total: maxSize });
  }
  return { indices, gram, count };
}
