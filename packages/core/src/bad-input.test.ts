/**
 * Hostile input for every export of `@lattn/core` (issue #9): each call must throw a `LattnError` with the documented
 * code and a message `<function>: <what is wrong>. Expected <x>; received <y>.` that names the argument; none may
 * throw a bare `TypeError`/`RangeError` or return garbage. The table is the specification; docs/reliability.md
 * summarises it.
 */
import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve } from './cholesky.js';
import { checkDataset, checkSequences } from './dataset.js';
import { eigh } from './eigh.js';
import { gram } from './gram.js';
import { accumulateGram, createGramAccumulator, gramMoments, mergeGram } from './gram-accumulator.js';
import { lstsq } from './lstsq.js';
import { matmul } from './matmul.js';
import { fromRows, get, identity, type Matrix, matrixFrom, shapeOf, toRows, zeros } from './matrix.js';
import { matrixRank } from './matrix-rank.js';
import { maxEigenvalue } from './max-eigenvalue.js';
import { minEigenvalue } from './min-eigenvalue.js';
import { pinv } from './pinv.js';
import { createRng } from './rng.js';
import { largestMagnitude, rescaleExponent, scaleByPowerOfTwo, timesPowerOfTwo } from './scale-by-power-of-two.js';
import { svd } from './svd.js';
import {
  expectLattnError,
  type MatrixArgument,
  matrixArgumentRejections,
  type Rejection,
  withEntry,
} from './testing/index.js';
import { transpose } from './transpose.js';
import { checkFinite, checkInteger, checkKnownKeys, checkMatrix, checkNumber, checkOneOf } from './validate.js';

const square = fromRows([
  [2, 1],
  [1, 2],
]);

/** A matrix argument of a linear-algebra export, `square` being valid for it. */
const argument = (fn: string, name: string, call: (m: unknown) => unknown): MatrixArgument => ({
  fn,
  argument: name,
  call,
  valid: square,
});

/** Every matrix argument of every linear-algebra export, with valid values for the other arguments. */
const matrixArguments: MatrixArgument[] = [
  argument('matmul', 'a', (m) => matmul(m as Matrix, square)),
  argument('matmul', 'b', (m) => matmul(square, m as Matrix)),
  argument('transpose', 'a', (m) => transpose(m as Matrix)),
  argument('gram', 'a', (m) => gram(m as Matrix)),
  argument('cholesky', 'a', (m) => cholesky(m as Matrix)),
  argument('choleskySolve', 'factor', (m) => choleskySolve(m as Matrix, square)),
  argument('choleskySolve', 'b', (m) => choleskySolve(identity(2), m as Matrix)),
  argument('eigh', 'a', (m) => eigh(m as Matrix)),
  argument('minEigenvalue', 'a', (m) => minEigenvalue(m as Matrix)),
  argument('maxEigenvalue', 'a', (m) => maxEigenvalue(m as Matrix)),
  argument('svd', 'a', (m) => svd(m as Matrix)),
  argument('matrixRank', 'a', (m) => matrixRank(m as Matrix)),
  argument('pinv', 'a', (m) => pinv(m as Matrix)),
  argument('lstsq', 'a', (m) => lstsq(m as Matrix, square)),
  argument('lstsq', 'b', (m) => lstsq(square, m as Matrix)),
  argument('accumulateGram', 'rows', (m) =>
    accumulateGram(createGramAccumulator(2, { targetDim: 2 }), m as Matrix, square),
  ),
  argument('accumulateGram', 'targets', (m) =>
    accumulateGram(createGramAccumulator(2, { targetDim: 2 }), square, m as Matrix),
  ),
  argument('checkMatrix', 'weights', (m) => checkMatrix('checkMatrix', 'weights', m)),
];

// Non-finite entries are mirrored so the symmetric routines see the value rather than an asymmetry.
const matrixRejections: Rejection[] = matrixArgumentRejections(matrixArguments, { symmetric: true });

