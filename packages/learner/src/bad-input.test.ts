/**
 * Hostile input for every export of `@lattn/learner` (issue #9): each call must throw a `LattnError` with the
 * documented code and a message `<function>: <what is wrong>. Expected <x>; received <y>.` naming the argument,
 * before any work; model files get `INVALID_FORMAT` with a valid example. docs/reliability.md summarises the table.
 */
import {
  createGramAccumulator,
  createRng,
  type Dataset,
  fromRows,
  type GramAccumulator,
  type LattnErrorCode,
  zeros,
} from '@lattn/core';
import { expectLattnError, type Rejection, withEntry } from '@lattn/core/testing';
import { accumulateFeatureMoments, createModel, type MhlaModel } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';
import { fitFromMoments, fitLinearAttention } from './fit.js';
import { parseModel, serializeModel } from './model-json.js';
import { recoverHeads } from './recover-heads.js';
import { trainBaseline } from './train-baseline.js';

const rng = createRng(3);
const inputs = [rng.normalMatrix(3, 2), rng.normalMatrix(2, 2)];
const dataset: Dataset = { inputs, targets: [rng.normalMatrix(3, 1), rng.normalMatrix(2, 1)], mode: 'all' };
const moments = accumulateFeatureMoments(inputs, { mode: 'all', targets: dataset.targets });
const weights = rng.normalMatrix(1, 6);
const model = createModel({
  heads: [
    {
      value: fromRows([[1, 0]]),
      query: fromRows([
        [0, 1],
        [1, 0],
      ]),
    },
  ],
});

/** Ways to break a dataset, each with the code and the words its message must contain. */
const badDatasets: [string, unknown, LattnErrorCode, readonly string[]][] = [
  ['null', null, 'INVALID_ARGUMENT', ['dataset', 'null']],
  ['a matrix', inputs[0], 'INVALID_ARGUMENT', ['dataset.mode']],
  ["mode 'first'", { ...dataset, mode: 'first' }, 'INVALID_ARGUMENT', ['dataset.mode', "'first'"]],
  ['no sequences', { ...dataset, inputs: [], targets: [] }, 'INVALID_ARGUMENT', ['dataset.inputs', 'length 0']],
  [
    'a zero-length sequence',
    { ...dataset, inputs: [zeros(0, 2)], targets: [zeros(0, 1)] },
    'INVALID_ARGUMENT',
    ['dataset.inputs[0]', '(0, 2)'],
  ],
  [
    'ragged token widths',
    { ...dataset, inputs: [inputs[0], zeros(2, 3)] },
    'SHAPE_MISMATCH',
    ['dataset.inputs[1]', '(2, 3)'],
  ],
  [
    'one target too few',
    { ...dataset, targets: dataset.targets.slice(1) },
    'SHAPE_MISMATCH',
    ['dataset.targets', 'length 2'],
  ],
  [
    'targets with the wrong row count',
    { ...dataset, targets: [zeros(1, 1), zeros(2, 1)] },
    'SHAPE_MISMATCH',
    ['dataset.targets[0]', '(3, 1)'],
  ],
  [
    'ragged target widths',
    { ...dataset, targets: [zeros(3, 1), zeros(2, 2)] },
    'SHAPE_MISMATCH',
    ['dataset.targets[1]'],
  ],
  [
    'NaN in a token',
    { ...dataset, inputs: [withEntry(inputs[0], 3, Number.NaN), inputs[1]] },
    'NON_FINITE',
    ['dataset.inputs[0]', '(1, 1)', 'NaN'],
  ],
  [
    'Infinity in the last token',
    { ...dataset, inputs: [inputs[0], withEntry(inputs[1], 3, Number.POSITIVE_INFINITY)] },
    'NON_FINITE',
    ['dataset.inputs[1]', 'Infinity'],
  ],
  [
    '-Infinity in a target',
    { ...dataset, targets: [withEntry(dataset.targets[0], 0, Number.NEGATIVE_INFINITY), dataset.targets[1]] },
    'NON_FINITE',
    ['dataset.targets[0]', '-Infinity'],
  ],
];

const datasetRejections: Rejection[] = (
  [
    ['fitLinearAttention', (d: unknown) => fitLinearAttention(d as Dataset)],
    ['trainBaseline', (d: unknown) => trainBaseline(d as Dataset, { numHeads: 1, epochs: 1 })],
  ] as const
).flatMap(([fn, call]) =>
  badDatasets.map(
    ([label, value, code, parts]): Rejection => [`${fn}: dataset ${label}`, () => call(value), code, fn, parts],
  ),
);

