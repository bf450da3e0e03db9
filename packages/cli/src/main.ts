import { isLattnError } from '@lattn/core';
import type { Command } from './command.js';
import type { CliIo } from './io.js';

const COMMANDS: readonly Command[] = [];

function overview(): string {
  const width = Math.max(4, ...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `lattn — learn multi-head linear attention exactly, in polynomial time

Usage: lattn <command> [options]

Commands:
${lines.join('\n')}

Run 'lattn <command> --help' for a command's options and examples.
`;
}

/**
 * Runs the `lattn` command line: dispatches to a sub-command and maps errors to exit codes.
 *
 * @param argv - Arguments after the program name, for example `['fit', '--inputs', 'X.npy']`.
 * @param io - Output streams; tests pass captured ones.
 * @returns The exit code: 0 on success, 2 for a user error (a `LattnError`, reported in one line),
 * 1 for an internal error (reported with its stack and a request to file a bug).
 * @example
 * ```ts
 * const code = await main(['--help'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      io.stdout.write(overview());
      return 0;
    }
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (command === undefined) {
      io.stderr.write(`lattn: unknown command '${name}'. Run 'lattn --help' for the list of commands.\n`);
      return 2;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (isLattnError(error)) {
      io.stderr.write(`lattn: ${error.message}\n`);
      return 2;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `lattn: internal error, please report it at https://github.com/lattn/lattn/issues with this output:\n${detail}\n`,
    );
    return 1;
  }
}