const shapeRejections: Rejection[] = [
  ['matmul: inner dimensions differ', () => matmul(square, zeros(3, 2)), 'SHAPE_MISMATCH', 'matmul', ['(3, 2)']],
  ['cholesky: not square', () => cholesky(zeros(2, 3)), 'SHAPE_MISMATCH', 'cholesky', ['(2, 3)']],
  ['choleskySolve: b rows', () => choleskySolve(identity(2), zeros(3, 1)), 'SHAPE_MISMATCH', 'choleskySolve', ['b']],
  ['eigh: not square', () => eigh(zeros(3, 2)), 'SHAPE_MISMATCH', 'eigh', ['(3, 2)']],
  [
    'eigh: not symmetric',
    () =>
      eigh(
        fromRows([
          [1, 2],
          [0, 1],
        ]),
      ),
    'INVALID_ARGUMENT',
    'eigh',
    ['not symmetric'],
  ],
  ['minEigenvalue: empty', () => minEigenvalue(zeros(0, 0)), 'SHAPE_MISMATCH', 'minEigenvalue', ['(0, 0)']],
  ['maxEigenvalue: empty', () => maxEigenvalue(zeros(0, 0)), 'SHAPE_MISMATCH', 'maxEigenvalue', ['(0, 0)']],
  ['minEigenvalue: not square', () => minEigenvalue(zeros(1, 2)), 'SHAPE_MISMATCH', 'minEigenvalue', ['(1, 2)']],
  [
    'maxEigenvalue: asymmetric',
    () =>
      maxEigenvalue(
        fromRows([
          [1, 2],
          [0, 1],
        ]),
      ),
    'INVALID_ARGUMENT',
    'maxEigenvalue',
    ['symmetric'],
  ],
  ['lstsq: rows differ', () => lstsq(square, zeros(3, 1)), 'SHAPE_MISMATCH', 'lstsq', ['b', '(3, 1)']],
  [
    'accumulateGram: rows of another width',
    () => accumulateGram(createGramAccumulator(3), square),
    'SHAPE_MISMATCH',
    'accumulateGram',
    ['rows'],
  ],
  [
    'accumulateGram: missing targets',
    () => accumulateGram(createGramAccumulator(2, { targetDim: 1 }), square),
    'INVALID_ARGUMENT',
    'accumulateGram',
    ['targets'],
  ],
  [
    'mergeGram: dimensions differ',
    () => mergeGram(createGramAccumulator(2), createGramAccumulator(3)),
    'SHAPE_MISMATCH',
    'mergeGram',
    ['2', '3'],
  ],
  [
    'gramMoments: not an accumulator',
    () => gramMoments(square as never),
    'INVALID_ARGUMENT',
    'gramMoments',
    ['accumulator'],
  ],
  [
    'gramMoments: a NaN sum',
    () => {
      const accumulator = createGramAccumulator(2);
      accumulator.gram[1] = Number.NaN;
      return gramMoments(accumulator);
    },
    'NON_FINITE',
    'gramMoments',
    ['accumulator.gram', '(0, 1)'],
  ],
  [
    'mergeGram: not an accumulator',
    () => mergeGram(createGramAccumulator(2), null as never),
    'INVALID_ARGUMENT',
    'mergeGram',
    ['b'],
  ],
];

