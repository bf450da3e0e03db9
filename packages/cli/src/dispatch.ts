/**
 * The command-line driver behind `main`: picks the sub-command, answers `--help`, and is the single place that
 * maps errors to output and exit codes (STYLE 7.7).
 */
import { isLattnError } from '@lattn/core';
import type { Command } from './command.js';
import type { CliIo } from './io.js';

/** The URL printed with internal errors. */
export const ISSUES_URL = 'https://github.com/lattn/lattn/issues';

/**
 * Runs one command line against a list of commands.
 *
 * - No command, `help`, `--help` or `-h`: the command list on stdout, exit code 0.
 * - `lattn <command> --help` (or `-h`): the command's help on stdout, exit code 0.
 * - An unknown command: one line on stderr, exit code 2.
 * - A {@link LattnError} (a user error): `lattn <command>: <message>` in one line on stderr, no stack trace,
 *   exit code 2. Line breaks in the message become spaces and other control characters (from file names or file
 *   contents quoted in it) are escaped as `\xNN`, so the line stays one line on any terminal.
 * - Anything else thrown (a bug): the stack trace and a request to report it on stderr, exit code 1.
 *
 * @param argv - Arguments after the program name.
 * @param io - The output streams.
 * @param commands - The available commands.
 * @returns The exit code.
 * @example
 * ```ts
 * const code = await dispatch(['fit', '--help'], io, [fitCommand]);
 * ```
 */
export async function dispatch(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(overview(commands));
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr.write(`lattn: unknown command '${name}'. Run 'lattn --help' for the list of commands.\n`);
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (isLattnError(error)) {
      io.stderr.write(`lattn ${command.name}: ${oneLine(error.message)}\n`);
      return 2;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `lattn ${command.name}: internal error, please report it at ${ISSUES_URL} with this output:\n${detail}\n`,
    );
    return 1;
  }
}

/** The message on one line: line breaks become spaces, other control characters `\xNN`. */
function oneLine(message: string): string {
  let out = '';
  for (const char of message.replace(/\s*\n\s*/g, ' ')) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return out;
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(4, ...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `lattn — learn multi-head linear attention exactly, in polynomial time

Usage: lattn <command> [options]

Commands:
${lines.join('\n')}

Run 'lattn <command> --help' for a command's options and examples.
`;
}
