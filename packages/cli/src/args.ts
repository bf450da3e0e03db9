/**
 * Typed command-line parsing on `node:util`'s strict `parseArgs`: each command declares its options (number,
 * integer, string, enum, boolean, path) and positionals once, and gets both validated values and its `--help`
 * text from that declaration. Every mistake is a one-line {@link LattnError} naming the option, the expected form
 * and what was received, followed by a valid invocation.
 */
import { parseArgs } from 'node:util';
import { LattnError, type RangeExpectation } from '@lattn/core';

interface OptionBase {
  /** One line for `--help`. */
  readonly description: string;
  /**
   * The value's name in `--help`, for example `'X.npy'` in `--inputs <X.npy>`.
   * @defaultValue the kind (`number`, `integer`, `path`, `text`) or the enum values
   */
  readonly placeholder?: string;
}

interface ValueOptionBase<T> extends OptionBase {
  /**
   * The value used when the option is absent.
   * @defaultValue `undefined`, unless `required`
   */
  readonly default?: T;
  /**
   * Whether the option must be given.
   * @defaultValue `false`
   */
  readonly required?: boolean;
}

/** A finite number (decimal or exponent notation), optionally bounded. */
export interface NumberOptionSpec extends ValueOptionBase<number>, RangeExpectation {
  /** The kind of value. */
  readonly kind: 'number';
  /**
   * Whether `max` itself is excluded (for "below 1").
   * @defaultValue `false`
   */
  readonly exclusiveMax?: boolean;
}

/** A safe integer, optionally bounded. */
export interface IntegerOptionSpec extends ValueOptionBase<number>, RangeExpectation {
  /** The kind of value. */
  readonly kind: 'integer';
}

/** Free text. */
export interface StringOptionSpec extends ValueOptionBase<string> {
  /** The kind of value. */
  readonly kind: 'string';
}

/** A non-empty file or directory path, taken as given (relative to the working directory). */
export interface PathOptionSpec extends ValueOptionBase<string> {
  /** The kind of value. */
  readonly kind: 'path';
}

/** One of a fixed set of words, or, when `integer` is set, alternatively an integer in that range. */
export interface EnumOptionSpec extends ValueOptionBase<string | number> {
  /** The kind of value. */
  readonly kind: 'enum';
  /** The accepted words. */
  readonly values: readonly string[];
  /**
   * When set, an integer in this range is accepted too (as for `--heads full|auto|H`).
   * @defaultValue words only
   */
  readonly integer?: RangeExpectation;
}

/** A flag: `true` when present, `false` otherwise; it takes no value. */
export interface BooleanOptionSpec extends OptionBase {
  /** The kind of value. */
  readonly kind: 'boolean';
}

/** The declaration of one `--option`. */
export type OptionSpec =
  | NumberOptionSpec
  | IntegerOptionSpec
  | StringOptionSpec
  | PathOptionSpec
  | EnumOptionSpec
  | BooleanOptionSpec;

/** A command's options by name; a camelCase name `numHeads` is the flag `--num-heads`. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The value type an option spec parses to. */
export type OptionValue<S extends OptionSpec> = S extends { readonly kind: 'number' | 'integer' }
  ? number
  : S extends { readonly kind: 'boolean' }
    ? boolean
    : S extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
      ? S extends { readonly integer: RangeExpectation }
        ? V | number
        : V
      : string;

/** Parsed option values: present whenever the option is a flag, required or has a default. */
export type ParsedOptions<T extends OptionSpecs> = {
  readonly [K in keyof T]: T[K] extends
    | { readonly kind: 'boolean' }
    | { readonly required: true }
    | { readonly default: unknown }
    ? OptionValue<T[K]>
    : OptionValue<T[K]> | undefined;
};

/** A required positional argument, such as the task of `lattn generate <task>`. */
export interface PositionalSpec {
  /** Its name in `--help`, for example `'task'`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /**
   * The accepted values.
   * @defaultValue any non-empty text
   */
  readonly values?: readonly string[];
}

/** Everything a command declares about its command line. */
export interface CommandSpec<T extends OptionSpecs> {
  /** The word after `lattn`. */
  readonly name: string;
  /** One line for `lattn --help`. */
  readonly summary: string;
  /**
   * A paragraph for `lattn <name> --help`, after the usage line.
   * @defaultValue the summary
   */
  readonly description?: string;
  /**
   * Required positional arguments, in order.
   * @defaultValue none
   */
  readonly positionals?: readonly PositionalSpec[];
  /** The options. */
  readonly options: T;
  /** Valid invocations, starting with `lattn <name>`; the first is the one quoted in errors by default. */
  readonly examples: readonly [string, ...string[]];
}

