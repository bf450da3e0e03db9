/**
 * Hostile input for every export of `@lattn/feature-map` (issue #9): each call must throw a `LattnError` with the
 * documented code and a message `<function>: <what is wrong>. Expected <x>; received <y>.` naming the argument —
 * never a bare `TypeError`/`RangeError`, a silent `Infinity`, or a 4 GiB allocation. docs/reliability.md
 * summarises the table.
 */
import { fromRows, type Matrix, zeros } from '@lattn/core';
import {
  expectLattnError,
  type MatrixArgument,
  matrixArgumentRejections,
  type Rejection,
  withEntry,
} from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { equivalent } from './equivalent.js';
import { cubicFeatures, unfoldedFeatures } from './features.js';
import { foldModel, foldUnfolded, unfoldWeights } from './fold.js';
import { forward } from './forward.js';
import { forwardFolded } from './forward-folded.js';
import { cubicKernel, kernelMatrix } from './kernel.js';
import { featureDim, featureTriple, MAX_ARRAY_ENTRIES, pairIndex } from './layout.js';
import { createModel, type MhlaModel } from './model.js';
import { accumulateFeatureMoments } from './moments.js';

const z = fromRows([
  [1, 2],
  [3, 4],
]);
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
const weights = foldModel(model); // (1, 6)

/** A sequence argument: the function, the argument's name in messages, and the call with that argument replaced. */
const sequence = (fn: string, argument: string, call: (s: unknown) => unknown): MatrixArgument => ({
  fn,
  argument,
  call,
  valid: z,
});

/** Every sequence argument of every export. */
const sequenceArguments: MatrixArgument[] = [
  sequence('forward', 'inputs[0]', (s) => forward(model, [s as Matrix])),
  sequence('forward', 'inputs[1]', (s) => forward(model, [z, s as Matrix])),
  sequence('forwardFolded', 'inputs[0]', (s) => forwardFolded(weights, [s as Matrix])),
  sequence('cubicFeatures', 'sequence', (s) => cubicFeatures(s as Matrix)),
  sequence('unfoldedFeatures', 'sequence', (s) => unfoldedFeatures(s as Matrix)),
  sequence('cubicKernel', 'a', (s) => cubicKernel(s as Matrix, 0, z, 0)),
  sequence('cubicKernel', 'b', (s) => cubicKernel(z, 0, s as Matrix, 0)),
  sequence('kernelMatrix', 'inputs[1]', (s) => kernelMatrix([z, s as Matrix])),
  sequence('accumulateFeatureMoments', 'inputs[0]', (s) => accumulateFeatureMoments([s as Matrix])),
];

const sequenceRejections: Rejection[] = [
  ...matrixArgumentRejections(sequenceArguments),
  ...sequenceArguments.flatMap(({ fn, argument, call }): Rejection[] => [
    [
      `${fn} ${argument}: a zero-length sequence`,
      () => call(zeros(0, 2)),
      'INVALID_ARGUMENT',
      fn,
      [argument, '(0, 2)'],
    ],
    [
      `${fn} ${argument}: zero-width tokens`,
      () => call(zeros(2, 0)),
      // A width fixed by the model or an earlier sequence is a shape mismatch; a free one is an empty sequence.
      fn === 'forward' || argument === 'b' || argument.endsWith('[1]') ? 'SHAPE_MISMATCH' : 'INVALID_ARGUMENT',
      fn,
      [argument],
    ],
  ]),
];

const batchRejections: Rejection[] = (
  [
    ['forward', (inputs: unknown) => forward(model, inputs as Matrix[])],
    ['forwardFolded', (inputs: unknown) => forwardFolded(weights, inputs as Matrix[])],
    ['kernelMatrix', (inputs: unknown) => kernelMatrix(inputs as Matrix[])],
    ['accumulateFeatureMoments', (inputs: unknown) => accumulateFeatureMoments(inputs as Matrix[])],
  ] as const
).flatMap(([fn, call]): Rejection[] => [
  [`${fn}: an empty batch`, () => call([]), 'INVALID_ARGUMENT', fn, ['inputs', 'length 0']],
  [`${fn}: a single matrix instead of a batch`, () => call(z), 'INVALID_ARGUMENT', fn, ['inputs']],
  [`${fn}: ragged token widths`, () => call([z, zeros(1, 3)]), 'SHAPE_MISMATCH', fn, ['inputs[1]', '(1, 3)']],
]);

