/**
 * Hostile input for every export of `@lattn/certificate` (issue #9): each call must throw a `LattnError` with the
 * documented code and a message `<function>: <what is wrong>. Expected <x>; received <y>.` naming the argument —
 * never an error from inside core, and never an 8 GiB allocation. docs/reliability.md summarises the table.
 */
import {
  createGramAccumulator,
  createRng,
  type GramAccumulator,
  type LattnErrorCode,
  type Matrix,
  zeros,
} from '@lattn/core';
import { expectLattnError, type Rejection, withEntry } from '@lattn/core/testing';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';
import { certifyFromMoments, certifyIdentifiability, type IdentifiabilityCertificate } from './certify.js';
import { certifyOnReference } from './certify-on-reference.js';
import { designDataset } from './design-dataset.js';
import { driftBound } from './drift-bound.js';
import { estimateSamplesToCertify } from './estimate-samples.js';

const rng = createRng(1);
const inputs = Array.from({ length: 10 }, () => rng.normalMatrix(3, 2));
const moments = accumulateFeatureMoments(inputs);
const certificate = certifyIdentifiability(inputs);
const wide = [rng.normalMatrix(1, 40)]; // d = 40: D = 32800, a (D, D) second moment of 8 GiB

/** Ways to break a batch of sequences. */
const badBatches: [string, unknown, LattnErrorCode, (name: string) => readonly string[]][] = [
  ['null', null, 'INVALID_ARGUMENT', (name) => [name, 'null']],
  ['an empty batch', [], 'INVALID_ARGUMENT', (name) => [name, 'length 0']],
  ['a single matrix', inputs[0], 'INVALID_ARGUMENT', (name) => [name]],
  ['a zero-length sequence', [inputs[0], zeros(0, 2)], 'INVALID_ARGUMENT', (name) => [`${name}[1]`, '(0, 2)']],
  ['ragged token widths', [inputs[0], zeros(2, 3)], 'SHAPE_MISMATCH', (name) => [`${name}[1]`, '(2, 3)']],
  ['plain-array data', [{ rows: 1, cols: 2, data: [1, 2] }], 'INVALID_ARGUMENT', (name) => [`${name}[0]`]],
  ['NaN in a token', [withEntry(inputs[0], 2, Number.NaN)], 'NON_FINITE', (name) => [`${name}[0]`, '(1, 0)', 'NaN']],
  [
    'Infinity in the last token',
    [inputs[0], withEntry(inputs[1], 5, Number.POSITIVE_INFINITY)],
    'NON_FINITE',
    (name) => [`${name}[1]`, 'Infinity'],
  ],
  ['d = 40 (a second moment of 8 GiB)', wide, 'TOO_LARGE', () => ['(32800, 32800)', '8.02 GiB', '268435456']],
];

const batchRejections: Rejection[] = (
  [
    ['certifyIdentifiability', 'inputs', (b: unknown) => certifyIdentifiability(b as Matrix[])],
    ['designDataset', 'pool', (b: unknown) => designDataset(b as Matrix[])],
    ['estimateSamplesToCertify', 'generator(0)', (b: unknown) => estimateSamplesToCertify(() => b as Matrix[])],
  ] as const
).flatMap(([fn, name, call]) =>
  badBatches
    .filter(([label]) => !(fn === 'estimateSamplesToCertify' && label === 'a single matrix'))
    .map(([label, value, code, parts]): Rejection => [`${fn}: ${label}`, () => call(value), code, fn, parts(name)]),
);

function momentsWith(patch: Partial<GramAccumulator>): GramAccumulator {
  return { ...moments, ...patch } as GramAccumulator;
}

