import { LattnError } from '@lattn/core';
import { describe, expect, it } from 'vitest';
import { capturedIo } from './__fixtures__/captured-io.js';
import { type Command, defineCommand } from './command.js';
import { dispatch, ISSUES_URL } from './dispatch.js';

const runs: string[][] = [];

const echo = defineCommand({
  name: 'echo',
  summary: 'print its text',
  options: {
    text: { kind: 'string', required: true, description: 'what to print' },
    times: { kind: 'integer', min: 1, default: 1, description: 'how often' },
  },
  examples: ['lattn echo --text hi --times 2'],
  run: async ({ options }, io) => {
    runs.push([options.text, String(options.times)]);
    io.stdout.write(`${options.text.repeat(options.times)}\n`);
    return 0;
  },
});

function failing(name: string, error: unknown): Command {
  return { name, summary: `throws ${name}`, help: `help of ${name}\n`, run: () => Promise.reject(error) };
}

const COMMANDS: readonly Command[] = [
  echo,
  failing(
    'user-error',
    new LattnError(
      'SHAPE_MISMATCH',
      'fitLinearAttention: targets have the wrong shape.\nExpected (4, 2); received (4, 3).',
    ),
  ),
  failing('bug', new TypeError("Cannot read properties of undefined (reading 'rows')")),
  failing('throws-string', 'a string'),
  failing(
    'ctrl',
    new LattnError('INVALID_FORMAT', "'x\r.npy' has a malformed header.\tExpected a dict; received '\x1b[2J\x00'."),
  ),
];

describe('dispatch', () => {
  it.each([[[]], [['help']], [['--help']], [['-h']]])(
    'prints the command list on stdout for %j, exit code 0',
    async (argv) => {
      const { io, stdout, stderr } = capturedIo();
      expect(await dispatch(argv, io, COMMANDS)).toBe(0);
      expect(stdout()).toContain('Usage: lattn <command> [options]');
      expect(stdout()).toContain('  echo           print its text\n');
      expect(stderr()).toBe('');
    },
  );

  it('prints a command’s help for --help or -h anywhere in its arguments, without running it', async () => {
    for (const argv of [
      ['echo', '--help'],
      ['echo', '--text', 'x', '-h'],
    ]) {
      const { io, stdout } = capturedIo();
      expect(await dispatch(argv, io, COMMANDS)).toBe(0);
      expect(stdout()).toContain('Usage: lattn echo --text <text> [options]');
    }
    expect(runs).toEqual([]);
  });

  it('runs a command with its parsed options and returns its exit code', async () => {
    const { io, stdout, stderr } = capturedIo();
    expect(await dispatch(['echo', '--text', 'ab', '--times', '3'], io, COMMANDS)).toBe(0);
    expect(stdout()).toBe('ababab\n');
    expect(stderr()).toBe('');
  });

  it('reports an unknown command in one line on stderr, exit code 2', async () => {
    const { io, stdout, stderr } = capturedIo();
    expect(await dispatch(['frobnicate'], io, COMMANDS)).toBe(2);
    expect(stderr()).toBe("lattn: unknown command 'frobnicate'. Run 'lattn --help' for the list of commands.\n");
    expect(stdout()).toBe('');
  });

  it('reports a LattnError from a command as one line without a stack trace, exit code 2', async () => {
    const { io, stdout, stderr } = capturedIo();
    expect(await dispatch(['user-error'], io, COMMANDS)).toBe(2);
    expect(stderr()).toBe(
      'lattn user-error: fitLinearAttention: targets have the wrong shape. Expected (4, 2); received (4, 3).\n',
    );
    expect(stdout()).toBe('');
  });

  it('escapes control characters of a user error (from a file name or quoted file content), so it stays one line', async () => {
    const { io, stderr } = capturedIo();
    expect(await dispatch(['ctrl'], io, COMMANDS)).toBe(2);
    expect(stderr()).toBe(
      "lattn ctrl: 'x\\x0d.npy' has a malformed header.\\x09Expected a dict; received '\\x1b[2J\\x00'.\n",
    );
  });

  it('reports an invalid option as one line with an example, exit code 2', async () => {
    const { io, stderr } = capturedIo();
    expect(await dispatch(['echo', '--text', 'x', '--times', 'many'], io, COMMANDS)).toBe(2);
    expect(stderr()).toBe(
      "lattn echo: --times must be an integer >= 1; received 'many'. Example: lattn echo --text hi --times 2\n",
    );
  });

  it('reports any other error with its stack trace and the bug-report hint, exit code 1', async () => {
    const { io, stdout, stderr } = capturedIo();
    expect(await dispatch(['bug'], io, COMMANDS)).toBe(1);
    expect(stderr()).toMatch(
      new RegExp(
        `^lattn bug: internal error, please report it at ${ISSUES_URL} with this output:\nTypeError: Cannot read`,
      ),
    );
    expect(stderr()).toMatch(/\n {4}at /);
    expect(stdout()).toBe('');
  });

  it('reports a thrown non-Error value as an internal error, exit code 1', async () => {
    const { io, stderr } = capturedIo();
    expect(await dispatch(['throws-string'], io, COMMANDS)).toBe(1);
    expect(stderr()).toContain('internal error, please report it');
    expect(stderr()).toContain('a string');
  });
});