function modelWith(patch: Record<string, unknown>): MhlaModel {
  return { ...model, ...patch } as MhlaModel;
}

const modelRejections: Rejection[] = (
  [
    ['forward', (m: unknown) => forward(m as MhlaModel, [z])],
    ['foldModel', (m: unknown) => foldModel(m as MhlaModel)],
    ['equivalent', (m: unknown) => equivalent(m as MhlaModel, model)],
  ] as const
).flatMap(([fn, call]): Rejection[] => [
  [`${fn}: model null`, () => call(null), 'INVALID_ARGUMENT', fn, ['null']],
  [`${fn}: modelDim 0`, () => call(modelWith({ modelDim: 0 })), 'INVALID_ARGUMENT', fn, ['modelDim', '>= 1', '0']],
  [
    `${fn}: fractional outputDim`,
    () => call(modelWith({ outputDim: 1.5 })),
    'INVALID_ARGUMENT',
    fn,
    ['outputDim', '1.5'],
  ],
  [`${fn}: heads not an array`, () => call(modelWith({ heads: 3 })), 'INVALID_ARGUMENT', fn, ['heads', '3']],
  [
    `${fn}: a head that is null`,
    () => call(modelWith({ heads: [null] })),
    'INVALID_ARGUMENT',
    fn,
    ['heads[0]', 'null'],
  ],
  [
    `${fn}: a value matrix of the wrong shape`,
    () => call(modelWith({ heads: [{ value: zeros(1, 3), query: model.heads[0].query }] })),
    'SHAPE_MISMATCH',
    fn,
    ['heads[0].value', '(1, 2)', '(1, 3)'],
  ],
  [
    `${fn}: NaN in a query`,
    () =>
      call(
        modelWith({ heads: [{ value: model.heads[0].value, query: withEntry(model.heads[0].query, 3, Number.NaN) }] }),
      ),
    'NON_FINITE',
    fn,
    ['heads[0].query', '(1, 1)', 'NaN'],
  ],
  [
    `${fn}: Infinity in a value`,
    () =>
      call(
        modelWith({
          heads: [{ value: withEntry(model.heads[0].value, 0, Number.POSITIVE_INFINITY), query: model.heads[0].query }],
        }),
      ),
    'NON_FINITE',
    fn,
    ['heads[0].value', 'Infinity'],
  ],
]);