const optionRejections: Rejection[] = [
  ...(
    [
      ['gram', (o: unknown) => gram(square, o as never)],
      ['cholesky', (o: unknown) => cholesky(square, o as never)],
      ['eigh', (o: unknown) => eigh(square, o as never)],
      ['minEigenvalue', (o: unknown) => minEigenvalue(square, o as never)],
      ['maxEigenvalue', (o: unknown) => maxEigenvalue(square, o as never)],
      ['svd', (o: unknown) => svd(square, o as never)],
      ['lstsq', (o: unknown) => lstsq(square, square, o as never)],
      ['pinv', (o: unknown) => pinv(square, o as never)],
      ['matrixRank', (o: unknown) => matrixRank(square, o as never)],
      ['createGramAccumulator', (o: unknown) => createGramAccumulator(2, o as never)],
    ] as const
  ).flatMap(([fn, call]): Rejection[] => [
    [`${fn}: an unknown option`, () => call({ tolerance: 1 }), 'INVALID_ARGUMENT', fn, ["'tolerance'"]],
    [`${fn}: options that are an array`, () => call([1]), 'INVALID_ARGUMENT', fn, ['options']],
    [`${fn}: options that are a string`, () => call('fast'), 'INVALID_ARGUMENT', fn, ['options']],
  ]),
  ...(['lstsq', 'pinv', 'matrixRank'] as const).flatMap((fn): Rejection[] => {
    const call = (options: unknown): unknown =>
      fn === 'lstsq'
        ? lstsq(square, square, options as never)
        : (fn === 'pinv' ? pinv : matrixRank)(square, options as never);
    return [
      [`${fn}: negative rtol`, () => call({ rtol: -1e-3 }), 'INVALID_ARGUMENT', fn, ['rtol', '-0.001']],
      [`${fn}: NaN rtol`, () => call({ rtol: Number.NaN }), 'INVALID_ARGUMENT', fn, ['rtol', 'NaN']],
      [
        `${fn}: infinite atol`,
        () => call({ atol: Number.POSITIVE_INFINITY }),
        'INVALID_ARGUMENT',
        fn,
        ['atol', 'Infinity'],
      ],
      [`${fn}: string atol`, () => call({ atol: '0' }), 'INVALID_ARGUMENT', fn, ['atol', "'0'"]],
    ];
  }),
  ...(['minEigenvalue', 'maxEigenvalue'] as const).flatMap((fn): Rejection[] => {
    const call = (options: unknown): unknown =>
      (fn === 'minEigenvalue' ? minEigenvalue : maxEigenvalue)(square, options as never);
    return [
      [`${fn}: rtol 0`, () => call({ rtol: 0 }), 'INVALID_ARGUMENT', fn, ['rtol', '> 0']],
      [`${fn}: maxIterations 0`, () => call({ maxIterations: 0 }), 'INVALID_ARGUMENT', fn, ['maxIterations', '>= 1']],
      [
        `${fn}: fractional maxIterations`,
        () => call({ maxIterations: 2.5 }),
        'INVALID_ARGUMENT',
        fn,
        ['maxIterations', '2.5'],
      ],
      [`${fn}: fractional seed`, () => call({ seed: 0.5 }), 'INVALID_ARGUMENT', fn, ['seed', '0.5']],
      [`${fn}: negative symmetryRtol`, () => call({ symmetryRtol: -1 }), 'INVALID_ARGUMENT', fn, ['symmetryRtol']],
      [`${fn}: vector 'yes'`, () => call({ vector: 'yes' }), 'INVALID_ARGUMENT', fn, ['vector', "'yes'"]],
    ];
  }),
  ...([0, -1, 1.5, Number.NaN, 'many', {}] as const).map(
    (workers): Rejection => [
      `gram: workers ${String(workers)}`,
      () => gram(square, { workers: workers as never }),
      'INVALID_ARGUMENT',
      'gram',
      ['options.workers', "'auto' or an integer >= 1"],
    ],
  ),
  ['svd: vectors 1', () => svd(square, { vectors: 1 as never }), 'INVALID_ARGUMENT', 'svd', ['vectors', '1']],
  [
    'eigh: vectors null',
    () => eigh(square, { vectors: null as never }),
    'INVALID_ARGUMENT',
    'eigh',
    ['vectors', 'null'],
  ],
  [
    'eigh: NaN symmetryRtol',
    () => eigh(square, { symmetryRtol: Number.NaN }),
    'INVALID_ARGUMENT',
    'eigh',
    ['symmetryRtol'],
  ],
  ['cholesky: negative rtol', () => cholesky(square, { rtol: -1 }), 'INVALID_ARGUMENT', 'cholesky', ['rtol']],
  [
    'createGramAccumulator: negative dim',
    () => createGramAccumulator(-1),
    'INVALID_ARGUMENT',
    'createGramAccumulator',
    ['dim', '-1'],
  ],
  [
    'createGramAccumulator: fractional dim',
    () => createGramAccumulator(2.5),
    'INVALID_ARGUMENT',
    'createGramAccumulator',
    ['dim', '2.5'],
  ],
  [
    'createGramAccumulator: negative targetDim',
    () => createGramAccumulator(2, { targetDim: -3 }),
    'INVALID_ARGUMENT',
    'createGramAccumulator',
    ['targetDim', '-3'],
  ],
  [
    'createGramAccumulator: a Gram beyond memory',
    () => createGramAccumulator(2 ** 26),
    'TOO_LARGE',
    'createGramAccumulator',
    ['(67108864, 67108864)', 'GiB'],
  ],
];

