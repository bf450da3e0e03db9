/**
 * `lattn predict`: runs a model file on `X.npy` a chunk of sequences at a time and writes the outputs as `.npy`,
 * piece by piece, so neither the inputs nor the outputs are ever held in memory whole. The output file appears only
 * when every prediction is written and finite.
 */
import { LattnError, type Matrix } from '@lattn/core';
import { forward } from '@lattn/feature-map';
import { type Command, defineCommand } from '../command.js';
import { forEachChunk, openSequenceFile } from '../dataset-chunks.js';
import { checkWritable } from '../files.js';
import { readModel } from '../model-files.js';
import { writeNpyRows } from '../npy.js';
import { formatTable, writeResult } from '../output.js';
import { createProgressReporter } from '../progress.js';
import { CHUNK_SIZE_OPTION, type DataDescription, describeData, JSON_OPTION, modeOption } from './shared.js';

/** What `lattn predict --json` prints. */
interface PredictSummary extends DataDescription {
  readonly model: string;
  readonly inputs: string;
  readonly out: string;
  readonly outputDim: number;
  readonly numHeads: number;
  readonly shape: readonly number[];
}

/** The `lattn predict` command. */
export const predictCommand: Command = defineCommand({
  name: 'predict',
  summary: 'run a model file on X.npy and write its outputs as Y.npy',
  description:
    'Computes y_t = Σ_h V_h M_t Q_h z_t for every sequence of X (float64 (B, n, d)) and writes the outputs: ' +
    '(B, n, dOut) for --mode all (every position), (B, dOut) for --mode last. The model is a lattn.mhla JSON file ' +
    'as written by `lattn fit`.',
  options: {
    model: { kind: 'path', required: true, placeholder: 'model.json', description: 'the model (lattn.mhla JSON)' },
    inputs: { kind: 'path', required: true, placeholder: 'X.npy', description: 'input sequences, shape (B, n, d)' },
    out: { kind: 'path', required: true, placeholder: 'Y.npy', description: 'where to write the outputs' },
    mode: modeOption('outputs at every position (all) or at the last token of each sequence (last)'),
    chunkSize: CHUNK_SIZE_OPTION,
    json: JSON_OPTION,
  },
  examples: [
    'lattn predict --model model.json --inputs X.npy --out Y.npy',
    'lattn predict --model model.json --inputs X.npy --mode last --out Y_last.npy --json',
  ],
  run: async ({ options }, io) => {
    const { mode } = options;
    const model = await readModel(options.model);
    const inputs = await openSequenceFile(options.inputs);
    if (inputs.modelDim !== model.modelDim) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `'${options.inputs}' has tokens of dimension ${inputs.modelDim}, but the model in '${options.model}' takes d = ${model.modelDim}. Expected shape (B, n, ${model.modelDim}); received (${inputs.numSequences}, ${inputs.sequenceLength}, ${inputs.modelDim}).`,
      );
    }
    await checkWritable(options.out, [
      { flag: '--model', path: options.model },
      { flag: '--inputs', path: options.inputs },
    ]);
    const shape =
      mode === 'all'
        ? [inputs.numSequences, inputs.sequenceLength, model.outputDim]
        : [inputs.numSequences, model.outputDim];
    const progress = createProgressReporter(io);
    try {
      await writeNpyRows(options.out, shape, (writer) =>
        forEachChunk(inputs, undefined, options.chunkSize, async ({ start, inputs: chunk }) => {
          const outputs = stack(forward(model, chunk, { mode }));
          checkOutputsFinite(outputs, start, shape, options);
          await writer.write(outputs);
          progress.onProgress({ stage: 'predict', done: start + chunk.length, total: inputs.numSequences });
        }),
      );
    } finally {
      progress.finish();
    }
    const summary: PredictSummary = {
      model: options.model,
      inputs: options.inputs,
      out: options.out,
      mode,
      numSequences: inputs.numSequences,
      sequenceLength: inputs.sequenceLength,
      modelDim: model.modelDim,
      outputDim: model.outputDim,
      numHeads: model.heads.length,
      shape,
    };
    writeResult(io, summary, {
      json: options.json,
      text: () =>
        `${describeData('predict', summary)}\n\n${formatTable([
          ['model', `${summary.model} (${summary.numHeads} ${summary.numHeads === 1 ? 'head' : 'heads'})`],
          ['outputs', `${summary.out}, shape (${shape.join(', ')})`],
        ])}`,
    });
    return 0;
  },
});

/**
 * Finite inputs and a finite model can still give outputs beyond float64 (the output is cubic in the tokens):
 * refuse them rather than write Infinity or NaN as predictions.
 */
function checkOutputsFinite(
  outputs: Float64Array,
  start: number,
  shape: readonly number[],
  options: { readonly model: string; readonly inputs: string },
): void {
  for (let i = 0; i < outputs.length; i++) {
    const value = outputs[i];
    if (value - value !== 0) {
      const perSequence = shape.slice(1).reduce((product, size) => product * size, 1);
      const outputDim = shape[shape.length - 1];
      const within = i % perSequence;
      const b = start + Math.floor(i / perSequence);
      const index = shape.length === 3 ? [b, Math.floor(within / outputDim), within % outputDim] : [b, within];
      throw new LattnError(
        'NON_FINITE',
        `the outputs of the model in '${options.model}' on '${options.inputs}' overflow float64 at [${index.join(', ')}] (outputs grow as the cube of the token entries). Expected finite outputs (rescale the inputs or the model); received ${value}.`,
        { details: { index } },
      );
    }
  }
}

function stack(matrices: readonly Matrix[]): Float64Array {
  const size = matrices.reduce((total, matrix) => total + matrix.data.length, 0);
  const data = new Float64Array(size);
  let offset = 0;
  for (const matrix of matrices) {
    data.set(matrix.data, offset);
    offset += matrix.data.length;
  }
  return data;
}
