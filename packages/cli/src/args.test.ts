import { isLattnError } from '@lattn/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CommandSpec, formatHelp, type OptionSpecs, parseCommandArgs } from './args.js';

const FIT = {
  name: 'fit',
  summary: 'learn an MHLA model by exact least squares',
  options: {
    inputs: { kind: 'path', required: true, placeholder: 'X.npy', description: 'input sequences, shape (B, n, d)' },
    targets: { kind: 'path', required: true, placeholder: 'Y.npy', description: 'targets' },
    mode: { kind: 'enum', values: ['all', 'last'], default: 'all', description: 'which positions are examples' },
    ridge: { kind: 'number', min: 0, default: 0, description: 'ridge penalty' },
    heads: { kind: 'enum', values: ['full', 'auto'], integer: { min: 1 }, default: 'full', description: 'heads' },
    numHeads: { kind: 'integer', min: 1, max: 64, description: 'a bounded integer' },
    shift: { kind: 'number', description: 'an unbounded number' },
    label: { kind: 'string', description: 'free text' },
    json: { kind: 'boolean', description: 'print JSON' },
    out: { kind: 'path', required: true, placeholder: 'model.json', description: 'where to write the model' },
  },
  examples: [
    'lattn fit --inputs X.npy --targets Y.npy --out model.json',
    'lattn fit --inputs X.npy --targets Y.npy --mode last --ridge 1e-6 --out model.json',
  ],
} as const satisfies CommandSpec<OptionSpecs>;

const REQUIRED = ['--inputs', 'X.npy', '--targets', 'Y.npy', '--out', 'm.json'];

function parseError(spec: CommandSpec<OptionSpecs>, args: readonly string[]): string {
  try {
    parseCommandArgs(spec, args);
  } catch (error) {
    if (!isLattnError(error)) throw error;
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).not.toContain('\n');
    return error.message;
  }
  throw new Error(`expected ${args.join(' ')} to be rejected`);
}

