import type { Command } from './command.js';
import { benchCommand } from './commands/bench.js';
import { certifyCommand } from './commands/certify.js';
import { fitCommand } from './commands/fit.js';
import { generateCommand } from './commands/generate.js';
import { predictCommand } from './commands/predict.js';
import { reproduceCommand } from './commands/reproduce.js';
import { dispatch } from './dispatch.js';
import type { CliIo } from './io.js';

const COMMANDS: readonly Command[] = [
  fitCommand,
  predictCommand,
  certifyCommand,
  generateCommand,
  reproduceCommand,
  benchCommand,
];

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
  return dispatch(argv, io, COMMANDS);
}