const weightsRejections: Rejection[] = [
  ...matrixArgumentRejections([
    { fn: 'unfoldWeights', argument: 'weights', call: (w) => unfoldWeights(w as Matrix), valid: weights },
    { fn: 'forwardFolded', argument: 'weights', call: (w) => forwardFolded(w as Matrix, [z]), valid: weights },
    { fn: 'equivalent', argument: 'a', call: (w) => equivalent(w as Matrix, weights), valid: weights },
    { fn: 'equivalent', argument: 'b', call: (w) => equivalent(weights, w as Matrix), valid: weights },
    { fn: 'foldUnfolded', argument: 'unfolded', call: (w) => foldUnfolded(w as Matrix), valid: zeros(2, 4) },
  ]),
  [
    'unfoldWeights: 5 columns (no folded dimension)',
    () => unfoldWeights(zeros(1, 5)),
    'SHAPE_MISMATCH',
    'unfoldWeights',
    ['5'],
  ],
  ['unfoldWeights: no columns', () => unfoldWeights(zeros(1, 0)), 'SHAPE_MISMATCH', 'unfoldWeights', ['0']],
  ['unfoldWeights: no rows', () => unfoldWeights(zeros(0, 6)), 'SHAPE_MISMATCH', 'unfoldWeights', ['(0, 6)']],
  [
    'unfoldWeights: a modelDim that disagrees',
    () => unfoldWeights(weights, { modelDim: 3 }),
    'SHAPE_MISMATCH',
    'unfoldWeights',
    ['modelDim', '3'],
  ],
  [
    'unfoldWeights: a fractional modelDim',
    () => unfoldWeights(weights, { modelDim: 2.5 }),
    'INVALID_ARGUMENT',
    'unfoldWeights',
    ['modelDim', '2.5'],
  ],
  [
    'unfoldWeights: an unknown option',
    () => unfoldWeights(weights, { dim: 2 } as never),
    'INVALID_ARGUMENT',
    'unfoldWeights',
    ["'dim'"],
  ],
  [
    'foldUnfolded: a non-square column count',
    () => foldUnfolded(zeros(2, 5)),
    'SHAPE_MISMATCH',
    'foldUnfolded',
    ['(2, 5)'],
  ],
  [
    'foldUnfolded: rows not a multiple of d',
    () => foldUnfolded(zeros(3, 4)),
    'SHAPE_MISMATCH',
    'foldUnfolded',
    ['(3, 4)'],
  ],
  ['foldUnfolded: no rows', () => foldUnfolded(zeros(0, 4)), 'SHAPE_MISMATCH', 'foldUnfolded', ['(0, 4)']],
  [
    'foldUnfolded: a modelDim that disagrees',
    () => foldUnfolded(zeros(2, 4), { modelDim: 1 }),
    'SHAPE_MISMATCH',
    'foldUnfolded',
    ['modelDim'],
  ],
  [
    'forwardFolded: weights for another d',
    () => forwardFolded(zeros(1, 18), [z]),
    'SHAPE_MISMATCH',
    'forwardFolded',
    ['(1, 18)', '6'],
  ],
  [
    'forwardFolded: weights without rows',
    () => forwardFolded(zeros(0, 6), [z]),
    'SHAPE_MISMATCH',
    'forwardFolded',
    ['(0, 6)'],
  ],
  [
    'equivalent: different output dimensions',
    () => equivalent(weights, zeros(2, 6)),
    'SHAPE_MISMATCH',
    'equivalent',
    ['(1, 6)', '(2, 6)'],
  ],
  [
    'equivalent: different model dimensions',
    () => equivalent(model, zeros(1, 18)),
    'SHAPE_MISMATCH',
    'equivalent',
    ['(1, 18)'],
  ],
  [
    'equivalent: weights without rows',
    () => equivalent(zeros(0, 6), zeros(0, 6)),
    'SHAPE_MISMATCH',
    'equivalent',
    ['(0, 6)'],
  ],
  [
    'equivalent: no folded dimension',
    () => equivalent(zeros(1, 7), zeros(1, 7)),
    'SHAPE_MISMATCH',
    'equivalent',
    ['7'],
  ],
  [
    'equivalent: negative rtol',
    () => equivalent(weights, weights, { rtol: -1 }),
    'INVALID_ARGUMENT',
    'equivalent',
    ['rtol', '-1'],
  ],
  [
    'equivalent: NaN atol',
    () => equivalent(weights, weights, { atol: Number.NaN }),
    'INVALID_ARGUMENT',
    'equivalent',
    ['atol', 'NaN'],
  ],
  [
    'equivalent: an unknown option',
    () => equivalent(weights, weights, { tolerance: 1 } as never),
    'INVALID_ARGUMENT',
    'equivalent',
    ["'tolerance'"],
  ],
];

