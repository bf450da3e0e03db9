/**
 * The end-to-end exact fit of `@lattn/learner` (docs/math/least-squares-and-head-recovery.md §2): 2000 sequences of
 * 16 Gaussian tokens, every position an example (mode `'all'`), at model dimensions `d = 8, 12, 16`
 * (`D = 288, 936, 2176`), against the same pipeline written by a careful numpy user.
 */
import { eigh, gramMoments, type Matrix, type Rng } from '@lattn/core';
import { accumulateFeatureMoments, featureDim } from '@lattn/feature-map';
import { fitLinearAttention } from '@lattn/learner';
import { createMomentMemoryOperation } from './memory.js';
import type { BenchOperation, BenchSection } from './types.js';

/** The data of one fit benchmark. */
export interface FitWorkload {
  /** Number of sequences. */
  readonly sequences: number;
  /** Tokens per sequence. */
  readonly length: number;
  /** Output dimension. */
  readonly outputDim: number;
  /** Model dimensions `d` to run at (the "size" of these rows). */
  readonly modelDims: readonly number[];
}

/** The workload of `lattn bench`: 2000 sequences × 16 tokens, one output, `d = 8, 12, 16`. */
export const FIT_WORKLOAD: FitWorkload = { sequences: 2000, length: 16, outputDim: 1, modelDims: [8, 12, 16] };

/** Sequences per numpy chunk: 1024 feature rows, at most 18 MB at `d = 16`. */
const NUMPY_CHUNK = 64;

/** Gaussian sequences and targets (agnostic data: the work does not depend on the values). */
function problem(workload: FitWorkload, d: number, rng: Rng): { inputs: Matrix[]; targets: Matrix[] } {
  const inputs = Array.from({ length: workload.sequences }, () => rng.normalMatrix(workload.length, d));
  const targets = inputs.map(() => rng.normalMatrix(workload.length, workload.outputDim));
  return { inputs, targets };
}

/**
 * The numpy side, run once untimed: data of the same shapes, the vectorised feature map of a chunk of sequences
 * (prefix moments by `cumsum`, the upper-triangle pairs times the token), and `fit()`: `G += X.T @ X`,
 * `B += X.T @ Y` chunk by chunk (never an `(N, D)` matrix), the Cholesky solve (scipy's `cho_factor`/`cho_solve`
 * when scipy is there, else `np.linalg.solve`), and a second pass for the residual — the work `fitLinearAttention`
 * does. `gram()` returns `G` for the eigenvalue row.
 */
function numpySetup(workload: FitWorkload): string {
  return [
    `sequences, length, dout, chunk = ${workload.sequences}, ${workload.length}, ${workload.outputDim}, ${NUMPY_CHUNK}`,
    'd = n',
    'D = d * d * (d + 1) // 2',
    'Z = rng.standard_normal((sequences, length, d))',
    'Y = rng.standard_normal((sequences, length, dout))',
    'iu = np.triu_indices(d)',
    'try:',
    '    from scipy.linalg import cho_factor, cho_solve',
    'except ImportError:',
    '    cho_factor = None',
    'def features(z):',
    '    moments = np.cumsum(z[:, :, :, None] * z[:, :, None, :], axis=1)',
    '    pairs = moments[:, :, iu[0], iu[1]]',
    '    return (pairs[:, :, :, None] * z[:, :, None, :]).reshape(-1, D)',
    'def gram():',
    '    G = np.zeros((D, D)); B = np.zeros((D, dout))',
    '    for s in range(0, sequences, chunk):',
    '        X = features(Z[s:s + chunk]); G += X.T @ X; B += X.T @ Y[s:s + chunk].reshape(-1, dout)',
    '    return G, B',
    'def fit():',
    '    G, B = gram()',
    '    w = cho_solve(cho_factor(G), B) if cho_factor is not None else np.linalg.solve(G, B)',
    '    residual = 0.0',
    '    for s in range(0, sequences, chunk):',
    '        r = Y[s:s + chunk].reshape(-1, dout) - features(Z[s:s + chunk]) @ w; residual += float((r * r).sum())',
    '    return w, residual',
  ].join('\n');
}

/** The moment pass alone (what `fit` spends most of its time in) on `threads` threads, against numpy's `gram()`. */
function momentsOperation(workload: FitWorkload, threads: number): BenchOperation {
  const examples = workload.sequences * workload.length;
  return {
    name: threads === 1 ? 'moments' : `moments-${threads}-threads`,
    convention:
      `accumulateFeatureMoments with targets at model dimension d (the size column), the fit's data, on ${threads} ` +
      `thread${threads === 1 ? '' : 's'} (workers: ${threads}); numpy: the same chunked features and X.T @ X, X.T @ Y. ` +
      'Flops counted as the plain SYRK, N·D², so that GFLOP/s compare with numpy (the structure-aware Gram does half)',
    ownSizes: workload.modelDims,
    flops: (d) => examples * featureDim(d) ** 2,
    numpy: { setup: numpySetup(workload), run: 'gram()' },
    prepare: (d, rng) => {
      const { inputs, targets } = problem(workload, d, rng);
      return () => accumulateFeatureMoments(inputs, { targets, workers: threads });
    },
  };
}

/**
 * The fit section for a workload.
 *
 * @param workload - Sequences, length, output dimension and the model dimensions to run at.
 * @returns The operations `fit` (end to end), `moments` and `moments-2-threads` (the streaming pass),
 * `fit-eigenvalues` (what the certificate adds) and `moments-memory` (peak memory at `N = 10⁴` and `10⁵` sequences).
 */
export function createFitSection(workload: FitWorkload): BenchSection {
  const examples = workload.sequences * workload.length;
  return {
    name: 'fit',
    operations: [
      {
        name: 'fit',
        convention:
          `fitLinearAttention end to end at model dimension d (the size column), ${workload.sequences} sequences × ` +
          `${workload.length} tokens, mode 'all' (N = ${examples}): features, Gram and cross moments, Cholesky ` +
          'solve with eigenvalue estimates, second-pass residual; all eigenvalues NOT included. numpy: chunked ' +
          'vectorised features, X.T @ X, cho_solve, residual pass. Flops: N·D² + D³/3 (Gram + Cholesky)',
        ownSizes: workload.modelDims,
        flops: (d) => examples * featureDim(d) ** 2 + featureDim(d) ** 3 / 3,
        numpy: { setup: numpySetup(workload), run: 'fit()' },
        prepare: (d, rng) => {
          const { inputs, targets } = problem(workload, d, rng);
          return () => fitLinearAttention({ inputs, targets, mode: 'all' });
        },
      },
      momentsOperation(workload, 1),
      momentsOperation(workload, 2),
      {
        name: 'fit-eigenvalues',
        convention:
          'all eigenvalues of the accumulated feature Gram G (D, D) at model dimension d, as the certificate computes ' +
          'them (eigh values only / np.linalg.eigvalsh): 4·D³/3',
        ownSizes: workload.modelDims,
        flops: (d) => (4 * featureDim(d) ** 3) / 3,
        numpy: { setup: `${numpySetup(workload)}\nG, _ = gram()`, run: 'np.linalg.eigvalsh(G)' },
        prepare: (d, rng) => {
          const { inputs } = problem(workload, d, rng);
          const { gram } = gramMoments(accumulateFeatureMoments(inputs, { mode: 'all' })); // G (D, D)
          return () => eigh(gram, { vectors: false });
        },
      },
      createMomentMemoryOperation([10_000, 100_000]),
    ],
  };
}

/** The fit benchmark of `lattn bench`. */
export const fitSection: BenchSection = createFitSection(FIT_WORKLOAD);