/** The result of {@link parseCommandArgs}. */
export interface ParsedArgs<T extends OptionSpecs> {
  /** Option values, validated and converted. */
  readonly options: ParsedOptions<T>;
  /** Positional arguments, validated, in order. */
  readonly positionals: readonly string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses a command's arguments against its declaration.
 *
 * @param spec - The command's declaration.
 * @param args - The arguments after the command name.
 * @returns The validated option values (defaults filled in) and positionals.
 * @throws {@link LattnError} `INVALID_ARGUMENT`, one line naming the option, its expected form and what was
 * received, then a valid invocation: for unknown options (with a suggestion), missing or malformed values,
 * repeated options, missing required options, and wrong positionals.
 * @example
 * ```ts
 * const { options } = parseCommandArgs(spec, ['--ridge', '1e-6']); // options.ridge === 1e-6
 * ```
 */
export function parseCommandArgs<T extends OptionSpecs>(spec: CommandSpec<T>, args: readonly string[]): ParsedArgs<T> {
  const names = Object.keys(spec.options);
  const flags = new Map(names.map((name) => [flagOf(name), name]));
  const fail = (message: string, flag?: string): never => {
    const example = spec.examples.find((line) => flag !== undefined && line.includes(flag)) ?? spec.examples[0];
    throw new LattnError('INVALID_ARGUMENT', `${message}. Example: ${example}`, { details: { command: spec.name } });
  };
  const config = Object.fromEntries(
    names.map((name) => [
      flagOf(name).slice(2),
      { type: spec.options[name].kind === 'boolean' ? 'boolean' : 'string' },
    ]),
  ) as Record<string, { type: 'boolean' | 'string' }>;
  const parsed = (() => {
    try {
      return parseArgs({ args: [...args], options: config, strict: true, allowPositionals: true, tokens: true });
    } catch (error) {
      const problem = describeParseError(error, args, spec, flags);
      return fail(problem.message, problem.flag);
    }
  })();
  const seen = new Map<string, string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const flag = `--${token.name}`;
    const previous = seen.get(flag);
    if (previous !== undefined) {
      fail(`${flag} is given more than once; received '${previous}' and '${token.value ?? flag}'`, flag);
    }
    seen.set(flag, token.value ?? flag);
  }
  const options: Record<string, unknown> = {};
  for (const name of names) {
    const option = spec.options[name];
    const flag = flagOf(name);
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[flag.slice(2)];
    if (option.kind === 'boolean') {
      options[name] = raw === true;
    } else if (raw === undefined) {
      if (option.required === true) fail(`${flag} is required: ${expectedForm(option)}; received nothing`, flag);
      options[name] = option.default;
    } else {
      options[name] = convert(option, String(raw), (what) => fail(`${flag} must be ${what}; received '${raw}'`, flag));
    }
  }
  const expected = spec.positionals ?? [];
  const positionals = parsed.positionals;
  if (positionals.length > expected.length) {
    const extra = positionals[expected.length];
    fail(
      expected.length === 0
        ? `unexpected argument '${extra}'; lattn ${spec.name} takes no positional arguments`
        : `unexpected extra argument '${extra}'; lattn ${spec.name} takes ${expected.map((p) => `<${p.name}>`).join(' ')}`,
    );
  }
  expected.forEach((positional, i) => {
    const value = positionals[i];
    const form = positional.values === undefined ? 'a value' : `one of ${positional.values.join(', ')}`;
    if (value === undefined) fail(`<${positional.name}> is required: ${form}; received nothing`);
    if (value === '' || (positional.values !== undefined && !positional.values.includes(value))) {
      fail(`<${positional.name}> must be ${form}; received '${value}'`);
    }
  });
  return { options: options as ParsedOptions<T>, positionals: [...positionals] };
}

/**
 * The `--help` text of a command: usage, description, arguments, options with their defaults, and examples.
 *
 * @param spec - The command's declaration.
 * @returns The text, ending with a newline.
 * @example
 * ```ts
 * io.stdout.write(formatHelp(spec));
 * ```
 */
export function formatHelp<T extends OptionSpecs>(spec: CommandSpec<T>): string {
  const names = Object.keys(spec.options);
  const required = names.filter((name) => isRequired(spec.options[name]));
  const usage = [
    `lattn ${spec.name}`,
    ...(spec.positionals ?? []).map((positional) => `<${positional.name}>`),
    ...required.map((name) => `${flagOf(name)} ${placeholderOf(spec.options[name])}`),
    '[options]',
  ].join(' ');
  const optionRows = names.map((name) => {
    const option = spec.options[name];
    const value = option.kind === 'boolean' ? '' : ` ${placeholderOf(option)}`;
    const note = isRequired(option)
      ? ' (required)'
      : option.kind !== 'boolean' && option.default !== undefined
        ? ` (default: ${option.default})`
        : '';
    return [`${flagOf(name)}${value}`, `${option.description}${note}`];
  });
  optionRows.push(['-h, --help', 'show this help']);
  const sections = [`Usage: ${usage}`, spec.description ?? spec.summary];
  if (spec.positionals !== undefined && spec.positionals.length > 0) {
    const rows = spec.positionals.map((positional) => [
      `<${positional.name}>`,
      positional.values === undefined
        ? positional.description
        : `${positional.description}: ${positional.values.join(', ')}`,
    ]);
    sections.push(`Arguments:\n${columns(rows)}`);
  }
  sections.push(`Options:\n${columns(optionRows)}`);
  sections.push(`Examples:\n${spec.examples.map((example) => `  ${example}`).join('\n')}`);
  return `${sections.join('\n\n')}\n`;
}

