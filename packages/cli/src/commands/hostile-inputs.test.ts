/**
 * Hostile input for every command (issue #9): malformed options, malformed or unsupported files, data that disagree,
 * non-finite or overflowing data, malformed models and unusable output paths. Each case must end with exit code 2,
 * nothing on stdout, one line on stderr naming the option or file, the expectation and what was received (after the
 * progress lines of a computation that had started), no stack trace, and the working directory exactly as it was:
 * no partial output, no temporary file, no changed input. The table in docs/reliability.md lists these cases.
 */
import { link, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../__fixtures__/run-cli.js';
import { type TeacherData, writeTeacherData } from '../__fixtures__/teacher-data.js';
import { writeModel } from '../model-files.js';
import { writeNpy } from '../npy.js';

let dir: string;
let data: TeacherData;
const path = (name: string): string => join(dir, name);

/** A `.npy` file assembled by hand: a version-1 prefix, the header text, then `data`. */
function rawNpy(header: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const text = Buffer.from(`${header}\n`, 'latin1');
  const prefix = Buffer.alloc(10);
  Buffer.from('\x93NUMPY\x01\x00', 'latin1').copy(prefix);
  prefix.writeUInt16LE(text.length, 8);
  return Buffer.concat([prefix, text, data]);
}

const header = (descr: string, shape: string, fortranOrder = 'False'): string =>
  `{'descr': '${descr}', 'fortran_order': ${fortranOrder}, 'shape': ${shape}, }`;

/** The 12 sequences (6, 3) of the fixture with one entry replaced, as a new inputs file. */
async function inputsWith(name: string, index: number, value: number, scale = 1): Promise<void> {
  const values = Float64Array.from(data.inputs.flatMap((input) => Array.from(input.data, (x) => x * scale)));
  if (index >= 0) values[index] = value;
  await writeNpy(path(name), { shape: [12, 6, 3], data: values });
}

async function targetsWith(name: string, index: number, value: number, scale = 1): Promise<void> {
  const values = Float64Array.from(data.targets.flatMap((target) => Array.from(target.data, (y) => y * scale)));
  if (index >= 0) values[index] = value;
  await writeNpy(path(name), { shape: [12, 6, 2], data: values });
}

const MODEL = (fields: string): string => `{"format":"lattn.mhla",${fields}}`;
const HEAD = '{"value":[[1,0,0],[0,1,0]],"query":[[1,0,0],[0,1,0],[0,0,1]]}';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-hostile-'));
  data = await writeTeacherData(dir, 'ok', { mode: 'all', numSequences: 12, seed: 1 }); // X-ok.npy (12, 6, 3)
  await writeTeacherData(dir, 'last', { mode: 'last', numSequences: 12, seed: 1 }); // Y-last.npy (12, 2)
  await writeModel(path('model.json'), data.teacher);
  const files: Record<string, Uint8Array | string> = {
    'empty.npy': '',
    'text.npy': '{"inputs": [[1, 2]]}',
    'cut-header.npy': rawNpy(header('<f8', '(12, 6, 3)')).subarray(0, 30),
    'cut-data.npy': rawNpy(header('<f8', '(12, 6, 3)'), new Uint8Array(12 * 6 * 3 * 8 - 8)),
    'int32.npy': rawNpy(header('<i4', '(12, 6, 3)'), new Uint8Array(12 * 6 * 3 * 4)),
    'big-endian.npy': rawNpy(header('>f8', '(12, 6, 3)'), new Uint8Array(12 * 6 * 3 * 8)),
    'object.npy': rawNpy(header('|O', '(12, 6, 3)'), new Uint8Array(16)),
    'fortran.npy': rawNpy(header('<f8', '(12, 6, 3)', 'True'), new Uint8Array(12 * 6 * 3 * 8)),
    'deep.npy': rawNpy('('.repeat(50_000)),
    'model-empty.json': '',
    'model-syntax.json': MODEL('"version":1,'),
    'model-task.json': '{"format":"lattn.task","version":1}',
    'model-v2.json': MODEL('"version":2,"modelDim":3,"outputDim":2,"heads":[]'),
    'model-v-string.json': MODEL('"version":"1","modelDim":3,"outputDim":2,"heads":[]'),
    'model-unknown.json': MODEL(`"version":1,"modelDim":3,"outputDim":2,"heads":[${HEAD}],"colour":"blue"`),
    'model-head-unknown.json': MODEL(
      `"version":1,"modelDim":3,"outputDim":2,"heads":[{"value":[[1,0,0],[0,1,0]],"query":[[1,0,0],[0,1,0],[0,0,1]],"bias":0}]`,
    ),
    'model-ragged.json': MODEL(
      `"version":1,"modelDim":3,"outputDim":2,"heads":[{"value":[[1,0,0],[0,1]],"query":[[1,0,0],[0,1,0],[0,0,1]]}]`,
    ),
    'model-null.json': MODEL(
      `"version":1,"modelDim":3,"outputDim":2,"heads":[{"value":[[null,0,0],[0,1,0]],"query":[[1,0,0],[0,1,0],[0,0,1]]}]`,
    ),
    'model-overflow.json': MODEL(
      `"version":1,"modelDim":3,"outputDim":2,"heads":[{"value":[[1e999,0,0],[0,1,0]],"query":[[1,0,0],[0,1,0],[0,0,1]]}]`,
    ),
    'model-dim-zero.json': MODEL('"version":1,"modelDim":0,"outputDim":2,"heads":[]'),
    'model-d2.json': MODEL('"version":1,"modelDim":2,"outputDim":1,"heads":[{"value":[[1,0]],"query":[[0,1],[1,0]]}]'),
    'model-huge.json': MODEL(
      `"version":1,"modelDim":3,"outputDim":2,"heads":[{"value":[[1e200,0,0],[0,1,0]],"query":[[1e200,0,0],[0,1,0],[0,0,1]]}]`,
    ),
    'model-array.json': `[${HEAD}]`,
  };
  for (const [name, bytes] of Object.entries(files)) await writeFile(path(name), bytes);
  await writeNpy(path('X-2d.npy'), { shape: [12, 3], data: new Float64Array(36) });
  await writeNpy(path('X-4d.npy'), { shape: [12, 6, 3, 1], data: new Float64Array(216) });
  await writeNpy(path('X-B0.npy'), { shape: [0, 6, 3], data: new Float64Array(0) });
  await writeNpy(path('X-n0.npy'), { shape: [12, 0, 3], data: new Float64Array(0) });
  await writeNpy(path('X-d0.npy'), { shape: [12, 6, 0], data: new Float64Array(0) });
  await writeNpy(path('Y-B11.npy'), { shape: [11, 6, 2], data: new Float64Array(132) });
  await writeNpy(path('Y-n5.npy'), { shape: [12, 5, 2], data: new Float64Array(120) });
  await writeNpy(path('Y-dOut0.npy'), { shape: [12, 6, 0], data: new Float64Array(0) });
  await inputsWith('X-nan-first.npy', 4, Number.NaN);
  await inputsWith('X-inf-last.npy', 11 * 18 + 17, Number.POSITIVE_INFINITY);
  await inputsWith('X-minus-inf.npy', 5 * 18 + 7, Number.NEGATIVE_INFINITY);
  await inputsWith('X-1e150.npy', -1, 0, 1e150);
  await targetsWith('Y-nan-last.npy', 11 * 12 + 5, Number.NaN);
  await targetsWith('Y-1e300.npy', -1, 0, 1e300);
  await writeNpy(path('X-wide.npy'), { shape: [1, 2, 1000], data: new Float64Array(2000) });
  await writeNpy(path('Y-wide.npy'), { shape: [1, 2, 1], data: new Float64Array(2) });
  await link(path('X-ok.npy'), path('X-hard-link.npy'));
  await symlink('loop.npy', path('loop.npy'));
  await mkdir(path('a-directory'));
  await writeFile(path('a-file'), 'not a directory');
  // An earlier dataset whose task.json was replaced by a directory: a new generate must leave X.npy and Y.npy alone.
  await runCli(['generate', 'automata', '--num-sequences', '2', '--out', path('set-blocked')]);
  await rm(path('set-blocked/task.json'));
  await mkdir(path('set-blocked/task.json'));
  await mkdir(path('report/results.json'), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every entry under the directory, recursively, with size and modification time: what must not change. */
async function listing(): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await lstat(join(dir, name));
    entries[name] = info.isDirectory() ? 'directory' : `${info.size} bytes, modified ${info.mtimeMs}`;
  }
  return entries;
}