describe('parseCommandArgs', () => {
  it('converts values to their kinds and fills in defaults', () => {
    const { options, positionals } = parseCommandArgs(FIT, [
      ...REQUIRED,
      '--ridge',
      '1e-6',
      '--num-heads=4',
      '--shift=-2.5',
      '--heads',
      '3',
      '--json',
    ]);
    expect(options).toEqual({
      inputs: 'X.npy',
      targets: 'Y.npy',
      mode: 'all',
      ridge: 1e-6,
      heads: 3,
      numHeads: 4,
      shift: -2.5,
      label: undefined,
      json: true,
      out: 'm.json',
    });
    expect(positionals).toEqual([]);
    expectTypeOf(options.mode).toEqualTypeOf<'all' | 'last'>();
    expectTypeOf(options.heads).toEqualTypeOf<'full' | 'auto' | number>();
    expectTypeOf(options.ridge).toEqualTypeOf<number>();
    expectTypeOf(options.numHeads).toEqualTypeOf<number | undefined>();
    expectTypeOf(options.json).toEqualTypeOf<boolean>();
    expectTypeOf(options.inputs).toEqualTypeOf<string>();
  });

  it('accepts enum words, and flags default to false', () => {
    const { options } = parseCommandArgs(FIT, [...REQUIRED, '--mode', 'last', '--heads', 'auto']);
    expect(options.mode).toBe('last');
    expect(options.heads).toBe('auto');
    expect(options.json).toBe(false);
  });

  it('rejects a malformed number naming the option, the form, the value and an example that uses the option', () => {
    expect(parseError(FIT, [...REQUIRED, '--ridge', 'abc'])).toBe(
      "--ridge must be a number >= 0; received 'abc'. Example: lattn fit --inputs X.npy --targets Y.npy --mode last --ridge 1e-6 --out model.json",
    );
  });

  it.each([
    [['--ridge', '-1'], "--ridge needs a value: a number >= 0; received the option-like '-1' (write --ridge=-1"],
    [['--ridge=-1'], "--ridge must be a number >= 0; received '-1'"],
    [['--ridge', 'Infinity'], "--ridge must be a number >= 0; received 'Infinity'"],
    [['--ridge', '0x10'], "--ridge must be a number >= 0; received '0x10'"],
    [['--ridge='], "--ridge must be a number >= 0; received ''"],
    [['--num-heads', '2.5'], "--num-heads must be an integer >= 1 and <= 64; received '2.5'"],
    [['--num-heads', '65'], "--num-heads must be an integer >= 1 and <= 64; received '65'"],
    [['--mode', 'first'], "--mode must be one of all, last; received 'first'"],
    [['--heads', '0'], "--heads must be one of full, auto or an integer >= 1; received '0'"],
    [['--label='], "--label must be non-empty text; received ''"],
    [['--ridge'], '--ridge needs a value: a number >= 0; received nothing'],
    [['--json=yes'], "--json is a flag and takes no value; received '--json=yes'"],
    [['--ridge', '1', '--ridge', '2'], "--ridge is given more than once; received '1' and '2'"],
    [['--rigde', '1'], "unknown option '--rigde' (did you mean --ridge?); lattn fit accepts --inputs, --targets,"],
    [['--frobnicate'], "unknown option '--frobnicate'; lattn fit accepts"],
    [['-x'], "unknown option '-x'"],
    [['extra'], "unexpected argument 'extra'; lattn fit takes no positional arguments"],
  ])('rejects %j with a one-line message', (args, expected) => {
    const message = parseError(FIT, [...REQUIRED, ...args]);
    expect(message).toContain(expected);
    expect(message).toMatch(/\. Example: lattn fit --inputs X\.npy .*--out model\.json$/);
  });

  it('rejects a path with a NUL character, which no file system allows (regression: a TypeError, exit 1)', () => {
    expect(parseError(FIT, ['--inputs', 'X\u0000.npy', '--targets', 'Y.npy', '--out', 'm.json'])).toBe(
      "--inputs must be a path without NUL characters; received 'X\u0000.npy'. Example: lattn fit --inputs X.npy --targets Y.npy --out model.json",
    );
  });

  it('rejects a missing required option, naming it and its form', () => {
    expect(parseError(FIT, ['--inputs', 'X.npy', '--out', 'm.json'])).toBe(
      '--targets is required: a non-empty path; received nothing. Example: lattn fit --inputs X.npy --targets Y.npy --out model.json',
    );
  });

  describe('with positionals', () => {
    const GENERATE = {
      name: 'generate',
      summary: 'write a task dataset',
      positionals: [{ name: 'task', description: 'the task', values: ['automata', 'turing'] }],
      options: { seed: { kind: 'integer', min: 0, default: 0, description: 'seed' } },
      examples: ['lattn generate automata --seed 1'],
    } as const satisfies CommandSpec<OptionSpecs>;

    it('returns them in order, with options around them', () => {
      expect(parseCommandArgs(GENERATE, ['--seed', '4', 'turing'])).toEqual({
        options: { seed: 4 },
        positionals: ['turing'],
      });
    });

    it.each([
      [[], '<task> is required: one of automata, turing; received nothing'],
      [['dfa'], "<task> must be one of automata, turing; received 'dfa'"],
      [['automata', 'turing'], "unexpected extra argument 'turing'; lattn generate takes <task>"],
    ])('rejects %j', (args, expected) => {
      expect(parseError(GENERATE, args)).toBe(`${expected}. Example: lattn generate automata --seed 1`);
    });
  });
});

describe('formatHelp', () => {
  it('lists usage with the required options, every option with its default, and the examples', () => {
    expect(formatHelp(FIT)).toBe(`Usage: lattn fit --inputs <X.npy> --targets <Y.npy> --out <model.json> [options]

learn an MHLA model by exact least squares

Options:
  --inputs <X.npy>       input sequences, shape (B, n, d) (required)
  --targets <Y.npy>      targets (required)
  --mode <all|last>      which positions are examples (default: all)
  --ridge <number>       ridge penalty (default: 0)
  --heads <full|auto|N>  heads (default: full)
  --num-heads <integer>  a bounded integer
  --shift <number>       an unbounded number
  --label <text>         free text
  --json                 print JSON
  --out <model.json>     where to write the model (required)
  -h, --help             show this help

Examples:
  lattn fit --inputs X.npy --targets Y.npy --out model.json
  lattn fit --inputs X.npy --targets Y.npy --mode last --ridge 1e-6 --out model.json
`);
  });

  it('describes positionals and their values', () => {
    const help = formatHelp({
      name: 'generate',
      summary: 'write a task dataset',
      description: 'Writes X.npy, Y.npy and task.json.',
      positionals: [{ name: 'task', description: 'the task', values: ['automata', 'turing'] }],
      options: {},
      examples: ['lattn generate automata --out data'],
    });
    expect(help).toContain('Usage: lattn generate <task> [options]\n\nWrites X.npy, Y.npy and task.json.\n');
    expect(help).toContain('Arguments:\n  <task>  the task: automata, turing\n');
  });
});