function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function isRequired(option: OptionSpec): boolean {
  return option.kind !== 'boolean' && option.required === true;
}

function placeholderOf(option: OptionSpec): string {
  if (option.placeholder !== undefined) return `<${option.placeholder}>`;
  if (option.kind === 'enum') return `<${option.values.join('|')}${option.integer === undefined ? '' : '|N'}>`;
  return `<${option.kind === 'string' ? 'text' : option.kind}>`;
}

function columns(rows: readonly (readonly string[])[]): string {
  const width = Math.max(...rows.map((row) => row[0].length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd()).join('\n');
}

/** Bounds of an option: core's range, plus an exclusive upper bound for numbers. */
type OptionRange = RangeExpectation & { readonly exclusiveMax?: boolean };

function describeRange(range: OptionRange): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.exclusiveMin === true ? '>' : '>='} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.exclusiveMax === true ? '<' : '<='} ${range.max}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

function expectedForm(option: Exclude<OptionSpec, BooleanOptionSpec>): string {
  switch (option.kind) {
    case 'number':
      return `a number${describeRange(option)}`;
    case 'integer':
      return `an integer${describeRange(option)}`;
    case 'enum':
      return `one of ${option.values.join(', ')}${option.integer === undefined ? '' : ` or an integer${describeRange(option.integer)}`}`;
    case 'path':
      return 'a non-empty path';
    case 'string':
      return 'non-empty text';
  }
}

function inRange(value: number, range: OptionRange): boolean {
  if (range.min !== undefined && (range.exclusiveMin === true ? value <= range.min : value < range.min)) return false;
  return range.max === undefined || (range.exclusiveMax === true ? value < range.max : value <= range.max);
}

function convert(
  option: Exclude<OptionSpec, BooleanOptionSpec>,
  raw: string,
  fail: (what: string) => never,
): string | number {
  const form = expectedForm(option);
  switch (option.kind) {
    case 'number': {
      const value = Number(raw);
      if (!NUMBER.test(raw) || !Number.isFinite(value) || !inRange(value, option)) return fail(form);
      return value;
    }
    case 'integer': {
      const value = Number(raw);
      if (!NUMBER.test(raw) || !Number.isSafeInteger(value) || !inRange(value, option)) return fail(form);
      return value;
    }
    case 'enum': {
      if (option.values.includes(raw)) return raw;
      const value = Number(raw);
      if (
        option.integer !== undefined &&
        NUMBER.test(raw) &&
        Number.isSafeInteger(value) &&
        inRange(value, option.integer)
      ) {
        return value;
      }
      return fail(form);
    }
    case 'path':
      // No file system has a name with a NUL character in it; Node.js would throw a TypeError on it.
      if (raw.includes('\u0000')) return fail('a path without NUL characters');
      return raw === '' ? fail(form) : raw;
    case 'string':
      return raw === '' ? fail(form) : raw;
  }
}

function describeParseError(
  error: unknown,
  args: readonly string[],
  spec: CommandSpec<OptionSpecs>,
  flags: ReadonlyMap<string, string>,
): { message: string; flag?: string } {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' =]*)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = [...flags.keys(), '--help'];
    const suggestion = closest(flag, known);
    const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    return { message: `unknown option '${flag}'${hint}; lattn ${spec.name} accepts ${known.join(', ')}` };
  }
  const name = flags.get(flag);
  const option = name === undefined ? undefined : spec.options[name];
  if (code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || option === undefined)
    return { message: message.split('\n')[0] };
  if (option.kind === 'boolean') {
    const given = args.find((arg) => arg.startsWith(`${flag}=`)) ?? flag;
    return { message: `${flag} is a flag and takes no value; received '${given}'`, flag };
  }
  const next = args[args.indexOf(flag) + 1];
  const form = expectedForm(option);
  if (next === undefined) return { message: `${flag} needs a value: ${form}; received nothing`, flag };
  return {
    message: `${flag} needs a value: ${form}; received the option-like '${next}' (write ${flag}=${next} for a value that starts with '-')`,
    flag,
  };
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length];
}