const PROGRESS = /^\S+ \d+% \(\d+\/\d+\)( in \S+)?$/;

/** Exit code 2, nothing on stdout, one error line on stderr (after progress lines only), containing `fragments`. */
function expectUserError(command: string, result: CliRun, fragments: readonly string[]): void {
  const lines = result.stderr.split('\n');
  expect(lines.pop(), 'stderr ends with a newline').toBe('');
  const error = lines.pop() ?? '';
  expect({ code: result.code, stdout: result.stdout }, result.stderr).toEqual({ code: 2, stdout: '' });
  for (const line of lines) expect(line, 'only progress lines come before the error').toMatch(PROGRESS);
  expect(error.startsWith(`lattn ${command}: `), error).toBe(true);
  expect(error).not.toContain('internal error');
  for (const fragment of fragments) expect(error).toContain(fragment.replaceAll('<dir>', dir));
}

type Case = readonly [title: string, argv: readonly string[], fragments: readonly string[]];

const fit = (...args: string[]): string[] => [
  'fit',
  ...['--inputs', '<dir>/X-ok.npy', '--targets', '<dir>/Y-ok.npy', '--out', '<dir>/model-out.json'],
  ...args,
];
const fitOn = (inputs: string, targets = 'Y-ok.npy', ...args: string[]): string[] => [
  'fit',
  ...['--inputs', `<dir>/${inputs}`, '--targets', `<dir>/${targets}`, '--out', '<dir>/model-out.json'],
  ...args,
];
const predict = (model: string, inputs = 'X-ok.npy', ...args: string[]): string[] => [
  'predict',
  ...['--model', `<dir>/${model}`, '--inputs', `<dir>/${inputs}`, '--out', '<dir>/Y-out.npy'],
  ...args,
];