/** Ways to break an accumulator. */
const badMoments: [string, unknown, LattnErrorCode, readonly string[]][] = [
  ['null', null, 'INVALID_ARGUMENT', ['null']],
  ['a matrix', inputs[0], 'INVALID_ARGUMENT', ['not a Gram accumulator']],
  ['a negative count', momentsWith({ count: -1 }), 'INVALID_ARGUMENT', ['not a Gram accumulator']],
  ['a fractional count', momentsWith({ count: 1.5 }), 'INVALID_ARGUMENT', ['not a Gram accumulator']],
  ['a short gram', momentsWith({ gram: new Float64Array(5) }), 'INVALID_ARGUMENT', ['not a Gram accumulator']],
  [
    'a dimension that is no featureDim',
    momentsWith({ dim: 5, gram: new Float64Array(25) }),
    'SHAPE_MISMATCH',
    ['5', '1, 6, 18, 40'],
  ],
  [
    'NaN in the gram',
    momentsWith({ gram: moments.gram.map((x, i) => (i === 7 ? Number.NaN : x)) }),
    'NON_FINITE',
    ['.gram', '(1, 1)', 'NaN'],
  ],
  [
    'an overflowed gram',
    momentsWith({ gram: moments.gram.map((x, i) => (i === 3 ? Number.POSITIVE_INFINITY : x)) }),
    'NON_FINITE',
    ['.gram', '(0, 3)', 'Infinity', 'common power of two'],
  ],
];

const momentRejections: Rejection[] = (
  [
    ['certifyFromMoments', (m: unknown) => certifyFromMoments(m as GramAccumulator)],
    ['certifyOnReference', (m: unknown) => certifyOnReference(m as GramAccumulator, moments)],
    ['driftBound', (m: unknown) => driftBound(m as GramAccumulator, { excessLoss: 1, input: inputs[0] })],
    [
      'estimateSamplesToCertify',
      (m: unknown) => estimateSamplesToCertify(() => inputs, { initial: m as GramAccumulator }),
    ],
  ] as const
).flatMap(([fn, call]) =>
  badMoments
    // driftBound reads a matrix or null as "not a certificate": covered below.
    .filter(([label]) => !(fn === 'driftBound' && (label === 'null' || label === 'a matrix')))
    .map(([label, value, code, parts]): Rejection => [`${fn}: moments ${label}`, () => call(value), code, fn, parts]),
);