const matrixApiRejections: Rejection[] = [
  ['zeros: negative rows', () => zeros(-1, 2), 'INVALID_ARGUMENT', 'zeros', ['rows', '-1']],
  ['zeros: fractional cols', () => zeros(2, 1.5), 'INVALID_ARGUMENT', 'zeros', ['cols', '1.5']],
  ['zeros: NaN rows', () => zeros(Number.NaN, 2), 'INVALID_ARGUMENT', 'zeros', ['rows', 'NaN']],
  ['zeros: string cols', () => zeros(2, '3' as never), 'INVALID_ARGUMENT', 'zeros', ['cols', "'3'"]],
  ['zeros: beyond memory', () => zeros(1e9, 1e9), 'TOO_LARGE', 'zeros', ['(1000000000, 1000000000)', 'GiB']],
  ['identity: negative size', () => identity(-3), 'INVALID_ARGUMENT', 'identity', ['size', '-3']],
  ['identity: beyond memory', () => identity(2 ** 31), 'TOO_LARGE', 'identity', ['GiB']],
  ['matrixFrom: data too short', () => matrixFrom(2, 2, [1, 2, 3]), 'SHAPE_MISMATCH', 'matrixFrom', ['4', '3']],
  ['matrixFrom: data null', () => matrixFrom(1, 1, null as never), 'INVALID_ARGUMENT', 'matrixFrom', ['data', 'null']],
  ['matrixFrom: data a number', () => matrixFrom(1, 1, 5 as never), 'INVALID_ARGUMENT', 'matrixFrom', ['data', '5']],
  ['matrixFrom: fractional rows', () => matrixFrom(0.5, 2, [1]), 'INVALID_ARGUMENT', 'matrixFrom', ['rows', '0.5']],
  ['fromRows: not an array', () => fromRows('abc' as never), 'INVALID_ARGUMENT', 'fromRows', ['values', "'abc'"]],
  ['fromRows: ragged rows', () => fromRows([[1, 2], [3]]), 'SHAPE_MISMATCH', 'fromRows', ['row 1', '2', '1']],
  ['fromRows: a row that is a number', () => fromRows([5] as never), 'SHAPE_MISMATCH', 'fromRows', ['row 0', '5']],
  [
    'fromRows: a later row that is null',
    () => fromRows([[1], null] as never),
    'SHAPE_MISMATCH',
    'fromRows',
    ['row 1', 'null'],
  ],
  ['fromRows: a string entry', () => fromRows([[1, '2']] as never), 'INVALID_ARGUMENT', 'fromRows', ['(0, 1)', "'2'"]],
  ['fromRows: negative cols', () => fromRows([], -1), 'INVALID_ARGUMENT', 'fromRows', ['cols', '-1']],
  ['fromRows: fractional cols', () => fromRows([], 1.5), 'INVALID_ARGUMENT', 'fromRows', ['cols', '1.5']],
  ['fromRows: cols that disagree', () => fromRows([[1, 2]], 3), 'SHAPE_MISMATCH', 'fromRows', ['3', '2']],
  ['toRows: null', () => toRows(null as never), 'INVALID_ARGUMENT', 'toRows', ['matrix', 'null']],
  [
    'toRows: fractional rows',
    () => toRows({ rows: 1.5, cols: 2, data: new Float64Array(3) }),
    'INVALID_ARGUMENT',
    'toRows',
    ['matrix'],
  ],
  [
    'toRows: plain-array data',
    () => toRows({ rows: 1, cols: 2, data: [1, 2] } as never),
    'INVALID_ARGUMENT',
    'toRows',
    ['matrix'],
  ],
  ['get: null', () => get(null as never, 0, 0), 'INVALID_ARGUMENT', 'get', ['matrix', 'null']],
  ['get: row out of range', () => get(square, 2, 0), 'INVALID_ARGUMENT', 'get', ['(2, 0)']],
  ['get: negative column', () => get(square, 0, -1), 'INVALID_ARGUMENT', 'get', ['(0, -1)']],
  ['get: fractional index', () => get(square, 0.5, 0), 'INVALID_ARGUMENT', 'get', ['(0.5, 0)']],
  ['get: NaN index', () => get(square, Number.NaN, 0), 'INVALID_ARGUMENT', 'get', ['NaN']],
  ['shapeOf: undefined', () => shapeOf(undefined as never), 'INVALID_ARGUMENT', 'shapeOf', ['matrix', 'undefined']],
  ['largestMagnitude: null', () => largestMagnitude(null as never), 'INVALID_ARGUMENT', 'largestMagnitude', ['null']],
  ['rescaleExponent: negative', () => rescaleExponent(-1), 'INVALID_ARGUMENT', 'rescaleExponent', ['largest', '-1']],
  [
    'rescaleExponent: Infinity',
    () => rescaleExponent(Number.POSITIVE_INFINITY),
    'INVALID_ARGUMENT',
    'rescaleExponent',
    ['Infinity'],
  ],
  [
    'timesPowerOfTwo: fractional exponent',
    () => timesPowerOfTwo(1, 0.5),
    'INVALID_ARGUMENT',
    'timesPowerOfTwo',
    ['exponent', '0.5'],
  ],
  [
    'timesPowerOfTwo: a string x',
    () => timesPowerOfTwo('1' as never, 1),
    'INVALID_ARGUMENT',
    'timesPowerOfTwo',
    ['x', "'1'"],
  ],
  [
    'scaleByPowerOfTwo: nested arrays',
    () => scaleByPowerOfTwo([[1]] as never, 1),
    'INVALID_ARGUMENT',
    'scaleByPowerOfTwo',
    ['a'],
  ],
  [
    'scaleByPowerOfTwo: NaN exponent',
    () => scaleByPowerOfTwo(square, Number.NaN),
    'INVALID_ARGUMENT',
    'scaleByPowerOfTwo',
    ['exponent', 'NaN'],
  ],
];