const createModelRejections: Rejection[] = [
  ['createModel: spec null', () => createModel(null as never), 'INVALID_ARGUMENT', 'createModel', ['spec', 'null']],
  [
    'createModel: an unknown field',
    () => createModel({ heads: [], modelDim: 2, outputDim: 1, numHeads: 1 } as never),
    'INVALID_ARGUMENT',
    'createModel',
    ["'numHeads'"],
  ],
  [
    'createModel: heads not an array',
    () => createModel({ heads: 'two' } as never),
    'INVALID_ARGUMENT',
    'createModel',
    ['spec.heads', "'two'"],
  ],
  [
    'createModel: no heads and no dimensions',
    () => createModel({ heads: [] }),
    'INVALID_ARGUMENT',
    'createModel',
    ['modelDim', 'outputDim'],
  ],
  [
    'createModel: a string modelDim',
    () => createModel({ modelDim: '2' as never, outputDim: 1, heads: [] }),
    'INVALID_ARGUMENT',
    'createModel',
    ['modelDim', "'2'"],
  ],
  [
    'createModel: a negative outputDim',
    () => createModel({ modelDim: 2, outputDim: -1, heads: [] }),
    'INVALID_ARGUMENT',
    'createModel',
    ['outputDim', '-1'],
  ],
  [
    'createModel: a head that is undefined',
    () => createModel({ heads: [undefined as never] }),
    'INVALID_ARGUMENT',
    'createModel',
    ['spec.heads[0]'],
  ],
  [
    'createModel: heads of different widths',
    () => createModel({ heads: [model.heads[0], { value: zeros(1, 3), query: zeros(3, 3) }] }),
    'SHAPE_MISMATCH',
    'createModel',
    ['spec.heads[1].value', '(1, 2)', '(1, 3)'],
  ],
  [
    'createModel: a modelDim that disagrees with the heads',
    () => createModel({ modelDim: 3, heads: [model.heads[0]] }),
    'SHAPE_MISMATCH',
    'createModel',
    ['spec.heads[0]'],
  ],
];

const layoutRejections: Rejection[] = [
  ['featureDim: 0', () => featureDim(0), 'INVALID_ARGUMENT', 'featureDim', ['modelDim', '>= 1', '0']],
  ['featureDim: fractional', () => featureDim(2.5), 'INVALID_ARGUMENT', 'featureDim', ['modelDim', '2.5']],
  ['featureDim: NaN', () => featureDim(Number.NaN), 'INVALID_ARGUMENT', 'featureDim', ['NaN']],
  ['featureDim: a string', () => featureDim('3' as never), 'INVALID_ARGUMENT', 'featureDim', ["'3'"]],
  [
    'featureDim: beyond exact integers (d = 10⁶)',
    () => featureDim(1e6),
    'TOO_LARGE',
    'featureDim',
    ['208063', '1000000'],
  ],
  ['pairIndex: j out of range', () => pairIndex(2, 0, 2), 'INVALID_ARGUMENT', 'pairIndex', ['j', '<= 1', '2']],
  ['pairIndex: negative k', () => pairIndex(0, -1, 2), 'INVALID_ARGUMENT', 'pairIndex', ['k', '-1']],
  ['pairIndex: modelDim 0', () => pairIndex(0, 0, 0), 'INVALID_ARGUMENT', 'pairIndex', ['modelDim']],
  ['pairIndex: a huge modelDim', () => pairIndex(0, 0, 1e6), 'TOO_LARGE', 'pairIndex', ['modelDim']],
  ['featureTriple: index = D', () => featureTriple(6, 2), 'INVALID_ARGUMENT', 'featureTriple', ['index', '<= 5', '6']],
  [
    'featureTriple: fractional index',
    () => featureTriple(1.5, 2),
    'INVALID_ARGUMENT',
    'featureTriple',
    ['index', '1.5'],
  ],
  ['featureTriple: a huge modelDim', () => featureTriple(0, 1e6), 'TOO_LARGE', 'featureTriple', ['modelDim']],
];

