/**
 * `lattn fit`: one streaming pass over `X.npy` and `Y.npy` accumulates the feature moments, which feed both the
 * exact least-squares learner and the identifiability certificate; heads are recovered from the folded weights
 * and the model is written in the learner's `lattn.mhla` JSON format.
 */

import { certifyFromMoments, type IdentifiabilityCertificate } from '@lattn/certificate';
import { fitFromMoments, type HeadRecovery, type LinearAttentionFit, recoverHeads } from '@lattn/learner';
import { type Command, defineCommand } from '../command.js';
import { accumulateFileMoments, openSequenceFile, openTargetFile } from '../dataset-chunks.js';
import { checkWritable } from '../files.js';
import { writeModel } from '../model-files.js';
import { formatNumber, formatTable, writeResult } from '../output.js';
import { createProgressReporter } from '../progress.js';
import {
  CHUNK_SIZE_OPTION,
  checkFeatureMemory,
  type DataDescription,
  describeData,
  EXAMPLE_MODE_OPTION,
  formatCertificate,
  JSON_OPTION,
  warn,
} from './shared.js';

/** What `lattn fit --json` prints. */
interface FitSummary extends DataDescription {
  readonly inputs: string;
  readonly targets: string;
  readonly out: string;
  readonly outputDim: number;
  readonly numExamples: number;
  readonly featureDim: number;
  readonly fit: Omit<LinearAttentionFit, 'weights' | 'mode' | 'modelDim' | 'outputDim' | 'featureDim' | 'numExamples'>;
  readonly certificate: Omit<IdentifiabilityCertificate, 'nullSpace'>;
  readonly heads: {
    readonly requested: 'full' | 'auto' | number;
    readonly numHeads: number;
    readonly method: HeadRecovery['method'];
    readonly svdRank: number;
    readonly equivalent: boolean;
    readonly relativeWeightError: number;
    readonly converged: boolean;
    readonly warnings: readonly string[];
  };
}

