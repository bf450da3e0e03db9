import { type CommandSpec, formatHelp, type OptionSpecs, type ParsedArgs, parseCommandArgs } from './args.js';
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

/** A command's declaration plus what it does with its parsed arguments. */
export interface CommandDefinition<T extends OptionSpecs> extends CommandSpec<T> {
  /**
   * Runs the command.
   * @param args - The validated options and positionals.
   * @param io - The streams: results on stdout, progress and warnings on stderr.
   * @returns The exit code, 0 on success; user errors are thrown as `LattnError`.
   */
  run(args: ParsedArgs<T>, io: CliIo): Promise<number>;
}

/**
 * Builds a {@link Command} from a declaration: its help text is generated from the declared options and
 * examples, and its arguments are parsed and validated before `run` sees them.
 *
 * @param definition - Name, summary, options, positionals, examples and the body.
 * @returns The command, ready for `main`'s command list.
 * @example
 * ```ts
 * export const certifyCommand: Command = defineCommand({
 *   name: 'certify',
 *   summary: 'check whether a training set determines the learned function',
 *   options: { inputs: { kind: 'path', required: true, description: 'input sequences, shape (B, n, d)' } },
 *   examples: ['lattn certify --inputs X.npy'],
 *   run: async ({ options }, io) => 0,
 * });
 * ```
 */
export function defineCommand<T extends OptionSpecs>(definition: CommandDefinition<T>): Command {
  return {
    name: definition.name,
    summary: definition.summary,
    help: formatHelp(definition),
    run: (args, io) => definition.run(parseCommandArgs(definition, args), io),
  };
}