const CASES: Record<string, readonly Case[]> = {
  'option parsing': [
    ['fit without options', ['fit'], ['--inputs is required: a non-empty path; received nothing']],
    ['a misspelt option', fit('--ridges', '1'), ["unknown option '--ridges' (did you mean --ridge?)"]],
    [
      'a repeated option',
      fit('--ridge', '1', '--ridge', '2'),
      ["--ridge is given more than once; received '1' and '2'"],
    ],
    ['a number that is not one', fit('--ridge', 'abc'), ["--ridge must be a number >= 0; received 'abc'"]],
    ['a number beyond float64', fit('--ridge', '1e400'), ["--ridge must be a number >= 0; received '1e400'"]],
    ['NaN as a number', fit('--ridge', 'NaN'), ["--ridge must be a number >= 0; received 'NaN'"]],
    ['a negative ridge', fit('--ridge=-1'), ["--ridge must be a number >= 0; received '-1'"]],
    ['a value that looks like an option', fit('--ridge', '-1'), ['--ridge needs a value', 'write --ridge=-1']],
    ['a zero chunk size', fit('--chunk-size', '0'), ["--chunk-size must be an integer >= 1; received '0'"]],
    ['a fractional chunk size', fit('--chunk-size', '2.5'), ["--chunk-size must be an integer >= 1; received '2.5'"]],
    [
      'a chunk size beyond 2^53',
      fit('--chunk-size', '1e20'),
      ["--chunk-size must be an integer >= 1; received '1e20'"],
    ],
    ['a hexadecimal count', fit('--chunk-size', '0x10'), ["--chunk-size must be an integer >= 1; received '0x10'"]],
    ['zero heads', fit('--heads', '0'), ["--heads must be one of full, auto or an integer >= 1; received '0'"]],
    [
      'a negative head count',
      fit('--heads=-2'),
      ["--heads must be one of full, auto or an integer >= 1; received '-2'"],
    ],
    ['a fractional seed', fit('--seed', '1.5'), ["--seed must be an integer; received '1.5'"]],
    ['an unknown mode', fit('--mode', 'first'), ["--mode must be one of all, last; received 'first'"]],
    ['a value for a flag', fit('--json=yes'), ["--json is a flag and takes no value; received '--json=yes'"]],
    ['a stray positional argument', [...fit(), 'extra'], ["unexpected argument 'extra'"]],
    ['a missing value at the end', fit('--mode'), ['--mode needs a value: one of all, last; received nothing']],
    [
      'an empty path',
      ['fit', '--inputs=', '--targets', 'Y.npy', '--out', 'm.json'],
      ['--inputs must be a non-empty path'],
    ],
    ['predict without --model', ['predict', '--inputs', 'X.npy', '--out', 'Y.npy'], ['--model is required']],
    [
      'predict with an unknown mode',
      predict('model.json', 'X-ok.npy', '--mode', 'both'),
      ['--mode must be one of all, last'],
    ],
    [
      'certify with rtol above 1',
      ['certify', '--inputs', '<dir>/X-ok.npy', '--rtol', '2'],
      ["--rtol must be a number >= 0 and < 1; received '2'"],
    ],
    [
      'certify with a negative rtol',
      ['certify', '--inputs', '<dir>/X-ok.npy', '--rtol=-1e-3'],
      ['--rtol must be a number >= 0 and < 1'],
    ],
    [
      'certify with rtol 1, which would count every eigenvalue as zero (regression: accepted, then refused by the library)',
      ['certify', '--inputs', '<dir>/X-ok.npy', '--rtol', '1'],
      ["--rtol must be a number >= 0 and < 1; received '1'"],
    ],
    [
      'certify with fractional --max-directions',
      ['certify', '--inputs', '<dir>/X-ok.npy', '--max-directions', '1.5'],
      ['--max-directions must be an integer >= 0'],
    ],
    [
      'generate without a task',
      ['generate', '--out', '<dir>/g'],
      ["<task> must be one of random-mhla, associative-memory, automata, turing; received the option '--out' first"],
    ],
    ['generate with an unknown task', ['generate', 'automaton', '--out', '<dir>/g'], ["received 'automaton'"]],
    [
      'generate with an option of another task',
      ['generate', 'automata', '--key-dim', '3', '--out', '<dir>/g'],
      ["unknown option '--key-dim'"],
    ],
    [
      'generate with too many states',
      ['generate', 'automata', '--num-states', '65', '--out', '<dir>/g'],
      ['--num-states must be an integer >= 1 and <= 64'],
    ],
    [
      'generate with a zero word length',
      ['generate', 'automata', '--word-length', '0', '--out', '<dir>/g'],
      ['--word-length must be an integer >= 1'],
    ],
    [
      'generate with a negative count',
      ['generate', 'random-mhla', '--num-sequences=-5', '--out', '<dir>/g'],
      ['--num-sequences must be an integer >= 1'],
    ],
    [
      'generate with a fractional seed',
      ['generate', 'turing', '--seed', '0.5', '--out', '<dir>/g'],
      ['--seed must be an integer'],
    ],
    [
      'a mixing fraction above 1',
      ['generate', 'associative-memory', '--key-distribution', 'mixture', '--mixing-fraction', '2', '--out', '<dir>/g'],
      ['--mixing-fraction must be a number >= 0 and <= 1'],
    ],
    [
      'a mixing fraction without a mixture',
      ['generate', 'associative-memory', '--mixing-fraction', '0.5', '--out', '<dir>/g'],
      ["options.mixingFraction contradicts keyDistribution 'orthogonal'"],
    ],
    [
      'more pairs than orthogonal keys',
      ['generate', 'associative-memory', '--key-dim', '2', '--num-pairs', '3', '--out', '<dir>/g'],
      ['orthogonal keys need numPairs <= keyDim'],
    ],
    [
      'reproduce with an unknown preset',
      ['reproduce', '--preset', 'huge', '--out', '<dir>/r'],
      ['--preset must be one of tiny, quick, full'],
    ],
    [
      'reproduce with contradicting presets',
      ['reproduce', '--quick', '--preset', 'full', '--out', '<dir>/r'],
      ['--quick contradicts --preset full'],
    ],
    ['bench with empty sizes', ['bench', '--sizes='], ['--sizes must be non-empty text']],
    [
      'bench with a size that is not a number',
      ['bench', '--sizes', '256,abc'],
      ["--sizes must list positive integers. Expected for example '256,1024'; received 'abc'"],
    ],
    ['bench with a zero size', ['bench', '--sizes', '0'], ["received '0' in '0'"]],
    [
      'bench with an empty list item',
      ['bench', '--sizes', '256,,512'],
      ['--sizes must be a comma-separated list without empty items'],
    ],
    [
      'bench with an unknown operation',
      ['bench', '--only', 'fft'],
      ['--only names an unknown operation', "received 'fft'"],
    ],
    ['bench with zero repeats', ['bench', '--repeats', '0'], ['--repeats must be an integer >= 1 and <= 100']],
    ['bench with an unknown clock', ['bench', '--clock', 'gpu'], ['--clock must be one of wall, cpu']],
    ['bench with a value for a flag', ['bench', '--no-numpy=1'], ['--no-numpy is a flag and takes no value']],
    [
      'bench with a size beyond memory (regression: RangeError, exit 1)',
      ['bench', '--sizes', '99999999999'],
      [
        '--sizes asks for D = 99999999999, whose three (D, D) float64 matrices need at least',
        "of memory. Expected sizes D small enough for 3·D²·8 bytes to fit in memory; received '99999999999' in '99999999999'.",
      ],
    ],
  ],
  '.npy files': [
    ['a missing inputs file', fitOn('missing.npy'), ["'<dir>/missing.npy' does not exist. Expected a readable file"]],
    ['a directory as inputs', ['certify', '--inputs', '<dir>/a-directory'], ["'<dir>/a-directory' is a directory"]],
    [
      'a device as inputs',
      ['certify', '--inputs', '/dev/null'],
      ["'/dev/null' is not a regular file", 'received a device'],
    ],
    [
      'a symbolic link to itself as inputs (regression: ELOOP was an internal error)',
      ['certify', '--inputs', '<dir>/loop.npy'],
      ["'<dir>/loop.npy' is a loop of symbolic links. Expected a readable file"],
    ],
    [
      'an empty file',
      ['certify', '--inputs', '<dir>/empty.npy'],
      ['is not a .npy file (bad magic string)', 'received an empty file'],
    ],
    [
      'a JSON file named .npy',
      ['certify', '--inputs', '<dir>/text.npy'],
      ["bad magic string). Expected the bytes b'\\x93NUMPY' at the start; received b'{\"inpu'"],
    ],
    [
      'a file cut inside its header',
      ['certify', '--inputs', '<dir>/cut-header.npy'],
      ['is truncated inside its header'],
    ],
    [
      'a file cut inside its data',
      ['certify', '--inputs', '<dir>/cut-data.npy'],
      [
        "is truncated: its data is shorter than the header says. Expected 1728 bytes of data for shape (12, 6, 3) and dtype '<f8'; received 1720.",
      ],
    ],
    [
      'int32 data',
      ['certify', '--inputs', '<dir>/int32.npy'],
      ["has dtype '<i4' (4-byte signed integer), which lattn does not read", "np.asarray(x, dtype='<f8')"],
    ],
    [
      'big-endian float64',
      ['certify', '--inputs', '<dir>/big-endian.npy'],
      ["has dtype '>f8' (big-endian 8-byte floating point)"],
    ],
    ['an object array', ['certify', '--inputs', '<dir>/object.npy'], ["holds an object array (dtype '|O')"]],
    [
      'Fortran order',
      ['certify', '--inputs', '<dir>/fortran.npy'],
      ['is stored in Fortran (column-major) order', 'np.ascontiguousarray'],
    ],
    [
      'a header nested 50000 levels deep',
      ['certify', '--inputs', '<dir>/deep.npy'],
      ['has a malformed header (nested deeper than 16 levels'],
    ],
    [
      'inputs of rank 2',
      ['certify', '--inputs', '<dir>/X-2d.npy'],
      ['has 2 axes. Expected shape (B, n, d)', 'received (12, 3)'],
    ],
    ['inputs of rank 4', ['certify', '--inputs', '<dir>/X-4d.npy'], ['has 4 axes', 'received (12, 6, 3, 1)']],
    [
      'no sequences (B = 0)',
      ['certify', '--inputs', '<dir>/X-B0.npy'],
      ['is empty. Expected shape (B, n, d) with every axis >= 1; received (0, 6, 3).'],
    ],
    ['zero-length sequences (n = 0)', ['certify', '--inputs', '<dir>/X-n0.npy'], ['is empty', 'received (12, 0, 3)']],
    ['zero-width tokens (d = 0)', ['certify', '--inputs', '<dir>/X-d0.npy'], ['is empty', 'received (12, 6, 0)']],
    [
      'targets for fewer sequences',
      fitOn('X-ok.npy', 'Y-B11.npy'),
      [
        "does not fit the inputs in mode 'all'. Expected (B, n, dOut) = (12, 6, dOut) for inputs of shape (12, 6, 3); received (11, 6, 2).",
      ],
    ],
    ['targets for shorter sequences', fitOn('X-ok.npy', 'Y-n5.npy'), ['received (12, 5, 2)']],
    ['targets of another mode', fitOn('X-ok.npy', 'Y-last.npy'), ["(these targets look like mode 'last')"]],
    ['targets with no columns (dOut = 0)', fitOn('X-ok.npy', 'Y-dOut0.npy'), ['received (12, 6, 0)']],
    [
      'targets and inputs swapped',
      fitOn('Y-ok.npy', 'X-ok.npy', '--mode', 'last'),
      ["'<dir>/X-ok.npy' does not fit the inputs in mode 'last'"],
    ],
  ],
  'values in files': [
    [
      'NaN in the first chunk of the inputs',
      fitOn('X-nan-first.npy'),
      ["'<dir>/X-nan-first.npy' contains a non-finite value at [0, 1, 1]. Expected finite numbers; received NaN."],
    ],
    [
      '+Infinity in the last chunk of the inputs',
      fitOn('X-inf-last.npy', 'Y-ok.npy', '--chunk-size', '5'),
      ['contains a non-finite value at [11, 5, 2]', 'received Infinity'],
    ],
    [
      '-Infinity in a middle chunk (certify)',
      ['certify', '--inputs', '<dir>/X-minus-inf.npy', '--chunk-size', '2'],
      ['at [5, 2, 1]', 'received -Infinity'],
    ],
    [
      'NaN in the last chunk of the targets',
      fitOn('X-ok.npy', 'Y-nan-last.npy', '--chunk-size', '4'),
      ["'<dir>/Y-nan-last.npy' contains a non-finite value at [11, 2, 1]"],
    ],
    [
      'NaN in the last chunk of a streaming predict',
      predict('model.json', 'X-inf-last.npy', '--chunk-size', '3'),
      ['contains a non-finite value at [11, 5, 2]'],
    ],
    [
      'tokens of 1e150, whose features overflow (fit)',
      fitOn('X-1e150.npy'),
      ["'<dir>/X-1e150.npy' overflow float64", 'rescale the inputs'],
    ],
    [
      'tokens of 1e150 (certify)',
      ['certify', '--inputs', '<dir>/X-1e150.npy'],
      ["'<dir>/X-1e150.npy' overflow float64"],
    ],
    [
      'targets of 1e300, whose Σyyᵀ overflows',
      fitOn('X-ok.npy', 'Y-1e300.npy'),
      ["the moments Σyyᵀ of '<dir>/Y-1e300.npy' overflow float64", 'rescale the targets'],
    ],
    [
      'a model whose outputs overflow',
      predict('model-huge.json'),
      ["the outputs of the model in '<dir>/model-huge.json' on '<dir>/X-ok.npy' overflow float64 at [0, 0, 0]"],
    ],
  ],
  'model files': [
    ['a missing model file', predict('none.json'), ["'<dir>/none.json' does not exist"]],
    ['a symbolic link to itself as the model', predict('loop.npy'), ["'<dir>/loop.npy' is a loop of symbolic links"]],
    [
      'an empty model file',
      predict('model-empty.json'),
      ["'<dir>/model-empty.json' is empty. Expected a lattn model file"],
    ],
    [
      'truncated JSON',
      predict('model-syntax.json'),
      ['is not valid JSON at line 1, column', '{"format":"lattn.mhla","version":1,'],
    ],
    [
      'a task file as a model',
      predict('model-task.json'),
      ['is not a lattn model file (lattn.mhla JSON)', 'received "format": "lattn.task"'],
    ],
    ['a model of version 2', predict('model-v2.json'), ['version 2 is not supported']],
    ['a version given as text', predict('model-v-string.json'), ['version "1" is not supported']],
    ['an unknown field', predict('model-unknown.json'), ['has an unknown field "colour"']],
    ['an unknown field in a head', predict('model-head-unknown.json'), ['heads[0] has an unknown field "bias"']],
    ['a ragged head matrix', predict('model-ragged.json'), ['heads[0].value[1] has the wrong length']],
    ['null in a head', predict('model-null.json'), ['heads[0].value[0][0] is not a finite number']],
    ['1e999 in a head', predict('model-overflow.json'), ['heads[0].value[0][0] is not a finite number']],
    ['modelDim 0', predict('model-dim-zero.json'), ['"modelDim" is not a dimension']],
    ['a JSON array', predict('model-array.json'), ['the document is not a JSON object']],
    [
      'a model for other tokens',
      predict('model-d2.json'),
      [
        "has tokens of dimension 3, but the model in '<dir>/model-d2.json' takes d = 2. Expected shape (B, n, 2); received (12, 6, 3).",
      ],
    ],
  ],
  'output paths': [
    [
      '--out is a directory',
      fitOn('X-ok.npy').slice(0, -1).concat('<dir>/a-directory'),
      ["'<dir>/a-directory' is a directory"],
    ],
    [
      '--out in a missing directory',
      fitOn('X-ok.npy').slice(0, -1).concat('<dir>/nowhere/model.json'),
      [
        "'<dir>/nowhere/model.json' does not exist. Expected a writable path in an existing directory ('<dir>/nowhere')",
      ],
    ],
    [
      '--out under a file',
      fitOn('X-ok.npy').slice(0, -1).concat('<dir>/a-file/model.json'),
      ["'<dir>/a-file/model.json' has a parent that is not a directory"],
    ],
    [
      '--out is the inputs file (fit)',
      fitOn('X-ok.npy').slice(0, -1).concat('<dir>/X-ok.npy'),
      ["'<dir>/X-ok.npy' is the same file as the input --inputs '<dir>/X-ok.npy'"],
    ],
    [
      '--out is the targets file (fit)',
      fitOn('X-ok.npy').slice(0, -1).concat('<dir>/Y-ok.npy'),
      ['is the same file as the input --targets'],
    ],
    [
      '--out is a hard link to the inputs',
      predict('model.json').slice(0, -1).concat('<dir>/X-hard-link.npy'),
      ["'<dir>/X-hard-link.npy' is the same file as the input --inputs '<dir>/X-ok.npy'"],
    ],
    [
      '--out is the model file (predict)',
      predict('model.json').slice(0, -1).concat('<dir>/model.json'),
      ['is the same file as the input --model'],
    ],
    [
      'generate --out that is a file',
      ['generate', 'automata', '--out', '<dir>/a-file'],
      ["'<dir>/a-file' exists and is not a directory"],
    ],
    [
      'generate over a dataset whose task.json is a directory (X.npy, Y.npy kept)',
      ['generate', 'automata', '--seed', '9', '--out', '<dir>/set-blocked'],
      ["'<dir>/set-blocked/task.json' is a directory"],
    ],
    [
      'reproduce whose results.json is a directory, before running',
      ['reproduce', '--preset', 'tiny', '--out', '<dir>/report'],
      ["'<dir>/report/results.json' is a directory"],
    ],
    [
      'reproduce --out that is a file',
      ['reproduce', '--preset', 'tiny', '--out', '<dir>/a-file'],
      ['exists and is not a directory'],
    ],
  ],
  'sizes beyond the budget': [
    [
      'certify on tokens of dimension 1000, whose (D, D) moments exceed any memory',
      ['certify', '--inputs', '<dir>/X-wide.npy'],
      ['certify on tokens of dimension d = 1000 works on (500500000, 500500000) feature moments', 'received d = 1000.'],
    ],
    [
      'fit on tokens of dimension 1000',
      fitOn('X-wide.npy', 'Y-wide.npy'),
      ['fit on tokens of dimension d = 1000', "more than this machine's"],
    ],
    [
      'generate a random teacher on 5000-wide tokens',
      ['generate', 'random-mhla', '--model-dim', '5000', '--out', '<dir>/g'],
      ['the options need tokens of dimension 5000. Expected modelDim <= 4096'],
    ],
    [
      'generate 6e9 values',
      ['generate', 'random-mhla', '--num-sequences', '1000000', '--sequence-length', '1000', '--out', '<dir>/g'],
      ['the dataset would hold 6000000000 float64 entries (45777 MiB)'],
    ],
    [
      'generate a Turing construction of 4 × (4014, 4014)',
      [
        'generate',
        'turing',
        '--num-sequences',
        '1',
        '--num-states',
        '1',
        '--word-length',
        '1',
        '--num-steps',
        '44',
        '--out',
        '<dir>/g',
      ],
      ['the 4-head construction would hold'],
    ],
  ],
};

