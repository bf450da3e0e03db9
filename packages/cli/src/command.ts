import type { CliIo } from './io.js';

/** One `lattn` sub-command: its name, its help text and what it runs. */
export interface Command {
  /** The word after `lattn`, for example `'fit'`. */
  readonly name: string;
  /** One line for the command list of `lattn --help`. */
  readonly summary: string;
  /** The full text of `lattn <name> --help`: usage, options with defaults, and examples. */
  readonly help: string;
  /**
   * Runs the command with the arguments after its name.
   * @returns The exit code: 0 on success. User errors are thrown as `LattnError` and mapped by `main`.
   */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