const optionRejections: Rejection[] = [
  ...(
    [
      ['forward', (o: unknown) => forward(model, [z], o as never)],
      ['forwardFolded', (o: unknown) => forwardFolded(weights, [z], o as never)],
      ['cubicFeatures', (o: unknown) => cubicFeatures(z, o as never)],
      ['unfoldedFeatures', (o: unknown) => unfoldedFeatures(z, o as never)],
      ['kernelMatrix', (o: unknown) => kernelMatrix([z], o as never)],
      ['accumulateFeatureMoments', (o: unknown) => accumulateFeatureMoments([z], o as never)],
    ] as const
  ).flatMap(([fn, call]): Rejection[] => [
    [`${fn}: an unknown option`, () => call({ modes: 'all' }), 'INVALID_ARGUMENT', fn, ["'modes'"]],
    [`${fn}: options null`, () => call(null), 'INVALID_ARGUMENT', fn, ['options', 'null']],
    [`${fn}: mode 'first'`, () => call({ mode: 'first' }), 'INVALID_ARGUMENT', fn, ['mode', "'first'"]],
    [`${fn}: mode 1`, () => call({ mode: 1 }), 'INVALID_ARGUMENT', fn, ['mode', '1']],
  ]),
  [
    'cubicKernel: space mixed',
    () => cubicKernel(z, 0, z, 0, { space: 'mixed' as never }),
    'INVALID_ARGUMENT',
    'cubicKernel',
    ['space', "'mixed'"],
  ],
  [
    'cubicKernel: an unknown option',
    () => cubicKernel(z, 0, z, 0, { mode: 'all' } as never),
    'INVALID_ARGUMENT',
    'cubicKernel',
    ["'mode'"],
  ],
  [
    'cubicKernel: t beyond the sequence',
    () => cubicKernel(z, 2, z, 0),
    'INVALID_ARGUMENT',
    'cubicKernel',
    ['t', '<= 1', '2'],
  ],
  ['cubicKernel: negative u', () => cubicKernel(z, 0, z, -1), 'INVALID_ARGUMENT', 'cubicKernel', ['u', '-1']],
  ['cubicKernel: fractional t', () => cubicKernel(z, 0.5, z, 0), 'INVALID_ARGUMENT', 'cubicKernel', ['t', '0.5']],
  [
    'cubicKernel: widths differ',
    () => cubicKernel(z, 0, zeros(1, 3), 0),
    'SHAPE_MISMATCH',
    'cubicKernel',
    ['b', '(1, 3)'],
  ],
  [
    'kernelMatrix: space 0',
    () => kernelMatrix([z], { space: 0 as never }),
    'INVALID_ARGUMENT',
    'kernelMatrix',
    ['space'],
  ],
  [
    'accumulateFeatureMoments: chunkSize 0',
    () => accumulateFeatureMoments([z], { chunkSize: 0 }),
    'INVALID_ARGUMENT',
    'accumulateFeatureMoments',
    ['chunkSize', '0'],
  ],
  [
    'accumulateFeatureMoments: targets of the wrong count',
    () => accumulateFeatureMoments([z, z], { targets: [zeros(2, 1)] }),
    'SHAPE_MISMATCH',
    'accumulateFeatureMoments',
    ['targets'],
  ],
  [
    'accumulateFeatureMoments: NaN in a target',
    () => accumulateFeatureMoments([z], { targets: [withEntry(zeros(2, 1), 1, Number.NaN)] }),
    'NON_FINITE',
    'accumulateFeatureMoments',
    ['targets[0]', 'NaN'],
  ],
  [
    'accumulateFeatureMoments: onProgress not a function',
    () => accumulateFeatureMoments([z], { onProgress: 'log' as never }),
    'INVALID_ARGUMENT',
    'accumulateFeatureMoments',
    ['onProgress', "'log'"],
  ],
];