describe('every command refuses hostile input with exit code 2, one line, and leaves the directory as it was', () => {
  for (const [group, cases] of Object.entries(CASES)) {
    describe(group, () => {
      it.each(cases)('%s', async (_, argv, fragments) => {
        const before = await listing();
        const result = await runCli(argv.map((arg) => arg.replaceAll('<dir>', dir)));
        expectUserError(argv[0] === 'generate' ? 'generate' : argv[0], result, fragments);
        expect(await listing()).toEqual(before);
      });
    });
  }
});

describe('any command line over the flags and hostile values', () => {
  const PATH_FLAGS = ['--inputs', '--targets', '--out', '--model'];
  const OTHER_FLAGS = [
    ...['--mode', '--ridge', '--heads', '--seed', '--chunk-size', '--json', '--rtol', '--max-directions'],
    ...['--num-sequences', '--model-dim', '--sequence-length', '--output-dim', '--num-heads', '--input-distribution'],
    ...['--teacher-seed', '--key-dim', '--num-pairs', '--key-distribution', '--mixing-fraction', '--num-states'],
    ...['--num-symbols', '--word-length', '--num-steps', '-h', '--help', '--quick', '--preset', '--colour'],
  ];
  const VALUES = [
    ...['', '0', '-1', '1', '2', '1e3', '1e400', 'NaN', 'Infinity', '-0', '0.5', '1e-300', '9007199254740993'],
    ...['all', 'last', 'full', 'auto', 'x', '--', '-', '=', 'a b', '\u0000', '\u001b[2J', '+3', '.5', '5.', '1_000'],
  ];
  // Path values are absolute and inside the test's directory (no device, no '/'), so no run can write elsewhere.
  const paths = (): string[] => [
    ...['X-ok.npy', 'Y-ok.npy', 'Y-last.npy', 'model.json', 'X-inf-last.npy', 'deep.npy', 'model-huge.json'].map(path),
    ...[
      path('fuzz'),
      path('fuzz/out.json'),
      path('fuzz/out.npy'),
      path('a-file/x'),
      path('a-directory'),
      '',
      'x\u0000',
    ],
  ];

  it('ends with exit code 0 or 2, and a user error in one line, never an internal error (fast-check, 400 command lines)', async () => {
    await mkdir(path('fuzz'), { recursive: true });
    const cwd = await readdir(process.cwd());
    const token = fc.oneof(
      fc.tuple(fc.constantFrom(...PATH_FLAGS), fc.constantFrom(...paths())).map(([flag, value]) => [flag, value]),
      fc.tuple(fc.constantFrom(...OTHER_FLAGS), fc.constantFrom(...VALUES)).map(([flag, value]) => [flag, value]),
      fc
        .tuple(fc.constantFrom(...OTHER_FLAGS), fc.constantFrom(...VALUES))
        .map(([flag, value]) => [`${flag}=${value}`]),
      fc.constantFrom(...OTHER_FLAGS).map((flag) => [flag]),
      fc.constantFrom(...VALUES).map((value) => [value]),
    );
    const command = fc.constantFrom(
      ['fit'],
      ['predict'],
      ['certify'],
      ...['random-mhla', 'automata', 'turing', 'associative-memory'].map((task) => ['generate', task]),
      ['generate'],
    );
    await fc.assert(
      fc.asyncProperty(command, fc.array(token, { maxLength: 8 }), async (name, tokens) => {
        const argv = [...name, ...tokens.flat()];
        const result = await runCli(argv);
        expect([0, 2], `${JSON.stringify(argv)}: ${result.stderr}`).toContain(result.code);
        if (result.code === 2) expectUserError(name[0], result, []);
      }),
      { numRuns: 400, seed: 13 },
    );
    expect(await readdir(process.cwd())).toEqual(cwd);
  }, 120_000);
});
