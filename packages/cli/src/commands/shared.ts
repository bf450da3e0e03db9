/**
 * Pieces shared by the data commands (`fit`, `predict`, `certify`): the chunk-size, JSON and mode options, the
 * one-line description of a dataset, the certificate's summary rows, and warnings on stderr.
 */

import { totalmem } from 'node:os';
import type { IdentifiabilityCertificate } from '@lattn/certificate';
import { LattnError, POSITION_MODES, type PositionMode } from '@lattn/core';
import type { BooleanOptionSpec, EnumOptionSpec, IntegerOptionSpec } from '../args.js';
import type { CliIo } from '../io.js';
import { formatNumber } from '../output.js';

/** The `--chunk-size` option: sequences read from disk at a time. */
export const CHUNK_SIZE_OPTION: IntegerOptionSpec & { readonly default: number } = {
  kind: 'integer',
  min: 1,
  default: 256,
  placeholder: 'sequences',
  description:
    'sequences read from the files at a time, fewer when 64 MiB of values is reached (memory stays bounded by the chunk, not the file)',
};

/** The `--json` flag of the data commands. */
export const JSON_OPTION: BooleanOptionSpec = {
  kind: 'boolean',
  description: 'print one JSON document instead of the summary',
};

/**
 * The `--mode` option, `all` (default) or `last`.
 *
 * @param description - What the mode selects in this command.
 * @returns The option spec.
 * @example
 * ```ts
 * defineCommand({ …, options: { mode: modeOption('outputs at every position (all) or at the last token (last)') } });
 * ```
 */
export function modeOption(description: string): EnumOptionSpec & {
  readonly values: readonly PositionMode[];
  readonly default: PositionMode;
} {
  return { kind: 'enum', values: POSITION_MODES, default: 'all', description };
}

/** The `--mode` option of the commands that learn or certify: which positions are training examples. */
export const EXAMPLE_MODE_OPTION: ReturnType<typeof modeOption> = modeOption(
  'which positions are examples: every prefix (all) or the last token of each sequence (last)',
);

/**
 * Refuses, before reading any data, a `fit` or `certify` whose `(D, D)` feature moments cannot fit in this machine's
 * memory, `D = d · d(d+1)/2`: the accumulated `Σψψᵀ`, its full symmetric copy and one factor are three such float64
 * matrices, a lower bound on what the solve and the certificate hold at once (measured: about eight, with the
 * accumulation's worker threads). Without this check the allocations may each succeed and the process be killed by
 * the operating system, with no message, when they are filled.
 *
 * @param command - The command, for the message.
 * @param modelDim - `d`, the token dimension of the inputs.
 * @param totalBytes - The machine's memory.
 * @throws {@link LattnError} `TOO_LARGE` stating the size needed and the memory available.
 * @example
 * ```ts
 * checkFeatureMemory('fit', inputs.modelDim); // d = 40 needs 24 GiB: refused on a 16 GiB machine
 * ```
 */
export function checkFeatureMemory(command: string, modelDim: number, totalBytes: number = totalmem()): void {
  const featureDim = (modelDim * modelDim * (modelDim + 1)) / 2;
  const needed = 3 * featureDim * featureDim * 8;
  if (needed > totalBytes) {
    const gib = (bytes: number): string => `${formatNumber(bytes / 2 ** 30)} GiB`;
    throw new LattnError(
      'TOO_LARGE',
      `${command} on tokens of dimension d = ${modelDim} works on (${featureDim}, ${featureDim}) feature moments (D = d·d(d+1)/2) and needs at least ${gib(needed)} for three of them, more than this machine's ${gib(totalBytes)} of memory. Expected d small enough for 3·D²·8 bytes to fit in memory; received d = ${modelDim}.`,
      { details: { modelDim, featureDim, neededBytes: needed, totalBytes } },
    );
  }
}

/** The most reasons of a failed certificate printed in a summary; `--json` has all of them. */
const MAX_REASONS = 6;

/** The sizes of a dataset as the summaries describe it. */
export interface DataDescription {
  /** `B`. */
  readonly numSequences: number;
  /** `n`. */
  readonly sequenceLength: number;
  /** `d`. */
  readonly modelDim: number;
  /** `dOut`, when there are targets or a model. */
  readonly outputDim?: number;
  /** The mode. */
  readonly mode: PositionMode;
  /** `N`, when known. */
  readonly numExamples?: number;
  /** `D`, when known. */
  readonly featureDim?: number;
}

/**
 * The first line of a data command's summary, for example
 * `lattn fit: 1000 sequences of 8 tokens, d = 4, dOut = 2, mode 'all': 8000 examples, D = 40 features`.
 *
 * @param command - The command name.
 * @param data - The sizes.
 * @returns The line, without a newline.
 * @example
 * ```ts
 * describeData('certify', { numSequences: 10, sequenceLength: 5, modelDim: 3, mode: 'all' });
 * ```
 */
export function describeData(command: string, data: DataDescription): string {
  const sizes = [
    `${data.numSequences} ${data.numSequences === 1 ? 'sequence' : 'sequences'} of ${data.sequenceLength} ${data.sequenceLength === 1 ? 'token' : 'tokens'}`,
    `d = ${data.modelDim}`,
    ...(data.outputDim === undefined ? [] : [`dOut = ${data.outputDim}`]),
    `mode '${data.mode}'`,
  ].join(', ');
  const counts =
    data.numExamples === undefined || data.featureDim === undefined
      ? ''
      : `: ${data.numExamples} examples, D = ${data.featureDim} features`;
  return `lattn ${command}: ${sizes}${counts}`;
}

/**
 * The summary rows of a certificate: the verdict with its margin, then, when it fails, the reasons (the missing
 * directions in words), at most six.
 *
 * @param certificate - The certificate.
 * @returns Rows `[label, text]` for `formatTable`.
 * @example
 * ```ts
 * formatTable(formatCertificate(certificate));
 * ```
 */
export function formatCertificate(certificate: IdentifiabilityCertificate): string[][] {
  if (certificate.identifiable) {
    return [
      [
        'certificate',
        `identifiable: λ_min ${formatNumber(certificate.lambdaMin)} > tolerance ${formatNumber(certificate.tolerance)} (condition number ${formatNumber(certificate.condition)}); every least-squares fit computes this function`,
      ],
    ];
  }
  const reasons = certificate.reasons.slice(1);
  const shown = reasons.slice(0, MAX_REASONS).map((reason) => ['', `- ${reason}`]);
  if (reasons.length > MAX_REASONS) shown.push(['', `- … ${reasons.length - MAX_REASONS} more (--json lists all)`]);
  return [
    [
      'certificate',
      `NOT identifiable: rank ${certificate.rank} of ${certificate.featureDim}, ${certificate.nullity} ${certificate.nullity === 1 ? 'direction' : 'directions'} of the weights not determined by the data`,
    ],
    ...shown,
  ];
}

/**
 * Prints a warning on stderr as `warning: <text>`.
 *
 * @param io - The streams; only `stderr` is written.
 * @param text - The warning.
 * @example
 * ```ts
 * for (const warning of fit.warnings) warn(io, warning);
 * ```
 */
export function warn(io: CliIo, text: string): void {
  io.stderr.write(`warning: ${text}\n`);
}