const optionRejections: Rejection[] = [
  ...(
    [
      ['certifyIdentifiability', (o: unknown) => certifyIdentifiability(inputs, o as never)],
      ['certifyFromMoments', (o: unknown) => certifyFromMoments(moments, o as never)],
      ['certifyOnReference', (o: unknown) => certifyOnReference(moments, moments, o as never)],
      ['designDataset', (o: unknown) => designDataset(inputs, o as never)],
      ['estimateSamplesToCertify', (o: unknown) => estimateSamplesToCertify(() => inputs, o as never)],
    ] as const
  ).flatMap(([fn, call]): Rejection[] => [
    [`${fn}: an unknown option`, () => call({ tolerance: 1e-3 }), 'INVALID_ARGUMENT', fn, ["'tolerance'"]],
    [`${fn}: options null`, () => call(null), 'INVALID_ARGUMENT', fn, ['options', 'null']],
    [`${fn}: rtol 1`, () => call({ rtol: 1 }), 'INVALID_ARGUMENT', fn, ['options.rtol', '1']],
    [`${fn}: negative rtol`, () => call({ rtol: -1e-9 }), 'INVALID_ARGUMENT', fn, ['options.rtol']],
    [`${fn}: NaN rtol`, () => call({ rtol: Number.NaN }), 'INVALID_ARGUMENT', fn, ['options.rtol', 'NaN']],
    [`${fn}: mode 'first'`, () => call({ mode: 'first' }), 'INVALID_ARGUMENT', fn, ['options.mode', "'first'"]],
    [
      `${fn}: onProgress a string`,
      () => call({ onProgress: 'log' }),
      'INVALID_ARGUMENT',
      fn,
      ['options.onProgress', "'log'"],
    ],
  ]),
  [
    'certifyIdentifiability: maxDirections -1',
    () => certifyIdentifiability(inputs, { maxDirections: -1 }),
    'INVALID_ARGUMENT',
    'certifyIdentifiability',
    ['options.maxDirections', '-1'],
  ],
  [
    'certifyIdentifiability: fractional chunkSize',
    () => certifyIdentifiability(inputs, { chunkSize: 2.5 }),
    'INVALID_ARGUMENT',
    'certifyIdentifiability',
    ['options.chunkSize', '2.5'],
  ],
  [
    'certifyIdentifiability: includeNullSpace 1',
    () => certifyIdentifiability(inputs, { includeNullSpace: 1 as never }),
    'INVALID_ARGUMENT',
    'certifyIdentifiability',
    ['options.includeNullSpace', '1'],
  ],
  [
    'certifyFromMoments: a disagreeing modelDim',
    () => certifyFromMoments(moments, { modelDim: 3 }),
    'SHAPE_MISMATCH',
    'certifyFromMoments',
    ['featureDim(3) = 18', 'dim 6'],
  ],
  [
    'certifyFromMoments: modelDim 0',
    () => certifyFromMoments(moments, { modelDim: 0 }),
    'INVALID_ARGUMENT',
    'certifyFromMoments',
    ['options.modelDim', '0'],
  ],
  [
    'certifyOnReference: dimensions differ',
    () => certifyOnReference(moments, accumulateFeatureMoments([rng.normalMatrix(2, 3)])),
    'SHAPE_MISMATCH',
    'certifyOnReference',
    ['reference', '6', '18'],
  ],
  [
    'certifyOnReference: reference null',
    () => certifyOnReference(moments, null as never),
    'INVALID_ARGUMENT',
    'certifyOnReference',
    ['reference', 'null'],
  ],
  [
    'designDataset: maxSize 0',
    () => designDataset(inputs, { maxSize: 0 }),
    'INVALID_ARGUMENT',
    'designDataset',
    ['options.maxSize', '0'],
  ],
  [
    'designDataset: maxSize above the pool',
    () => designDataset(inputs, { maxSize: 11 }),
    'INVALID_ARGUMENT',
    'designDataset',
    ['<= 10', '11'],
  ],
  [
    "designDataset: criterion 'a-optimal'",
    () => designDataset(inputs, { criterion: 'a-optimal' as never }),
    'INVALID_ARGUMENT',
    'designDataset',
    ["'d-optimal', 'min-eigenvalue'"],
  ],
  [
    'designDataset: fractional seed',
    () => designDataset(inputs, { seed: 0.5 }),
    'INVALID_ARGUMENT',
    'designDataset',
    ['options.seed', '0.5'],
  ],
  [
    'estimateSamplesToCertify: generator a number',
    () => estimateSamplesToCertify(5 as never),
    'INVALID_ARGUMENT',
    'estimateSamplesToCertify',
    ['generator', '5'],
  ],
  [
    'estimateSamplesToCertify: maxBatches 0',
    () => estimateSamplesToCertify(() => inputs, { maxBatches: 0 }),
    'INVALID_ARGUMENT',
    'estimateSamplesToCertify',
    ['options.maxBatches', '0'],
  ],
  [
    'estimateSamplesToCertify: batches of changing width',
    () => {
      let call = 0;
      return estimateSamplesToCertify(() => (call++ === 0 ? [rng.normalMatrix(1, 2)] : [rng.normalMatrix(1, 3)]));
    },
    'SHAPE_MISMATCH',
    'estimateSamplesToCertify',
    ['generator(1)[0]', '(1, 3)'],
  ],
  [
    'estimateSamplesToCertify: initial moments of another width',
    () => estimateSamplesToCertify(() => [rng.normalMatrix(2, 3)], { initial: moments }),
    'SHAPE_MISMATCH',
    'estimateSamplesToCertify',
    ['generator(0)[0]', '(2, 3)'],
  ],
];

function certificateWith(patch: Record<string, unknown>): IdentifiabilityCertificate {
  return { ...certificate, ...patch } as IdentifiabilityCertificate;
}