/** The `lattn fit` command. */
export const fitCommand: Command = defineCommand({
  name: 'fit',
  summary: 'learn multi-head linear attention exactly from X.npy and Y.npy, certify the data, write model.json',
  description:
    'Streams the sequences once to accumulate the feature moments (Σψψᵀ, Σψyᵀ), solves the least-squares problem ' +
    'over every MHLA with up to d² heads (the global optimum: no local minima, no learning rate), certifies ' +
    'whether the data determine the learned function, recovers heads, and writes the model in the lattn.mhla ' +
    'JSON format that `lattn predict` reads. X is float64 (B, n, d); Y is (B, n, dOut) for --mode all, (B, dOut) ' +
    'for --mode last.',
  options: {
    inputs: { kind: 'path', required: true, placeholder: 'X.npy', description: 'input sequences, shape (B, n, d)' },
    targets: {
      kind: 'path',
      required: true,
      placeholder: 'Y.npy',
      description: 'targets, shape (B, n, dOut) for --mode all or (B, dOut) for --mode last',
    },
    out: { kind: 'path', required: true, placeholder: 'model.json', description: 'where to write the model' },
    mode: EXAMPLE_MODE_OPTION,
    ridge: {
      kind: 'number',
      min: 0,
      default: 0,
      description: 'ridge penalty λ: minimise Σ‖y − wψ‖² + λ‖w‖² (a sum over examples, not a mean)',
    },
    heads: {
      kind: 'enum',
      values: ['full', 'auto'] as const,
      integer: { min: 1 },
      default: 'full',
      description:
        "heads of the written model: full = the paper's SVD route (up to d² heads), auto = the fewest heads " +
        'that reproduce the fit, N = exactly N heads (the best N-head approximation when none is exact)',
    },
    seed: { kind: 'integer', default: 0, description: 'seed of the head search (--heads auto or N)' },
    chunkSize: CHUNK_SIZE_OPTION,
    json: JSON_OPTION,
  },
  examples: [
    'lattn fit --inputs X.npy --targets Y.npy --out model.json',
    'lattn fit --inputs X.npy --targets Y_last.npy --mode last --heads auto --out model.json',
    'lattn fit --inputs X.npy --targets Y.npy --ridge 1e-6 --heads 2 --out model.json --json',
  ],
  run: async ({ options }, io) => {
    const { mode } = options;
    const inputs = await openSequenceFile(options.inputs);
    checkFeatureMemory('fit', inputs.modelDim);
    const targets = await openTargetFile(options.targets, mode, inputs);
    await checkWritable(options.out, [
      { flag: '--inputs', path: options.inputs },
      { flag: '--targets', path: options.targets },
    ]);
    const progress = createProgressReporter(io);
    let fit: LinearAttentionFit;
    let certificate: IdentifiabilityCertificate;
    let recovery: HeadRecovery;
    const dataWarnings: string[] = [];
    try {
      const onProgress = progress.onProgress;
      const moments = await accumulateFileMoments(inputs, targets, {
        mode,
        chunkSize: options.chunkSize,
        onProgress,
        onWarning: (text) => dataWarnings.push(text),
      });
      const modelDim = inputs.modelDim;
      fit = fitFromMoments(moments, { mode, modelDim, ridge: options.ridge, onProgress });
      certificate = certifyFromMoments(moments, { modelDim, mode, onProgress });
      recovery = recoverHeads(fit, { heads: options.heads, seed: options.seed, onProgress });
    } finally {
      progress.finish();
    }
    await writeModel(options.out, recovery.model);
    for (const warning of [...dataWarnings, ...fit.warnings, ...recovery.warnings]) warn(io, warning);

    const { weights, mode: _mode, modelDim, outputDim, featureDim, numExamples, ...fitDetails } = fit;
    const { nullSpace, ...certificateDetails } = certificate;
    const summary: FitSummary = {
      inputs: options.inputs,
      targets: options.targets,
      out: options.out,
      mode,
      numSequences: inputs.numSequences,
      sequenceLength: inputs.sequenceLength,
      modelDim,
      outputDim,
      numExamples,
      featureDim,
      fit: fitDetails,
      certificate: certificateDetails,
      heads: {
        requested: options.heads,
        numHeads: recovery.numHeads,
        method: recovery.method,
        svdRank: recovery.svdRank,
        equivalent: recovery.equivalent,
        relativeWeightError: recovery.truncationError.relativeWeightError,
        converged: recovery.converged,
        warnings: recovery.warnings,
      },
    };
    writeResult(io, summary, { json: options.json, text: () => formatFit(summary, certificate) });
    return 0;
  },
});

function formatFit(summary: FitSummary, certificate: IdentifiabilityCertificate): string {
  const { fit, heads } = summary;
  const mse = fit.residual.meanSquaredError;
  const mseAccuracy = fit.residual.accuracy / (summary.numExamples * summary.outputDim);
  const method = heads.method === 'svd' ? "the paper's SVD route" : 'alternating projection';
  const rows = [
    [
      'fit',
      `${fit.solver}, rank ${fit.rank} of ${summary.featureDim}, ridge ${formatNumber(fit.ridge)}, rtol ${formatNumber(fit.rtol)}`,
    ],
    [
      'residual',
      mse <= mseAccuracy
        ? `mean squared error at most ${formatNumber(mseAccuracy)}: zero to the rounding of the moments it is computed from`
        : `mean squared error ${formatNumber(mse)} (computed from the moments, rounding level ${formatNumber(mseAccuracy)})`,
    ],
    ...formatCertificate(certificate),
    [
      'heads',
      `${heads.numHeads} (${method}, --heads ${heads.requested}); relative weight error ${formatNumber(heads.relativeWeightError)}, ${heads.equivalent ? 'equivalent to the fit' : 'NOT equivalent to the fit'}`,
    ],
    ['model', `${summary.out} (lattn.mhla version 1)`],
  ];
  return `${describeData('fit', summary)}\n\n${formatTable(rows)}`;
}