const validationRejections: Rejection[] = [
  ['checkInteger: fractional', () => checkInteger('f', 'count', 1.5), 'INVALID_ARGUMENT', 'f', ['count', '1.5']],
  ['checkInteger: NaN', () => checkInteger('f', 'count', Number.NaN), 'INVALID_ARGUMENT', 'f', ['count', 'NaN']],
  ['checkInteger: a numeric string', () => checkInteger('f', 'count', '3'), 'INVALID_ARGUMENT', 'f', ['count', "'3'"]],
  ['checkInteger: unsafe', () => checkInteger('f', 'count', 2 ** 53), 'INVALID_ARGUMENT', 'f', ['count']],
  [
    'checkInteger: below min',
    () => checkInteger('f', 'count', -1, { min: 0 }),
    'INVALID_ARGUMENT',
    'f',
    ['>= 0', '-1'],
  ],
  ['checkInteger: above max', () => checkInteger('f', 'count', 9, { max: 8 }), 'INVALID_ARGUMENT', 'f', ['<= 8', '9']],
  [
    'checkNumber: Infinity',
    () => checkNumber('f', 'rate', Number.POSITIVE_INFINITY),
    'INVALID_ARGUMENT',
    'f',
    ['rate', 'Infinity'],
  ],
  [
    'checkNumber: exclusive min',
    () => checkNumber('f', 'rate', 0, { min: 0, exclusiveMin: true }),
    'INVALID_ARGUMENT',
    'f',
    ['> 0'],
  ],
  ['checkNumber: a boolean', () => checkNumber('f', 'rate', true), 'INVALID_ARGUMENT', 'f', ['rate', 'true']],
  [
    'checkOneOf: unknown',
    () => checkOneOf('f', 'mode', 'first', ['all', 'last']),
    'INVALID_ARGUMENT',
    'f',
    ["'all', 'last'", "'first'"],
  ],
  ['checkOneOf: a number', () => checkOneOf('f', 'mode', 1, ['all']), 'INVALID_ARGUMENT', 'f', ['mode', '1']],
  [
    'checkKnownKeys: unknown field',
    () => checkKnownKeys('f', 'options', { rtoll: 1 }, ['rtol']),
    'INVALID_ARGUMENT',
    'f',
    ["'rtoll'", "'rtol'"],
  ],
  [
    'checkKnownKeys: null',
    () => checkKnownKeys('f', 'options', null, ['rtol']),
    'INVALID_ARGUMENT',
    'f',
    ['options', 'null'],
  ],
  [
    'checkKnownKeys: an array',
    () => checkKnownKeys('f', 'options', [], ['rtol']),
    'INVALID_ARGUMENT',
    'f',
    ['options'],
  ],
  [
    'checkFinite: -Infinity',
    () => checkFinite('f', 'v', [1, Number.NEGATIVE_INFINITY]),
    'NON_FINITE',
    'f',
    ['index 1', '-Infinity'],
  ],
  [
    'checkFinite: NaN in a matrix row',
    () => checkFinite('f', 'v', [1, 2, Number.NaN], 2),
    'NON_FINITE',
    'f',
    ['(1, 0)', 'NaN'],
  ],
  [
    'checkSequences: an empty batch',
    () => checkSequences('f', 'inputs', []),
    'INVALID_ARGUMENT',
    'f',
    ['inputs', 'length 0'],
  ],
  ['checkSequences: not an array', () => checkSequences('f', 'inputs', square), 'INVALID_ARGUMENT', 'f', ['inputs']],
  [
    'checkSequences: a zero-length sequence',
    () => checkSequences('f', 'inputs', [zeros(0, 2)]),
    'INVALID_ARGUMENT',
    'f',
    ['inputs[0]', '(0, 2)'],
  ],
  [
    'checkSequences: zero-width tokens',
    () => checkSequences('f', 'inputs', [zeros(3, 0)]),
    'INVALID_ARGUMENT',
    'f',
    ['inputs[0]', '(3, 0)'],
  ],
  [
    'checkSequences: ragged widths',
    () => checkSequences('f', 'inputs', [zeros(2, 2), zeros(2, 3)]),
    'SHAPE_MISMATCH',
    'f',
    ['inputs[1]', '(2, 3)'],
  ],
  [
    'checkSequences: a wrong model dimension',
    () => checkSequences('f', 'inputs', [zeros(2, 2)], 3),
    'SHAPE_MISMATCH',
    'f',
    ['inputs[0]'],
  ],
  [
    'checkSequences: a hole',
    () => checkSequences('f', 'inputs', [square, undefined]),
    'INVALID_ARGUMENT',
    'f',
    ['inputs[1]'],
  ],
  [
    'checkSequences: NaN in a later sequence',
    () => checkSequences('f', 'inputs', [square, withEntry(square, 1, Number.NaN)]),
    'NON_FINITE',
    'f',
    ['inputs[1]', '(0, 1)'],
  ],
  ['checkDataset: null', () => checkDataset('f', null), 'INVALID_ARGUMENT', 'f', ['dataset', 'null']],
  [
    'checkDataset: unknown mode',
    () => checkDataset('f', { inputs: [square], targets: [square], mode: 'first' }),
    'INVALID_ARGUMENT',
    'f',
    ['dataset.mode', "'first'"],
  ],
  [
    'checkDataset: missing targets',
    () => checkDataset('f', { inputs: [square], mode: 'all' }),
    'SHAPE_MISMATCH',
    'f',
    ['dataset.targets', 'undefined'],
  ],
  [
    'checkDataset: one target too few',
    () => checkDataset('f', { inputs: [square, square], targets: [square], mode: 'all' }),
    'SHAPE_MISMATCH',
    'f',
    ['length 2', 'length 1'],
  ],
  [
    "checkDataset: 'all' targets with one row per sequence",
    () => checkDataset('f', { inputs: [square], targets: [zeros(1, 1)], mode: 'all' }),
    'SHAPE_MISMATCH',
    'f',
    ['dataset.targets[0]', '(2, 1)', '(1, 1)'],
  ],
  [
    "checkDataset: 'last' targets with one row per position",
    () => checkDataset('f', { inputs: [square], targets: [zeros(2, 1)], mode: 'last' }),
    'SHAPE_MISMATCH',
    'f',
    ['dataset.targets[0]', '(1, 1)', '(2, 1)'],
  ],
  [
    'checkDataset: zero-width targets',
    () => checkDataset('f', { inputs: [square], targets: [zeros(2, 0)], mode: 'all' }),
    'SHAPE_MISMATCH',
    'f',
    ['outputDim >= 1'],
  ],
  [
    'checkDataset: ragged target widths',
    () => checkDataset('f', { inputs: [square, square], targets: [zeros(2, 1), zeros(2, 2)], mode: 'all' }),
    'SHAPE_MISMATCH',
    'f',
    ['dataset.targets[1]'],
  ],
  [
    'checkDataset: Infinity in a target',
    () =>
      checkDataset('f', { inputs: [square], targets: [withEntry(square, 1, Number.POSITIVE_INFINITY)], mode: 'all' }),
    'NON_FINITE',
    'f',
    ['dataset.targets[0]', 'Infinity'],
  ],
];

