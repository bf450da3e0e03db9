/**
 * `lattn certify`: does a training set pin the learned attention function down? One streaming pass over `X.npy`
 * builds the feature second moment; the certificate reports `λ_min` with its tolerance and, when it fails, the
 * missing directions in words.
 */

import { certifyFromMoments, type IdentifiabilityCertificate } from '@lattn/certificate';
import { type Command, defineCommand } from '../command.js';
import { accumulateFileMoments, openSequenceFile } from '../dataset-chunks.js';
import { formatNumber, formatTable, writeResult } from '../output.js';
import { createProgressReporter } from '../progress.js';
import {
  CHUNK_SIZE_OPTION,
  checkFeatureMemory,
  describeData,
  EXAMPLE_MODE_OPTION,
  JSON_OPTION,
  warn,
} from './shared.js';

/** What `lattn certify --json` prints: the inputs and the certificate without its null-space basis. */
type CertifySummary = {
  readonly inputs: string;
  readonly numSequences: number;
  readonly sequenceLength: number;
} & Omit<IdentifiabilityCertificate, 'nullSpace'>;

/** The `lattn certify` command. */
export const certifyCommand: Command = defineCommand({
  name: 'certify',
  summary: 'check whether the sequences in X.npy determine the learned function (identifiability certificate)',
  description:
    'Computes Λ = (1/N) Σ ψψᵀ over the training positions of X (float64 (B, n, d)) in one streaming pass. When ' +
    'λ_min(Λ) exceeds the tolerance (rtol · λ_max), the least-squares solution is unique: every model of any head ' +
    'count that fits the data as well as possible computes the same function, on every input. Otherwise it names ' +
    'the directions the data leave open, as feature products M[j,k]·z[l]. Targets are not needed.',
  options: {
    inputs: { kind: 'path', required: true, placeholder: 'X.npy', description: 'input sequences, shape (B, n, d)' },
    mode: EXAMPLE_MODE_OPTION,
    rtol: {
      kind: 'number',
      min: 0,
      max: 1,
      exclusiveMax: true,
      description: 'eigenvalues at or below rtol · λ_max count as zero (default: 100 · D · 2⁻⁵²)',
    },
    maxDirections: {
      kind: 'integer',
      min: 0,
      default: 20,
      description: 'groups of missing directions to list when the certificate fails',
    },
    chunkSize: CHUNK_SIZE_OPTION,
    json: JSON_OPTION,
  },
  examples: [
    'lattn certify --inputs X.npy',
    'lattn certify --inputs X.npy --mode last --json',
    'lattn certify --inputs X.npy --rtol 1e-6',
  ],
  run: async ({ options }, io) => {
    const { mode } = options;
    const inputs = await openSequenceFile(options.inputs);
    checkFeatureMemory('certify', inputs.modelDim);
    const progress = createProgressReporter(io);
    let certificate: IdentifiabilityCertificate;
    const dataWarnings: string[] = [];
    try {
      const onProgress = progress.onProgress;
      const moments = await accumulateFileMoments(inputs, undefined, {
        mode,
        chunkSize: options.chunkSize,
        onProgress,
        onWarning: (text) => dataWarnings.push(text),
      });
      certificate = certifyFromMoments(moments, {
        modelDim: inputs.modelDim,
        mode,
        maxDirections: options.maxDirections,
        onProgress,
        ...(options.rtol === undefined ? {} : { rtol: options.rtol }),
      });
    } finally {
      progress.finish();
    }
    for (const warning of dataWarnings) warn(io, warning);
    const { nullSpace, ...details } = certificate;
    const summary: CertifySummary = {
      inputs: options.inputs,
      numSequences: inputs.numSequences,
      sequenceLength: inputs.sequenceLength,
      ...details,
    };
    writeResult(io, summary, { json: options.json, text: () => formatCertify(summary) });
    return 0;
  },
});

function formatCertify(summary: CertifySummary): string {
  const verdict = summary.identifiable
    ? 'yes: every least-squares fit, with any number of heads, computes the same function on every input'
    : `no: ${summary.nullity} ${summary.nullity === 1 ? 'direction' : 'directions'} of the weights are not determined by the data`;
  const rows = [
    ['identifiable', verdict],
    [
      'λ_min',
      `${formatNumber(summary.lambdaMin)} (tolerance ${formatNumber(summary.tolerance)} = rtol ${formatNumber(summary.rtol)} × λ_max)`,
    ],
    ['λ_max', formatNumber(summary.lambdaMax)],
    ['condition', formatNumber(summary.condition)],
    ['rank', `${summary.rank} of ${summary.featureDim}`],
  ];
  const lines = [describeData('certify', summary), '', formatTable(rows).trimEnd(), '', 'Why:'];
  for (const reason of summary.reasons) lines.push(`  - ${reason}`);
  return `${lines.join('\n')}\n`;
}
