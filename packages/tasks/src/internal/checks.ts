/**
 * Boundary checks shared by the decoders, metrics and runners of every task.
 */
import { checkMatrix, type Dataset, describe, LattnError, type Matrix } from '@lattn/core';
import { featureDim, forward, forwardFolded, type MhlaModel } from '@lattn/feature-map';

/**
 * Checks that `outputs` has one finite matrix per sequence of `dataset`, each shaped like the matching target
 * (what `forward(model, dataset.inputs, { mode: dataset.mode })` returns).
 */
export function checkOutputs(fn: string, outputs: unknown, dataset: Dataset): readonly Matrix[] {
  if (!Array.isArray(outputs) || outputs.length !== dataset.targets.length) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: outputs must hold one matrix per sequence of the task. Expected an array of length ${dataset.targets.length}; received ${describe(outputs)}.`,
    );
  }
  outputs.forEach((output: unknown, b: number) => {
    const target = dataset.targets[b];
    checkMatrix(fn, `outputs[${b}]`, output, { rows: target.rows, cols: target.cols });
  });
  return outputs as readonly Matrix[];
}

/** Checks that `task` is a record of the expected kind (a cheap guard against passing the wrong task). */
export function checkTaskKind(fn: string, task: unknown, kind: string): void {
  const record = task as { kind?: unknown } | null;
  if (typeof task !== 'object' || record === null || record.kind !== kind) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: task must be a generated '${kind}' task. Expected { kind: '${kind}', dataset, … }; received ${typeof task === 'object' && record !== null ? `kind ${describe(record.kind)}` : describe(task)}.`,
    );
  }
}

/**
 * Checks that a model's output during an autoregressive run is finite: a finite model on finite tokens can still
 * overflow float64, and decoding Infinity or NaN (an argmax, a threshold) would invent a symbol.
 */
function checkRunOutput(fn: string, output: Matrix, sequence: number, step: number): void {
  const { data } = output;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (value - value !== 0) {
      throw new LattnError(
        'NON_FINITE',
        `${fn}: the model's output at step ${step} of sequence ${sequence} is not finite (the forward pass overflows float64), so no symbol can be decoded from it. Expected finite outputs (rescale the model's weights); received ${value} at entry ${i}.`,
        { details: { sequence, step, entry: i, value: String(value) } },
      );
    }
  }
}

/** The index of the largest of `count` entries of `data` starting at `offset` (the first one on ties). */
export function argmax(data: Float64Array, offset: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (data[offset + i] > data[offset + best]) best = i;
  return best;
}

/**
 * One step of an autoregressive run: the model's output `(1, outputDim)` at the last of the first `rows` tokens of
 * `sequence`, checked finite (a failure names sequence `index` and `step`).
 */
export type LastOutput = (sequence: Matrix, rows: number, index: number, step: number) => Matrix;

/**
 * Checks that `model` — an `MhlaModel` or folded weights `(outputDim, featureDim)` — fits the encoding, and returns
 * the {@link LastOutput} step of a run with it (`forward` or `forwardFolded`, which validate the heads or weights
 * themselves).
 *
 * @throws `INVALID_ARGUMENT` when `model` is neither; `SHAPE_MISMATCH` when its dimensions do not fit.
 */
export function lastOutputOf(
  fn: string,
  model: unknown,
  encoding: { readonly modelDim: number; readonly outputDim: number },
): LastOutput {
  const run = modelRun(fn, model, encoding);
  return (sequence, rows, index, step) => {
    const prefix: Matrix = { rows, cols: sequence.cols, data: sequence.data.slice(0, rows * sequence.cols) };
    const output = run(prefix);
    checkRunOutput(fn, output, index, step);
    return output;
  };
}

/** The validated model as a function from one sequence to its output at the last position. */
function modelRun(
  fn: string,
  model: unknown,
  encoding: { readonly modelDim: number; readonly outputDim: number },
): (sequence: Matrix) => Matrix {
  if (typeof model !== 'object' || model === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: model must be an MhlaModel or folded weights. Expected { modelDim, outputDim, heads } or an (outputDim, featureDim) matrix; received ${describe(model)}.`,
    );
  }
  const expectedCols = featureDim(encoding.modelDim);
  if ('data' in model) {
    const weights = checkMatrix(fn, 'model', model);
    if (weights.rows !== encoding.outputDim || weights.cols !== expectedCols) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `${fn}: folded weights do not fit the task. Expected (${encoding.outputDim}, ${expectedCols}); received (${weights.rows}, ${weights.cols}).`,
      );
    }
    return (sequence) => forwardFolded(weights, [sequence], { mode: 'last' })[0];
  }
  const record = model as MhlaModel;
  if (record.modelDim !== encoding.modelDim || record.outputDim !== encoding.outputDim) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `${fn}: model does not fit the task. Expected modelDim ${encoding.modelDim} and outputDim ${encoding.outputDim}; received modelDim ${describe(record.modelDim)} and outputDim ${describe(record.outputDim)}.`,
    );
  }
  return (sequence) => forward(record, [sequence], { mode: 'last' })[0];
}
