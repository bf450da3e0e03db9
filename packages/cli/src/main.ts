import { isLattnError } from '@lattn/core';

/** The streams the CLI talks to; tests pass captured ones. */
export interface CliIo {
  /** Where results and summaries go. */
  readonly stdout: { write(chunk: string): unknown };
  /** Where progress, warnings and errors go. */
  readonly stderr: { write(chunk: string): unknown };
}

const HELP = `lattn — learn multi-head linear attention exactly, in polynomial time

Usage: lattn <command> [options]

Commands:
  help        Show this help

Run 'lattn <command> --help' for a command's options and examples.
`;

/**
 * Runs the `lattn` command line.
 *
 * @param argv - Arguments after the program name.
 * @param io - Output streams.
 * @returns The process exit code: 0 on success, 2 for a user error, 1 for an internal error.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command = 'help'] = argv;
    if (command === 'help' || command === '--help' || command === '-h') {
      io.stdout.write(HELP);
      return 0;
    }
    io.stderr.write(`lattn: unknown command '${command}'. Run 'lattn --help' for the list of commands.\n`);
    return 2;
  } catch (error) {
    if (isLattnError(error)) {
      io.stderr.write(`lattn: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(
      `lattn: internal error, please report it with this output:\n${(error as Error).stack ?? String(error)}\n`,
    );
    return 1;
  }
}