/** Sizes that would need more than MAX_ARRAY_ENTRIES (2 GiB) or overflow float64: refused before allocating. */
const limitRejections: Rejection[] = [
  [
    'cubicFeatures: d = 1000 (D ≈ 5e8, 4 GiB for one row)',
    () => cubicFeatures({ rows: 1, cols: 1000, data: new Float64Array(1000).fill(1) }),
    'TOO_LARGE',
    'cubicFeatures',
    ['(1, 500500000)', '3.73 GiB', String(MAX_ARRAY_ENTRIES)],
  ],
  [
    'unfoldedFeatures: d = 700 (d³ ≈ 3.4e8)',
    () => unfoldedFeatures({ rows: 1, cols: 700, data: new Float64Array(700).fill(1) }),
    'TOO_LARGE',
    'unfoldedFeatures',
    ['(1, 343000000)'],
  ],
  [
    'foldModel: d = 2000 (D ≈ 4e9)',
    () => foldModel({ modelDim: 2000, outputDim: 1, heads: [] }),
    'TOO_LARGE',
    'foldModel',
    ['(1, 4002000000)', 'GiB'],
  ],
  [
    'equivalent: models with d = 2000',
    () => equivalent({ modelDim: 2000, outputDim: 1, heads: [] }, { modelDim: 2000, outputDim: 1, heads: [] }),
    'TOO_LARGE',
    'equivalent',
    ['GiB'],
  ],
  [
    'foldModel: d = 10⁶ (D beyond exact integers)',
    () => foldModel({ modelDim: 1e6, outputDim: 1, heads: [] }),
    'TOO_LARGE',
    'foldModel',
    ['208063'],
  ],
  [
    'kernelMatrix: N = 16385 examples',
    () => kernelMatrix([zeros(16385, 1)]),
    'TOO_LARGE',
    'kernelMatrix',
    ['16384', '16385'],
  ],
  [
    'cubicFeatures: tokens at 1e150 (features 1e450)',
    () => cubicFeatures(fromRows([[1e150, -2e150]])),
    'NON_FINITE',
    'cubicFeatures',
    ['overflow', 'Infinity', '2e+150', 's⁻³'],
  ],
  [
    'unfoldedFeatures: tokens at 1e110',
    () => unfoldedFeatures(fromRows([[1e110]])),
    'NON_FINITE',
    'unfoldedFeatures',
    ['overflow', '1e+110'],
  ],
  [
    'cubicKernel: tokens at 1e60 (kernel 1e360)',
    () => cubicKernel(fromRows([[1e60]]), 0, fromRows([[1e60]]), 0),
    'NON_FINITE',
    'cubicKernel',
    ['overflow', '1e+60', 's⁻⁶'],
  ],
  [
    'kernelMatrix: tokens at 1e60',
    () => kernelMatrix([fromRows([[1], [1e60]])]),
    'NON_FINITE',
    'kernelMatrix',
    ['overflow', '1e+60'],
  ],
];

describe('@lattn/feature-map rejects hostile input with a LattnError naming the function, argument, expectation and value', () => {
  it.each([
    ...sequenceRejections,
    ...batchRejections,
    ...modelRejections,
    ...weightsRejections,
    ...createModelRejections,
    ...layoutRejections,
    ...optionRejections,
    ...limitRejections,
  ])('%s', (_title, run, code, fn, parts) => {
    expectLattnError(run, code, fn, parts);
  });

  it('computes features that underflow (tokens at 1e-150) as zeros, their correct value to absolute precision', () => {
    const psi = cubicFeatures(fromRows([[1e-150, 2e-150]]));
    expect(Array.from(psi.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('@lattn/feature-map: accumulateFeatureMoments refuses moments beyond memory or float64, naming itself', () => {
  const fn = 'accumulateFeatureMoments';
  const pair = fromRows([
    [1, 2],
    [3, -1],
  ]);
  it.each([
    [
      'accumulateFeatureMoments: modelDim 40, a (32800, 32800) moment',
      () => accumulateFeatureMoments([zeros(1, 40)]),
      'TOO_LARGE',
      ['the (32800, 32800) feature moment', '8.02 GiB'],
    ],
    [
      'accumulateFeatureMoments: tokens at 1e120 (features beyond float64)',
      () => accumulateFeatureMoments([withEntry(pair, 1, 1e120)]),
      'NON_FINITE',
      ['the features overflow float64', 'received Infinity', '1e+120'],
    ],
    [
      'accumulateFeatureMoments: tokens at 1e60 (finite features, Σψψᵀ beyond float64)',
      () => accumulateFeatureMoments([withEntry(pair, 1, 1e60)]),
      'NON_FINITE',
      ['the features overflow float64', '1e+60'],
    ],
    [
      'accumulateFeatureMoments: targets at 1e200',
      () => accumulateFeatureMoments([pair], { targets: [withEntry(zeros(2, 1), 0, 1e200)] }),
      'NON_FINITE',
      ['the targets overflow float64', 'at output 0'],
    ],
  ] as const)('%s', (_title, run, code, parts) => {
    expectLattnError(run, code, fn, parts);
  });
});