const driftRejections: Rejection[] = [
  [
    'driftBound: options missing',
    () => driftBound(moments, undefined as never),
    'INVALID_ARGUMENT',
    'driftBound',
    ['options'],
  ],
  [
    'driftBound: source null',
    () => driftBound(null as never, { excessLoss: 1, input: inputs[0] }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['source'],
  ],
  [
    'driftBound: an unknown option',
    () => driftBound(moments, { excessLoss: 1, input: inputs[0], epsilon: 1 } as never),
    'INVALID_ARGUMENT',
    'driftBound',
    ["'epsilon'"],
  ],
  [
    'driftBound: negative excessLoss',
    () => driftBound(moments, { excessLoss: -1, input: inputs[0] }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['options.excessLoss', '-1'],
  ],
  [
    'driftBound: NaN excessLoss',
    () => driftBound(moments, { excessLoss: Number.NaN, input: inputs[0] }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['options.excessLoss', 'NaN'],
  ],
  [
    'driftBound: missing input',
    () => driftBound(moments, { excessLoss: 1 } as never),
    'INVALID_ARGUMENT',
    'driftBound',
    ['options.input', 'undefined'],
  ],
  [
    'driftBound: an input of another width',
    () => driftBound(moments, { excessLoss: 1, input: zeros(2, 3) }),
    'SHAPE_MISMATCH',
    'driftBound',
    ['options.input', '(any, 2)', '(2, 3)'],
  ],
  [
    'driftBound: an empty input',
    () => driftBound(moments, { excessLoss: 1, input: zeros(0, 2) }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['options.input', '(0, 2)'],
  ],
  [
    'driftBound: NaN in the input',
    () => driftBound(moments, { excessLoss: 1, input: withEntry(inputs[0], 0, Number.NaN) }),
    'NON_FINITE',
    'driftBound',
    ['options.input', 'NaN'],
  ],
  [
    'driftBound: an input whose features overflow (1e150)',
    () => driftBound(moments, { excessLoss: 1, input: withEntry(inputs[0], 0, 1e150) }),
    'NON_FINITE',
    'driftBound',
    ['options.input', 'overflow', '1e+150'],
  ],
  [
    "driftBound: mode 'every'",
    () => driftBound(moments, { excessLoss: 1, input: inputs[0], mode: 'every' as never }),
    'INVALID_ARGUMENT',
    'driftBound',
    ["'every'"],
  ],
  [
    'driftBound: rtol with a certificate',
    () => driftBound(certificate, { excessLoss: 1, input: inputs[0], rtol: 1e-6 }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['options.rtol', '0.000001'],
  ],
  [
    'driftBound: a certificate with NaN λ_min',
    () => driftBound(certificateWith({ lambdaMin: Number.NaN }), { excessLoss: 1, input: inputs[0] }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['not a certificate'],
  ],
  [
    'driftBound: a certificate with inputScale 0',
    () => driftBound(certificateWith({ inputScale: 0 }), { excessLoss: 1, input: inputs[0] }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['not a certificate'],
  ],
  [
    'driftBound: a certificate with modelDim 0',
    () => driftBound(certificateWith({ modelDim: 0 }), { excessLoss: 1, input: inputs[0] }),
    'INVALID_ARGUMENT',
    'driftBound',
    ['not a certificate'],
  ],
];

describe('@lattn/certificate rejects hostile input with a LattnError naming the function, argument, expectation and value', () => {
  it.each([...batchRejections, ...momentRejections, ...optionRejections, ...driftRejections])(
    '%s',
    (_title, run, code, fn, parts) => {
      expectLattnError(run, code, fn, parts);
    },
  );

  it('certifies zero examples and an empty reference as results, not errors', () => {
    const empty = certifyFromMoments(createGramAccumulator(6));
    expect([empty.identifiable, empty.rank, empty.numExamples]).toEqual([false, 0, 0]);
    expect(empty.reasons).toContain('there are no training examples');
    expect(certifyOnReference(moments, createGramAccumulator(6)).numReferenceExamples).toBe(0);
  });

  it('leaves rejected moments and inputs untouched', () => {
    const before = structuredClone({ moments, inputs });
    expectLattnError(() => certifyFromMoments(moments, { rtol: 2 }), 'INVALID_ARGUMENT', 'certifyFromMoments', []);
    expectLattnError(
      () => certifyIdentifiability(inputs, { mode: 'x' as never }),
      'INVALID_ARGUMENT',
      'certifyIdentifiability',
      [],
    );
    expect({ moments, inputs }).toEqual(before);
  });
});