const rng = createRng(0);
const rngRejections: Rejection[] = [
  ['createRng: fractional seed', () => createRng(1.5), 'INVALID_ARGUMENT', 'createRng', ['seed', '1.5']],
  ['createRng: NaN seed', () => createRng(Number.NaN), 'INVALID_ARGUMENT', 'createRng', ['seed', 'NaN']],
  ['createRng: string seed', () => createRng('7' as never), 'INVALID_ARGUMENT', 'createRng', ['seed', "'7'"]],
  ['createRng: unsafe seed', () => createRng(2 ** 53), 'INVALID_ARGUMENT', 'createRng', ['seed']],
  ['Rng.integer: an empty range', () => rng.integer(3, 3), 'INVALID_ARGUMENT', 'Rng.integer', ['(3, 3)']],
  ['Rng.integer: a range beyond 2^32', () => rng.integer(0, 2 ** 33), 'INVALID_ARGUMENT', 'Rng.integer', ['2^32']],
  ['Rng.integer: fractional bounds', () => rng.integer(0.5, 3), 'INVALID_ARGUMENT', 'Rng.integer', ['0.5']],
  [
    'Rng.normalMatrix: negative rows',
    () => rng.normalMatrix(-1, 2),
    'INVALID_ARGUMENT',
    'Rng.normalMatrix',
    ['(-1, 2)'],
  ],
  [
    'Rng.uniformMatrix: NaN cols',
    () => rng.uniformMatrix(2, Number.NaN),
    'INVALID_ARGUMENT',
    'Rng.uniformMatrix',
    ['NaN'],
  ],
  ['Rng.normalMatrix: beyond memory', () => rng.normalMatrix(1e9, 1e9), 'TOO_LARGE', 'Rng.normalMatrix', ['GiB']],
  ['Rng.orthogonal: fractional size', () => rng.orthogonal(2.5), 'INVALID_ARGUMENT', 'Rng.orthogonal', ['2.5']],
  ['Rng.orthogonal: beyond memory', () => rng.orthogonal(2 ** 31), 'TOO_LARGE', 'Rng.orthogonal', ['GiB']],
  [
    'Rng.shuffle: not an array',
    () => rng.shuffle('abc' as never),
    'INVALID_ARGUMENT',
    'Rng.shuffle',
    ['items', "'abc'"],
  ],
];