const fitOptionRejections: Rejection[] = [
  [
    'fitLinearAttention: an unknown option',
    () => fitLinearAttention(dataset, { lambda: 1 } as never),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ["'lambda'"],
  ],
  [
    'fitLinearAttention: options null',
    () => fitLinearAttention(dataset, null as never),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options', 'null'],
  ],
  [
    'fitLinearAttention: negative ridge',
    () => fitLinearAttention(dataset, { ridge: -1 }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options.ridge', '-1'],
  ],
  [
    'fitLinearAttention: NaN ridge',
    () => fitLinearAttention(dataset, { ridge: Number.NaN }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options.ridge', 'NaN'],
  ],
  [
    'fitLinearAttention: infinite ridge',
    () => fitLinearAttention(dataset, { ridge: Number.POSITIVE_INFINITY }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options.ridge', 'Infinity'],
  ],
  [
    'fitLinearAttention: rtol above 1',
    () => fitLinearAttention(dataset, { rtol: 2 }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options.rtol', '<= 1', '2'],
  ],
  [
    "fitLinearAttention: solver 'qr'",
    () => fitLinearAttention(dataset, { solver: 'qr' as never }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ["'auto', 'cholesky', 'eigen', 'dual'", "'qr'"],
  ],
  [
    'fitLinearAttention: fractional chunkSize',
    () => fitLinearAttention(dataset, { chunkSize: 1.5 }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options.chunkSize', '1.5'],
  ],
  [
    'fitLinearAttention: chunkSize 0',
    () => fitLinearAttention(dataset, { chunkSize: 0 }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options.chunkSize', '0'],
  ],
  [
    'fitLinearAttention: onProgress a string',
    () => fitLinearAttention(dataset, { onProgress: 'log' as never }),
    'INVALID_ARGUMENT',
    'fitLinearAttention',
    ['options.onProgress', "'log'"],
  ],
  [
    'fitLinearAttention: the dual beyond MAX_KERNEL_EXAMPLES',
    () =>
      fitLinearAttention({ inputs: [zeros(16385, 1)], targets: [zeros(16385, 1)], mode: 'all' }, { solver: 'dual' }),
    'TOO_LARGE',
    'fitLinearAttention',
    ['16384', '16385'],
  ],
  [
    'fitLinearAttention: a primal Gram beyond 2 GiB (d = 32)',
    () => fitLinearAttention({ inputs: [zeros(2, 32)], targets: [zeros(2, 1)], mode: 'all' }, { solver: 'cholesky' }),
    'TOO_LARGE',
    'fitLinearAttention',
    ['(16896, 16896)', '2.13 GiB'],
  ],
  [
    'fitLinearAttention: weights below float64 (tokens 1e150, targets 1)',
    () =>
      fitLinearAttention({
        inputs: inputs.map((z) => ({ ...z, data: z.data.map((x) => x * 1e150) })),
        targets: dataset.targets,
        mode: 'all',
      }),
    'NON_FINITE',
    'fitLinearAttention',
    ['leave the float64 range', 'targets / tokens³'],
  ],
];

function momentsWith(patch: Partial<GramAccumulator>): GramAccumulator {
  return { ...moments, ...patch } as GramAccumulator;
}

const momentRejections: Rejection[] = [
  [
    'fitFromMoments: moments null',
    () => fitFromMoments(null as never, { mode: 'all' }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['moments', 'null'],
  ],
  [
    'fitFromMoments: options missing',
    () => fitFromMoments(moments, undefined as never),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['options'],
  ],
  [
    'fitFromMoments: mode missing',
    () => fitFromMoments(moments, {} as never),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['options.mode', 'undefined'],
  ],
  [
    'fitFromMoments: an unknown option',
    () => fitFromMoments(moments, { mode: 'all', chunkSize: 8 } as never),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ["'chunkSize'"],
  ],
  [
    "fitFromMoments: solver 'dual'",
    () => fitFromMoments(moments, { mode: 'all', solver: 'dual' as never }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ["'dual'"],
  ],
  [
    'fitFromMoments: a disagreeing modelDim',
    () => fitFromMoments(moments, { mode: 'all', modelDim: 3 }),
    'SHAPE_MISMATCH',
    'fitFromMoments',
    ['modelDim', '3'],
  ],
  [
    'fitFromMoments: no targets',
    () => fitFromMoments(accumulateFeatureMoments(inputs), { mode: 'all' }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['targetDim 0'],
  ],
  [
    'fitFromMoments: no examples',
    () => fitFromMoments(createGramAccumulator(6, { targetDim: 1 }), { mode: 'all' }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['moments.count', '0'],
  ],
  [
    'fitFromMoments: a negative count',
    () => fitFromMoments(momentsWith({ count: -1 }), { mode: 'all' }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['moments.count', '-1'],
  ],
  [
    'fitFromMoments: a dimension that is no featureDim',
    () =>
      fitFromMoments(momentsWith({ dim: 5, gram: new Float64Array(25), cross: new Float64Array(5) }), { mode: 'all' }),
    'SHAPE_MISMATCH',
    'fitFromMoments',
    ['5'],
  ],
  [
    'fitFromMoments: a short gram',
    () => fitFromMoments(momentsWith({ gram: new Float64Array(3) }), { mode: 'all' }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['moments.gram', 'length 36', 'length 3'],
  ],
  [
    'fitFromMoments: a plain-array cross',
    () => fitFromMoments(momentsWith({ cross: [1, 2, 3, 4, 5, 6] as never }), { mode: 'all' }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['moments.cross'],
  ],
  [
    'fitFromMoments: an overflowed gram',
    () =>
      fitFromMoments(momentsWith({ gram: moments.gram.map((x, i) => (i === 7 ? Number.POSITIVE_INFINITY : x)) }), {
        mode: 'all',
      }),
    'NON_FINITE',
    'fitFromMoments',
    ['moments.gram', 'Infinity'],
  ],
  [
    'fitFromMoments: NaN in targetGram',
    () => fitFromMoments(momentsWith({ targetGram: new Float64Array([Number.NaN]) }), { mode: 'all' }),
    'NON_FINITE',
    'fitFromMoments',
    ['moments.targetGram', 'NaN'],
  ],
  [
    'fitFromMoments: negative ridge',
    () => fitFromMoments(moments, { mode: 'all', ridge: -2 }),
    'INVALID_ARGUMENT',
    'fitFromMoments',
    ['options.ridge', '-2'],
  ],
];

const recoverRejections: Rejection[] = [
  ['recoverHeads: fit null', () => recoverHeads(null as never), 'INVALID_ARGUMENT', 'recoverHeads', ['fit', 'null']],
  [
    'recoverHeads: modelDim 0',
    () => recoverHeads({ weights, modelDim: 0 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['fit.modelDim', '0'],
  ],
  [
    'recoverHeads: fractional modelDim',
    () => recoverHeads({ weights, modelDim: 1.5 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['fit.modelDim', '1.5'],
  ],
  [
    'recoverHeads: a disagreeing modelDim',
    () => recoverHeads({ weights, modelDim: 3 }),
    'SHAPE_MISMATCH',
    'recoverHeads',
    ['fit.weights', '(any, 18)', '(1, 6)'],
  ],
  [
    'recoverHeads: a huge modelDim',
    () => recoverHeads({ weights, modelDim: 1e6 }),
    'SHAPE_MISMATCH',
    'recoverHeads',
    ['fit.weights', '(1, 6)'],
  ],
  [
    'recoverHeads: weights not a matrix',
    () => recoverHeads({ weights: [[1]] as never, modelDim: 1 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['fit.weights'],
  ],
  [
    'recoverHeads: weights without rows',
    () => recoverHeads({ weights: zeros(0, 6), modelDim: 2 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['fit.weights', '(0, 6)'],
  ],
  [
    'recoverHeads: NaN in the weights',
    () => recoverHeads({ weights: withEntry(weights, 5, Number.NaN), modelDim: 2 }),
    'NON_FINITE',
    'recoverHeads',
    ['fit.weights', '(0, 5)', 'NaN'],
  ],
  [
    'recoverHeads: Infinity in the weights',
    () => recoverHeads({ weights: withEntry(weights, 0, Number.POSITIVE_INFINITY), modelDim: 2 }),
    'NON_FINITE',
    'recoverHeads',
    ['fit.weights', 'Infinity'],
  ],
  [
    'recoverHeads: an unknown option',
    () => recoverHeads({ weights, modelDim: 2 }, { head: 2 } as never),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ["'head'"],
  ],
  [
    'recoverHeads: heads 0',
    () => recoverHeads({ weights, modelDim: 2 }, { heads: 0 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.heads', '0'],
  ],
  [
    'recoverHeads: fractional heads',
    () => recoverHeads({ weights, modelDim: 2 }, { heads: 2.5 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.heads', '2.5'],
  ],
  [
    "recoverHeads: heads 'minimal'",
    () => recoverHeads({ weights, modelDim: 2 }, { heads: 'minimal' as never }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ["'full', 'auto'", "'minimal'"],
  ],
  [
    'recoverHeads: rtol 2',
    () => recoverHeads({ weights, modelDim: 2 }, { rtol: 2 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.rtol', '2'],
  ],
  [
    'recoverHeads: maxIterations 0',
    () => recoverHeads({ weights, modelDim: 2 }, { maxIterations: 0 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.maxIterations', '0'],
  ],
  [
    'recoverHeads: polish 1',
    () => recoverHeads({ weights, modelDim: 2 }, { polish: 1 as never }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.polish', '1'],
  ],
  [
    'recoverHeads: tolerance 0',
    () => recoverHeads({ weights, modelDim: 2 }, { tolerance: 0 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.tolerance', '> 0'],
  ],
  [
    'recoverHeads: negative restarts',
    () => recoverHeads({ weights, modelDim: 2 }, { restarts: -1 }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.restarts', '-1'],
  ],
  [
    'recoverHeads: NaN seed',
    () => recoverHeads({ weights, modelDim: 2 }, { seed: Number.NaN }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.seed', 'NaN'],
  ],
  [
    'recoverHeads: equivalence.rtol -1',
    () => recoverHeads({ weights, modelDim: 2 }, { equivalence: { rtol: -1 } }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.equivalence.rtol', '-1'],
  ],
  [
    'recoverHeads: equivalence.atol NaN',
    () => recoverHeads({ weights, modelDim: 2 }, { equivalence: { atol: Number.NaN } }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.equivalence.atol', 'NaN'],
  ],
  [
    'recoverHeads: an unknown equivalence field',
    () => recoverHeads({ weights, modelDim: 2 }, { equivalence: { tol: 1 } as never }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ["'tol'"],
  ],
  [
    'recoverHeads: onProgress a number',
    () => recoverHeads({ weights, modelDim: 2 }, { onProgress: 5 as never }),
    'INVALID_ARGUMENT',
    'recoverHeads',
    ['options.onProgress', '5'],
  ],
];

const trainRejections: Rejection[] = [
  [
    'trainBaseline: options missing',
    () => trainBaseline(dataset, undefined as never),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options', 'undefined'],
  ],
  [
    'trainBaseline: numHeads missing',
    () => trainBaseline(dataset, {} as never),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.numHeads', 'undefined'],
  ],
  [
    'trainBaseline: numHeads 0',
    () => trainBaseline(dataset, { numHeads: 0 }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.numHeads', '0'],
  ],
  [
    'trainBaseline: an unknown option',
    () => trainBaseline(dataset, { numHeads: 1, lr: 0.1 } as never),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ["'lr'"],
  ],
  [
    "trainBaseline: optimizer 'rmsprop'",
    () => trainBaseline(dataset, { numHeads: 1, optimizer: 'rmsprop' as never }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ["'adam', 'sgd'", "'rmsprop'"],
  ],
  [
    'trainBaseline: learningRate 0',
    () => trainBaseline(dataset, { numHeads: 1, learningRate: 0 }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.learningRate', '> 0'],
  ],
  [
    'trainBaseline: infinite learningRate',
    () => trainBaseline(dataset, { numHeads: 1, learningRate: Number.POSITIVE_INFINITY }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.learningRate', 'Infinity'],
  ],
  [
    'trainBaseline: negative epochs',
    () => trainBaseline(dataset, { numHeads: 1, epochs: -1 }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.epochs', '-1'],
  ],
  [
    'trainBaseline: fractional batchSize',
    () => trainBaseline(dataset, { numHeads: 1, batchSize: 0.5 }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.batchSize', '0.5'],
  ],
  [
    "trainBaseline: schedule 'linear'",
    () => trainBaseline(dataset, { numHeads: 1, schedule: 'linear' as never }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ["'linear'"],
  ],
  [
    'trainBaseline: negative initScale',
    () => trainBaseline(dataset, { numHeads: 1, initScale: -1 }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.initScale', '-1'],
  ],
  [
    'trainBaseline: fractional seed',
    () => trainBaseline(dataset, { numHeads: 1, seed: 0.5 }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.seed', '0.5'],
  ],
  [
    'trainBaseline: onEpoch an object',
    () => trainBaseline(dataset, { numHeads: 1, onEpoch: {} as never }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['options.onEpoch'],
  ],
  [
    'trainBaseline: a validation set of another width',
    () =>
      trainBaseline(dataset, {
        numHeads: 1,
        validation: { inputs: [zeros(2, 3)], targets: [zeros(2, 1)], mode: 'all' },
      }),
    'SHAPE_MISMATCH',
    'trainBaseline',
    ['options.validation', 'modelDim 2', 'modelDim 3'],
  ],
  [
    'trainBaseline: an empty validation set',
    () => trainBaseline(dataset, { numHeads: 1, validation: { inputs: [], targets: [], mode: 'all' } }),
    'INVALID_ARGUMENT',
    'trainBaseline',
    ['length 0'],
  ],
  [
    'trainBaseline: 10⁹ heads (parameters beyond 2 GiB)',
    () => trainBaseline(dataset, { numHeads: 1e9, epochs: 0 }),
    'TOO_LARGE',
    'trainBaseline',
    ['6000000000 parameters', '44.7 GiB', '268435456'],
  ],
];

function modelWith(patch: Record<string, unknown>): MhlaModel {
  return { ...model, ...patch } as MhlaModel;
}

const serializeRejections: Rejection[] = [
  [
    'serializeModel: null',
    () => serializeModel(null as never),
    'INVALID_ARGUMENT',
    'serializeModel',
    ['model', 'null'],
  ],
  [
    'serializeModel: heads not an array',
    () => serializeModel(modelWith({ heads: {} })),
    'INVALID_ARGUMENT',
    'serializeModel',
    ['model'],
  ],
  [
    'serializeModel: modelDim 0',
    () => serializeModel(modelWith({ modelDim: 0 })),
    'INVALID_ARGUMENT',
    'serializeModel',
    ['model.modelDim', '0'],
  ],
  [
    'serializeModel: a head that is a number',
    () => serializeModel(modelWith({ heads: [7] })),
    'INVALID_ARGUMENT',
    'serializeModel',
    ['model.heads[0]', '7'],
  ],
  [
    'serializeModel: a value of the wrong shape',
    () => serializeModel(modelWith({ heads: [{ value: zeros(2, 2), query: zeros(2, 2) }] })),
    'SHAPE_MISMATCH',
    'serializeModel',
    ['model.heads[0].value', '(1, 2)', '(2, 2)'],
  ],
  [
    'serializeModel: NaN (JSON cannot hold it)',
    () => serializeModel(modelWith({ heads: [{ value: fromRows([[Number.NaN, 0]]), query: zeros(2, 2) }] })),
    'NON_FINITE',
    'serializeModel',
    ['model.heads[0].value', 'NaN'],
  ],
  [
    'serializeModel: Infinity in a query',
    () =>
      serializeModel(
        modelWith({ heads: [{ value: zeros(1, 2), query: withEntry(zeros(2, 2), 3, Number.POSITIVE_INFINITY) }] }),
      ),
    'NON_FINITE',
    'serializeModel',
    ['model.heads[0].query', '(1, 1)'],
  ],
];

const valid = {
  format: 'lattn.mhla',
  version: 1,
  modelDim: 2,
  outputDim: 1,
  heads: [
    {
      value: [[1, 0]],
      query: [
        [0, 1],
        [1, 0],
      ],
    },
  ],
};
const text = (patch: Record<string, unknown>): string => JSON.stringify({ ...valid, ...patch });
const head = (patch: Record<string, unknown>): string => text({ heads: [{ ...valid.heads[0], ...patch }] });

/** Malformed, truncated, wrong-version and wrong-typed model documents: each must be INVALID_FORMAT. */
const parseRejections: Rejection[] = (
  [
    ['empty text', '', ['not valid JSON']],
    ['truncated text', JSON.stringify(valid).slice(0, 40), ['not valid JSON']],
    ['text that is not JSON', 'lattn.mhla v1', ['not valid JSON']],
    ['a JSON array', '[1, 2]', ['not a JSON object']],
    ['a JSON number', '5', ['not a JSON object']],
    ['JSON null', 'null', ['not a JSON object']],
    ['a wrong format tag', text({ format: 'onnx' }), ['not a lattn model', '"onnx"']],
    ['no format tag', JSON.stringify({ ...valid, format: undefined }), ['not a lattn model']],
    ['version 2', text({ version: 2 }), ['version 2 is not supported', 'supported versions 1']],
    ['version "1" (a string)', text({ version: '1' }), ['version "1" is not supported']],
    ['version 0.5', text({ version: 0.5 }), ['version 0.5']],
    ['an unknown top-level field', text({ bias: [0] }), ['unknown field "bias"']],
    [
      'a __proto__ field',
      '{"format":"lattn.mhla","version":1,"modelDim":2,"outputDim":1,"heads":[],"__proto__":{}}',
      ['unknown field "__proto__"'],
    ],
    ['a missing outputDim', JSON.stringify({ ...valid, outputDim: undefined }), ['lacks the field "outputDim"']],
    ['modelDim 0', text({ modelDim: 0 }), ['"modelDim" is not a dimension', 'received 0']],
    ['modelDim 2.5', text({ modelDim: 2.5 }), ['"modelDim" is not a dimension', '2.5']],
    ['modelDim "2"', text({ modelDim: '2' }), ['"modelDim" is not a dimension', "'2'"]],
    ['outputDim 1e20 (unsafe)', text({ outputDim: 1e20 }), ['"outputDim" is not a dimension']],
    ['heads an object', text({ heads: {} }), ['"heads" is not an array']],
    ['a head that is an array', text({ heads: [[1]] }), ['heads[0] is not an object']],
    ['a head with an unknown field', head({ bias: 1 }), ['heads[0] has an unknown field "bias"']],
    ['a head without a query', text({ heads: [{ value: [[1, 0]] }] }), ['heads[0] lacks the field "query"']],
    ['a value with too few rows', head({ value: [] }), ['heads[0].value has the wrong number of rows']],
    ['a ragged query', head({ query: [[0, 1], [1]] }), ['heads[0].query[1] has the wrong length']],
    ['a string entry', head({ value: [[1, '0']] }), ['heads[0].value[0][1] is not a finite number', "'0'"]],
    [
      'a null entry (JSON for NaN)',
      head({ value: [[1, null]] }),
      ['heads[0].value[0][1] is not a finite number', 'null'],
    ],
    [
      'an overflowing entry 1e400',
      '{"format":"lattn.mhla","version":1,"modelDim":1,"outputDim":1,"heads":[{"value":[[1e400]],"query":[[1]]}]}',
      ['heads[0].value[0][0] is not a finite number', 'Infinity'],
    ],
    [
      'a huge modelDim with a small head',
      text({ modelDim: 1e9 }),
      ['heads[0].value[0] has the wrong length', '1000000000'],
    ],
  ] as const
).map(
  ([label, document, parts]): Rejection => [
    `parseModel: ${label}`,
    () => parseModel(document),
    'INVALID_FORMAT',
    'parseModel',
    [...parts, 'as in {"format":"lattn.mhla"'],
  ],
);

describe('@lattn/learner rejects hostile input with a LattnError naming the function, argument, expectation and value', () => {
  it.each([
    ...datasetRejections,
    ...fitOptionRejections,
    ...momentRejections,
    ...recoverRejections,
    ...trainRejections,
    ...serializeRejections,
    ...parseRejections,
  ])('%s', (_title, run, code, fn, parts) => {
    expectLattnError(run, code, fn, parts);
  });

  it('parses an already-parsed document and rejects the same faults in it', () => {
    expect(parseModel(valid).heads.length).toBe(1);
    expectLattnError(() => parseModel({ ...valid, version: 3 }), 'INVALID_FORMAT', 'parseModel', ['version 3']);
    expectLattnError(() => parseModel(undefined), 'INVALID_FORMAT', 'parseModel', ['undefined']);
  });

  it('leaves the moments, the dataset and the weights untouched when it rejects them', () => {
    const before = structuredClone({ moments, dataset, weights });
    expectLattnError(
      () => fitFromMoments(moments, { mode: 'all', ridge: -1 }),
      'INVALID_ARGUMENT',
      'fitFromMoments',
      [],
    );
    expectLattnError(() => fitLinearAttention(dataset, { rtol: -1 }), 'INVALID_ARGUMENT', 'fitLinearAttention', []);
    expectLattnError(
      () => recoverHeads({ weights, modelDim: 2 }, { heads: 0 }),
      'INVALID_ARGUMENT',
      'recoverHeads',
      [],
    );
    expect({ moments, dataset, weights }).toEqual(before);
  });
});