describe('@lattn/core rejects hostile input with a LattnError naming the function, argument, expectation and value', () => {
  it.each([
    ...matrixRejections,
    ...shapeRejections,
    ...optionRejections,
    ...matrixApiRejections,
    ...validationRejections,
    ...rngRejections,
  ])('%s', (_title, run, code, fn, parts) => {
    expectLattnError(run, code, fn, parts);
  });

  it('leaves a Gram accumulator unchanged when a chunk is rejected', () => {
    const accumulator = createGramAccumulator(2, { targetDim: 1 });
    accumulateGram(accumulator, square, fromRows([[1], [2]]));
    const before = structuredClone(accumulator);
    expectLattnError(
      () => accumulateGram(accumulator, withEntry(square, 3, Number.NEGATIVE_INFINITY), fromRows([[1], [2]])),
      'NON_FINITE',
      'accumulateGram',
      ['rows'],
    );
    expect(accumulator).toEqual(before);
  });

  it('never mutates a rejected argument', () => {
    const bad = withEntry(square, 0, Number.NaN);
    const copy = bad.data.slice();
    for (const { call } of matrixArguments) {
      try {
        call(bad);
      } catch {
        // the rejection itself is checked above
      }
    }
    expect(Array.from(bad.data)).toEqual(Array.from(copy));
  });
});
